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


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_seed_creates_the_consortia_and_a_second_run_changes_nothing(app: Any) -> None:
    first = seed_module.seed(rows=20)
    assert not first.dropped_fields, first.dropped_fields  # every field the seed writes exists
    orgs = call_action("organization_list", all_fields=True)
    assert {o["name"] for o in orgs} >= {"kent", "doncaster", "waltham-forest", "north-lanarkshire"}

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

    data = call_action("package_show", id="north-lanarkshire-business-rates-sample")
    [resource] = data["resources"]
    assert resource["url_type"] == "upload"
    assert "Illustrative sample data" in resource["description"]
    assert resource["hash"].startswith("sha256:")
    body = app.get(resource["url"].replace("http://test.ckan.net", ""), status=200).body
    assert body.splitlines()[0].startswith("property_reference,billing_authority_reference")
    assert "/standard/business-rates" in json.dumps(data.get("conforms_to"))

    before = {
        p.name: (p.metadata_modified, p.private)
        for p in model.Session.query(model.Package).filter(model.Package.state == "active")
    }
    activities = model.Session.execute(sa.text("select count(*) from activity")).scalar()
    second = seed_module.seed(rows=20)
    assert not second.changed, second.summary()
    after = {
        p.name: (p.metadata_modified, p.private)
        for p in model.Session.query(model.Package).filter(model.Package.state == "active")
    }
    assert after == before
    assert model.Session.execute(sa.text("select count(*) from activity")).scalar() == activities

    # a changed generator setting rewrites only the files
    third = seed_module.seed(rows=21)
    assert {u.split()[0] for u in third.updated} == {"file"}
    assert not third.created


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_seed_restores_a_consortium_field_changed_by_hand() -> None:
    seed_module.seed(rows=5)
    sysadmin = factories.Sysadmin()
    call_action(
        "organization_patch", {"user": sysadmin["name"]}, id="kent", lead_authority="E08000017"
    )
    report = seed_module.seed(rows=5)
    assert report.updated == ["organization kent (lead_authority)"]
    assert call_action("organization_show", id="kent")["lead_authority"] == "E10000016"


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_seed_command(cli: Any) -> None:
    from ckanext.publicservices.cli import publicservices

    result = cli.invoke(publicservices, ["seed", "--rows", "5"])
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "organization kent" in result.output
    again = cli.invoke(publicservices, ["seed", "--rows", "5"])
    assert again.exit_code == 0, again.output
    assert again.output.startswith("created 0, updated 0, unchanged")


@pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")
def test_after_seeding_the_portal_shows_the_four_consortia(app: Any) -> None:
    from bs4 import BeautifulSoup

    seed_module.seed(rows=5)
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
