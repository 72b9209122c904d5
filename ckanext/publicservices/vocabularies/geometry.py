"""Council centre points: the register's points, checked, and upper-tier councils' centres derived
from their districts where the register's own point is wrong."""

from __future__ import annotations

import math


def point(longitude: str = "", latitude: str = "") -> tuple[float, float] | None:
    """(longitude, latitude) when both are numbers within the UK's range, else None."""
    try:
        lon, lat = float(longitude), float(latitude)
    except ValueError:
        return None
    if not (-9.0 <= lon <= 2.5 and 49.0 <= lat <= 61.5):  # outside the UK: not a UK centre
        return None
    return (lon, lat)


# An upper-tier council's point further than this from its districts' points is taken as an
# error in the source (mySociety's file puts Kent's in East London and Lancashire's in
# Northamptonshire); such a council's centre is derived from its districts instead.
MAX_COUNTY_POINT_KM = 25.0


def _area(row: dict[str, str]) -> float | None:
    try:
        area = float(row.get("area") or "")
    except ValueError:
        return None
    return area if area > 0 else None


def county_points_from_districts(rows: list[dict[str, str]]) -> dict[str, tuple[float, float]]:
    """Registry code → a derived centre, for current upper-tier councils whose own point is far
    from their districts'.

    The derived centre is the mean of the current districts' centre points weighted by their
    areas (the centroid of the union of the districts, to within the flattening of degrees over
    a county); a council with a district lacking its point or area gets none.
    """
    districts: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if r.get("county-la") and r.get("current-authority") == "True":
            districts.setdefault(r["county-la"], []).append(r)
    derived: dict[str, tuple[float, float]] = {}
    for r in rows:
        own = point(r.get("long", ""), r.get("lat", ""))
        found = [
            (point(d.get("long", ""), d.get("lat", "")), _area(d))
            for d in districts.get(r["local-authority-code"], [])
        ]
        parts = [(p, a) for p, a in found if p is not None and a is not None]
        if not own or not parts or len(parts) < len(found):
            continue
        total = sum(a for _p, a in parts)
        lon = sum(p[0] * a for p, a in parts) / total
        lat = sum(p[1] * a for p, a in parts) / total
        km = math.hypot(
            (own[1] - lat) * 111.2, (own[0] - lon) * 111.2 * math.cos(math.radians(lat))
        )
        if km > MAX_COUNTY_POINT_KM:
            derived[r["local-authority-code"]] = (round(lon, 10), round(lat, 10))
    return derived
