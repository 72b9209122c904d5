"""Fixtures of the validation tests (the report table's migration: tests/conftest.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from ckan.tests import factories
from werkzeug.datastructures import FileStorage


def dataset_payload(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Business rates",
        "notes": "Non-domestic rates, one row per property.",
        "la_service": ["54"],
        "data_use_pattern": ["increasing-access"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
    }
    data.update(overrides)
    return data


def upload(data: bytes, filename: str) -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=filename, content_type="text/csv")


VENUE_HEADER = (
    "venue_id,venue_name,date,hour,visitors,new_visitors,returning_visitors,passers_by,"
    "median_dwell_minutes\n"
)
VENUE_GOOD = VENUE_HEADER + "VHM,Vestry House Museum,2018-01-06,10,12,5,7,40,22.5\n"
VENUE_BAD = (
    VENUE_GOOD
    + "VHM,Vestry House Museum,06/01/2018,11,9,4,5,31,18\n"  # row 3: date in UK format
    + "VHM,Vestry House Museum,2018-01-06,25,-3,1,1,2,5\n"  # row 4: hour 25, visitors -3
)


@pytest.fixture
def publisher() -> dict[str, Any]:
    user = factories.UserWithToken()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "editor"}])
    return {"user": user, "org": org}
