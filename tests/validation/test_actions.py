"""Standards actions and pages, enqueueing on save, reports, re-run, gate, data package."""

from __future__ import annotations

import json
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from bs4 import BeautifulSoup
from ckan.tests import factories
from ckan.tests.helpers import call_action
from frictionless import Package

from ckanext.publicservices.validation import jobs, standards
from tests.validation.conftest import VENUE_BAD, VENUE_GOOD, dataset_payload, upload

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")]


def _ctx(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


def _dataset(publisher: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    overrides.setdefault("name", f"ds-{uuid.uuid4().hex[:12]}")
    payload = dataset_payload(owner_org=publisher["org"]["id"], **overrides)
    return call_action("package_create", _ctx(publisher["user"]), **payload)


def _upload_csv(
    publisher: dict[str, Any], ds: dict[str, Any], data: bytes, filename: str, **fields: Any
) -> dict[str, Any]:
    """A CSV resource uploaded to ``ds`` by the publisher."""
    return call_action(
        "resource_create",
        _ctx(publisher["user"]),
        package_id=ds["id"],
        format="CSV",
        upload=upload(data, filename),
        **fields,
    )


def _stored_path(res: dict[str, Any]) -> str:
    """Where the portal's storage keeps an uploaded resource's file."""
    from ckan.lib import uploader

    up = uploader.get_resource_uploader(dict(res))
    storage = getattr(up, "storage", None)
    return (
        storage.full_path(up.get_path(res["id"])) if storage is not None else up.get_path(res["id"])
    )


def _queued() -> list[Any]:
    from ckan.lib import jobs as ckan_jobs

    return ckan_jobs.get_queue(jobs.QUEUE).jobs


def test_standard_actions_are_public(app: Any) -> None:
    listed = call_action("publicservices_standard_list", {"user": ""})
    names = {s["name"] for s in listed}
    assert {
        "business-rates",
        "fuel-poverty-risk",
        "careers-guidance-contacts",
        "venue-wifi-footfall",
        "spend-over-25k",
    } <= names
    shown = call_action(
        "publicservices_standard_show", {"user": ""}, id=standards.uri("business-rates")
    )
    assert shown["uri"] == "http://test.ckan.net/standard/business-rates"
    assert shown["schema"]["fields"][0]["name"] == "property_reference"
    with pytest.raises(Exception) as err:
        call_action("publicservices_standard_show", {"user": ""}, id="no-such-standard")
    assert "not found" in str(err.value).lower()
    page = app.get("/standard", status=200)
    assert "Business rates" in page.body and "rateable_value" in page.body
    page = app.get("/standard/business-rates", status=200)
    assert "liability_start_date" in page.body
    as_json = app.get("/standard/business-rates.json", status=200)
    assert json.loads(as_json.body)["name"] == "business-rates"
    app.get("/standard/nope", status=404)


def test_create_marks_pending_and_enqueues_only(publisher: dict[str, Any]) -> None:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall")
    res = _upload_csv(publisher, ds, VENUE_BAD.encode(), "footfall.csv", name="footfall")
    assert res["validation_status"] == "pending"
    queued = _queued()
    assert [j.args for j in queued] == [[res["id"]]]
    # a PDF is not validated; a description edit does not re-validate
    call_action(
        "resource_create",
        _ctx(publisher["user"]),
        package_id=ds["id"],
        url="https://example.org/a.pdf",
        format="PDF",
    )
    call_action("resource_patch", _ctx(publisher["user"]), id=res["id"], description="edited")
    assert len(_queued()) == 1


def test_a_create_answering_only_the_id_enqueues_its_tabular_resources(
    publisher: dict[str, Any],
) -> None:
    # the harvester writes with return_id_only: the resources to validate are then found from
    # the stored dataset, by their position in the call
    context = {**_ctx(publisher["user"]), "return_id_only": True}
    payload = dataset_payload(
        owner_org=publisher["org"]["id"],
        name=f"ds-{uuid.uuid4().hex[:12]}",
        resources=[
            {"url": "https://example.org/report.pdf", "format": "PDF"},
            {"url": "https://example.org/rates.csv", "format": "CSV"},
            {"url": "https://example.org/sheet.xlsx?download=1", "format": ""},
        ],
    )
    ident = call_action("package_create", context, **payload)
    assert isinstance(ident, str)
    shown = call_action("package_show", {"ignore_auth": True}, id=ident)
    ids = [r["id"] for r in shown["resources"]]
    assert [r["url"].rsplit("/", 1)[-1] for r in shown["resources"]] == [
        "report.pdf",
        "rates.csv",
        "sheet.xlsx?download=1",
    ]
    assert sorted(j.args[0] for j in _queued()) == sorted([ids[1], ids[2]])


def test_job_report_history_and_fields(publisher: dict[str, Any], app: Any) -> None:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall")
    res = _upload_csv(publisher, ds, VENUE_BAD.encode(), "footfall.csv", name="footfall")
    before = model.Package.get(ds["id"]).metadata_modified
    jobs.validate_resource(res["id"])
    shown = call_action("resource_show", {"user": ""}, id=res["id"])
    assert shown["validation_status"] == "failure"
    assert int(shown["validation_error_count"]) == 3
    assert shown["validation_timestamp"]
    assert model.Package.get(ds["id"]).metadata_modified == before  # nothing else bumped
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["schema_source"] == "standard:venue-wifi-footfall"
    where = {(i["row"], i["column"]) for i in report["explained"]["items"]}
    assert where == {(3, "date"), (4, "hour"), (4, "visitors")}
    # the report page speaks plainly and the re-run is a CSRF-protected POST for publishers
    page = app.get(
        f"/dataset/{ds['name']}/resource/{res['id']}/validation",
        headers={"Authorization": publisher["user"]["token"]},
        status=200,
    )
    soup = BeautifulSoup(page.body, "html.parser")
    rows = soup.select("tr[data-row]")
    assert {(r["data-row"], r["data-column"]) for r in rows} >= {("3", "date"), ("4", "hour")}
    assert "Write dates as YYYY-MM-DD" in page.body
    form = soup.find("form", action=f"/dataset/{ds['name']}/resource/{res['id']}/validation/run")
    assert form is not None and form.find("input", attrs={"name": "_csrf_token"}) is not None
    # the stored history keeps every run
    call_action(
        "resource_patch",
        _ctx(publisher["user"]),
        id=res["id"],
        upload=upload(VENUE_GOOD.encode(), "footfall.csv"),
    )
    assert (
        call_action("resource_show", {"user": ""}, id=res["id"])["validation_status"] == "pending"
    )
    jobs.validate_resource(res["id"])
    history = call_action("publicservices_validation_history", {"user": ""}, resource_id=res["id"])
    assert [h["status"] for h in history] == ["success", "failure"]
    # a dataset form save that omits the job's fields keeps them; a caller cannot set them
    pkg = call_action("package_show", {"user": publisher["user"]["name"]}, id=ds["id"])
    for r in pkg["resources"]:
        for key in jobs.STATUS_FIELDS:
            r.pop(key, None)
    call_action("package_update", _ctx(publisher["user"]), **pkg)
    assert (
        call_action("resource_show", {"user": ""}, id=res["id"])["validation_status"] == "success"
    )
    call_action(
        "resource_patch", _ctx(publisher["user"]), id=res["id"], validation_status="failure"
    )
    assert (
        call_action("resource_show", {"user": ""}, id=res["id"])["validation_status"] == "success"
    )


def test_rerun_requires_publisher(publisher: dict[str, Any], app: Any) -> None:
    ds = _dataset(publisher)
    res = _upload_csv(publisher, ds, VENUE_GOOD.encode(), "x.csv")
    jobs.validate_resource(res["id"])
    other = factories.UserWithToken()
    with pytest.raises(tk.NotAuthorized):
        call_action("publicservices_validation_run", _ctx(other), resource_id=res["id"])
    out = call_action(
        "publicservices_validation_run", _ctx(publisher["user"]), resource_id=res["id"]
    )
    assert out["status"] == "pending" and out["job_id"]
    # the inferred schema (no standard, no own schema) is offered for review
    inferred = call_action(
        "publicservices_validation_infer_schema", _ctx(publisher["user"]), resource_id=res["id"]
    )
    assert [f["name"] for f in inferred["schema"]["fields"]][:2] == ["venue_id", "venue_name"]


def _private_dataset_with_failed_file(publisher: dict[str, Any]) -> tuple[dict, dict]:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall", private=True)
    res = _upload_csv(publisher, ds, VENUE_BAD.encode(), "x.csv")
    jobs.validate_resource(res["id"])
    return ds, res


@pytest.mark.ckan_config("ckanext.publicservices.validation.public_gate", "true")
def test_gate_blocks_publishing_failed_data(publisher: dict[str, Any]) -> None:
    ds, res = _private_dataset_with_failed_file(publisher)
    with pytest.raises(Exception) as err:
        call_action("package_patch", _ctx(publisher["user"]), id=ds["id"], private=False)
    message = str(err.value)
    assert "cannot be made public" in message
    # someone who may not edit the dataset learns nothing about its resources
    outsider = factories.UserWithToken()
    with pytest.raises(tk.NotAuthorized):
        call_action("package_update", _ctx(outsider), id=ds["id"], name=ds["name"], private=False)
    assert f"/dataset/{ds['name']}/resource/{res['id']}/validation" in message
    # staying private is fine; fixing the data lifts the gate
    call_action("package_patch", _ctx(publisher["user"]), id=ds["id"], notes="still private")
    call_action(
        "resource_patch",
        _ctx(publisher["user"]),
        id=res["id"],
        upload=upload(VENUE_GOOD.encode(), "x.csv"),
    )
    jobs.validate_resource(res["id"])
    assert (
        call_action("package_patch", _ctx(publisher["user"]), id=ds["id"], private=False)["private"]
        is False
    )


def test_gate_is_off_by_default(publisher: dict[str, Any]) -> None:
    ds, _ = _private_dataset_with_failed_file(publisher)
    assert (
        call_action("package_patch", _ctx(publisher["user"]), id=ds["id"], private=False)["private"]
        is False
    )


def test_datapackage(publisher: dict[str, Any], app: Any) -> None:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall")
    res = _upload_csv(publisher, ds, VENUE_GOOD.encode(), "footfall.csv", name="Footfall 2018")
    call_action(
        "resource_create",
        _ctx(publisher["user"]),
        package_id=ds["id"],
        name="Notes",
        url="https://example.org/notes.pdf",
        format="PDF",
    )
    body = json.loads(app.get(f"/dataset/{ds['name']}/datapackage.json", status=200).body)
    assert body["name"] == ds["name"]
    first = body["resources"][0]
    assert first["name"] == "footfall-2018" and first["schema"]["fields"][0]["name"] == "venue_id"
    assert first["path"].startswith("http://test.ckan.net/dataset/")
    assert first["path"].endswith(f"/resource/{res['id']}/download/footfall.csv")
    assert body["homepage"] == f"http://test.ckan.net/dataset/{ds['name']}"
    assert "schema" not in body["resources"][1]
    assert [e.message for e in Package.metadata_validate(body)] == []
    package = Package.from_descriptor(body)
    assert package.resources[0].schema.field_names[0] == "venue_id"
    # private datasets: 404 for the public and for other users, served to their publishers
    private = _dataset(publisher, name="private-one", private=True)
    app.get(f"/dataset/{private['name']}/datapackage.json", status=404)
    other = factories.UserWithToken()
    app.get(
        f"/dataset/{private['name']}/datapackage.json",
        headers={"Authorization": other["token"]},
        status=404,
    )
    app.get(
        f"/dataset/{private['name']}/datapackage.json",
        headers={"Authorization": publisher["user"]["token"]},
        status=200,
    )
    app.get("/dataset/does-not-exist/datapackage.json", status=404)


def test_vanished_upload_and_hostile_file_end_in_error_reports(publisher: dict[str, Any]) -> None:
    ds = _dataset(publisher)
    res = _upload_csv(publisher, ds, VENUE_GOOD.encode(), "gone.csv")
    path = _stored_path(res)
    import os

    size_before = os.path.getsize(path)
    os.remove(path)
    jobs.validate_resource(res["id"])
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["status"] == "error" and "missing from the portal's storage" in report["message"]
    assert call_action("resource_show", {"user": ""}, id=res["id"])["validation_status"] == "error"
    # an HTML page uploaded as CSV: error with the reason; the upload itself is left untouched
    res2 = _upload_csv(publisher, ds, b"<!doctype html><html>login</html>", "page.csv")
    jobs.validate_resource(res2["id"])
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res2["id"])
    assert report["status"] == "error" and "web page" in report["message"]
    with open(_stored_path(res2), "rb") as fh:
        assert fh.read() == b"<!doctype html><html>login</html>"
    assert size_before > 0


@pytest.mark.ckan_config("ckanext.publicservices.validation.fetch_allow_private", "false")
def test_linked_resource_to_internal_address_is_refused_with_reason(
    publisher: dict[str, Any],
) -> None:
    ds = _dataset(publisher)
    res = call_action(
        "resource_create",
        _ctx(publisher["user"]),
        package_id=ds["id"],
        url="http://169.254.169.254/latest/meta-data/data.csv",
        format="CSV",
    )
    assert res["validation_status"] == "pending"
    jobs.validate_resource(res["id"])
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["status"] == "error"
    assert "not fetched" in report["message"] and "cloud metadata" in report["message"]


def test_stopped_job_is_recorded_as_error(publisher: dict[str, Any]) -> None:
    import types

    from ckanext.publicservices.validation import model as vmodel

    ds = _dataset(publisher)
    res = _upload_csv(publisher, ds, VENUE_GOOD.encode(), "x.csv")
    report_id = vmodel.create(res["id"], ds["id"], status="running", job_id="job-1")
    model.Session.commit()
    job = types.SimpleNamespace(id="job-1", args=[res["id"]])
    timeout = type("JobTimeoutException", (Exception,), {})
    jobs.on_job_failure(job, None, timeout, timeout(), None)
    row = vmodel.get(report_id)
    assert row["status"] == "error" and "took longer than" in row["message"]
    assert call_action("resource_show", {"user": ""}, id=res["id"])["validation_status"] == "error"
