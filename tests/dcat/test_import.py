"""``publicservices_dcat_import`` through the API against real services: a consortium catalog
exported and imported into another organisation, re-import, bad input, permissions."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action
from click.testing import CliRunner

from ckanext.publicservices.cli import publicservices
from tests.dcat.data import create_consortium
from tests.dcat.test_import_hostile import BILLION_LAUGHS

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index")

API = "/api/action/publicservices_dcat_import"
# fields the import must carry over unchanged (name, id and owner_org differ by design)
COMPARED = (
    "title",
    "notes",
    "url",
    "version",
    "license_id",
    "frequency",
    "access_rights",
    "la_service",
    "la_function",
    "theme",
    "area",
    "geographic_granularity",
    "service_design_phase",
    "data_use_pattern",
    "data_spectrum",
    "personal_data",
    "security_classification",
    "redaction_note",
    "funding_programme",
    "user_needs",
    "service_outcomes",
    "temporal_coverage",
    "contact",
    "type",
    # design patterns and learning resources
    "problem",
    "context",
    "solution",
    "consequences",
    "examples",
    "related_datasets",
    "kind",
    "audience",
    "skills",
    "format",
)


def _dataset(sysadmin: dict[str, Any], org: dict[str, Any], name: str, **extra: Any) -> dict:
    data: dict[str, Any] = {
        "name": name,
        "title": f"Households at risk of fuel poverty ({name})",
        "notes": "Modelled estimate of households at risk of fuel poverty, by ward.",
        "owner_org": org["id"],
        "url": "https://www.kent.gov.uk/fuel-poverty",
        "version": "1.2",
        "license_id": "uk-ogl",
        "frequency": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
        "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
        "la_service": ["880", "269"],
        "area": ["E10000016"],
        "geographic_granularity": "ward",
        "service_design_phase": "alpha",
        "data_use_pattern": ["increasing-access", "delivery-chains-and-planning"],
        "data_spectrum": "open",
        "personal_data": "aggregated-or-anonymised",
        "security_classification": "OFFICIAL",
        "redaction_note": "Wards with fewer than 10 households at risk are suppressed.",
        "funding_programme": "ODI stimulus fund for service redesign",
        "user_needs": [{"as_a": "adviser", "i_need": "ward figures", "so_that": "I plan visits"}],
        "service_outcomes": [{"outcome": "fewer households at risk", "measure": "per ward"}],
        "temporal_coverage": [{"start": "2017-04-01", "end": "2018-03-31"}],
        "contact": [{"name": "Kent open data team", "email": "opendata@kent.gov.uk"}],
        "tag_string": "fuel poverty,energy",
        "resources": [
            {"url": f"https://example.org/{name}.csv", "name": "By ward", "format": "CSV"},
            {"url": f"https://example.org/{name}.pdf", "name": "Method", "format": "PDF"},
        ],
    }
    data.update(extra)
    return call_action("package_create", {"user": sysadmin["name"]}, **data)


def _create(sysadmin: dict[str, Any], **data: Any) -> dict[str, Any]:
    # call_action's own ``context`` parameter would swallow the design pattern's field
    return tk.get_action("package_create")({"user": sysadmin["name"]}, data)


@pytest.fixture
def portal() -> dict[str, Any]:
    sysadmin = factories.Sysadmin()
    kent = create_consortium(sysadmin, "kent", "E10000016")
    doncaster = create_consortium(sysadmin, "doncaster", "E08000017")
    editor = factories.UserWithToken()
    call_action(
        "organization_member_create",
        {"user": sysadmin["name"]},
        id=doncaster["id"],
        username=editor["name"],
        role="editor",
    )
    return {
        "sysadmin": sysadmin,
        "kent": kent,
        "doncaster": doncaster,
        "editor": editor,
        "public": [
            _dataset(sysadmin, kent, "kent-fuel-poverty"),
            _dataset(sysadmin, kent, "kent-careers", la_service=["524"], area=["E08000017"]),
        ],
        "outputs": [
            _create(
                sysadmin,
                type="design-pattern",
                name="kent-pattern",
                title="Find households at risk before winter",
                notes="A design pattern.",
                owner_org=kent["id"],
                problem="Residents at risk are found too late.",
                context="A county with health and housing data.",
                solution="Join the data; visit the wards most at risk first.",
                consequences="Earlier visits.",
                examples=[{"name": "Kent", "url": "https://www.kent.gov.uk/", "description": "x"}],
                related_datasets=["kent-fuel-poverty"],
                la_service=["880"],
                license_id="uk-ogl",
            ),
            _create(
                sysadmin,
                type="learning-resource",
                name="kent-guide",
                title="Guide to ward-level risk models",
                notes="A learning resource.",
                owner_org=kent["id"],
                kind="guide",
                audience=["council-officers", "data-practitioners"],
                skills=["data ethics"],
                format="document",
                la_service=["880"],
                license_id="uk-ogl",
                resources=[{"url": "https://example.org/guide.pdf", "format": "PDF"}],
            ),
        ],
        "private": _dataset(sysadmin, kent, "kent-secret", title="SECRET internal", private=True),
    }


def _import(app: Any, user: dict[str, Any], status: int = 200, **params: Any) -> dict[str, Any]:
    response = app.post(API, json=params, headers={"Authorization": user["token"]}, status=status)
    return response.json


def _org_datasets(org: dict[str, Any]) -> list[dict[str, Any]]:
    found = call_action(
        "package_search",
        {"ignore_auth": True},
        fq=f"owner_org:{org['id']}",
        include_private=True,
        rows=100,
    )
    return sorted(found["results"], key=lambda d: d["title"])


def _unordered(value: Any) -> Any:
    """RDF has no order: lists come back sorted."""
    if isinstance(value, list):
        return sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
    return value


def _comparable(dataset: dict[str, Any]) -> dict[str, Any]:
    out = {k: _unordered(dataset.get(k)) for k in COMPARED}
    out["tags"] = sorted(t["name"] for t in dataset.get("tags", []))
    out["resources"] = sorted(
        (r["url"], r.get("name") or "", r.get("format") or "") for r in dataset.get("resources", [])
    )
    return out


def test_exported_catalog_imported_into_another_org_creates_equal_datasets(
    app: Any, portal: dict[str, Any]
) -> None:
    exported = app.get("/organization/kent/catalog.ttl").body
    kent_before = {d["id"]: d["metadata_modified"] for d in _org_datasets(portal["kent"])}

    result = _import(app, portal["editor"], owner_org="doncaster", data=exported, format="ttl")
    out = result["result"]
    assert (out["created"], out["updated"], out["invalid"]) == (4, 0, 0), out
    assert "SECRET" not in str(result)

    imported = _org_datasets(portal["doncaster"])
    originals = sorted(portal["public"] + portal["outputs"], key=lambda d: d["title"])
    assert len(imported) == len(originals) == 4
    assert sorted(d["type"] for d in imported) == [
        "dataset",
        "dataset",
        "design-pattern",
        "learning-resource",
    ]
    for copy, original in zip(imported, originals, strict=True):
        mine, theirs = _comparable(copy), _comparable(original)
        for key in theirs:
            assert mine[key] == theirs[key], key
    assert not {d["name"] for d in imported} & {d["name"] for d in originals}
    # the source datasets are untouched, whatever identifiers the document carried
    assert {d["id"]: d["metadata_modified"] for d in _org_datasets(portal["kent"])} == kent_before


def test_re_import_updates_instead_of_duplicating(app: Any, portal: dict[str, Any]) -> None:
    exported = app.get("/organization/kent/catalog.xml").body
    first = _import(app, portal["editor"], owner_org="doncaster", data=exported, format="xml")
    ids = {d["id"] for d in first["result"]["datasets"]}
    resources = {r["id"] for d in _org_datasets(portal["doncaster"]) for r in d["resources"]}

    changed = exported.replace("Households at risk", "Homes at risk")
    again = _import(app, portal["editor"], owner_org="doncaster", data=changed, format="xml")
    assert (again["result"]["created"], again["result"]["updated"]) == (0, 4)
    assert {d["id"] for d in again["result"]["datasets"]} == ids
    now = _org_datasets(portal["doncaster"])
    assert len(now) == 4
    assert sum(d["title"].startswith("Homes at risk") for d in now) == 2
    # resources at the same URL are updated in place
    assert {r["id"] for d in now for r in d["resources"]} == resources

    # the organisation's own catalog re-imported into it matches its datasets too
    own = app.get("/organization/doncaster/catalog.ttl").body
    third = _import(app, portal["editor"], owner_org="doncaster", data=own, format="ttl")
    assert (third["result"]["created"], third["result"]["updated"]) == (0, 4)
    assert len(_org_datasets(portal["doncaster"])) == 4

    # dry run: says what would happen, writes nothing
    before = {d["id"]: d["metadata_modified"] for d in _org_datasets(portal["doncaster"])}
    dry = _import(
        app, portal["editor"], owner_org="doncaster", data=exported, format="xml", dry_run=True
    )
    assert {d["status"] for d in dry["result"]["datasets"]} == {"would update"}
    after = {d["id"]: d["metadata_modified"] for d in _org_datasets(portal["doncaster"])}
    assert after == before


def test_invalid_datasets_get_field_named_errors_and_the_rest_is_imported(
    app: Any, portal: dict[str, Any]
) -> None:
    exported = app.get("/organization/kent/catalog.ttl").body
    # one dataset's data spectrum replaced by a value the schema does not allow
    broken = exported.replace("ps:spectrum-open", '"wide-open"', 1)
    assert broken != exported
    result = _import(app, portal["editor"], owner_org="doncaster", data=broken, format="ttl")
    out = result["result"]
    assert (out["created"], out["invalid"]) == (3, 1), out
    (invalid,) = [d for d in out["datasets"] if d["status"] == "invalid"]
    assert "data_spectrum" in invalid["errors"]
    assert "wide-open" in str(invalid["errors"]["data_spectrum"])
    assert len(_org_datasets(portal["doncaster"])) == 3


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"data": "<http://e/d> <http://e/p> .", "format": "ttl"}, "data", "Could not parse"),
        ({"data": BILLION_LAUGHS, "format": "xml"}, "data", "DOCTYPE"),
        ({"data": "<x/>", "format": "exe"}, "format", "Unknown RDF format"),
        ({"format": "ttl"}, "data", "Missing value"),
        ({"data": ["not", "text"], "format": "ttl"}, "data", "Missing value"),
        ({"data": "<http://e/d> a <http://e/C> .", "dry_run": "maybe"}, "dry_run", "true or"),
        ({"data": "<http://e/d> <http://e/p> <http://e/o> .", "format": "nt"}, "data", "no dcat"),
    ],
)
def test_bad_rdf_is_a_clear_error(
    app: Any, portal: dict[str, Any], params: dict, field: str, words: str
) -> None:
    body = _import(app, portal["editor"], status=409, owner_org="doncaster", **params)
    assert body["success"] is False
    assert words in " ".join(body["error"][field])
    assert len(_org_datasets(portal["doncaster"])) == 0


def test_uploaded_file_is_imported(app: Any, portal: dict[str, Any]) -> None:
    exported = app.get("/organization/kent/catalog.jsonld").body
    response = app.post(
        API,
        data={
            "owner_org": "doncaster",
            "upload": (io.BytesIO(exported.encode("utf-8")), "kent-catalog.jsonld"),
        },
        content_type="multipart/form-data",
        headers={"Authorization": portal["editor"]["token"]},
    )
    assert response.json["result"]["created"] == 4


def test_non_members_and_plain_members_are_refused(app: Any, portal: dict[str, Any]) -> None:
    exported = app.get("/organization/kent/catalog.ttl").body
    outsider = factories.UserWithToken()
    member = factories.UserWithToken()
    call_action(
        "organization_member_create",
        {"user": portal["sysadmin"]["name"]},
        id=portal["doncaster"]["id"],
        username=member["name"],
        role="member",
    )
    for user in (outsider, member):
        body = _import(app, user, status=403, owner_org="doncaster", data=exported, format="ttl")
        assert body["success"] is False
    # an editor of doncaster cannot import into kent either
    _import(app, portal["editor"], status=403, owner_org="kent", data=exported, format="ttl")
    body = _import(app, portal["editor"], status=409, owner_org="nowhere", data=exported)
    assert body["error"]["owner_org"] == ["Organization does not exist"]
    assert len(_org_datasets(portal["doncaster"])) == 0


def test_cli_imports_a_file_and_dry_run_writes_nothing(
    app: Any, portal: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "kent-catalog.rdf"
    path.write_text(app.get("/organization/kent/catalog.rdf").body)
    args = ["dcat-import", str(path), "--org", "doncaster"]

    dry = CliRunner().invoke(publicservices, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.count("would create:") == 4 and "nothing written" in dry.output
    assert _org_datasets(portal["doncaster"]) == []

    done = CliRunner().invoke(publicservices, args)
    assert done.exit_code == 0, done.output
    assert "4 created, 0 updated, 0 not imported" in done.output
    assert len(_org_datasets(portal["doncaster"])) == 4

    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://e/d> <http://e/p> .")
    refused = CliRunner().invoke(publicservices, ["dcat-import", str(bad), "--org", "doncaster"])
    assert refused.exit_code == 2 and "data: Could not parse the RDF" in refused.output
