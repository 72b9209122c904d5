"""With a real worker (``ckan jobs worker publicservices --burst`` in a subprocess, same
PostgreSQL, Redis and storage): the fetch deadline and the publication gate."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from ckan.tests.helpers import call_action

from tests.validation.conftest import dataset_payload
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
