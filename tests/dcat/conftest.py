"""Shared fixtures of the DCAT tests.

CKAN's ``reset_db`` rebuilds only core tables; ``clean_db`` here also applies the migrations
of the suite's plugins (activity), as the consortium and schema tests do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import ckan.model as model
import ckanext.activity
import pytest
from ckan.tests import helpers as test_helpers

from ckanext.publicservices.dcat import profile
from tests.dcat.data import KENT

_MIGRATIONS = [os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity")]


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    from ckan.tests import factories

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


@pytest.fixture
def kent() -> Iterator[dict]:
    """The Kent consortium in the profile's organisation cache (no organization_show call)."""
    profile.remember_consortium(KENT)
    # ckanext-dcat's own publisher fallback keeps a class-level organisation cache
    profile.RDFProfile._org_cache[KENT["id"]] = KENT
    yield KENT
    profile.forget_consortia()
    profile.RDFProfile._org_cache.pop(KENT["id"], None)


@pytest.fixture(scope="module")
def dcat_plugins() -> Iterator[None]:
    """The suite's plugins, loaded once per module for the pure-RDF tests.

    CKAN's ``with_plugins`` reloads every plugin around every test (about 2 s each); these
    tests only read schemas and vocabularies, so one load per module serves them all.
    """
    from ckan import plugins

    plugins.load_all()
    yield
    plugins.unload_all()
