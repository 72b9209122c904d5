"""End to end with a real worker: `ckan jobs worker publicservices --burst` in a subprocess,
against the same PostgreSQL, Redis and storage as the test process (no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from ckan.plugins import toolkit as tk
from ckan.tests.helpers import call_action

from tests.validation.conftest import VENUE_BAD, dataset_payload, upload

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")]


def _run_worker() -> subprocess.CompletedProcess[str]:
    ini = os.environ.get("CKAN_INI") or tk.config["__file__"]
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    return subprocess.run(
        [ckan, "-c", ini, "jobs", "worker", "publicservices", "--burst"],
        capture_output=True,
        text=True,
        timeout=240,
        env=dict(os.environ),
    )


def test_upload_invalid_csv_worker_reports_rows_and_columns(
    publisher: dict[str, Any], app: Any
) -> None:
    user = publisher["user"]
    ds = call_action(
        "package_create",
        {"user": user["name"]},
        **dataset_payload(
            name=f"footfall-{uuid.uuid4().hex[:8]}",
            owner_org=publisher["org"]["id"],
            conforms_to="venue-wifi-footfall",
        ),
    )
    res = call_action(
        "resource_create",
        {"user": user["name"]},
        package_id=ds["id"],
        name="Footfall",
        format="CSV",
        upload=upload(VENUE_BAD.encode(), "footfall.csv"),
    )
    assert res["validation_status"] == "pending"
    done = _run_worker()
    assert done.returncode == 0, done.stderr[-3000:]
    shown = call_action("resource_show", {"user": ""}, id=res["id"])
    assert shown["validation_status"] == "failure", done.stderr[-3000:]
    report = call_action("publicservices_validation_show", {"user": ""}, resource_id=res["id"])
    assert report["status"] == "failure" and report["error_count"] == 3
    assert report["schema_source"] == "standard:venue-wifi-footfall"
    where = sorted((i["row"], i["column"]) for i in report["explained"]["items"])
    assert where == [(3, "date"), (4, "hour"), (4, "visitors")]
    page = app.get(f"/dataset/{ds['name']}/resource/{res['id']}/validation", status=200)
    assert "is not a date" in page.body and "The largest allowed value is 23" in page.body
    # the resource page and the dataset page show the badge, linking to the report
    page = app.get(f"/dataset/{ds['name']}/resource/{res['id']}", status=200)
    assert 'data-status="failure"' in page.body
    assert f"/dataset/{ds['name']}/resource/{res['id']}/validation" in page.body
    assert "Venue Wi-Fi footfall" in page.body  # the standard it conforms to
    page = app.get(f"/dataset/{ds['name']}", status=200)
    assert 'data-status="failure"' in page.body
