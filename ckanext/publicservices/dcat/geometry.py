"""Geometry of council locations in RDF: dcat:centroid and dcat:bbox literals.

Centroids come from the council register (``Term.centroid`` of the vocabulary API: mySociety's
centre points). The register has no boundaries, and the portal never invents
geometry, so a council gets a ``dcat:bbox`` only from the extents file an administrator names in
``ckanext.publicservices.council_extents`` (CSV ``gss_code,west,south,east,north`` in WGS 84
degrees, e.g. derived from the ONS boundary files).

One literal per property (DCAT-AP 3 allows at most one centroid and one bbox): WKT typed
``gsp:wktLiteral`` unless ``ckanext.dcat.output_spatial_format`` names only ``geojson``.
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import os

import ckan.plugins.toolkit as tk
from rdflib import Literal, URIRef

log = logging.getLogger(__name__)

GSP_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
GEOJSON_IMT = URIRef("https://www.iana.org/assignments/media-types/application/vnd.geo+json")

Extent = tuple[float, float, float, float]  # west, south, east, north


def use_geojson() -> bool:
    """True when ckanext-dcat's spatial output format names GeoJSON and not WKT."""
    formats = tk.aslist(tk.config.get("ckanext.dcat.output_spatial_format") or "wkt")
    return "geojson" in formats and "wkt" not in formats


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def point_literal(lon: float, lat: float, geojson: bool = False) -> Literal:
    if geojson:
        doc = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        return Literal(json.dumps(doc), datatype=GEOJSON_IMT)
    return Literal(f"POINT ({_num(lon)} {_num(lat)})", datatype=GSP_WKT)


def box_literal(extent: Extent, geojson: bool = False) -> Literal:
    west, south, east, north = extent
    ring = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    if geojson:
        coords = [[round(x, 6), round(y, 6)] for x, y in ring]
        return Literal(
            json.dumps({"type": "Polygon", "coordinates": [coords]}), datatype=GEOJSON_IMT
        )
    text = ", ".join(f"{_num(x)} {_num(y)}" for x, y in ring)
    return Literal(f"POLYGON (({text}))", datatype=GSP_WKT)


def extents_path() -> str:
    return str(tk.config.get("ckanext.publicservices.council_extents") or "")


def council_extents() -> dict[str, Extent]:
    """GSS code → extent from the configured file ({} when none is set or it cannot be read)."""
    path = extents_path()
    if not path:
        return {}
    try:
        mtime = os.stat(path).st_mtime
    except OSError as e:
        _warn_once(f"council extents file {path!r} cannot be read: {e}")
        return {}
    return _read_extents(path, mtime)


@functools.cache
def _warn_once(message: str) -> None:
    log.warning("%s; council locations get no dcat:bbox", message)


@functools.lru_cache(maxsize=4)
def _read_extents(path: str, mtime: float) -> dict[str, Extent]:
    """Parse the extents file once per file version; bad rows are logged and skipped."""
    try:
        extents, problems = read_extents(path)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        _warn_once(f"council extents file {path!r} cannot be read: {e}")
        return {}
    for problem in problems:
        log.warning("council extents %s: %s (row skipped)", path, problem)
    return extents


def read_extents(path: str) -> tuple[dict[str, Extent], list[str]]:
    """GSS code → extent from a ``gss_code,west,south,east,north`` CSV, and the bad rows."""
    from ckanext.publicservices.vocabularies import terms

    extents: dict[str, Extent] = {}
    problems: list[str] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            error = _extent_error(row)
            code = terms.current_gss((row.get("gss_code") or "").strip())
            if error is None and code is None:
                error = f"gss_code: unknown GSS code {row.get('gss_code')!r}"
            if error is not None or code is None:
                problems.append(f"line {line}: {error}")
                continue
            west, south, east, north = (float(row[k]) for k in ("west", "south", "east", "north"))
            extents[code] = (west, south, east, north)
    return extents, problems


def _extent_error(row: dict[str, str]) -> str | None:
    try:
        west, south, east, north = (
            float(row.get(k) or "") for k in ("west", "south", "east", "north")
        )
    except ValueError:
        return "west, south, east, north: must be numbers (degrees, WGS 84)"
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return (
            "west, south, east, north: need -180 <= west < east <= 180, -90 <= south < north <= 90"
        )
    return None


__all__ = [
    "box_literal",
    "council_extents",
    "extents_path",
    "point_literal",
    "read_extents",
    "use_geojson",
]
