"""Real ckanext-harvest runs of ckanext-dcat's ``dcat_rdf_harvester`` into a consortium.

A portal (the suite with harvest and dcat_rdf_harvester, ``ckan run`` on a database of its own,
the devstack's Redis and search service) runs ckanext-harvest's gather and fetch consumers as
subprocesses (``ckan harvester gather-consumer`` / ``fetch-consumer``: the redis queues, as a
portal runs them); jobs are started and finished with the ``harvest_jobs_run`` action, as
``ckan harvester run`` does. The partner catalog is written in this test by ckanext-dcat's stock
``euro_dcat_ap_3`` profile (55 datasets of a stock CKAN) and served from 127.0.0.1, beside a
hand-made Turtle document with awkward cases. A second run with changes updates, adds and
withdraws; refused datasets are in the job report with field-named reasons.
"""

from __future__ import annotations

import contextlib
import datetime
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
import requests
from bs4 import BeautifulSoup
from ckanext.dcat.processors import RDFSerializer

from ckanext.publicservices import compat
from devstack.portal import ROOT
from devstack.services import free_port, terminate
from tests.foundation.portal_process import (
    ckan_command,
    ckan_run,
    fresh_database,
    sysadmin_token,
)

CKAN = Path(sys.executable).parent / "ckan"
PLUGINS = (
    "publicservices publicservices_validation scheming_datasets scheming_organizations dcat "
    "activity harvest dcat_rdf_harvester"
)
EU = "http://publications.europa.eu/resource/authority/"
LGSL = "http://id.esd.org.uk/service/"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
PARTNER = "https://data.partner.example.org"
DCAT_NS = "http://www.w3.org/ns/dcat#"
N_STOCK = 55


class _Docs(http.server.BaseHTTPRequestHandler):
    docs: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802
        body = self.docs.get(self.path.split("?", 1)[0])
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def partner_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Docs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Api:
    def __init__(self, base: str, token: str, ini: Path | None = None, env: Any = None) -> None:
        self.base, self.token = base, token
        self.ini, self.env = ini, env  # for the portal's `ckan` commands

    def page(self, path: str) -> requests.Response:
        """A web page, as the sysadmin (CKAN takes an API token on page requests too)."""
        return requests.get(
            f"{self.base}{path}", headers={"Authorization": self.token}, timeout=120
        )

    def call(self, action: str, **data: Any) -> Any:
        response = requests.post(
            f"{self.base}/api/3/action/{action}",
            json=data,
            headers={"Authorization": self.token},
            timeout=120,
        )
        assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
        return response.json()["result"]


def _ini_without(text: str, keys: set[str]) -> str:
    """``text`` (an ini file) without the options ``keys``, their continuation lines included."""
    out, dropping = [], False
    for line in text.splitlines(keepends=True):
        if line[:1] in " \t" and line.strip():
            if not dropping:
                out.append(line)
            continue
        dropping = line.split("=", 1)[0].strip() in keys
        if not dropping:
            out.append(line)
    return "".join(out)


@contextlib.contextmanager
def _harvesting_portal(tmp: Path, site: str, settings: str) -> Iterator[_Api]:
    """A CKAN (``test.ini`` with ``settings`` replacing its plugins, schemas and profiles) on a
    database and search site of its own, served by ``ckan run``, with ckanext-harvest's gather and
    fetch consumers running on its redis queues (named after its site id)."""
    ini = tmp / f"{site}.ini"
    base = _ini_without(
        (ROOT / "test.ini").read_text(),
        {
            "ckan.site_id",
            "ckan.plugins",
            "scheming.dataset_schemas",
            "scheming.organization_schemas",
            "scheming.presets",
            "ckanext.dcat.rdf.profiles",
        },
    )
    ini.write_text(
        base.replace("[app:main]\n", f"[app:main]\nckan.site_id = {site}\n{settings}", 1)
    )
    with fresh_database(site) as db_url:
        env = {**os.environ, "CKAN_SQLALCHEMY_URL": db_url, "CKAN_STORAGE_PATH": str(tmp / "s")}
        for args in (["db", "init"], ["db", "upgrade", "-p", "harvest"]):
            done = ckan_command(CKAN, ini, args, env, tmp)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        token = sysadmin_token(CKAN, ini, env, tmp)
        consumers = []
        # ckanext-harvest 1.6.3 waits on its redis queues with a blocking pop without a timeout,
        # and redis-py 8 gives every socket a 5 s timeout by default: an idle consumer would
        # exit after 5 s. Its connection (only) gets a long timeout through the URL.
        redis_url = env["CKAN_REDIS_URL"]
        sep = "&" if "?" in redis_url else "?"
        consumer_env = {**env, "CKAN_REDIS_URL": f"{redis_url}{sep}socket_timeout=31536000"}
        for stage in ("gather-consumer", "fetch-consumer"):
            log = open(tmp / f"{site}-{stage}.log", "wb")  # noqa: SIM115 (closed below)
            consumers.append(
                (
                    subprocess.Popen(
                        [str(CKAN), "-c", str(ini), "harvester", stage],
                        env=consumer_env,
                        cwd=tmp,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    ),
                    log,
                )
            )
        try:
            run_log = tmp / f"{site}-run.log"
            with ckan_run(CKAN, ini, env, tmp, run_log, reloader=False) as base_url:
                yield _Api(base_url, token, ini, env)
        finally:
            for proc, log in consumers:
                terminate(proc)
                log.close()
            ckan_command(CKAN, ini, ["search-index", "clear"], env, tmp)


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[_Api, Path]]:
    """The suite's portal with ckanext-harvest; its site catalog pages by 10 datasets."""
    tmp = tmp_path_factory.mktemp("harvest")
    settings = (
        f"ckan.plugins = {PLUGINS}\n"
        "scheming.dataset_schemas = ckanext.publicservices.schemas:dataset.yaml\n"
        "    ckanext.publicservices.schemas:design_pattern.yaml\n"
        "    ckanext.publicservices.schemas:learning_resource.yaml\n"
        "scheming.organization_schemas = ckanext.publicservices.schemas:consortium.yaml\n"
        "scheming.presets = ckanext.scheming:presets.json\n"
        "    ckanext.dcat.schemas:presets.yaml\n"
        "    ckanext.publicservices.schemas:presets.yaml\n"
        "ckanext.dcat.rdf.profiles = euro_dcat_ap_3 publicservices\n"
        "ckan.harvest.mq.type = redis\n"
        "ckanext.dcat.datasets_per_page = 10\n"
    )
    with _harvesting_portal(tmp, f"harvest_{uuid.uuid4().hex[:8]}", settings) as api:
        yield api, tmp


@pytest.fixture(scope="module")
def stock_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Api]:
    """A stock CKAN: scheming's default dataset schema, ckanext-dcat (its default profile,
    euro_dcat_ap_3) and ckanext-harvest, none of the suite's plugins."""
    settings = (
        "ckan.plugins = scheming_datasets dcat harvest dcat_rdf_harvester\n"
        "scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml\n"
        "scheming.presets = ckanext.scheming:presets.json\n"
        "ckanext.dcat.rdf.profiles = euro_dcat_ap_3\n"
        "ckan.harvest.mq.type = redis\n"
    )
    tmp = tmp_path_factory.mktemp("stock")
    with _harvesting_portal(tmp, f"stock_{uuid.uuid4().hex[:8]}", settings) as api:
        yield api


def _stock_dataset(i: int, **changes: Any) -> dict[str, Any]:
    """package_show of a stock CKAN (scheming's default schema with dcat's fields)."""
    name = f"partner-dataset-{i:03d}"
    dataset: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "name": name,
        "uri": f"{PARTNER}/dataset/{name}",
        "title": f"Partner dataset {i}",
        "notes": f"Dataset number {i} of the partner council.",
        "type": "dataset",
        "private": False,
        "state": "active",
        "license_id": "cc-by" if i % 2 else "odc-odbl",
        "license_title": "Creative Commons Attribution",
        "license_url": "http://www.opendefinition.org/licenses/cc-by"
        if i % 2
        else "http://www.opendefinition.org/licenses/odc-odbl",
        "tags": [{"name": "partner"}, {"name": f"topic-{i % 5}"}],
        "extras": [],
        "access_rights": EU + "access-right/PUBLIC",
        # every third dataset names its LGSL service; the others get the consortium's default
        "theme": [EU + "data-theme/REGI"] + ([LGSL + "524"] if i % 3 == 0 else []),
        "spatial_coverage": [{"uri": GSS + "E07000110"}] if i % 4 == 0 else [],
        "contact": [{"name": "Data team", "email": "data@partner.example.org"}],
        "metadata_created": "2024-03-01T10:00:00",
        "metadata_modified": "2024-03-02T10:00:00",
        "resources": [
            {
                "id": f"00000000-0000-4000-9000-{i:012d}",
                "name": f"Dataset {i} (CSV)",
                "url": f"{PARTNER}/files/{name}.csv",
                "format": "CSV",
            }
        ],
    }
    dataset.update(changes)
    return dataset


def _stock_catalog(datasets: list[dict[str, Any]]) -> bytes:
    text = RDFSerializer(profiles=["euro_dcat_ap_3"]).serialize_catalog(
        {"title": "Partner council open data"}, datasets, _format="ttl"
    )
    return text.encode("utf-8") if isinstance(text, str) else text


AWKWARD = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .

<{PARTNER}/catalog> a dcat:Catalog ;
    dct:title "Hand-made awkward cases" ;
    dcat:dataset <{PARTNER}/d/welsh>, <{PARTNER}/d/unknown-licence>,
        <{PARTNER}/d/restricted>, <{PARTNER}/d/function> .

<{PARTNER}/d/welsh> a dcat:Dataset ;
    dct:title "Casgliadau gwastraff – Ynys Môn ☃"@cy ;
    dct:description "Non-ASCII text, a GSS code for a Welsh council and an LGSL theme." ;
    dct:identifier "welsh-bins" ;
    dct:spatial <{GSS}W06000001> ;
    dcat:theme <{LGSL}524> ;
    dct:accessRights <{EU}access-right/PUBLIC> ;
    dcat:distribution [ a dcat:Distribution ; dcat:accessURL <{PARTNER}/files/welsh.csv> ;
        dct:license <http://www.opendefinition.org/licenses/cc-by> ; dct:format "CSV" ] .

<{PARTNER}/d/unknown-licence> a dcat:Dataset ;
    dct:title "Licensed under a licence nobody knows" ;
    dct:description "The portal's licence register does not know this licence." ;
    dct:license <https://licences.partner.example.org/our-own> ;
    dcat:distribution [ a dcat:Distribution ; dcat:accessURL <{PARTNER}/files/own.csv> ;
        dct:license <https://licences.partner.example.org/our-own> ] .

<{PARTNER}/d/restricted> a dcat:Dataset ;
    dct:title "Restricted case notes" ;
    dct:description "Restricted: whether it holds personal data cannot be assumed." ;
    dct:accessRights <{EU}access-right/RESTRICTED> .

<{PARTNER}/d/function> a dcat:Dataset ;
    dct:title "Planning function records" ;
    dct:description "An LGFL function theme, no service." ;
    dcat:theme <http://id.esd.org.uk/function/14> ;
    dct:accessRights <{EU}access-right/PUBLIC> .
"""


def _run_job(
    api: _Api, source_id: str, timeout: float = 300
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Start a job (as `ckan harvester run`) and wait for the consumers to finish it."""
    job = api.call("harvest_job_create", source_id=source_id)
    api.call("harvest_jobs_run", source_id=source_id)
    deadline = time.monotonic() + timeout
    while True:
        time.sleep(1)
        api.call("harvest_jobs_run", source_id=source_id)  # marks a finished job Finished
        shown = api.call("harvest_job_show", id=job["id"])
        if shown["status"] == "Finished":
            return shown, api.call("harvest_job_report", id=job["id"])
        assert time.monotonic() < deadline, f"job not finished: {shown}"


def _org_datasets(api: _Api, org_id: str) -> dict[str, dict[str, Any]]:
    found = api.call(
        "package_search",
        fq=f"owner_org:{org_id}",
        include_private=True,
        rows=1000,
    )
    return {d["title"]: d for d in found["results"]}


def _codes(values: Any) -> list[str]:
    """LGSL/LGFL/GSS codes, whether stored as codes or as their URIs."""
    return [str(v).rstrip("/").rsplit("/", 1)[-1] for v in values or []]


def _errors(report: dict[str, Any]) -> dict[str, str]:
    """guid → the import error messages of the job."""
    out: dict[str, str] = {}
    for item in report["object_errors"].values():
        out[item["guid"]] = " | ".join(e["message"] for e in item["errors"])
    return out


@pytest.mark.e2e
def test_partner_catalog_harvests_into_a_consortium_and_follows_its_changes(
    portal: tuple[_Api, Path],
    partner_server: str,
    ckan_config: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api, tmp = portal
    # stock ckanext-dcat states licences on distributions only with this (stock) option
    monkeypatch.setitem(ckan_config, "ckanext.dcat.resource.inherit.license", True)
    stock = [_stock_dataset(i) for i in range(1, N_STOCK + 1)]
    _Docs.docs["/catalog.ttl"] = _stock_catalog(stock)
    _Docs.docs["/awkward.ttl"] = AWKWARD.encode("utf-8")

    org = api.call(
        "organization_create",
        name="partners",
        title="Partners consortium",
        kind="consortium",
        lead_authority="E10000016",
        default_la_service=["880"],
        default_frequency="monthly",
    )
    sources = {}
    for name, path in (("partner-catalog", "/catalog.ttl"), ("awkward-cases", "/awkward.ttl")):
        sources[name] = api.call(
            "harvest_source_create",
            name=name,
            title=name,
            url=partner_server + path,
            source_type="dcat_rdf",
            owner_org=org["id"],
            frequency="MANUAL",
            config=json.dumps({"rdf_format": "turtle"}),
        )

    # first run: 55 stock datasets through the suite's profile and schema
    started = time.monotonic()
    job, report = _run_job(api, sources["partner-catalog"]["id"])
    first_run = time.monotonic() - started
    assert job["stats"].get("added") == N_STOCK, (job, _errors(report))
    datasets = _org_datasets(api, org["id"])
    assert len(datasets) == N_STOCK
    ds = api.call("package_show", id=datasets["Partner dataset 12"]["id"])
    assert ds["license_id"] == "odc-odbl"  # the document's, kept
    assert _codes(ds["la_service"]) == ["524"]  # the LGSL theme
    assert _codes(ds["area"]) == ["E07000110"]  # GSS spatial
    assert (ds["data_spectrum"], ds["personal_data"], ds["security_classification"]) == (
        "open",
        "none",
        "OFFICIAL",
    )
    assert ds["private"] is False
    assert _codes([ds["frequency"]])[0].lower() == "monthly"  # the consortium's default
    assert [r["url"] for r in ds["resources"]] == [f"{PARTNER}/files/partner-dataset-012.csv"]
    assert {t["name"] for t in ds["tags"]} == {"partner", "topic-2"}
    ds = api.call("package_show", id=datasets["Partner dataset 7"]["id"])
    assert ds["license_id"] == "cc-by"
    assert _codes(ds["la_service"]) == ["880"]  # the consortium's default
    assert "area" not in ds or not ds["area"]
    first_resource_id = ds["resources"][0]["id"]

    # the awkward document: two land, two are refused with the field and the reason. (A dataset
    # without dct:title is not among them: ckanext-dcat 2.4.4's gather stops on it with a
    # KeyError, losing the rest of the page, before any hook of the suite runs.)
    job, report = _run_job(api, sources["awkward-cases"]["id"])
    errors = _errors(report)
    print(json.dumps({"job": job, "report": report}, indent=1))
    titles = {d["name"]: d["title"] for d in _org_datasets(api, org["id"]).values()}
    print(json.dumps({k: v for k, v in titles.items() if not k.startswith("partner-")}, indent=1))
    assert len(errors) == 2, errors
    by_case = {guid.rsplit("/", 1)[-1]: message for guid, message in errors.items()}
    assert "License" in by_case["unknown-licence"]
    assert "licences.partner.example.org/our-own" in by_case["unknown-licence"]
    assert "Personal data" in by_case["restricted"]
    assert "cannot be assumed" in by_case["restricted"]
    assert "Traceback" not in " ".join(errors.values())
    datasets = _org_datasets(api, org["id"])
    welsh = api.call("package_show", id=datasets["Casgliadau gwastraff – Ynys Môn ☃"]["id"])
    assert (_codes(welsh["area"]), _codes(welsh["la_service"])) == (["W06000001"], ["524"])
    assert welsh["license_id"] == "cc-by"
    planning = api.call("package_show", id=datasets["Planning function records"]["id"])
    assert _codes(planning["la_function"]) == ["14"]
    assert _codes(planning["la_service"]) == ["880"]
    assert len(datasets) == N_STOCK + 2

    # second run: 5 changed, 5 withdrawn (deleted or made private upstream), 5 new
    changed = [
        _stock_dataset(i, title=f"Partner dataset {i} (revised)") if i <= 5 else d
        for i, d in enumerate(stock, start=1)
    ][: N_STOCK - 5] + [_stock_dataset(i) for i in range(N_STOCK + 1, N_STOCK + 6)]
    changed[6] = _stock_dataset(7, notes="Revised description.")
    _Docs.docs["/catalog.ttl"] = _stock_catalog(changed)
    job, report = _run_job(api, sources["partner-catalog"]["id"])
    stats = job["stats"]
    assert (stats.get("added"), stats.get("deleted"), stats.get("errored", 0)) == (5, 5, 0), (
        stats,
        _errors(report),
    )
    datasets = _org_datasets(api, org["id"])
    titles = set(datasets)
    assert len(datasets) == N_STOCK + 2
    assert {f"Partner dataset {i} (revised)" for i in range(1, 6)} <= titles
    assert not {f"Partner dataset {i}" for i in range(1, 6)} & titles
    assert not {f"Partner dataset {i}" for i in range(N_STOCK - 4, N_STOCK + 1)} & titles
    assert {f"Partner dataset {i}" for i in range(N_STOCK + 1, N_STOCK + 6)} <= titles
    ds = api.call("package_show", id=datasets["Partner dataset 7"]["id"])
    assert ds["notes"] == "Revised description."
    assert ds["resources"][0]["id"] == first_resource_id  # the same file kept its resource
    print(f"first run of {N_STOCK} datasets: {first_run:.1f} s")


def _anonymous_public_datasets(base: str) -> dict[str, dict[str, Any]]:
    """Every dataset an anonymous visitor finds (the site catalog's selection), by title."""
    response = requests.get(
        f"{base}/api/3/action/package_search",
        params={"fq": "-dataset_type:harvest -dataset_type:showcase", "rows": 1000},
        timeout=120,
    )
    assert response.ok, response.text
    found = response.json()["result"]["results"]
    by_title = {d["title"]: d for d in found}
    assert len(by_title) == len(found), "titles must tell the datasets apart"
    return by_title


def _extras(dataset: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in dataset.get("extras") or []}


def _catalog_titles(url: str) -> tuple[list[str], int]:
    """Titles of the datasets of a paged catalog, read as the stock harvester reads it (stock
    RDFParser, following hydra:nextPage); and the number of pages."""
    from ckanext.dcat.processors import RDFParser

    titles, pages = [], 0
    while url:
        response = requests.get(url, timeout=120)
        assert response.ok, f"{url}: {response.status_code}"
        parser = RDFParser(profiles=["euro_dcat_ap_3"])
        parser.parse(response.content.decode("utf-8"), _format="turtle")  # Turtle is UTF-8
        titles += [d["title"] for d in parser.datasets()]
        pages += 1
        url = parser.next_page()
    return titles, pages


@pytest.mark.e2e
@pytest.mark.xfail(
    not compat.CKAN_2_12,
    # ckanext-dcat 2.4.4's euro_dcat_ap_3 parser, on any scheming portal, puts dct:publisher in a
    # `publisher` list of agents; scheming's ckan_dataset.yaml has no such field, and CKAN 2.11's
    # package schema refuses the unknown nested keys ("('publisher', 0, 'url') was not expected",
    # its '__junk': [empty]) where 2.12 drops them: a stock 2.11 portal with that schema refuses
    # every dataset that names a publisher, from whichever DCAT-AP catalog (ours always does).
    reason="upstream: stock CKAN 2.11 + scheming's default schema refuses ckanext-dcat's publisher",
    strict=True,
)
def test_a_stock_ckan_harvests_the_public_catalog_and_follows_withdrawals(
    portal: tuple[_Api, Path], stock_portal: _Api
) -> None:
    upstream, _ = portal
    downstream = stock_portal
    org = upstream.call(
        "organization_create",
        name="publishing-consortium",
        title="Publishing consortium",
        kind="consortium",
        lead_authority="E10000016",
    )
    areas = ["E07000110", "W06000001", "E08000025"]

    def publish(i: int, **changes: Any) -> dict[str, Any]:
        return upstream.call(
            "package_create",
            **{
                "name": f"published-{i:02d}",
                "title": f"Published dataset {i:02d} – Môn",
                "notes": f"What dataset {i} holds, in **Markdown**.",
                "owner_org": org["id"],
                "la_service": ["524"],
                "data_use_pattern": ["increasing-access"],
                "data_spectrum": "open",
                "personal_data": "none",
                "security_classification": "OFFICIAL",
                "license_id": "cc-by" if i % 2 else "odc-odbl",
                "tag_string": f"published,topic-{i % 3}",
                "area": [areas[i % 3]],
                "contact": [{"name": f"Team {i}", "email": f"team{i}@council.example.org"}],
                "resources": [
                    {"name": f"Data {i}", "url": f"https://files.example.org/{i}.csv"},
                    {"name": f"Schema {i}", "url": f"https://files.example.org/{i}.json"},
                ],
                **changes,
            },
        )

    public = [publish(i) for i in range(1, 23)]
    private = [publish(i, private=True) for i in range(23, 26)]

    downstream_org = downstream.call("organization_create", name="national", title="National")
    source = downstream.call(
        "harvest_source_create",
        name="consortium-portal",
        title="Consortium portal",
        url=f"{upstream.base}/catalog.ttl",
        source_type="dcat_rdf",
        owner_org=downstream_org["id"],
        frequency="MANUAL",
        config=json.dumps({"rdf_format": "turtle"}),
    )

    def compare() -> dict[str, dict[str, Any]]:
        """Downstream's datasets are exactly upstream's public ones, their fields intact."""
        expected = _anonymous_public_datasets(upstream.base)
        got = _org_datasets(downstream, downstream_org["id"])
        assert set(got) == set(expected), (set(got) ^ set(expected), len(got), len(expected))
        for title, theirs in expected.items():
            mine = _extras(got[title])
            copy = got[title]
            assert copy["notes"] == theirs["notes"], title
            assert copy["license_id"] == theirs["license_id"], title
            assert {t["name"] for t in copy["tags"]} == {t["name"] for t in theirs["tags"]}, title
            # a dataset without resources is published with its portal page as its distribution
            urls = sorted(r["url"] for r in theirs["resources"]) or [
                f"{upstream.base}/dataset/{theirs['id']}"
            ]
            assert sorted(r["url"] for r in copy["resources"]) == urls, title
            if theirs.get("contact"):
                assert mine.get("contact_email") == theirs["contact"][0]["email"], (title, mine)
                assert mine.get("contact_name") == theirs["contact"][0]["name"], (title, mine)
            if theirs.get("area"):
                assert _codes([mine.get("spatial_uri")]) == _codes(theirs["area"][:1]), title
        return got

    job, report = _run_job(downstream, source["id"])
    assert job["stats"].get("errored", 0) == 0, (job["stats"], _errors(report))
    got = compare()
    assert len(got) >= len(public)
    assert not {d["title"] for d in private} & set(got)
    first = got[public[0]["title"]]
    assert _extras(first)["spatial_uri"].endswith("/W06000001")
    assert first["license_id"] == "cc-by"
    # the catalog was read in pages
    titles, pages = _catalog_titles(f"{upstream.base}/catalog.ttl")
    assert pages == -(-len(got) // 10) > 1 and sorted(titles) == sorted(got)

    # upstream: two edited, one deleted, one made private, two added
    # (the catalog's modified_since is inclusive, and reads naive times as UTC)
    time.sleep(1)
    since = datetime.datetime.now(datetime.UTC).replace(tzinfo=None).isoformat()
    time.sleep(1)
    upstream.call("package_patch", id=public[1]["id"], title="Published dataset 02 (revised)")
    upstream.call("package_patch", id=public[2]["id"], notes="A revised description.")
    upstream.call("package_delete", id=public[3]["id"])
    upstream.call("package_patch", id=public[4]["id"], private=True)
    added = [publish(i) for i in (26, 27)]

    # what changed since the first run, paged: the edited and the added, not the withdrawn
    changed, _ = _catalog_titles(f"{upstream.base}/catalog.ttl?modified_since={since}")
    assert sorted(changed) == sorted(
        ["Published dataset 02 (revised)", public[2]["title"]] + [d["title"] for d in added]
    )

    job, report = _run_job(downstream, source["id"])
    stats = job["stats"]
    assert (stats.get("added"), stats.get("deleted"), stats.get("errored", 0)) == (2, 2, 0), (
        stats,
        _errors(report),
    )
    got = compare()
    assert "Published dataset 02 (revised)" in got
    assert got[public[2]["title"]]["notes"] == "A revised description."
    for withdrawn in (public[3], public[4]):
        assert withdrawn["title"] not in got
        copy = downstream.call("package_search", q=f'title:"{withdrawn["title"]}"')
        assert copy["count"] == 0


@pytest.mark.e2e
def test_the_demo_harvest_source_and_its_first_job_report(portal: tuple[_Api, Path]) -> None:
    """`make demo`'s harvesting (devstack/harvest.py, devstack/partner-catalog.ttl): the seeded
    source and its first job's report in the web UI, as the demo's loop finishes the job."""
    from ckanext.publicservices.consortium.content import CONSORTIA
    from devstack import harvest as demo

    api, _ = portal
    # the source's consortium as `make demo` seeds it (its defaults fill what the file lacks)
    api.call("organization_create", **next(c for c in CONSORTIA if c["name"] == demo.OWNER))
    url = demo.serve_catalog(free_port())
    assert url
    assert "created" in demo.seed_source(api.ini, api.env, url)
    deadline = time.monotonic() + 300
    while True:  # what the demo's loop does every 30 s (a portal's cron)
        demo.mark_finished_jobs(api.ini, api.env).communicate()
        status = api.call("harvest_source_show", id=demo.SOURCE)["status"]
        if status["job_count"] and status["last_job"]["status"] == "Finished":
            break
        assert time.monotonic() < deadline, status
        time.sleep(2)
    stats = status["last_job"]["stats"]
    report = api.call("harvest_job_report", id=status["last_job"]["id"])
    assert (stats["added"], stats["errored"]) == (4, 1), (stats, _errors(report))
    assert list(_errors(report)) == ["https://data.partner.example.org/dataset/fly-tipping-reports"]

    listing = api.page("/harvest/")
    assert listing.status_code == 200 and demo.SOURCE_TITLE in listing.text
    source_page = api.page(f"/harvest/{demo.SOURCE}")
    assert source_page.status_code == 200 and "Street trees" in source_page.text
    job_page = api.page(f"/harvest/{demo.SOURCE}/job/last")
    assert job_page.status_code == 200, job_page.text[-2000:]
    text = re.sub(r"\s+", " ", BeautifulSoup(job_page.text, "html.parser").get_text(" "))
    assert "4 added" in text and "1 errors" in text, text[:3000]
    assert "fly-tipping-reports" in text
    assert "Personal data" in text and "cannot be assumed" in text


def _feed(catalog: str, datasets: dict[str, str]) -> bytes:
    """A partner's Turtle catalog: dataset IRI → its extra triples."""
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dct: <http://purl.org/dc/terms/> .",
        f'<{catalog}> a dcat:Catalog ; dct:title "Feed" ;',
        "    dcat:dataset " + ", ".join(f"<{iri}>" for iri in datasets) + " .",
    ]
    for iri, extra in datasets.items():
        lines.append(
            f"<{iri}> a dcat:Dataset ; dct:accessRights <{EU}access-right/PUBLIC> ;"
            f" dcat:theme <{LGSL}524> ; {extra} ."
        )
    return "\n".join(lines).encode("utf-8")


@pytest.mark.e2e
def test_a_feed_writes_only_into_its_sources_organisation(
    portal: tuple[_Api, Path], partner_server: str
) -> None:
    """A document naming another organisation of this portal as dct:publisher, or carrying the
    guid of another organisation's dataset, must not write into that organisation."""
    api, _ = portal
    orgs = {
        name: api.call(
            "organization_create",
            name=name,
            title=name,
            kind="consortium",
            lead_authority="E10000016",
            default_la_service=["880"],
        )
        for name in ("victim-council", "feeding-partner")
    }
    sources = {
        name: api.call(
            "harvest_source_create",
            name=f"{name}-feed",
            title=f"{name} feed",
            url=f"{partner_server}/{name}.ttl",
            source_type="dcat_rdf",
            owner_org=org["id"],
            frequency="MANUAL",
            config=json.dumps({"rdf_format": "turtle"}),
        )
        for name, org in orgs.items()
    }
    # the IRI this portal writes for the victim's organisation, as a feed would copy it
    graph = rdflib.Graph().parse(data=api.page("/catalog.ttl").text, format="turtle")
    catalog = next(graph.subjects(rdflib.RDF.type, rdflib.URIRef(DCAT_NS + "Catalog")))
    victim_iri = f"{str(catalog).rstrip('/')}/organization/{orgs['victim-council']['id']}"
    shared = f"{PARTNER}/d/shared-guid"

    _Docs.docs["/victim-council.ttl"] = _feed(
        f"{PARTNER}/victim", {shared: 'dct:title "The victim\'s own dataset"'}
    )
    job, report = _run_job(api, sources["victim-council"]["id"])
    assert job["stats"].get("added") == 1, (job, _errors(report))

    _Docs.docs["/feeding-partner.ttl"] = _feed(
        f"{PARTNER}/feeder",
        {
            f"{PARTNER}/d/claims-victim": (
                f'dct:title "Claims the victim as publisher" ; dct:publisher <{victim_iri}>'
            ),
            shared: 'dct:title "Overwritten by another source"',
        },
    )
    job, report = _run_job(api, sources["feeding-partner"]["id"])
    errors = _errors(report)
    assert job["stats"].get("added") == 1, (job, errors)
    assert "another organisation" in errors.get(shared, ""), errors

    victim = _org_datasets(api, orgs["victim-council"]["id"])
    feeder = _org_datasets(api, orgs["feeding-partner"]["id"])
    assert sorted(victim) == ["The victim's own dataset"], sorted(victim)
    assert sorted(feeder) == ["Claims the victim as publisher"], sorted(feeder)
