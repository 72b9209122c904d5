"""The registry of data standards: Table Schemas shipped in ``schemas/standards/<name>.json``.

A standard's URI is ``{base}<name>`` where the base is
``ckanext.publicservices.validation.standards_base_uri`` or ``{ckan.site_url}/standard/``; the
portal serves the standard at that address. ``get`` also accepts a bare name, the JSON address
(``…/<name>.json``) and URIs minted under an earlier site URL (any ``…/standard/<name>``), so a
portal that moves does not orphan the datasets that cite its standards.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from importlib import resources
from typing import Any
from urllib.parse import urlparse

import ckan.plugins.toolkit as tk

__all__: list[str] = []

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, dict[str, Any]]:
    folder = resources.files("ckanext.publicservices.schemas").joinpath("standards")
    out: dict[str, dict[str, Any]] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        descriptor = json.loads(entry.read_text(encoding="utf-8"))
        name = entry.name[: -len(".json")]
        if descriptor.get("name", name) != name:
            raise ValueError(f"standard {entry.name}: name {descriptor.get('name')!r} differs")
        descriptor["name"] = name
        out[name] = descriptor
    return out


def base_uri() -> str:
    base = tk.config.get("ckanext.publicservices.validation.standards_base_uri") or ""
    if not base:
        base = tk.config.get("ckan.site_url", "").rstrip("/") + "/standard/"
    return base if base.endswith("/") else base + "/"


def names() -> list[str]:
    return list(_registry())


def uri(name: str) -> str:
    """The URI datasets cite in ``conforms_to`` for the standard ``name``."""
    if name not in _registry():
        raise KeyError(name)
    return base_uri() + name


def _name_of(uri_or_name: str) -> str | None:
    value = (uri_or_name or "").strip()
    if value in _registry():
        return value
    base = base_uri()
    if value.startswith(base):
        candidate = value[len(base) :]
    else:
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https"):
            return None
        parts = parsed.path.rstrip("/").split("/")
        if len(parts) < 2 or parts[-2] != "standard":
            return None
        candidate = parts[-1]
    candidate = candidate.rstrip("/")
    if candidate.endswith(".json"):
        candidate = candidate[: -len(".json")]
    return candidate if _NAME_RE.match(candidate) and candidate in _registry() else None


def schema(uri_or_name: str) -> dict[str, Any] | None:
    """The Table Schema descriptor (a copy) of a standard, or None if it is not known."""
    name = _name_of(uri_or_name)
    return copy.deepcopy(_registry()[name]) if name else None


def get(uri_or_name: str) -> dict[str, Any] | None:
    """A standard as ``{name, uri, title, description, version, licenses, sources, schema}``."""
    name = _name_of(uri_or_name)
    if not name:
        return None
    descriptor = copy.deepcopy(_registry()[name])
    return {
        "name": name,
        "uri": uri(name),
        "title": descriptor.get("title", name),
        "description": descriptor.get("description", ""),
        "version": descriptor.get("version", ""),
        "licenses": descriptor.get("licenses", []),
        "sources": descriptor.get("sources", []),
        "field_count": len(descriptor.get("fields", [])),
        "schema": descriptor,
    }


resolve = get  # the name the schema validators look for


def all() -> list[dict[str, Any]]:  # noqa: A001 - the registry API named in the shared contract
    """Every standard (see ``get``), ordered by name."""
    return [s for s in (get(n) for n in _registry()) if s]


def resolve_conforms_to(value: Any) -> dict[str, Any] | None:
    """The first known standard among a dataset's/resource's ``conforms_to`` (string or list)."""
    if not value:
        return None
    if isinstance(value, str):
        text = value.strip()
        candidates: list[Any]
        if text.startswith("["):
            try:
                candidates = json.loads(text)
            except ValueError:
                candidates = [text]
        else:
            candidates = [text]
    elif isinstance(value, (list, tuple)):
        candidates = list(value)
    else:
        return None
    for item in candidates:
        if isinstance(item, dict):
            item = item.get("uri") or item.get("url") or item.get("name") or ""
        if isinstance(item, str):
            found = get(item)
            if found:
                return found
    return None
