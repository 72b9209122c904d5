"""Fixtures of the consortium tests.

CKAN's ``reset_db`` rebuilds only core tables; the suite's plugins need their own migrations
(``activity``; ``publicservices_validation`` when it ships one), so the database reset used by
``clean_db``/``non_clean_db`` applies them too.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import ckan.model as model
import ckanext.activity
import pytest
from ckan.tests import helpers as test_helpers

import ckanext.publicservices

_MIGRATIONS = {
    "activity": os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
    "publicservices_validation": os.path.join(
        os.path.dirname(ckanext.publicservices.__file__), "migration", "publicservices_validation"
    ),
}


def reset_with_plugin_migrations() -> None:
    test_helpers.reset_db()
    # by path, as `ckan db upgrade -p` would: the plugins may not be loaded yet at this point
    original = model.repo._alembic_ini
    try:
        for path in _MIGRATIONS.values():
            if os.path.isdir(path):
                model.repo._alembic_ini = os.path.join(path, "alembic.ini")
                model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    from ckan.tests import factories

    def runner() -> None:
        factories.fake.unique.clear()
        reset_with_plugin_migrations()

    return runner
