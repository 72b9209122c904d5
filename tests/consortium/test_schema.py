"""The consortium organisation schema: field rules, storage round trip, field-named errors."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

pytestmark = pytest.mark.usefixtures("with_plugins")


def _org(**fields: Any) -> dict[str, Any]:
    base = {
        "name": "kent-test",
        "title": "Kent test consortium",
        "kind": "consortium",
        "lead_authority": "E10000016",
        "partners": [
            {"name": "Kent Energy Efficiency Partnership", "role": "energy partnership"},
            {"name": "UsCreates", "role": "service-design agency", "url": "https://uscreates.com"},
        ],
        "service_area": ["880", "http://id.esd.org.uk/service/269"],
        "programme": "ODI stimulus fund for service redesign",
        "funder": "Open Data Institute",
        "funding_amount": "£40,000",
        "start_date": "2017-10-01",
        "end_date": "2018-02-28",
        "default_license_id": "uk-ogl",
        "default_contact_email": "data@example.org",
        "default_area": ["E10000016"],
        "default_frequency": "ANNUAL",
        "default_la_service": ["880"],
    }
    base.update(fields)
    return base


def _create(sysadmin: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return call_action("organization_create", {"user": sysadmin["name"]}, **_org(**fields))


@pytest.mark.usefixtures("clean_db")
def test_round_trip_normalises_and_keeps_everything() -> None:
    sysadmin = factories.Sysadmin()
    created = _create(sysadmin)
    org = call_action("organization_show", id=created["id"])
    assert org["kind"] == "consortium"
    assert org["lead_authority"] == "E10000016"
    assert org["partners"] == [
        {"name": "Kent Energy Efficiency Partnership", "role": "energy partnership"},
        {"name": "UsCreates", "role": "service-design agency", "url": "https://uscreates.com"},
    ]
    assert org["service_area"] == [
        "http://id.esd.org.uk/service/880",
        "http://id.esd.org.uk/service/269",
    ]
    assert org["funding_amount"] == "40000"
    assert (org["start_date"], org["end_date"]) == ("2017-10-01", "2018-02-28")
    assert org["default_frequency"].endswith("/frequency/ANNUAL")
    assert org["default_area"] == ["E10000016"]
    # partners are not duplicated as a raw extra
    assert "partners" not in {e["key"] for e in org.get("extras", [])}

    # an unchanged update (show → update) keeps the same values
    call_action("organization_update", {"user": sysadmin["name"]}, **org)
    again = call_action("organization_show", id=created["id"])
    for key in ("partners", "service_area", "default_area", "lead_authority", "end_date"):
        assert again[key] == org[key], key

    # patch removes nothing else
    call_action("organization_patch", {"user": sysadmin["name"]}, id=org["id"], funder="ODI")
    patched = call_action("organization_show", id=created["id"])
    assert patched["funder"] == "ODI"
    assert patched["partners"] == org["partners"]


@pytest.mark.usefixtures("clean_db")
def test_former_gss_code_becomes_current() -> None:
    org = _create(factories.Sysadmin(), lead_authority="S12000044", default_area="S12000044")
    assert org["lead_authority"] == "S12000050"
    assert org["default_area"] == ["S12000050"]


@pytest.mark.parametrize(
    ("fields", "field", "fragment"),
    [
        ({"lead_authority": "E99999999"}, "lead_authority", "Unknown council GSS code"),
        ({"lead_authority": ""}, "lead_authority", "names the council"),
        ({"kind": "guild"}, "kind", ""),
        ({"service_area": ["880", "not-a-service"]}, "service_area", "Unknown LGSL service"),
        ({"default_area": ["E10000016", "X1"]}, "default_area", "Unknown council GSS code"),
        ({"start_date": "2018-03-01"}, "end_date", "before the start date"),
        ({"end_date": "next spring"}, "end_date", ""),
        ({"funding_amount": "lots"}, "funding_amount", "number of pounds"),
        ({"funding_amount": "-5"}, "funding_amount", "negative"),
        ({"blog_url": "javascript:alert(1)"}, "blog_url", "http"),
        ({"default_contact_email": "nobody"}, "default_contact_email", "email"),
        ({"default_license_id": "no-such-licence"}, "default_license_id", "Unknown licence"),
        ({"default_frequency": "sometimes"}, "default_frequency", "Unknown update frequency"),
        ({"service_area": {"a": 1}}, "service_area", "list"),
        ({"default_area": 42}, "default_area", "list"),
        ({"default_la_service": "[not json"}, "default_la_service", "Not a valid list"),
    ],
)
@pytest.mark.usefixtures("non_clean_db")
def test_bad_values_get_field_named_errors(
    fields: dict[str, Any], field: str, fragment: str
) -> None:
    sysadmin = factories.Sysadmin()
    with pytest.raises(tk.ValidationError) as err:
        _create(sysadmin, name=factories.Organization.stub().name, **fields)
    assert field in err.value.error_dict, err.value.error_dict
    assert fragment in " ".join(map(str, err.value.error_dict[field]))


@pytest.mark.usefixtures("non_clean_db")
def test_partner_rows_need_a_name_but_blank_rows_are_dropped() -> None:
    sysadmin = factories.Sysadmin()
    with pytest.raises(tk.ValidationError) as err:
        _create(
            sysadmin,
            name=factories.Organization.stub().name,
            partners=[{"name": "Snook"}, {"role": "digital agency", "url": "https://x.example"}],
        )
    assert err.value.error_dict["partners"][1]["name"]
    org = _create(
        sysadmin,
        name=factories.Organization.stub().name,
        partners=[{"name": "Snook", "role": "", "url": ""}, {"name": "", "role": "", "url": ""}],
    )
    assert org["partners"] == [{"name": "Snook"}]


@pytest.mark.usefixtures("non_clean_db")
def test_plain_organisation_needs_no_consortium_fields() -> None:
    org = factories.Organization()
    shown = call_action("organization_show", id=org["id"])
    assert "partners" not in shown or shown["partners"] in ([], None)


@pytest.mark.usefixtures("clean_db")
def test_web_form_creates_a_consortium_and_keeps_input_on_errors(app: Any) -> None:
    from bs4 import BeautifulSoup

    sysadmin = factories.SysadminWithToken()
    headers = {"Authorization": sysadmin["token"]}
    form = app.get("/organization/new", headers=headers, status=200).body
    for name in ("kind", "lead_authority", "partners-0-name", "service_area", "default_frequency"):
        assert f'name="{name}"' in form, name

    fields = {
        "name": "form-consortium",
        "title": "Form consortium",
        "kind": "consortium",
        "lead_authority": "E99999999",
        "partners-0-name": "Snook",
        "partners-0-role": "service-design agency",
        "partners-1-name": "",
        "partners-1-role": "",
        "partners-2-role": "digital agency",
        "partners-2-url": "not a link",
        "service_area": "54, 1672",
        "start_date": "2017-10-01",
        "end_date": "2017-09-01",
        "save": "",
    }
    page = BeautifulSoup(
        app.post("/organization/new", data=fields, headers=headers).body, "html.parser"
    )
    errors = page.select_one(".error-explanation").text
    assert "Lead authority" in errors and "End date" in errors
    assert "every partner needs a name" in str(page)
    assert page.find(attrs={"name": "partners-2-url"})["value"] == "not a link"
    assert "Must be a full web address" in str(page)
    # nothing typed is lost
    assert page.find(attrs={"name": "lead_authority"})["value"] == "E99999999"
    assert page.find(attrs={"name": "partners-0-name"})["value"] == "Snook"
    assert page.find(attrs={"name": "title"})["value"] == "Form consortium"

    fields.update(lead_authority="S12000044", end_date="2018-02-28")
    del fields["partners-2-role"], fields["partners-2-url"]
    app.post("/organization/new", data=fields, headers=headers)
    org = call_action("organization_show", id="form-consortium")
    assert org["lead_authority"] == "S12000050"
    assert org["partners"] == [{"name": "Snook", "role": "service-design agency"}]
    assert org["service_area"] == [
        "http://id.esd.org.uk/service/54",
        "http://id.esd.org.uk/service/1672",
    ]
    edit = app.get("/organization/edit/form-consortium", headers=headers, status=200).body
    edit_page = BeautifulSoup(edit, "html.parser")
    assert edit_page.find(attrs={"name": "partners-0-name"})["value"] == "Snook"
    assert edit_page.find(attrs={"name": "lead_authority"})["value"] == "S12000050"


@pytest.mark.parametrize("partners", ["Snook", ["Snook"], {"name": "Snook"}, '{"name": 1}'])
@pytest.mark.usefixtures("non_clean_db")
def test_partners_of_the_wrong_shape_get_a_field_named_error(partners: Any) -> None:
    with pytest.raises(tk.ValidationError) as err:
        _create(factories.Sysadmin(), name=factories.Organization.stub().name, partners=partners)
    assert "partners" in err.value.error_dict


@pytest.mark.usefixtures("non_clean_db")
def test_partners_as_json_text_are_accepted() -> None:
    org = _create(
        factories.Sysadmin(),
        name=factories.Organization.stub().name,
        partners='[{"name": "UrbanTide", "role": "digital agency"}]',
    )
    assert org["partners"] == [{"name": "UrbanTide", "role": "digital agency"}]
