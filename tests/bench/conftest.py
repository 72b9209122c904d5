"""Fixtures of the guard-rail tests: the database reset also applies the plugins' migrations."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.consortium.conftest import reset_with_plugin_migrations


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    from ckan.tests import factories

    def runner() -> None:
        factories.fake.unique.clear()
        reset_with_plugin_migrations()

    return runner
