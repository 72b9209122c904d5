"""The service hierarchy: LGSL services under LGFL functions, and their themes (LGA/data.gov.uk
themes, mapped onto EU data themes)."""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import Any

from ckanext.publicservices.vocabularies.loaders import data_path
from ckanext.publicservices.vocabularies.model import EU_AUTHORITY, Term
from ckanext.publicservices.vocabularies.terms import get_vocabulary, lookup

# data.gov.uk / LGA theme → EU data theme code, for the LGA function/service → theme mapping.
DGU_THEME_TO_EU: dict[str, str] = {
    "Business and economy": "ECON",
    "Crime and justice": "JUST",
    "Defence": "JUST",
    "Education": "EDUC",
    "Environment": "ENVI",
    "Government": "GOVE",
    "Government spending": "GOVE",
    "Health": "HEAL",
    "Mapping": "REGI",
    "Society": "SOCI",
    "Towns and cities": "REGI",
    "Transport": "TRAN",
}


@functools.lru_cache(maxsize=1)
def _hierarchy() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(function code → service codes, service code → function codes) from the esd hierarchy."""
    root = ET.parse(data_path("functions_services_hierarchy.xml")).getroot()
    by_function: dict[str, list[str]] = {}
    by_service: dict[str, list[str]] = {}
    for fn in root.iter("Function"):
        fcode = (fn.findtext("Identifier") or "").strip()
        services_el = fn.find("Services")
        if not fcode or services_el is None:
            continue
        for svc in services_el.findall("Service"):
            scode = (svc.findtext("Identifier") or "").strip()
            if scode:
                by_function.setdefault(fcode, []).append(scode)
                by_service.setdefault(scode, []).append(fcode)
    return (
        {k: tuple(dict.fromkeys(v)) for k, v in by_function.items()},
        {k: tuple(dict.fromkeys(v)) for k, v in by_service.items()},
    )


def _code(vocab: str, value: Any) -> str | None:
    term = lookup(vocab, value)
    return term.code if term else None


def _related(value: Any, vocab: str, other: str, by_code: dict[str, tuple[str, ...]]) -> list[Term]:
    code = _code(vocab, value)
    if code is None:
        return []
    terms = get_vocabulary(other).terms
    return [terms[c] for c in by_code.get(code, ()) if c in terms]


def functions_for_service(value: Any) -> list[Term]:
    """The LGFL functions a service (code or URI) sits under."""
    return _related(value, "lgsl", "lgfl", _hierarchy()[1])


def services_for_function(value: Any) -> list[Term]:
    """The LGSL services under a function (code or URI)."""
    return _related(value, "lgfl", "lgsl", _hierarchy()[0])


def function_uris_for_services(values: Iterable[Any]) -> list[str]:
    """LGFL URIs derived from LGSL services (order kept, no duplicates)."""
    out: dict[str, None] = {}
    for value in values:
        for fn in functions_for_service(value):
            out[fn.uri] = None
    return list(out)


@functools.lru_cache(maxsize=1)
def _dgu_themes() -> dict[str, dict[str, tuple[str, ...]]]:
    with open(data_path("service_function_themes.json"), encoding="utf-8") as f:
        raw = json.load(f)
    return {
        kind: {str(k): tuple(v) for k, v in (raw.get(kind) or {}).items()}
        for kind in ("services", "functions")
    }


def dgu_themes(value: Any, kind: str = "lgsl") -> tuple[str, ...]:
    """The LGA/data.gov.uk themes (e.g. "Environment") of a service or function."""
    code = _code(kind, value)
    if code is None:
        return ()
    table = _dgu_themes()["services" if kind == "lgsl" else "functions"]
    return table.get(code, ())


def eu_theme_uris(services_: Iterable[Any] = (), functions_: Iterable[Any] = ()) -> list[str]:
    """EU data-theme URIs for LGSL services and LGFL functions, via the LGA theme mapping."""
    out: dict[str, None] = {}
    pairs = [("lgsl", v) for v in services_] + [("lgfl", v) for v in functions_]
    for kind, value in pairs:
        for theme in dgu_themes(value, kind):
            code = DGU_THEME_TO_EU.get(theme)
            if code:
                out[EU_AUTHORITY.format("data-theme", code)] = None
    return list(out)


def clear_caches() -> None:
    """Forget the hierarchy and the theme table (the vocabularies were reloaded)."""
    _hierarchy.cache_clear()
    _dgu_themes.cache_clear()
