"""The demo's WSGI application (devstack.wsgi) with three routes that fail, for test_web_log.py.

- ``/__crash/view`` raises inside a view: CKAN's error handler answers 500 and logs it.
- ``/__crash/stream`` streams a body that raises half-way, after Flask has returned.
- ``/__crash/middleware`` raises in WSGI middleware around CKAN: gunicorn answers 500.

The last two are seen only by the WSGI server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Response

from devstack.wsgi import application as ckan_application

VIEW_ERROR = "publicservices-test-crash-in-view"
STREAM_ERROR = "publicservices-test-crash-in-stream"
MIDDLEWARE_ERROR = "publicservices-test-crash-in-middleware"


def _crash_in_view() -> str:
    raise RuntimeError(VIEW_ERROR)


def _crash_in_stream() -> Response:
    def body() -> Iterator[bytes]:
        yield b"partial"
        raise RuntimeError(STREAM_ERROR)

    return Response(body(), mimetype="text/plain")


flask_app = ckan_application._wsgi_app  # the Flask app inside CKAN's middleware
flask_app.add_url_rule("/__crash/view", "publicservices_test_crash_view", _crash_in_view)
flask_app.add_url_rule("/__crash/stream", "publicservices_test_crash_stream", _crash_in_stream)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ.get("PATH_INFO") == "/__crash/middleware":
        raise RuntimeError(MIDDLEWARE_ERROR)
    return ckan_application(environ, start_response)
