"""Large DCAT imports: a web request writes at most ``import_max_datasets`` datasets; a bigger
document is queued and imported by a real worker (``ckan jobs worker publicservices --burst`` in
a subprocess, same PostgreSQL, Redis and search), its result polled through
``publicservices_dcat_import_status``."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from tests.dcat.data import create_consortium
from tests.dcat.test_import import _dataset, _org_datasets
from tests.worker import run_worker

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")

API = "/api/action/publicservices_dcat_import"
STATUS = "/api/action/publicservices_dcat_import_status"


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
    for n in range(4):
        _dataset(sysadmin, kent, f"kent-data-{n}")
    return {"sysadmin": sysadmin, "kent": kent, "doncaster": doncaster, "editor": editor}


def _post(app: Any, url: str, user: dict[str, Any] | None, status: int, **params: Any) -> Any:
    headers = {"Authorization": user["token"]} if user else {}
    return app.post(url, json=params, headers=headers, status=status).json


@pytest.mark.ckan_config("ckanext.publicservices.dcat.import_max_datasets", "3")
def test_document_over_the_cap_is_queued_and_imported_by_the_worker(
    app: Any, portal: dict[str, Any]
) -> None:
    document = app.get("/organization/kent/catalog.ttl").body
    editor, doncaster = portal["editor"], portal["doncaster"]
    answer = _post(app, API, editor, 200, owner_org="doncaster", data=document, format="ttl")
    queued = answer["result"]
    assert queued["status"] == "queued" and queued["datasets_found"] == 4
    assert queued["max_datasets_per_request"] == 3 and "datasets" not in queued
    assert _org_datasets(doncaster) == []  # the request wrote nothing itself
    import_id = queued["import_id"]
    shown = _post(app, STATUS, editor, 200, id=import_id)["result"]
    assert shown["status"] == "queued" and shown["organization"] == "doncaster"
    # only those who may import into the organisation follow its imports
    _post(app, STATUS, factories.UserWithToken(), 403, id=import_id)
    _post(app, STATUS, None, 403, id=import_id)
    assert _post(app, STATUS, editor, 409, id="not-an-id")["error"]["id"]
    assert _post(app, STATUS, editor, 409)["error"]["id"]
    _post(app, STATUS, editor, 404, id="00000000-0000-0000-0000-000000000000")

    done = run_worker("publicservices")
    assert done.returncode == 0, done.stderr[-3000:]
    shown = _post(app, STATUS, editor, 200, id=import_id)["result"]
    assert shown["status"] == "finished", shown
    assert shown["result"]["created"] == 4 and shown["result"]["invalid"] == 0
    assert shown["started"] and shown["finished"]
    imported = _org_datasets(doncaster)
    assert sorted(d["title"] for d in imported) == sorted(
        d["title"] for d in _org_datasets(portal["kent"])
    )
    assert {d["name"] for d in imported} == {d["name"] for d in shown["result"]["datasets"]}


@pytest.mark.ckan_config("ckanext.publicservices.dcat.import_max_datasets", "4")
def test_document_within_the_cap_is_imported_in_the_request(
    app: Any, portal: dict[str, Any]
) -> None:
    document = app.get("/organization/kent/catalog.ttl").body
    result = _post(
        app, API, portal["editor"], 200, owner_org="doncaster", data=document, format="ttl"
    )["result"]
    assert "import_id" not in result and result["created"] == 4
    assert len(_org_datasets(portal["doncaster"])) == 4


@pytest.mark.ckan_config("ckanext.publicservices.dcat.import_max_datasets", "3")
def test_queued_import_runs_with_the_users_rights_when_it_runs(
    app: Any, portal: dict[str, Any]
) -> None:
    document = app.get("/organization/kent/catalog.ttl").body
    editor = portal["editor"]
    queued = _post(app, API, editor, 200, owner_org="doncaster", data=document)["result"]
    # the editor leaves the organisation before the worker gets to the job
    call_action(
        "organization_member_delete",
        {"user": portal["sysadmin"]["name"]},
        id=portal["doncaster"]["id"],
        username=editor["name"],
    )
    done = run_worker("publicservices")
    assert done.returncode == 0, done.stderr[-3000:]
    shown = call_action(
        "publicservices_dcat_import_status", {"ignore_auth": True}, id=queued["import_id"]
    )
    assert shown["status"] == "failed" and shown["errors"]["owner_org"], shown
    assert _org_datasets(portal["doncaster"]) == []


@pytest.mark.ckan_config("ckanext.publicservices.dcat.import_max_datasets", "50")
def test_a_document_at_the_size_limit_is_answered_quickly(app: Any, portal: dict[str, Any]) -> None:
    """As many datasets as ``import_max_bytes`` (5 MB) admits: the request only checks, parses
    and counts them, and leaves the rest to the worker."""
    from ckanext.publicservices.dcat.serializer import max_import_bytes

    one = app.get("/dataset/kent-data-0.ttl").body
    ident = call_action("package_show", {"ignore_auth": True}, id="kent-data-0")["id"]
    n = (max_import_bytes() - 10_000) // (len(one.encode()) + 1)
    copies = [re.sub(re.escape(ident), f"{ident[:-4]}{i:04d}", one) for i in range(n)]
    document = "\n".join(copies)
    started = time.monotonic()
    response = app.post(
        API,
        json={"owner_org": "doncaster", "data": document},
        headers={"Authorization": portal["editor"]["token"]},
    )
    assert response.status_code == 200, response.body[:2000]
    queued = response.json["result"]
    seconds = time.monotonic() - started
    assert queued["status"] == "queued" and queued["datasets_found"] is None  # not parsed yet
    print(f"{n}-dataset document ({len(document) / 1e6:.1f} MB) queued in {seconds:.2f} s")
    assert seconds < 5, seconds


@pytest.mark.ckan_config("ckanext.publicservices.dcat.import_max_datasets", "50")
def test_a_large_broken_document_fails_in_the_status(app: Any, portal: dict[str, Any]) -> None:
    document = "<http://example.org/a> <http://example.org/b> " + "x" * 1_100_000
    # still refused in the request: what needs no parse (here a DOCTYPE in RDF/XML)
    refused = _post(
        app,
        API,
        portal["editor"],
        409,
        owner_org="doncaster",
        data='<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + " " * 1_100_000,
        format="xml",
    )
    assert "DOCTYPE" in refused["error"]["data"][0]
    queued = _post(app, API, portal["editor"], 200, owner_org="doncaster", data=document)
    import_id = queued["result"]["import_id"]
    done = run_worker("publicservices")
    assert done.returncode == 0, done.stderr[-3000:]
    shown = _post(app, STATUS, portal["editor"], 200, id=import_id)["result"]
    assert shown["status"] == "failed" and "Could not parse" in shown["errors"]["data"][0], shown


@pytest.mark.ckan_config("ckanext.publicservices.dcat.import_max_datasets", "3")
def test_import_job_stopped_by_its_time_limit_is_recorded_as_failed(
    app: Any, portal: dict[str, Any]
) -> None:
    # a job the worker kills cannot write its own result: RQ's failure callback does
    import types

    from ckanext.publicservices.dcat import import_jobs

    document = app.get("/organization/kent/catalog.ttl").body
    queued = _post(app, API, portal["editor"], 200, owner_org="doncaster", data=document)
    import_id = queued["result"]["import_id"]
    timeout = type("JobTimeoutException", (Exception,), {})
    job = types.SimpleNamespace(id="job-1", args=[import_id])
    import_jobs.on_job_failure(job, None, timeout, timeout(), None)
    shown = _post(app, STATUS, portal["editor"], 200, id=import_id)["result"]
    assert shown["status"] == "failed" and shown["finished"]
    assert "took longer than 3600 seconds" in shown["errors"]["data"][0]
