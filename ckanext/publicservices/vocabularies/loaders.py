"""Loaders: each vocabulary's terms read from the data files shipped with the package, or from the
refreshed lists written by ``ckan publicservices vocab refresh``."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable

from ckanext.publicservices.vocabularies.geometry import county_points_from_districts, point
from ckanext.publicservices.vocabularies.model import (
    EU_AUTHORITY,
    FINANCIAL_YEAR_URI,
    LGFL_URI,
    LGSL_URI,
    Term,
    council_uri,
)

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def vocabulary_dir() -> str | None:
    """Directory holding refreshed vocabulary files (``ckanext.publicservices.vocabulary_dir``)."""
    try:
        from ckan.common import config

        value = config.get("ckanext.publicservices.vocabulary_dir")
    except Exception:  # outside a configured CKAN (pure unit tests, scripts)
        value = None
    return str(value) if value else None


def refreshed_path(name: str) -> str | None:
    directory = vocabulary_dir()
    if not directory:
        return None
    path = os.path.join(directory, f"{name}.csv")
    return path if os.path.exists(path) else None


def data_path(filename: str) -> str:
    return os.path.join(DATA_DIR, filename)


def read_csv(path: str) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{(k or ""): (v or "") for k, v in row.items()} for row in csv.DictReader(f)]


def _clean(text: str) -> str:
    return " ".join(text.split())


def read_refreshed(name: str, path: str) -> dict[str, Term]:
    """A refreshed list in the normalised form written by ``vocab refresh``."""
    terms: dict[str, Term] = {}
    for row in read_csv(path):
        code = row.get("code", "").strip()
        if not code:
            continue
        base = {"code": code, "uri": row.get("uri") or "", "label": row.get("label", "")}
        extra_json = row.get("extra") or "{}"
        try:
            extra = json.loads(extra_json)
        except ValueError:
            extra = {}
        terms[code] = Term(
            vocabulary=name,
            description=row.get("description", ""),
            withdrawn=row.get("withdrawn", "").lower() == "true",
            parents=tuple(p for p in row.get("parents", "").split() if p),
            country=row.get("country", ""),
            council_type=row.get("council_type", ""),
            former_codes=tuple(p for p in row.get("former_codes", "").split() if p),
            alt_names=tuple(p for p in row.get("alt_names", "").split("|") if p),
            end_date=row.get("end_date", ""),
            replaced_by=row.get("replaced_by", ""),
            centroid=point(*(row.get("centroid") or "").split()[:2]),
            extra=extra if isinstance(extra, dict) else {},
            **base,
        )
    return terms


def _refreshed_or_shipped(
    name: str, filename: str, from_csv: Callable[[str], dict[str, Term]]
) -> Callable[[], dict[str, Term]]:
    """The loader of a list ``vocab refresh`` can replace: the refreshed file when there is one,
    else the file shipped with the package."""

    def load() -> dict[str, Term]:
        path = refreshed_path(name)
        return read_refreshed(name, path) if path else from_csv(data_path(filename))

    return load


def _esd_terms(path: str, vocabulary: str, uri: str, parents: bool) -> dict[str, Term]:
    """Terms from an esd-toolkit CSV (Identifier, Label, Description; a function's Parent
    identifiers)."""
    rows = read_csv(path)
    rows = [r for r in rows if r.get("Identifier", "").strip().isdigit()]
    rows.sort(key=lambda r: int(r["Identifier"]))
    return {
        r["Identifier"]: Term(
            vocabulary=vocabulary,
            code=r["Identifier"],
            uri=uri.format(r["Identifier"]),
            label=_clean(r.get("Label", "")),
            description=_clean(r.get("Description", "")),
            parents=tuple(
                p.strip() for p in r.get("Parent identifiers", "").split(";") if p.strip()
            )
            if parents
            else (),
        )
        for r in rows
    }


def lgsl_from_csv(path: str) -> dict[str, Term]:
    """LGSL terms from an esd-toolkit services CSV."""
    return _esd_terms(path, "lgsl", LGSL_URI, parents=False)


def lgfl_from_csv(path: str) -> dict[str, Term]:
    """LGFL terms from an esd-toolkit functions CSV."""
    return _esd_terms(path, "lgfl", LGFL_URI, parents=True)


def councils_from_csv(path: str) -> dict[str, Term]:
    """Council terms from mySociety's uk_local_authorities.csv."""
    rows = read_csv(path)
    by_registry = {r["local-authority-code"]: r["gss-code"] for r in rows}
    derived_points = county_points_from_districts(rows)
    terms: dict[str, Term] = {}
    for r in sorted(rows, key=lambda r: r["gss-code"]):
        gss = r["gss-code"].strip()
        if not gss:  # Northern Irish councils abolished before GSS codes
            continue
        alt = tuple(dict.fromkeys(a.strip() for a in r["alt-names"].split(",") if a.strip()))
        centroid = derived_points.get(r["local-authority-code"]) or point(
            r.get("long", ""), r.get("lat", "")
        )
        terms[gss] = Term(
            vocabulary="council",
            code=gss,
            uri=council_uri(gss),
            label=_clean(r["official-name"]),
            description=_clean(r["nice-name"]),
            withdrawn=r["current-authority"] != "True",
            country=r["nation"],
            council_type=r["local-authority-type-name"],
            former_codes=tuple(c.strip() for c in r["former-gss-codes"].split(",") if c.strip()),
            alt_names=alt,
            end_date=r["end-date"],
            replaced_by=by_registry.get(r["replaced-by"], "") if r["replaced-by"] else "",
            centroid=centroid,
            extra={"registry_code": r["local-authority-code"], "govuk_slug": r["gov-uk-slug"]},
        )
    return terms


def _load_eu(table: str, filename: str) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for r in read_csv(data_path(filename)):
        code = r["code"].strip()
        if not code or code.startswith("OP_"):  # OP_DATPRO is a publisher-internal code
            continue
        terms[code] = Term(
            vocabulary=table,
            code=code,
            uri=r["uri"] or EU_AUTHORITY.format(table, code),
            label=r["label_en"],
            withdrawn=r["deprecated"].lower() == "true",
        )
    return terms


def _load_frequency() -> dict[str, Term]:
    terms = _load_eu("frequency", "eu_frequency_en.csv")
    terms["financial-year"] = Term(
        vocabulary="frequency",
        code="financial-year",
        uri=FINANCIAL_YEAR_URI,
        label="every financial year (April to March)",
        rdf_uri=EU_AUTHORITY.format("frequency", "ANNUAL"),
    )
    return terms


def _load_access_right() -> dict[str, Term]:
    labels = {
        "PUBLIC": ("Public", "Anyone can access the data (open data)."),
        "RESTRICTED": ("Restricted", "Access needs an agreement, registration or a licence."),
        "NON_PUBLIC": ("Non-public", "Not available outside the publishing organisations."),
    }
    return {
        code: Term(
            vocabulary="access-right",
            code=code,
            uri=EU_AUTHORITY.format("access-right", code),
            label=label,
            description=description,
        )
        for code, (label, description) in labels.items()
    }


LOADERS = {
    "lgsl": _refreshed_or_shipped("lgsl", "lgsl_services_okfn_2015.csv", lgsl_from_csv),
    "lgfl": _refreshed_or_shipped("lgfl", "lgfl_functions_okfn_2015.csv", lgfl_from_csv),
    "council": _refreshed_or_shipped(
        "council", "mysociety_uk_local_authorities.csv", councils_from_csv
    ),
    "frequency": _load_frequency,
    "data-theme": lambda: _load_eu("data-theme", "eu_data-theme_en.csv"),
    "access-right": _load_access_right,
    "file-type": lambda: _load_eu("file-type", "eu_file-type_en.csv"),
}
