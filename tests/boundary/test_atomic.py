"""No half-done writes: when a create or update fails at any point — validation, indexing, the
activity stream, a chained action — the committed database is exactly as it was before.

Each failure is real: a test-only plugin fails in the CKAN extension point concerned (the index
hook, the after-create/update hook where activities are written, a chained action after the core
action returned) for datasets named ``atomic-…``; requests go over HTTP.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.boundary import state
from tests.boundary.http import api
from tests.consortium.data import consortium, dataset

pytestmark = pytest.mark.usefixtures("clean_db", "clean_index")


ARMED = {"on": False}  # the fixture data is written before the failure is switched on


def _ours(data: Any) -> bool:
    return (
        ARMED["on"] and isinstance(data, dict) and str(data.get("name", "")).startswith("atomic-")
    )


class FailingIndex(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if _ours(pkg_dict):
            raise RuntimeError("the search index refused the document")
        return pkg_dict


class FailingAfterSave(p.SingletonPlugin):
    p.implements(p.IPackageController, inherit=True)

    def after_dataset_create(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _ours(pkg_dict):
            raise RuntimeError("the activity stream could not be written")

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        if _ours(pkg_dict):
            raise RuntimeError("the activity stream could not be written")


@tk.chained_action
def _failing_create(up: Any, context: Any, data_dict: Any) -> Any:
    result = up(context, data_dict)
    if _ours(data_dict):
        raise RuntimeError("a chained action failed after the core action")
    return result


@tk.chained_action
def _failing_update(up: Any, context: Any, data_dict: Any) -> Any:
    result = up(context, data_dict)
    if _ours(data_dict):
        raise RuntimeError("a chained action failed after the core action")
    return result


class FailingChain(p.SingletonPlugin):
    p.implements(p.IActions)

    def get_actions(self) -> dict[str, Any]:
        return {"package_create": _failing_create, "package_update": _failing_update}


def _setup() -> dict[str, Any]:
    admin = factories.SysadminWithToken()
    org = consortium(admin, "atomic-kent")
    pkg = dataset(admin, org["id"], "atomic-bins")  # created before the failure is switched on
    return {"admin": admin, "org": org, "pkg": pkg}


def _new(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": "atomic-new",
        "title": "Atomic",
        "notes": "n",
        "owner_org": org["id"],
        "la_service": ["524"],
        "data_use_pattern": ["increasing-access"],
        "data_spectrum": "open",
        "personal_data": "none",
        "security_classification": "OFFICIAL",
    }


def _fails_and_changes_nothing(
    app: Any, portal: dict[str, Any], actions: tuple[str, ...] = ("create", "update")
) -> None:
    token = portal["admin"]["token"]
    shown = call_action("package_show", id=portal["pkg"]["id"])
    calls = [("package_create", _new(portal["org"]))] if "create" in actions else []
    if "update" in actions:
        calls += [
            ("package_update", dict(shown, title="Changed title", notes="changed")),
            ("package_patch", {"id": shown["id"], "title": "Patched title"}),
            (
                "resource_create",
                {"package_id": shown["id"], "url": "https://example.org/x.csv", "name": "x"},
            ),
        ]
    for action, data in calls:
        before = state.snapshot()
        status, body = api(app, action, data, token)
        assert status >= 400, (action, status, body)
        assert state.snapshot() == before, action
    assert call_action("package_show", id=shown["id"])["title"] == shown["title"]


def _check(app: Any, actions: tuple[str, ...] = ("create", "update")) -> None:
    portal = _setup()
    ARMED["on"] = True
    try:
        _fails_and_changes_nothing(app, portal, actions)
    finally:
        ARMED["on"] = False


@pytest.mark.with_plugins({"publicservices_test_failing_index": FailingIndex})
def test_indexing_failure_commits_nothing(app: Any) -> None:
    _check(app)


@pytest.mark.with_plugins({"publicservices_test_failing_after_save": FailingAfterSave})
def test_activity_failure_commits_nothing(app: Any) -> None:
    _check(app)


@pytest.mark.with_plugins({"publicservices_test_failing_chain": FailingChain})
def test_chained_action_failure_after_create_commits_nothing(app: Any) -> None:
    _check(app, ("create",))


@pytest.mark.with_plugins({"publicservices_test_failing_chain": FailingChain})
def test_chained_action_failure_after_update_commits_nothing(app: Any) -> None:
    _check(app, ("update",))


@tk.chained_action
def _failing_after(up: Any, context: Any, data_dict: Any) -> Any:
    result = up(context, data_dict)
    if _ours(data_dict):
        raise RuntimeError("a chained action failed after the core action")
    return result


class FailingLaterChain(p.SingletonPlugin):
    """Fails after core's resource and organisation actions, which commit the dataset update,
    the resource's default views and the organisation's membership on their own."""

    p.implements(p.IActions)

    def get_actions(self) -> dict[str, Any]:
        names = ("resource_create", "resource_update", "organization_create", "organization_update")
        return {name: _failing_after for name in names}


@pytest.mark.with_plugins({"publicservices_test_failing_later_chain": FailingLaterChain})
def test_chained_resource_and_organisation_failures_commit_nothing(app: Any) -> None:
    portal = _setup()
    token = portal["admin"]["token"]
    csv = {"package_id": portal["pkg"]["id"], "url": "https://example.org/x.csv", "format": "CSV"}
    call_action("resource_create", {"user": portal["admin"]["name"]}, **dict(csv, name="first"))
    shown = call_action("package_show", id=portal["pkg"]["id"])
    org = call_action("organization_show", id=portal["org"]["id"])
    calls = [
        ("resource_create", dict(csv, name="atomic-new-file")),
        ("resource_update", dict(shown["resources"][0], name="atomic-renamed")),
        ("organization_create", {"name": "atomic-new-org", "title": "New", "kind": "other"}),
        ("organization_update", dict(org, name="atomic-kent", title="Renamed consortium")),
    ]
    ARMED["on"] = True
    try:
        for action, data in calls:
            before = state.snapshot()
            status, body = api(app, action, data, token)
            assert status == 500, (action, status, body)  # the test plugin's RuntimeError
            assert state.snapshot() == before, action
    finally:
        ARMED["on"] = False
    # and the same writes succeed when nothing fails
    status, body = api(app, "resource_create", dict(csv, name="atomic-new-file"), token)
    assert status == 200, body
    assert call_action("package_show", id=shown["id"])["resources"][-1]["name"] == "atomic-new-file"
    status, body = api(app, "organization_update", dict(org, title="Renamed consortium"), token)
    assert status == 200, body
    assert call_action("organization_show", id=org["id"])["title"] == "Renamed consortium"
