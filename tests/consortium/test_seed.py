"""`ckan publicservices seed`: the four consortia, their publications, and idempotence."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from typing import Any

import frictionless
import pytest
import sqlalchemy as sa
from ckan import model
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.publicservices.consortium import content, samples
from ckanext.publicservices.consortium import seed as seed_module

STANDARDS = (
    "fuel-poverty-risk",
    "careers-guidance-contacts",
    "venue-wifi-footfall",
    "business-rates",
)


def _standard(name: str) -> dict[str, Any]:
    folder = resources.files("ckanext.publicservices.schemas").joinpath("standards")
    return json.loads(folder.joinpath(f"{name}.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ the generator (no CKAN)


@pytest.mark.parametrize("name", STANDARDS)
def test_sample_file_is_deterministic_and_valid_against_its_standard(name: str) -> None:
    schema = _standard(name)
    body = samples.generate_csv(schema, name, rows=40, seed=7)
    assert body == samples.generate_csv(schema, name, rows=40, seed=7)
    assert body != samples.generate_csv(schema, name, rows=40, seed=8)
    header = next(csv.reader(io.StringIO(body.decode())))
    assert header == [f["name"] for f in schema["fields"]]
    descriptor = {k: schema[k] for k in ("fields", "missingValues", "primaryKey") if k in schema}
    report = frictionless.validate(
        frictionless.Resource(
            data=body, format="csv", schema=frictionless.Schema.from_descriptor(descriptor)
        )
    )
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])[:5]
    assert report.tasks[0].stats["rows"] == 40


def test_every_publication_is_labelled_illustrative() -> None:
    for org in content.CONSORTIA:
        items = content.datasets_for(org)
        assert [i["type"] for i in items] == ["dataset", "design-pattern", "learning-resource"]
        for item in items:
            assert content.ILLUSTRATIVE in item["notes"], item["name"]


def test_consortia_facts() -> None:
    by_name = {c["name"]: c for c in content.CONSORTIA}
    assert set(by_name) == {"kent", "doncaster", "waltham-forest", "north-lanarkshire"}
    assert by_name["kent"]["lead_authority"] == "E10000016"
    assert by_name["north-lanarkshire"]["lead_authority"] == "S12000050"
    assert {p["name"] for p in by_name["waltham-forest"]["partners"]} == {
        "The Audience Agency",
        "Technology Box",
    }
    assert by_name["north-lanarkshire"]["service_area"][-1].endswith("/service/1672")
    for org in by_name.values():
        assert (org["start_date"], org["end_date"]) == ("2017-10-01", "2018-02-28")
        assert "funding_amount" not in org  # not known per consortium: not invented


# ------------------------------------------------------------------ against CKAN
# One seeded portal for the module (the seed writes 4 organisations, 12 datasets and 4 files:
# 20 items);
# the tests run in file order and the last ones change it back.

ROWS = 5
_SEEDED: dict[str, Any] = {}


@pytest.fixture
def seeded(with_plugins: Any, reset_db: Any, reset_index: Any) -> dict[str, Any]:
    if not _SEEDED:
        reset_db()
        reset_index()
        _SEEDED["report"] = seed_module.seed(rows=ROWS)
    return _SEEDED


def _state() -> tuple[dict[str, Any], int]:
    packages = {
        p.name: (p.metadata_modified, p.private)
        for p in model.Session.query(model.Package).filter(model.Package.state == "active")
    }
    groups = {g.name: g.extras for g in model.Session.query(model.Group)}
    activities = model.Session.execute(sa.text("select count(*) from activity")).scalar()
    return {"packages": packages, "groups": groups}, int(activities or 0)


def test_first_run_creates_the_consortia_and_their_publications(seeded: dict[str, Any]) -> None:
    report = seeded["report"]
    assert not report.dropped_fields, report.dropped_fields  # every field the seed writes exists
    assert len([c for c in report.created if c.startswith("organization ")]) == 4
    assert len([c for c in report.created if c.startswith("file ")]) == 4
    for org in content.CONSORTIA:
        shown = call_action("organization_show", id=org["name"])
        assert shown["lead_authority"] == org["lead_authority"]
        assert shown["partners"] == org["partners"]
        found = call_action(
            "package_search",
            fq=f'+owner_org:"{shown["id"]}"',
            **{"facet.field": ["dataset_type"]},
        )
        assert found["facets"]["dataset_type"] == {
            "dataset": 1,
            "design-pattern": 1,
            "learning-resource": 1,
        }


def test_sample_file_is_uploaded_and_labelled(app: Any, seeded: dict[str, Any]) -> None:
    data = call_action("package_show", id="north-lanarkshire-business-rates-sample")
    [resource] = data["resources"]
    assert resource["url_type"] == "upload"
    assert "Illustrative sample data" in resource["description"]
    assert resource["hash"].startswith("sha256:")
    body = app.get(resource["url"].replace("http://test.ckan.net", ""), status=200).body
    lines = body.splitlines()
    assert lines[0].startswith("property_reference,billing_authority_reference")
    assert len(lines) == ROWS + 1
    assert "/standard/business-rates" in json.dumps(data.get("conforms_to"))


def test_the_portal_shows_the_four_consortia(app: Any, seeded: dict[str, Any]) -> None:
    from bs4 import BeautifulSoup

    index = app.get("/organization/", status=200).body
    for org in content.CONSORTIA:
        assert f'href="/organization/{org["name"]}"' in index
        page = BeautifulSoup(
            app.get(f"/organization/{org['name']}", status=200).body, "html.parser"
        )
        partners = page.select_one(".publicservices-partners").text
        assert all(p["name"] in partners for p in org["partners"])
        assert org["lead_authority"] in page.select_one(".publicservices-lead").text
        counts = {
            div["data-type"]: div.select_one(".badge").text
            for div in page.select(".publicservices-publication-type")
        }
        assert counts == {"dataset": "1", "design-pattern": "1", "learning-resource": "1"}

    editor = factories.UserWithToken()
    call_action(
        "organization_member_create",
        {"user": factories.Sysadmin()["name"]},
        id="kent",
        username=editor["name"],
        role="editor",
    )
    form = BeautifulSoup(
        app.get(
            "/dataset/new?owner_org=kent", headers={"Authorization": editor["token"]}, status=200
        ).body,
        "html.parser",
    )
    assert form.find(attrs={"name": "contact-0-email"})["value"] == "kent-consortium@example.org"


def test_a_second_run_changes_nothing(cli: Any, seeded: dict[str, Any]) -> None:
    from ckanext.publicservices.cli import publicservices

    before = _state()
    result = cli.invoke(publicservices, ["seed", "--rows", str(ROWS)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("created 0, updated 0, unchanged 20"), result.output
    model.Session.remove()
    assert _state() == before  # same metadata_modified everywhere, no new activity


def test_seed_restores_a_consortium_field_changed_by_hand(seeded: dict[str, Any]) -> None:
    sysadmin = factories.Sysadmin()
    call_action(
        "organization_patch", {"user": sysadmin["name"]}, id="kent", lead_authority="E08000017"
    )
    report = seed_module.seed(rows=ROWS)
    assert report.updated == ["organization kent (lead_authority)"]
    assert call_action("organization_show", id="kent")["lead_authority"] == "E10000016"


def test_a_changed_generator_setting_rewrites_only_the_files(seeded: dict[str, Any]) -> None:
    report = seed_module.seed(rows=ROWS + 1)
    assert {u.split()[0] for u in report.updated} == {"file"} and len(report.updated) == 4
    assert not report.created
    back = seed_module.seed(rows=ROWS)
    assert len(back.updated) == 4 and not back.created
