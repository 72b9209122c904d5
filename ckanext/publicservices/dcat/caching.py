"""Conditional requests on the RDF routes: ``ETag``, ``Last-Modified`` and ``304 Not Modified``.

The validators are computed without building anything:

* catalog pages and the dump: the catalog version (:func:`.fragments.catalog_version`, one
  token bumped by every dataset write and index update, combined with the organisations' cache
  stamp, the vocabulary files and the code version) and the request's path and query;
* dataset documents: the dataset's ``metadata_modified`` read from its row, with the
  organisation, vocabulary and code stamps (:func:`.fragments.context_version`).

Pages are deterministic (same data, same bytes), so a validator names one body. Last-Modified
is the later of the data's and the context's change, and is given out only once its second is
over. ``If-None-Match`` decides over ``If-Modified-Since``. A 304 is answered only after the
view's own access checks pass for the current user.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, g, request

from ckanext.publicservices.dcat import fragments

log = logging.getLogger(__name__)

CATALOG_ENDPOINTS = frozenset(
    {
        "dcat.read_catalog",
        "publicservices_dcat.consortium_catalog",
        "publicservices_dcat.catalog_dump",
    }
)
DATASET_ENDPOINTS = frozenset({"dcat.read_dataset"})


def _request_key() -> str:
    args = sorted((k, v) for k, vs in request.args.lists() for v in vs)
    return f"{request.endpoint}|{sorted((request.view_args or {}).items())}|{args}"


def _dataset_row(id_or_name: str) -> Any:
    from ckan.model import meta

    with meta.engine.connect() as conn:
        return conn.execute(
            sa.text(
                "SELECT id, metadata_modified, private, state, owner_org FROM package "
                # as the view finds it: by id first, then the active dataset of that name
                "WHERE id = :x OR name = :x ORDER BY (id = :x) DESC, (state = 'active') DESC "
                "LIMIT 1"
            ),
            {"x": id_or_name},
        ).first()


def validators() -> tuple[str, datetime] | None:
    """(ETag, Last-Modified) of the current request's RDF document, None when not one."""
    endpoint = request.endpoint
    if not (request.view_args or {}).get("_format"):
        # with content negotiation ckanext-dcat serves "/" and "/dataset/<id>" under these
        # endpoints too, as HTML pages that differ by user: no validators for them
        return None
    if endpoint in CATALOG_ENDPOINTS:
        version, when = fragments.catalog_version()
        modified = datetime.fromtimestamp(when, timezone.utc)
        token = fragments._hash(version, _request_key())
        return f'"{token}"', modified
    if endpoint in DATASET_ENDPOINTS:
        row = _dataset_row(str((request.view_args or {}).get("_id") or ""))
        if row is None or row.private or row.state != "active" or row.metadata_modified is None:
            return None  # the view answers (404) as it does for a dataset without RDF
        context, context_seen = fragments.context_version()
        stamp = fragments._hash(row.id, row.metadata_modified.isoformat(), context, _request_key())
        # the later of its own change and its organisation's, vocabularies' or code's
        modified = max(
            row.metadata_modified.replace(tzinfo=timezone.utc),
            datetime.fromtimestamp(context_seen, timezone.utc),
        )
        return f'"{stamp}"', modified
    return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _settled(modified: datetime) -> bool:
    """Whether ``modified`` lies in a second that is over. HTTP dates have whole seconds: a
    Last-Modified given out during the second it names could be shared by a later version of
    that second, and If-Modified-Since would then answer 304 for a body the client lacks."""
    return int(modified.timestamp()) < int(_now().timestamp())


def _allowed() -> bool:
    """The view's own access checks, for the current user, before any 304: a document the
    user may not read answers as it does without the conditional headers (404/403)."""
    import ckan.plugins.toolkit as tk

    view_args = request.view_args or {}
    try:
        if request.endpoint in DATASET_ENDPOINTS:
            data_dict = {"id": str(view_args.get("_id") or "")}
            tk.check_access("dcat_dataset_show", {}, data_dict)
            tk.check_access("package_show", {}, data_dict)
        elif request.endpoint == "publicservices_dcat.consortium_catalog":
            tk.check_access("dcat_catalog_show", {}, {})
            tk.check_access("organization_show", {}, {"id": str(view_args.get("id") or "")})
        else:
            tk.check_access("dcat_catalog_show", {}, {})
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


def _not_modified(etag: str, modified: datetime) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = {t.strip() for t in if_none_match.split(",")}
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        # HTTP dates have whole seconds; a version of the current second has no usable date
        return _settled(modified) and modified.replace(microsecond=0) <= when
    return False


def _headers(response: Response, etag: str, modified: datetime) -> None:
    response.headers["ETag"] = etag
    if _settled(modified):
        response.headers["Last-Modified"] = format_datetime(modified.replace(microsecond=0), True)
    response.headers.setdefault("Cache-Control", "no-cache")


def before_request() -> Response | None:
    if request.method not in ("GET", "HEAD") or (
        request.endpoint not in CATALOG_ENDPOINTS and request.endpoint not in DATASET_ENDPOINTS
    ):
        return None
    try:
        found = validators()
    except Exception:  # noqa: BLE001 - no validators: the document is served without them
        log.exception("RDF validators could not be computed")
        return None
    if found is None:
        return None
    g._publicservices_rdf_validators = found
    if _not_modified(*found) and _allowed():
        response = Response(status=304)
        _headers(response, *found)
        return response
    return None


def after_request(response: Response) -> Response:
    found = g.get("_publicservices_rdf_validators")
    if found is not None and response.status_code == 200:
        _headers(response, *found)
    return response


def install(app: Any) -> None:
    app.before_request(before_request)
    app.after_request(after_request)


__all__ = ["after_request", "before_request", "install", "validators"]
