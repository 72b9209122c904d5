"""With a real worker (``ckan jobs worker publicservices --burst`` in a subprocess, same
PostgreSQL, Redis and storage): the fetch deadline and the publication gate."""

from __future__ import annotations

import json
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import pytest
from ckan.tests.helpers import call_action

from tests.validation.conftest import VENUE_BAD, VENUE_GOOD, dataset_payload, upload
from tests.validation.slow_server import trickling_server
from tests.worker import run_worker

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")]


def _ctx(user: dict[str, Any]) -> dict[str, Any]:
    return {"user": user["name"], "ignore_auth": False}


def _dataset(publisher: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    overrides.setdefault("name", f"ds-{uuid.uuid4().hex[:12]}")
    payload = dataset_payload(owner_org=publisher["org"]["id"], **overrides)
    return call_action("package_create", _ctx(publisher["user"]), **payload)


@pytest.mark.ckan_config("ckanext.publicservices.validation.fetch_allow_private", "true")
def test_trickling_link_is_cut_off_at_the_fetch_deadline(publisher: dict[str, Any]) -> None:
    ds = _dataset(publisher)
    with trickling_server(interval=1.0) as base:
        res = call_action(
            "resource_create",
            _ctx(publisher["user"]),
            package_id=ds["id"],
            url=base + "/data.csv",
            format="CSV",
        )
        done = run_worker(
            "publicservices",
            {
                "ckanext.publicservices.validation.fetch_allow_private": "true",
                "ckanext.publicservices.validation.fetch_timeout": "10",
                "ckanext.publicservices.validation.fetch_deadline": "3",
                "ckanext.publicservices.validation.job_timeout": "600",
            },
        )
    assert done.returncode == 0, done.stderr[-3000:]
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["status"] == "error", report
    assert "took longer than 3 seconds" in report["message"]
    # cut off at the 3 s deadline, not at the 600 s job limit nor the 4,004 s the body needs
    assert report["report"]["seconds"] < 8, report["report"]
    shown = call_action("resource_show", {"user": ""}, id=res["id"])
    assert shown["validation_status"] == "error"


# -- the publication gate ----------------------------------------------------------------------

GATE = {"ckanext.publicservices.validation.public_gate": "true"}


def _worker(overrides: dict[str, str] | None = GATE) -> None:
    done = run_worker("publicservices", overrides)
    assert done.returncode == 0, done.stderr[-3000:]
    # the worker wrote from another process: start afresh, as the next web request does
    model.Session.remove()


def _upload(publisher: dict[str, Any], ds: dict[str, Any], data: str, **fields: Any) -> dict:
    return call_action(
        "resource_create",
        _ctx(publisher["user"]),
        package_id=ds["id"],
        format="CSV",
        upload=upload(data.encode(), "footfall.csv"),
        **fields,
    )


def _publish(publisher: dict[str, Any], ds: dict[str, Any]) -> dict[str, Any]:
    return call_action("package_patch", _ctx(publisher["user"]), id=ds["id"], private=False)


def _refusal(publisher: dict[str, Any], ds: dict[str, Any]) -> str:
    with pytest.raises(tk.ValidationError) as err:
        _publish(publisher, ds)
    return " ".join(err.value.error_dict["private"])


@pytest.mark.ckan_config("ckanext.publicservices.validation.public_gate", "true")
def test_gate_holds_while_a_check_is_pending(publisher: dict[str, Any]) -> None:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall", private=True)
    res = _upload(publisher, ds, VENUE_GOOD)
    assert res["validation_status"] == "pending"
    message = _refusal(publisher, ds)
    assert "still queued or running" in message and res["id"] in message
    _worker()
    assert call_action("resource_show", {"user": ""}, id=res["id"])["validation_status"] == (
        "success"
    )
    # a file added in the very call that publishes is not checked yet either
    pkg = call_action("package_show", _ctx(publisher["user"]), id=ds["id"])
    pkg["resources"].append({"url": "https://example.org/more.csv", "format": "CSV"})
    pkg["private"] = False
    with pytest.raises(tk.ValidationError, match="still queued or running"):
        call_action("package_update", _ctx(publisher["user"]), **pkg)
    assert call_action("package_show", {"ignore_auth": True}, id=ds["id"])["private"] is True
    assert _publish(publisher, ds)["private"] is False


@pytest.mark.ckan_config("ckanext.publicservices.validation.public_gate", "true")
def test_public_dataset_whose_new_file_fails_is_made_private_again(
    publisher: dict[str, Any], app: Any
) -> None:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall")
    _upload(publisher, ds, VENUE_GOOD, name="January")
    _worker()
    assert call_action("package_show", {"user": ""}, id=ds["id"])["private"] is False
    bad = _upload(publisher, ds, VENUE_BAD, name="February")
    # public while the new file is checked (a refusal could not know the result yet)
    assert call_action("package_show", {"user": ""}, id=ds["id"])["private"] is False
    _worker()
    assert call_action("package_show", {"ignore_auth": True}, id=ds["id"])["private"] is True
    report = call_action(
        "publicservices_validation_show", _ctx(publisher["user"]), resource_id=bad["id"]
    )
    assert report["status"] == "failure"
    assert "made private when this check failed" in report["report"]["withdrawn"]
    # re-users no longer get it; the publisher is told why, on the report and the dataset page
    app.get(f"/dataset/{ds['name']}", status=404)
    auth = {"Authorization": publisher["user"]["token"]}
    page = app.get(f"/dataset/{ds['name']}/resource/{bad['id']}/validation", headers=auth).body
    assert "made private when this check failed" in page
    page = app.get(f"/dataset/{ds['name']}", headers=auth, status=200).body
    assert "stays private until all of its data passes validation" in page
    assert "failed validation" in _refusal(publisher, ds)
    # fixed data: the check passes and the publisher publishes again
    call_action(
        "resource_patch",
        _ctx(publisher["user"]),
        id=bad["id"],
        upload=upload(VENUE_GOOD.encode(), "footfall.csv"),
    )
    _worker()
    assert _publish(publisher, ds)["private"] is False


def test_gate_off_leaves_a_public_dataset_public(publisher: dict[str, Any]) -> None:
    ds = _dataset(publisher, conforms_to="venue-wifi-footfall")
    _upload(publisher, ds, VENUE_BAD)
    _worker(None)
    assert call_action("package_show", {"user": ""}, id=ds["id"])["private"] is False


def test_inferred_schema_never_replaces_the_claimed_standard(
    publisher: dict[str, Any], app: Any
) -> None:
    ds = _dataset(publisher)
    res = _upload(publisher, ds, VENUE_BAD, conforms_to="venue-wifi-footfall")
    _worker(None)
    inferred = call_action(
        "publicservices_validation_infer_schema", _ctx(publisher["user"]), resource_id=res["id"]
    )
    # the suggestion accepts this very file; saved on the resource (through the report page's
    # form) it must not stand in for the standard the resource claims, and the publisher is told
    page = app.post(
        f"/dataset/{ds['name']}/resource/{res['id']}/validation/schema",
        data={"schema": json.dumps(inferred["schema"])},
        headers={"Authorization": publisher["user"]["token"]},
        status=200,
    ).body
    assert "still checked against that standard" in page
    assert call_action("resource_show", {"user": ""}, id=res["id"])["schema"]
    _worker(None)
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["status"] == "failure" and report["error_count"] == 3
    assert report["schema_source"] == "standard:venue-wifi-footfall"
    assert any("own schema was not used" in n for n in report["report"]["notes"])
    page = app.get(f"/dataset/{ds['name']}/resource/{res['id']}", status=200).body
    assert "Invalid data: 3 errors against the standard Venue Wi-Fi footfall" in page
    page = app.get(f"/dataset/{ds['name']}/resource/{res['id']}/validation").body
    assert "own schema was not used" in page
    # without the claim, the file is checked against its own schema, and the badge says so
    call_action("resource_patch", _ctx(publisher["user"]), id=res["id"], conforms_to="")
    _worker(None)
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["status"] == "success" and report["schema_source"] == "resource"
    page = app.get(f"/dataset/{ds['name']}/resource/{res['id']}", status=200).body
    assert "Valid against its own schema" in page
