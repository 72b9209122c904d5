"""Checks that only the portal's own web forms apply (the API keeps its wider contract)."""

from __future__ import annotations

import re
from typing import Any

from ckan.plugins import toolkit as tk

__all__ = ["publicservices_resource_link"]

_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
# the resource form's views: new and edit, of any dataset type's blueprint
_FORM_ENDPOINTS = (".new", ".edit")


def _from_the_resource_form() -> bool:
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover - CKAN always has Flask
        return False
    if not has_request_context() or request.method != "POST":
        return False
    endpoint = request.endpoint or ""
    return endpoint.split(".", 1)[0].endswith("_resource") and endpoint.endswith(_FORM_ENDPOINTS)


def publicservices_resource_link(
    key: Any, data: dict[Any, Any], errors: dict[Any, Any], context: Any
) -> None:
    """A link typed into the file form must be a web address.

    The browser's own check of ``type=url`` is not enough (it is skipped without JavaScript, by
    other browsers and by scripts), so the server says it beside the field. Uploads carry their
    file name instead of a link, and the API and harvesting keep accepting what DCAT allows.
    """
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        return
    url_type = data.get((*key[:-1], "url_type")) if isinstance(key, tuple) else None
    if url_type or not _from_the_resource_form():
        return
    if not _LINK.match(value.strip()):
        errors[key].append(
            tk._(
                "Enter a web address that starts with https:// or http://, like "
                "https://www.example.org/data.csv, or upload the file"
            )
        )
