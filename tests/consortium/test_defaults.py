"""Per-consortium dataset defaults: they pre-fill the new-dataset form, never the API."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.consortium import data

_BUILT: dict[str, Any] = {}


@pytest.fixture
def setting(with_plugins: Any, reset_db: Any, reset_index: Any) -> dict[str, Any]:
    return data.built_once(_BUILT, _build, reset_db, reset_index)


def _build() -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    org = data.consortium(sysadmin, "kent-defaults")
    editor = factories.UserWithToken()
    call_action(
        "organization_member_create",
        {"user": sysadmin["name"]},
        id=org["id"],
        username=editor["name"],
        role="editor",
    )
    return {"org": org, "editor": editor, "sysadmin": sysadmin}


def _form(app: Any, user: dict[str, Any], url: str) -> BeautifulSoup:
    response = app.get(url, headers={"Authorization": user["token"]}, status=200)
    return BeautifulSoup(response.body, "html.parser")


def _value(page: BeautifulSoup, name: str) -> str:
    field = page.find(attrs={"name": name})
    assert field is not None, name
    if field.name == "select":
        selected = field.find("option", selected=True)
        return selected["value"] if selected else ""
    if field.name == "textarea":
        return field.text
    return field.get("value", "")


@pytest.mark.parametrize("ref", ["id", "name"])
def test_new_dataset_form_opened_for_a_consortium_is_prefilled(
    app: Any, setting: dict[str, Any], ref: str
) -> None:
    org = setting["org"]
    page = _form(app, setting["editor"], f"/dataset/new?owner_org={org[ref]}")
    assert _value(page, "owner_org") == org["id"]
    assert _value(page, "license_id") == "cc-by"
    assert _value(page, "contact-0-name") == "Kent data team"
    assert _value(page, "contact-0-email") == "kent-data@example.org"
    assert _value(page, "frequency") == data.ANNUAL
    assert "880" in _value(page, "la_service")
    assert "E10000016" in _value(page, "area")


def test_consortium_add_dataset_link_uses_the_group_parameter_too(
    app: Any, setting: dict[str, Any]
) -> None:
    page = _form(app, setting["editor"], f"/dataset/new?group={setting['org']['id']}")
    assert _value(page, "contact-0-name") == "Kent data team"


def test_values_in_the_link_win_over_defaults(app: Any, setting: dict[str, Any]) -> None:
    org = setting["org"]
    page = _form(app, setting["editor"], f"/dataset/new?owner_org={org['id']}&license_id=uk-ogl")
    assert _value(page, "license_id") == "uk-ogl"
    assert _value(page, "contact-0-name") == "Kent data team"


def test_form_without_a_consortium_has_no_consortium_defaults(
    app: Any, setting: dict[str, Any]
) -> None:
    page = _form(app, setting["sysadmin"] | {"token": _token(setting["sysadmin"])}, "/dataset/new")
    assert "Kent data team" not in str(page)


def test_learning_resource_form_does_not_take_the_data_licence(
    app: Any, setting: dict[str, Any]
) -> None:
    sysadmin = setting["sysadmin"]
    org = data.consortium(sysadmin, "licence-defaults", default_license_id="odc-odbl")
    call_action(
        "organization_member_create",
        {"user": sysadmin["name"]},
        id=org["id"],
        username=setting["editor"]["name"],
        role="editor",
    )
    page = _form(app, setting["editor"], f"/learning-resource/new?owner_org={org['id']}")
    assert _value(page, "license_id") != "odc-odbl"
    # the other defaults still apply
    assert _value(page, "contact-0-name") == "Kent data team"
    data_form = _form(app, setting["editor"], f"/dataset/new?owner_org={org['id']}")
    assert _value(data_form, "license_id") == "odc-odbl"


def test_re_displayed_form_keeps_what_the_user_typed(app: Any, setting: dict[str, Any]) -> None:
    org = setting["org"]
    response = app.post(
        "/dataset/new",
        data={
            "owner_org": org["id"],
            "name": "",
            "title": "",
            "contact-0-name": "Someone else",
            "save": "",
        },
        headers={"Authorization": setting["editor"]["token"]},
    )
    page = BeautifulSoup(response.body, "html.parser")
    assert _value(page, "contact-0-name") == "Someone else"
    assert "Kent data team" not in str(page.find(attrs={"name": "contact-0-name"}))


def test_api_never_applies_defaults(setting: dict[str, Any]) -> None:
    org = setting["org"]
    created = data.dataset(
        setting["editor"],
        org["id"],
        "explicit-api-dataset",
        license_id="uk-ogl",
        area=["E10000016"],
    )
    shown = call_action("package_show", id=created["id"])
    assert shown["license_id"] == "uk-ogl"
    assert not shown.get("contact")
    assert not shown.get("frequency")


def _token(user: dict[str, Any]) -> str:
    return factories.APIToken(user=user["name"])["token"]
