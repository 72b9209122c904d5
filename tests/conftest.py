"""Fixtures shared by the whole suite (CKAN's pytest plugin provides the rest)."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator

import ckan.model as model
import ckan.plugins
import ckanext.activity
import pytest
from ckan.tests import factories
from ckan.tests import helpers as test_helpers

import ckanext.publicservices


def _set_session_user(self: test_helpers.CKANTestApp, user_id: str | None) -> None:
    """CKAN 2.12's ``app.set_session_user`` for CKAN 2.11's test app, which has none.

    As on 2.12, later requests go through one client that carries the login: here Flask-Login's
    remember cookie, because 2.11's middleware (locale, …) sits outside the Flask app whose session
    a test could write. 2.11 otherwise makes a new client, without cookies, for every request.
    """
    from urllib.parse import urlparse

    from ckan.common import config
    from flask_login.utils import encode_cookie

    client = test_helpers.CKANTestClient(self.app, test_helpers.CKANResponse, use_cookies=True)
    user = model.User.get(user_id) if user_id else None
    if user is not None:
        with self.flask_app.test_request_context():
            client.set_cookie(
                config["REMEMBER_COOKIE_NAME"],
                encode_cookie(user.id),
                domain=urlparse(config["ckan.site_url"]).hostname or "localhost",
            )
    self.test_client = lambda use_cookies=True: client


if not hasattr(test_helpers.CKANTestApp, "set_session_user"):  # CKAN 2.11
    test_helpers.CKANTestApp.set_session_user = _set_session_user

# The plugins' own tables, created by path as `ckan db upgrade -p NAME` would (the plugins may
# not be loaded when the database is reset).
PLUGIN_MIGRATIONS = [
    os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
    os.path.join(
        os.path.dirname(ckanext.publicservices.__file__), "migration", "publicservices_validation"
    ),
]


def reset_with_plugin_migrations() -> None:
    test_helpers.reset_db()
    original = model.repo._alembic_ini
    try:
        for path in PLUGIN_MIGRATIONS:
            model.repo._alembic_ini = os.path.join(path, "alembic.ini")
            model.repo.upgrade_db("head")
    finally:
        model.repo._alembic_ini = original


@pytest.fixture(scope="session")
def reset_db() -> Callable[[], None]:
    """CKAN's reset rebuilds core tables only; the suite's plugins need their migrations too."""

    def runner() -> None:
        factories.fake.unique.clear()
        reset_with_plugin_migrations()

    return runner


_loaded_config: dict = {}


@pytest.fixture
def with_plugins(
    ckan_config: dict,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    provide_plugin: Callable[[str, type], None],
) -> Iterator[None]:
    """CKAN's ``with_plugins``, without reloading every plugin around every test.

    A reload costs about 2 s and the suite runs one plugin set (test.ini's), so the plugins load
    once and stay loaded while tests ask for the same set with the same configuration. A test
    with ``with_plugins("x")`` or ``ckan_config`` marks gets a fresh load, undone afterwards,
    exactly as CKAN's fixture does.
    """
    global _loaded_config
    extra = []
    for mark in request.node.iter_markers("with_plugins"):
        for arg in mark.args:
            # a dict registers test-only plugin classes under names, as CKAN's fixture does
            for name, impl in arg.items() if isinstance(arg, dict) else ():
                provide_plugin(name, impl)
            extra.extend(arg if isinstance(arg, dict) else [arg])
    assert all(isinstance(name, str) for name in extra), "register test plugins by name"
    configured = ckan_config["ckan.plugins"]
    names = (configured.split() if isinstance(configured, str) else list(configured)) + extra
    isolated = bool(extra) or any(request.node.iter_markers("ckan_config"))
    reusable = not isolated and _loaded_config.get("ckan.plugins") == names
    if not (reusable and all(ckan.plugins.plugin_loaded(name) for name in names)):
        monkeypatch.setitem(ckan_config, "ckan.plugins", names)
        ckan.plugins.load_all()
        _loaded_config = {} if isolated else copy.deepcopy(dict(ckan_config))
    else:
        # ckan_config restores its pre-test snapshot after every test, dropping what the
        # plugins' update_config added (template paths, …): put the loaded state back.
        ckan_config.update(copy.deepcopy(_loaded_config))
    yield
    if isolated:
        ckan.plugins.unload_all()
