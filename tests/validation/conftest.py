"""Fixtures of the validation tests.

CKAN's ``reset_db`` rebuilds core tables only; the report table comes from the plugin's own
alembic migration, applied here after each reset (by path, as ``ckan db upgrade -p`` would).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from typing import Any

import ckan.model as model
import ckanext.activity
import pytest
from ckan.tests import factories
from ckan.tests import helpers as test_helpers
from werkzeug.datastructures import FileStorage

import ckanext.publicservices

_MIGRATIONS = [
    os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
    os.path.join(
        os.path.dirname(ckanext.publicservices.__file__), "migration", "publicservices_validation"
    ),
]


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    def runner() -> None:
        factories.fake.unique.clear()
        test_helpers.reset_db()
        original = model.repo._alembic_ini
        try:
            for path in _MIGRATIONS:
                model.repo._alembic_ini = os.path.join(path, "alembic.ini")
                model.repo.upgrade_db("head")
        finally:
            model.repo._alembic_ini = original

    return runner


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
