"""Who may see and change a consortium's datasets.

An editor of consortium A creates and edits only A's datasets; A's members see A's private
datasets; nobody else does (except sysadmins). Matrix: anonymous, member/editor/admin of A and
sysadmin × public/private datasets of A and B × show, search, update, delete (and create).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.consortium import data

ROLES = ("anonymous", "member", "editor", "admin", "sysadmin")
DATASETS = ("a-public", "a-private", "b-public", "b-private")

# who may see each dataset, and who may change it (update, delete)
CAN_SEE = {
    "a-public": set(ROLES),
    "a-private": {"member", "editor", "admin", "sysadmin"},
    "b-public": set(ROLES),
    "b-private": {"sysadmin"},
}
CAN_CHANGE = {
    "a-public": {"editor", "admin", "sysadmin"},
    "a-private": {"editor", "admin", "sysadmin"},
    "b-public": {"sysadmin"},
    "b-private": {"sysadmin"},
}

_BUILT: dict[str, Any] = {}


@pytest.fixture
def world(with_plugins: Any, reset_db: Any, reset_index: Any) -> dict[str, Any]:
    return data.built_once(_BUILT, _build, reset_db, reset_index)


def _build() -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    orgs = {
        "a": data.consortium(sysadmin, "perm-a"),
        "b": data.consortium(sysadmin, "perm-b", lead_authority="E08000017"),
    }
    users: dict[str, dict[str, Any] | None] = {"anonymous": None, "sysadmin": sysadmin}
    for role in ("member", "editor", "admin"):
        user = factories.User()
        call_action(
            "organization_member_create",
            {"user": sysadmin["name"]},
            id=orgs["a"]["id"],
            username=user["name"],
            role=role,
        )
        users[role] = user
    for name in DATASETS:
        org, visibility = name.split("-")
        data.dataset(sysadmin, orgs[org]["id"], f"perm-{name}", private=visibility == "private")
    return {"orgs": orgs, "users": users, "sysadmin": sysadmin}


def _as(world: dict[str, Any], role: str, action: str, **kwargs: Any) -> Any:
    user = world["users"][role]
    context = {"user": user["name"] if user else "", "ignore_auth": False}
    return call_action(action, context, **kwargs)


def _allowed(world: dict[str, Any], role: str, action: str, **kwargs: Any) -> bool:
    try:
        _as(world, role, action, **kwargs)
    except (tk.NotAuthorized, tk.ObjectNotFound):
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_show(world: dict[str, Any], role: str) -> None:
    seen = {d for d in DATASETS if _allowed(world, role, "package_show", id=f"perm-{d}")}
    assert seen == {d for d in DATASETS if role in CAN_SEE[d]}


@pytest.mark.parametrize("role", ROLES)
def test_search(world: dict[str, Any], role: str) -> None:
    result = _as(world, role, "package_search", q="name:perm-*", include_private=True, rows=50)
    found = {r["name"].removeprefix("perm-") for r in result["results"]} & set(DATASETS)
    assert found == {d for d in DATASETS if role in CAN_SEE[d]}
    # the consortium page's search runs as the visitor too
    from ckanext.publicservices.consortium import page

    user = world["users"][role]
    listed = page.publications(world["orgs"]["a"], user=user["name"] if user else "")
    names = {e["name"] for g in listed["groups"] for e in g["entries"]}
    assert ("perm-a-private" in names) == (role in CAN_SEE["a-private"])


@pytest.mark.parametrize("role", ROLES)
def test_update(world: dict[str, Any], role: str) -> None:
    changed = {
        d
        for d in DATASETS
        if _allowed(world, role, "package_patch", id=f"perm-{d}", notes=f"edited by {role}")
    }
    assert changed == {d for d in DATASETS if role in CAN_CHANGE[d]}
    for d in DATASETS:
        notes = call_action("package_show", id=f"perm-{d}")["notes"]
        assert (notes == f"edited by {role}") == (d in changed)


@pytest.mark.parametrize("role", ROLES)
def test_delete(world: dict[str, Any], role: str) -> None:
    sysadmin = world["sysadmin"]
    targets = {}
    for name in DATASETS:
        org, visibility = name.split("-")
        targets[name] = data.dataset(
            sysadmin,
            world["orgs"][org]["id"],
            f"del-{role}-{name}",
            private=visibility == "private",
        )["id"]
    deleted = {d for d, id_ in targets.items() if _allowed(world, role, "package_delete", id=id_)}
    assert deleted == {d for d in DATASETS if role in CAN_CHANGE[d]}
    for d, id_ in targets.items():
        state = call_action("package_show", id=id_)["state"]
        assert (state == "deleted") == (d in deleted)


@pytest.mark.parametrize("role", ROLES)
def test_create(world: dict[str, Any], role: str) -> None:
    may_create_in_a = role in {"editor", "admin", "sysadmin"}
    for org in ("a", "b"):
        user = world["users"][role]
        try:
            data.dataset(
                user or {"name": ""},
                world["orgs"][org]["id"],
                f"new-{role}-{org}",
                context={"ignore_auth": False},
            )
            created = True
        except (tk.NotAuthorized, tk.ValidationError):
            created = False
        expected = may_create_in_a if org == "a" else role == "sysadmin"
        assert created == expected, (role, org)
