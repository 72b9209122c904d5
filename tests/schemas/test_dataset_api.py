"""Every rule of the service dataset, through package_create and package_update."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories, helpers

from .payloads import valid_dataset

pytestmark = pytest.mark.usefixtures("with_plugins")


@pytest.fixture(scope="module")
def sysadmin(non_clean_db_module: None) -> dict[str, Any]:  # noqa: ARG001
    return factories.Sysadmin()


@pytest.fixture(scope="module")
def non_clean_db_module(reset_db: Any) -> None:
    reset_db()
    plugins.load_all()  # module fixtures run before the function-scoped with_plugins


def _ctx(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": True}


def _create(user: dict[str, Any], **data: Any) -> dict[str, Any]:
    return helpers.call_action("package_create", _ctx(user), **data)


def _errors(user: dict[str, Any], action: str = "package_create", **data: Any) -> dict[str, Any]:
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action(action, _ctx(user), **data)
    return e.value.error_dict


def test_minimal_dataset_is_completed_from_the_vocabularies(sysadmin: dict[str, Any]) -> None:
    pkg = _create(sysadmin, name="minimal-bins", **valid_dataset(la_service="524, 1130"))
    assert pkg["la_service"] == [
        "http://id.esd.org.uk/service/524",
        "http://id.esd.org.uk/service/1130",
    ]
    assert pkg["la_function"] == ["http://id.esd.org.uk/function/38"]
    assert pkg["theme"] == ["http://publications.europa.eu/resource/authority/data-theme/ENVI"]
    assert pkg["access_rights"].endswith("/access-right/PUBLIC")
    assert pkg["license_id"] == "uk-ogl"
    shown = helpers.call_action("package_show", id=pkg["id"])
    assert shown["la_service"] == pkg["la_service"]


def test_full_dataset_round_trips(sysadmin: dict[str, Any]) -> None:
    data = valid_dataset(
        name="business-rates-full",
        la_service=["http://id.esd.org.uk/service/54", "55"],
        la_function=["http://id.esd.org.uk/function/6"],
        area=["S12000050"],
        geographic_granularity="point",
        service_design_phase="beta",
        data_use_pattern=["increasing-access", "policy-development"],
        frequency="financial-year",
        issued="2018-02-01",
        modified="2018-02-28T10:00:00",
        temporal_coverage=[{"start": "2017-04-01", "end": "2018-03-31"}],
        contact=[{"name": "Open data team", "email": "opendata@northlan.gov.uk"}],
        documentation=["https://www.northlanarkshire.gov.uk/business-rates"],
        user_needs=[{"as_a": "business owner", "i_need": "rates reliefs", "so_that": "I pay less"}],
        service_outcomes=[{"outcome": "fewer FOI requests", "measure": "FOI requests a month"}],
        redaction_note="names of individual ratepayers replaced with REDACTED",
        funding_programme="ODI stimulus fund for service redesign",
        language="en",
    )
    pkg = _create(sysadmin, **data)
    assert pkg["la_function"] == ["http://id.esd.org.uk/function/6"]
    assert pkg["frequency"].endswith("/financial-year")
    assert pkg["user_needs"][0]["i_need"] == "rates reliefs"
    assert pkg["service_outcomes"][0]["measure"] == "FOI requests a month"
    assert pkg["temporal_coverage"] == [{"start": "2017-04-01", "end": "2018-03-31"}]
    assert pkg["data_use_pattern"] == ["increasing-access", "policy-development"]
    assert "vocabulary_notes" not in pkg


def test_former_gss_code_is_replaced_and_recorded(sysadmin: dict[str, Any]) -> None:
    pkg = _create(sysadmin, name="nl-former", **valid_dataset(area="S12000044"))
    assert pkg["area"] == ["S12000050"]
    assert any("S12000044" in n and "S12000050" in n for n in pkg["vocabulary_notes"])
    # the record survives a later update that does not touch the area again
    updated = helpers.call_action("package_update", _ctx(sysadmin), **dict(pkg, title="New"))
    assert updated["vocabulary_notes"] == pkg["vocabulary_notes"]


def test_shared_private_dataset_with_exception(sysadmin: dict[str, Any]) -> None:
    org = factories.Organization()
    pkg = _create(
        sysadmin,
        name="rates-internal",
        owner_org=org["id"],
        private=True,
        **valid_dataset(
            data_spectrum="shared",
            personal_data="personal",
            security_classification="OFFICIAL-SENSITIVE",
            open_by_default_exception="FOISA s.38: personal data of ratepayers",
        ),
    )
    assert pkg["access_rights"].endswith("/access-right/RESTRICTED")


RULES: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "public-not-open",
        {"data_spectrum": "shared", "open_by_default_exception": "x"},
        "data_spectrum",
        "must be open",
    ),
    (
        "exception-required",
        {"data_spectrum": "closed"},
        "open_by_default_exception",
        "Why it is not open",
    ),
    (
        "public-official",
        {"security_classification": "OFFICIAL-SENSITIVE"},
        "security_classification",
        "OFFICIAL",
    ),
    ("public-personal", {"personal_data": "personal"}, "personal_data", "Personal data"),
    ("public-special", {"personal_data": "special-category"}, "personal_data", "Personal data"),
    ("access-public", {"access_rights": "RESTRICTED"}, "access_rights", "Access rights"),
    ("unknown-access", {"access_rights": "SECRET"}, "access_rights", "Access rights"),
    ("unknown-lgsl", {"la_service": ["99999"]}, "la_service", "Services"),
    ("no-lgsl", {"la_service": []}, "la_service", "Services"),
    ("unknown-lgfl", {"la_function": ["9999"]}, "la_function", "Council functions"),
    ("unknown-gss", {"area": ["E99999999"]}, "area", "Council areas"),
    ("bad-date", {"issued": "28/02/2018"}, "issued", "YYYY-MM-DD"),
    ("bad-date-2", {"modified": "2018-02-30"}, "modified", "Last updated"),
    ("bad-choice", {"service_design_phase": "gamma"}, "service_design_phase", "discovery"),
    ("bad-spectrum", {"data_spectrum": "ajar"}, "data_spectrum", "open, shared, closed"),
    ("bad-pattern", {"data_use_pattern": ["whatever"]}, "data_use_pattern", "How the data is used"),
    ("bad-url", {"documentation": ["not a url"]}, "documentation", "https://"),
    ("bad-frequency", {"frequency": "fortnightly-ish"}, "frequency", "Update frequency"),
    ("bad-licence", {"license_id": "no-such-licence"}, "license_id", "Licence"),
    ("dict-title", {"title": {"en": "x"}}, "title", "Title"),
    ("list-notes", {"notes": ["a", "b"]}, "notes", "Description"),
    ("huge-title", {"title": "x" * 5000}, "title", "too long"),
    ("dict-service", {"la_service": {"id": 524}}, "la_service", "Services"),
    ("nested-list-area", {"area": [["E10000016"]]}, "area", "Council areas"),
    ("bad-conforms", {"conforms_to": ["no standard here"]}, "conforms_to", "Data standard"),
]


def _rule_failures(user: dict[str, Any], action: str, base: dict[str, Any] | None) -> list[str]:
    """Every rule of RULES against one action; the cases that did not fail as expected."""
    failures = []
    for case, changes, field, text in RULES:
        data = dict(base) if base else valid_dataset(name=f"rule-{case}")
        data.pop("access_rights", None)
        data.update(changes)
        try:
            helpers.call_action(action, _ctx(user), **data)
        except tk.ValidationError as e:
            messages = " ".join(str(m) for m in e.error_dict.get(field, []))
            if text not in messages:
                failures.append(f"{case}: {field!r} lacks {text!r}; errors: {e.error_dict}")
            continue
        failures.append(f"{case}: accepted")
    return failures


# one test per action (CKAN's per-test plugin loading costs more than all the calls)
def test_every_rule_on_create(sysadmin: dict[str, Any]) -> None:
    assert _rule_failures(sysadmin, "package_create", None) == []


def test_every_rule_on_update(sysadmin: dict[str, Any]) -> None:
    existing = _create(sysadmin, name="existing-for-update", **valid_dataset())
    assert _rule_failures(sysadmin, "package_update", existing) == []
    # and the dataset is unchanged by the refused updates
    assert helpers.call_action("package_show", id=existing["id"])["title"] == existing["title"]


def test_temporal_start_after_end(sysadmin: dict[str, Any]) -> None:
    errors = _errors(
        sysadmin,
        **valid_dataset(
            name="tc-bad", temporal_coverage=[{"start": "2019-01-01", "end": "2018-01-01"}]
        ),
    )
    assert "temporal_coverage" in errors
    assert "before the start" in str(errors["temporal_coverage"])


def test_bad_email_in_contact(sysadmin: dict[str, Any]) -> None:
    errors = _errors(
        sysadmin,
        **valid_dataset(name="bad-email", contact=[{"name": "x", "email": "not-an-email"}]),
    )
    assert "contact" in errors and "email address" in str(errors["contact"])


def test_wrong_shape_of_repeating_field(sysadmin: dict[str, Any]) -> None:
    errors = _errors(
        sysadmin, **valid_dataset(name="bad-shape", user_needs="as a resident I need bins")
    )
    assert "user_needs" in errors


def test_private_closed_access_must_agree(sysadmin: dict[str, Any]) -> None:
    org = factories.Organization()
    errors = _errors(
        sysadmin,
        **valid_dataset(
            name="closed-public-access",
            owner_org=org["id"],
            private=True,
            data_spectrum="closed",
            open_by_default_exception="commercially sensitive",
            access_rights="PUBLIC",
        ),
    )
    assert "access_rights" in errors and "Non-public" in str(errors["access_rights"])


def test_resource_fields(sysadmin: dict[str, Any]) -> None:
    pkg = _create(
        sysadmin,
        name="with-resource",
        resources=[
            {
                "url": "https://example.org/rates.csv",
                "name": "Rates",
                "format": "CSV",
                "size": "2048",
                "schema": '{"fields": [{"name": "postcode", "type": "string"}]}',
                "conforms_to": "https://example.org/standard",
            }
        ],
        **valid_dataset(),
    )
    res = pkg["resources"][0]
    assert res["size"] == 2048 and '"postcode"' in res["schema"]
    errors = _errors(
        sysadmin,
        name="bad-resource",
        resources=[{"url": "https://x.org/a.csv", "schema": "{not json", "size": "-1"}],
        **valid_dataset(),
    )
    assert "resources" in errors
    assert "Table Schema" in str(errors["resources"]) and "whole number" in str(errors["resources"])


def test_design_pattern_type(sysadmin: dict[str, Any]) -> None:
    pkg = _create(
        sysadmin,
        type="design-pattern",
        name="pattern-open-by-default",
        title="Open by default",
        problem="FOI requests about business rates take officers' time",
        solution="Publish the rates data openly and automatically",
        examples=[{"name": "North Lanarkshire", "url": "https://example.org/nl"}],
        related_datasets=["business-rates-full"],
        la_service="54",
    )
    assert pkg["license_id"] == "cc-by"
    assert pkg["la_service"] == ["http://id.esd.org.uk/service/54"]
    assert pkg["examples"][0]["name"] == "North Lanarkshire"
    errors = _errors(sysadmin, type="design-pattern", name="pattern-bad", license_id="odc-odbl")
    assert {"problem", "solution", "license_id"} <= set(errors)
    assert "CC" in str(errors["license_id"]) or "cc-by" in str(errors["license_id"])


def test_learning_resource_type(sysadmin: dict[str, Any]) -> None:
    pkg = _create(
        sysadmin,
        type="learning-resource",
        name="data-ethics-canvas",
        title="Data ethics canvas",
        kind="canvas",
        audience=["service-designers", "council-officers"],
        skills=["data ethics"],
        format="printable-template",
        license_id="cc-by-sa",
    )
    assert pkg["audience"] == ["service-designers", "council-officers"]
    assert pkg["kind"] == "canvas"
    errors = _errors(sysadmin, type="learning-resource", name="lr-bad", kind="poem", audience="x")
    assert "kind" in errors and "canvas" in str(errors["kind"])
    assert "audience" in errors


def test_blank_repeating_rows_are_not_saved(sysadmin: dict[str, Any]) -> None:
    # the form posts its spare empty rows (user needs, outcomes, publisher) with every value blank
    pkg = _create(
        sysadmin,
        **valid_dataset(
            name="blank-rows",
            user_needs=[
                {"as_a": "", "i_need": " ", "so_that": ""},
                {"as_a": "resident", "i_need": "my collection day", "so_that": "bins go out"},
            ],
            service_outcomes=[{"outcome": "", "measure": ""}],
        ),
    )
    assert [need["as_a"] for need in pkg["user_needs"]] == ["resident"]
    assert not pkg.get("service_outcomes")
