"""Fixtures of the schema tests."""

from __future__ import annotations

import os
from collections.abc import Callable

import ckan.model as model
import ckanext.activity
import pytest
from ckan.tests import helpers as test_helpers

import ckanext.publicservices

_MIGRATIONS = [
    os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
    os.path.join(
        os.path.dirname(ckanext.publicservices.__file__), "migration", "publicservices_validation"
    ),
]


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    """CKAN's reset rebuilds core tables only; the suite's plugins need their migrations too."""
    from ckan.tests import factories

    def runner() -> None:
        factories.fake.unique.clear()
        test_helpers.reset_db()
        original = model.repo._alembic_ini
        try:
            for path in _MIGRATIONS:
                if os.path.isdir(path):
                    model.repo._alembic_ini = os.path.join(path, "alembic.ini")
                    model.repo.upgrade_db("head")
        finally:
            model.repo._alembic_ini = original

    return runner
