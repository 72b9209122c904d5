"""``/dataset/<id>/datapackage.json``: a Frictionless Data Package of a dataset.

Built from ``package_show`` as the requesting user sees it (private datasets are never shown to
those who may not read them, and any resource an access plugin hides stays out). Each tabular
resource carries its schema: its own, the standard it or its dataset conforms to, or the schema
inferred by the last validation run.
"""

from __future__ import annotations

import json
import re
from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.publicservices.validation import jobs, standards
from ckanext.publicservices.validation import model as vmodel

__all__: list[str] = []

_NAME_BAD = re.compile(r"[^a-z0-9._-]+")
_MEDIATYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
}


def _url(endpoint: str, fallback: str, **kwargs: Any) -> str:
    """An absolute URL for the dataset type's own route, else the default type's."""
    try:
        return tk.url_for(endpoint, _external=True, **kwargs)
    except Exception:  # werkzeug BuildError: the type has no blueprint of its own
        return tk.url_for(fallback, _external=True, **kwargs)


def _slug(text: str) -> str:
    return _NAME_BAD.sub("-", (text or "").lower()).strip("-._")


def _inferred_schemas(resource_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Latest inferred schema per resource, in one query."""
    if not resource_ids:
        return {}
    from ckan.model import meta

    t = vmodel.report_table
    rows = meta.Session.execute(
        sa.select(t.c.resource_id, t.c.schema)
        .where(
            t.c.resource_id.in_(resource_ids),
            t.c.schema_source == "inferred",
            t.c.schema.isnot(None),
        )
        .order_by(t.c.resource_id, t.c.created.desc())
        .distinct(t.c.resource_id)
    ).all()
    return {r.resource_id: r.schema for r in rows}


def _own_schema(value: Any) -> dict[str, Any] | str | None:
    if isinstance(value, dict):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    if text.startswith(("http://", "https://")):
        return standards.schema(text) or text
    try:
        parsed = json.loads(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and isinstance(parsed.get("fields"), list) else None


def _license(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    if not pkg.get("license_id"):
        return []
    lic: dict[str, Any] = {"name": _slug(pkg["license_id"]) or "license"}
    if pkg.get("license_url"):
        lic["path"] = pkg["license_url"]
    if pkg.get("license_title"):
        lic["title"] = pkg["license_title"]
    return [lic]


def build(pkg: dict[str, Any]) -> dict[str, Any]:
    dataset_standard = standards.resolve_conforms_to(pkg.get("conforms_to"))
    tabular_ids = [r["id"] for r in pkg.get("resources") or [] if jobs.tabular_format(r)]
    try:
        inferred = _inferred_schemas(tabular_ids)
    except sa.exc.ProgrammingError:  # migration not applied: no stored schemas to offer
        from ckan.model import meta

        meta.Session.rollback()
        inferred = {}
    resources = []
    used: set[str] = set()
    for pos, res in enumerate(pkg.get("resources") or []):
        url = res.get("url") or ""
        if not url:
            continue
        if not url.startswith(("http://", "https://")):  # package_show made uploads absolute
            url = _url(
                f"{pkg.get('type') or 'dataset'}_resource.download",
                "resource.download",
                id=pkg["name"],
                resource_id=res["id"],
                filename=url.rsplit("/", 1)[-1] or None,
            )
        name = _slug(res.get("name") or "") or f"resource-{pos + 1}"
        while name in used:
            name = f"{name}-{pos + 1}"
        used.add(name)
        out: dict[str, Any] = {"name": name, "path": url}
        if res.get("name"):
            out["title"] = res["name"]
        if res.get("description"):
            out["description"] = res["description"]
        fmt = jobs.tabular_format(res) or str(res.get("format") or "").lower().strip()
        if fmt and re.fullmatch(r"[a-z0-9]+", fmt):
            out["format"] = fmt
        mediatype = res.get("mimetype") or _MEDIATYPES.get(fmt or "")
        if mediatype:
            out["mediatype"] = mediatype
        size = res.get("size")
        if isinstance(size, int) or (isinstance(size, str) and size.isdigit()):
            out["bytes"] = int(size)
        if jobs.tabular_format(res):
            schema = _own_schema(res.get("schema"))
            if schema is None:
                found = standards.resolve_conforms_to(res.get("conforms_to")) or dataset_standard
                schema = found["schema"] if found else inferred.get(res["id"])
            if schema is not None:
                out["schema"] = schema
        resources.append(out)
    descriptor: dict[str, Any] = {
        "name": _slug(pkg["name"]),
        "id": pkg["id"],
        "title": pkg.get("title") or pkg["name"],
        "homepage": _url(f"{pkg.get('type') or 'dataset'}.read", "dataset.read", id=pkg["name"]),
        "resources": resources,
    }
    if pkg.get("notes"):
        descriptor["description"] = pkg["notes"]
    licenses = _license(pkg)
    if licenses:
        descriptor["licenses"] = licenses
    if pkg.get("version"):
        descriptor["version"] = str(pkg["version"])
    if pkg.get("metadata_created"):
        descriptor["created"] = pkg["metadata_created"][:19] + "Z"
    keywords = [t["name"] for t in pkg.get("tags") or [] if t.get("name")]
    if keywords:
        descriptor["keywords"] = keywords
    return descriptor
