"""Fixtures shared by the whole suite (CKAN's pytest plugin provides the rest)."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from typing import Any

import ckan.model as model
import ckan.plugins
import ckanext.activity
import pytest
from ckan.tests import factories
from ckan.tests import helpers as test_helpers
from ckan.tests.pytest_ckan import fixtures as ckan_fixtures

import ckanext.publicservices


class _PersistentClientApp:
    """CKAN 2.12's test-app behaviour, for CKAN 2.11's ``CKANTestApp``.

    2.12 sends every request through one client (``app.client``, cookies kept, replaceable by a
    test) and has ``set_session_user``; 2.11 makes a new client, without cookies, per request.
    Here the login is Flask-Login's remember cookie: 2.11's middleware (locale, …) sits outside
    the Flask app whose session a test could write.
    """

    @property
    def client(self: Any) -> Any:
        if "_client" not in self.__dict__:
            self._client = self.test_client()
        return self._client

    @client.setter
    def client(self: Any, value: Any) -> None:
        self._client = value

    def options(self: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        return self.client.options(url, *args, **kwargs)

    def post(self: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        params = kwargs.pop("params", None)
        if params:
            kwargs["data"] = params
        return self.client.post(url, *args, **kwargs)

    def get(self: Any, url: str, *args: Any, **kwargs: Any) -> Any:
        params = kwargs.pop("params", None)
        if params:
            kwargs["query_string"] = params
        return self.client.get(url, *args, **kwargs)

    def set_session_user(self: Any, user_id: str | None) -> None:
        from urllib.parse import urlparse

        from ckan.common import config
        from flask_login.utils import encode_cookie

        self.client = self.test_client()
        user = model.User.get(user_id) if user_id else None
        if user is not None:
            with self.flask_app.test_request_context():
                self.client.set_cookie(
                    config["REMEMBER_COOKIE_NAME"],
                    encode_cookie(user.id),
                    domain=urlparse(config["ckan.site_url"]).hostname or "localhost",
                )


if not hasattr(test_helpers.CKANTestApp, "set_session_user"):  # CKAN 2.11
    for _name in ("client", "options", "post", "get", "set_session_user"):
        setattr(test_helpers.CKANTestApp, _name, _PersistentClientApp.__dict__[_name])

if not hasattr(ckan_fixtures, "provide_plugin"):  # CKAN 2.11

    @pytest.fixture
    def provide_plugin(request: pytest.FixtureRequest) -> Iterator[Callable[[str, type], None]]:
        """CKAN 2.12's ``provide_plugin``: test-only plugin classes registered under names."""
        from unittest import mock

        from ckan.plugins.core import _get_service

        plugins: dict[str, type] = dict(m.args for m in request.node.iter_markers("provide_plugin"))
        maker = mock.Mock(
            side_effect=lambda name: plugins[name]() if name in plugins else mock.DEFAULT,
            wraps=_get_service,
        )
        with mock.patch("ckan.plugins.core._get_service", maker):
            yield lambda name, plugin: plugins.update({name: plugin})

    def pytest_configure(config: pytest.Config) -> None:
        for mark in ("with_plugins", "provide_plugin"):
            config.addinivalue_line("markers", f"{mark}: CKAN 2.12's mark, backported")

    def pytest_runtest_setup(item: pytest.Item) -> None:
        """2.12's marks bring their fixtures: without this, 2.11 would run a test marked
        ``with_plugins({...})`` without its test-only plugin, and the test would pass for
        the wrong reason or fail."""
        for mark in ("provide_plugin", "with_plugins"):
            if any(item.iter_markers(name=mark)) and mark not in item.fixturenames:
                item.fixturenames.append(mark)


# The plugins' own tables, created by path as `ckan db upgrade -p NAME` would (the plugins may
# not be loaded when the database is reset).
PLUGIN_MIGRATIONS = [
    os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
    os.path.join(
        os.path.dirname(ckanext.publicservices.__file__), "migration", "publicservices_validation"
    ),
    os.path.join(os.path.dirname(ckanext.publicservices.__file__), "migration", "publicservices"),
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
