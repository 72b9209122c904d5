"""The input boundary for request bodies (JSON nested too deeply for Python's parser) and for
addresses (a NUL in the path or the query), and the URL fallback for datasets of a type no schema
registers (see ``logic/isolation.py``).

A NUL (``%00``) in an address reaches PostgreSQL through whatever view reads it (``/dataset/%00``
looks the dataset up) and ends in a 500 there; no valid address holds one, so it is refused first.

CKAN reads an API body with ``request.get_json()``, which turns a ``ValueError`` into 400 but lets
a ``RecursionError`` (a body like ``[[[[…`` 3,000 levels deep) become a 500. The answer is the
400 any other unreadable body gets.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, request

publicservices_boundary = Blueprint("publicservices_boundary", __name__)


@publicservices_boundary.record_once
def _register(state: Any) -> None:
    from ckanext.publicservices.logic.isolation import unknown_type_url

    state.app.url_build_error_handlers.append(unknown_type_url)


@publicservices_boundary.before_app_request
def refuse_nul_in_address() -> Response | None:
    if "\x00" in request.path or any(
        "\x00" in key or any("\x00" in v for v in values) for key, values in request.args.lists()
    ):
        return _bad_request("The address contains a NUL character (%00), which no address holds.")
    return None


def _bad_request(message: str) -> Response:
    if request.path.startswith("/api/"):
        body = json.dumps(
            {"success": False, "error": {"__type": "Bad request", "message": message}}
        )
        return Response(body, status=400, content_type="application/json;charset=utf-8")
    return Response(message, status=400, content_type="text/plain; charset=utf-8")


@publicservices_boundary.app_errorhandler(RecursionError)
def too_deep(error: RecursionError) -> Response:
    return _bad_request("The request is nested too deeply to be read.")
