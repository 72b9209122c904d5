"""Seeded generator of the consortia's illustrative sample CSV files.

Columns follow the standard's Table Schema (order, types, constraints); a small per-standard
"shape" keeps rows coherent (fuel-poor households never exceed households, relief totals add up).
Every value is invented: identifiers use ranges no real area uses (ward E05999xxx, LSOA
E01999xxx) or obviously illustrative names, and the files are labelled "illustrative sample data".
The same (standard, seed) always gives the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]
Shape = Callable[[random.Random, int], Row]

KENT_DISTRICTS: tuple[str, ...] = tuple(f"E0700{n:04d}" for n in range(105, 117))
EPC_BANDS = ("B", "C", "D", "D", "D", "E", "E", "F", "G")


def _fuel_poverty(rng: random.Random, i: int) -> Row:
    households = rng.randint(450, 900)
    rate = rng.uniform(4.0, 24.0)
    fuel_poor = round(households * rate / 100)
    off_gas = rng.randint(0, households // 3)
    over_75 = rng.randint(households // 20, households // 6)
    epc = rng.choice(EPC_BANDS)
    # a transparent illustrative score: fuel poverty rate, off-gas share and poor EPC bands
    score = min(
        1.0,
        0.5 * (rate / 25) + 0.3 * (off_gas / households) + 0.2 * ("DEFG".find(epc) + 1) / 4,
    )
    band = (
        "low"
        if score < 0.3
        else "medium"
        if score < 0.5
        else "high"
        if score < 0.7
        else "very high"
    )
    return {
        "lsoa_code": f"E01999{i:03d}",
        "lsoa_name": f"Illustrative neighbourhood {i:03d}",
        "local_authority_code": KENT_DISTRICTS[i % len(KENT_DISTRICTS)],
        "year": 2017,
        "households": households,
        "fuel_poor_households": fuel_poor,
        "fuel_poverty_rate": round(100 * fuel_poor / households, 1),
        "off_gas_grid_households": off_gas,
        "median_epc_band": epc,
        "households_over_75": over_75,
        "risk_score": round(score, 3),
        "risk_band": band,
    }


_MONTHS = ("2017-10", "2017-11", "2017-12", "2018-01", "2018-02")
_AGE_BANDS = ("13-15", "16-17", "18-19", "20-24")
_CHANNELS = ("face-to-face", "telephone", "online", "group-session", "text-message")
_TOPICS = ("education-options", "apprenticeships", "employment", "training", "careers-planning")


def _suppressed(value: int) -> int | str:
    return value if value >= 5 else ""  # counts below 5 are suppressed (left blank)


def _careers(rng: random.Random, i: int) -> Row:
    contacts = rng.randint(0, 60)
    young_people = min(contacts, rng.randint(0, 45))
    referrals = min(young_people, rng.randint(0, 12))
    return {
        "month": _MONTHS[i % len(_MONTHS)],
        "ward_code": f"E05999{(i // len(_MONTHS)) % 12 + 1:03d}",
        "age_band": rng.choice(_AGE_BANDS),
        "channel": rng.choice(_CHANNELS),
        "topic": rng.choice(_TOPICS),
        "provider": "Illustrative careers service",
        "contacts": _suppressed(contacts),
        "young_people": _suppressed(young_people),
        "referrals": _suppressed(referrals),
    }


def _footfall(rng: random.Random, i: int) -> Row:
    opening_hours = range(10, 17)
    day = dt.date(2018, 1, 8) + dt.timedelta(days=i // len(opening_hours))
    hour = opening_hours[i % len(opening_hours)]
    weekend = day.weekday() >= 5
    visitors = rng.randint(8, 40) + (rng.randint(10, 30) if weekend else 0)
    new = rng.randint(visitors // 3, visitors)
    return {
        "venue_id": "VHM",
        "venue_name": "Vestry House Museum (illustrative counts)",
        "date": day.isoformat(),
        "hour": hour,
        "visitors": visitors,
        "new_visitors": new,
        "returning_visitors": visitors - new,
        "passers_by": rng.randint(visitors, visitors * 6),
        "median_dwell_minutes": round(rng.uniform(12, 75), 1),
    }


_USES = (
    ("CS", "Shop"),
    ("CO", "Office"),
    ("IF", "Factory"),
    ("CW", "Warehouse"),
    ("LX", "Hall"),
)


def _business_rates(rng: random.Random, i: int) -> Row:
    code, description = rng.choice(_USES)
    value = rng.randrange(2_000, 120_000, 50)
    occupied = "Y" if rng.random() < 0.85 else "N"
    start = dt.date(2010, 4, 1) + dt.timedelta(days=rng.randint(0, 2800))
    individual = rng.random() < 0.3
    mandatory: float | str = ""
    mandatory_type = ""
    if rng.random() < 0.15:
        mandatory_type = "Charity relief"
        mandatory = round(value * 0.49 * 0.8, 2)
    discretionary_type = ""
    discretionary: float | str = ""
    if value < 15_000 and rng.random() < 0.6:
        discretionary_type = "Small business relief"
        discretionary = round(value * 0.49 * rng.choice((0.25, 0.5, 1.0)), 2)
    total = round(float(mandatory or 0) + float(discretionary or 0), 2)
    return {
        "property_reference": f"ILLUSTRATIVE-{i:05d}",
        "billing_authority_reference": f"NL-SAMPLE-{i:05d}",
        "ratepayer": "REDACTED" if individual else f"Illustrative Trading {i:03d}",
        "company_number": "",
        "charity_number": "",
        "address": f"{rng.randint(1, 200)} Illustrative Street, Motherwell",
        "postcode": f"ML1 {rng.randint(0, 9)}ZZ",
        "latitude": round(55.79 + rng.uniform(-0.05, 0.05), 5),
        "longitude": round(-3.99 + rng.uniform(-0.08, 0.08), 5),
        "occupied": occupied,
        "liability_start_date": start.isoformat(),
        "empty_from_date": "" if occupied == "Y" else (start + dt.timedelta(days=400)).isoformat(),
        "rateable_value": value,
        "primary_description_code": code,
        "primary_description": description,
        "exemptions": "",
        "mandatory_relief_type": mandatory_type,
        "mandatory_relief_amount": mandatory,
        "discretionary_relief_type": discretionary_type,
        "discretionary_relief_amount": discretionary,
        "total_relief_amount": total if total else "",
    }


SHAPES: dict[str, Shape] = {
    "fuel-poverty-risk": _fuel_poverty,
    "careers-guidance-contacts": _careers,
    "venue-wifi-footfall": _footfall,
    "business-rates": _business_rates,
}


def _fallback(field: dict[str, Any], rng: random.Random, i: int) -> Any:
    """A value for a column the shape does not cover, from its type and constraints."""
    constraints = field.get("constraints", {})
    if "enum" in constraints:
        return rng.choice(constraints["enum"])
    low = constraints.get("minimum", 0)
    kind = field.get("type", "string")
    if kind == "integer":
        return rng.randint(int(low), int(constraints.get("maximum", low + 100)))
    if kind == "number":
        return round(rng.uniform(float(low), float(constraints.get("maximum", low + 100))), 2)
    if kind == "date":
        return (dt.date(2017, 10, 1) + dt.timedelta(days=rng.randint(0, 150))).isoformat()
    if constraints.get("required") or not constraints.get("pattern"):
        return f"illustrative {field['name']} {i}"
    return ""  # an optional column with a pattern: left empty rather than invented


def generate_rows(table_schema: dict[str, Any], standard: str, rows: int, seed: int) -> list[Row]:
    rng = random.Random(f"{standard}:{seed}")
    shape = SHAPES.get(standard)
    out: list[Row] = []
    for i in range(1, rows + 1):
        row = shape(rng, i) if shape else {}
        out.append(
            {
                f["name"]: row[f["name"]] if f["name"] in row else _fallback(f, rng, i)
                for f in table_schema["fields"]
            }
        )
    return out


def generate_csv(
    table_schema: dict[str, Any], standard: str, rows: int = 60, seed: int = 2017
) -> bytes:
    """The sample file: a header of the schema's field names, then ``rows`` rows."""
    buffer = io.StringIO()
    names = [f["name"] for f in table_schema["fields"]]
    writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(generate_rows(table_schema, standard, rows, seed))
    return buffer.getvalue().encode("utf-8")


__all__ = ["SHAPES", "generate_rows", "generate_csv"]
