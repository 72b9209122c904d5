"""The suite beside the extensions portals already run: ckanext-harvest, ckanext-spatial (bbox
search), core `activity` and ckanext-dcat's harvester, all enabled in one CKAN web server
against the devstack's services (a database of its own: harvest adds tables)."""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests
from bs4 import BeautifulSoup

from devstack.portal import ROOT, start_web
from devstack.services import free_port, terminate
from tests.foundation.portal_process import (
    ckan_command,
    fresh_database,
    sysadmin_token,
)
from tests.schemas.payloads import valid_dataset

CKAN = Path(sys.executable).parent / "ckan"
PLUGINS = (
    "publicservices publicservices_validation scheming_datasets scheming_organizations dcat "
    "activity harvest ckan_harvester dcat_rdf_harvester spatial_metadata spatial_query"
)
# a site of its own in the shared search service: nothing it indexes shows in other tests
SETTINGS = f"""ckan.plugins = {PLUGINS}
ckan.site_id = coexistence
ckanext.spatial.search_backend = solr-bbox
ckan.harvest.mq.type = redis
"""
# Maidstone's bounding box, roughly (lon/lat)
BOX = {
    "type": "Polygon",
    "coordinates": [[[0.4, 51.2], [0.6, 51.2], [0.6, 51.3], [0.4, 51.3], [0.4, 51.2]]],
}


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("coexistence")
    ini = tmp / "coexistence.ini"
    base = (ROOT / "test.ini").read_text()
    base = re.sub(r"(?m)^ckan\.site_id = .*\n", "", base)
    ini.write_text(re.sub(r"(?m)^ckan\.plugins = .*\n", SETTINGS, base, count=1))
    with fresh_database("coexistence") as db_url:
        env = {**os.environ, "CKAN_SQLALCHEMY_URL": db_url, "CKAN_STORAGE_PATH": str(tmp / "s")}
        for args in (["db", "init"], ["db", "upgrade", "-p", "harvest"]):
            done = ckan_command(CKAN, ini, args, env, tmp)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        token = sysadmin_token(CKAN, ini, env, tmp)
        # the devstack's production server (gunicorn): `ckan run`'s reloader would restart on
        # any edit of the checkout during the module (ckan run: test_admin_commands.py)
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        web = start_web(ini, {**env, "CKAN_SITE_URL": base_url}, port, tmp / "web.log", workers=1)
        try:
            api = _Api(base_url, token)
            org = api.call(
                "organization_create",
                name="kent",
                title="Kent consortium",
                kind="consortium",
                lead_authority="E10000016",
            )
            dataset = api.call(
                "package_create",
                **valid_dataset(
                    name="maidstone-bins",
                    owner_org=org["id"],
                    extras=[{"key": "spatial", "value": json.dumps(BOX)}],
                ),
            )
            yield base_url, api, dataset, tmp / "web.log"
        finally:
            terminate(web)
        ckan_command(CKAN, ini, ["search-index", "clear"], env, tmp)


class _Api:
    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token

    def call(self, action: str, **data):
        response = requests.post(
            f"{self.base}/api/3/action/{action}",
            json=data,
            headers={"Authorization": self.token},
            timeout=120,
        )
        assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
        return response.json()["result"]

    def get(self, path: str, **params) -> requests.Response:
        return requests.get(
            f"{self.base}{path}", params=params, headers={"Authorization": self.token}, timeout=120
        )


@pytest.mark.e2e
def test_all_plugins_are_loaded(portal):
    _, api, _, _ = portal
    extensions = set(api.get("/api/3/action/status_show").json()["result"]["extensions"])
    assert set(PLUGINS.split()) <= extensions


@pytest.mark.e2e
@pytest.mark.parametrize(
    "path", ["/", "/dataset/maidstone-bins", "/dataset/?q=bins", "/catalog.ttl", "/harvest/"]
)
def test_pages_serve(portal, path):
    base, api, _, log = portal
    response = api.get(path)
    assert response.status_code == 200, (
        f"{path}: {response.text[-1500:]}\n{log.read_text()[-3000:]}"
    )


@pytest.mark.e2e
def test_search_finds_the_dataset(portal):
    _, api, dataset, _ = portal
    page = api.get("/dataset/", q="bins").text
    assert "/dataset/maidstone-bins" in page
    assert "dcat:Dataset" in api.get("/catalog.ttl").text


@pytest.mark.e2e
def test_spatial_bbox_search(portal):
    _, api, dataset, _ = portal

    def found(bbox: str) -> list[str]:
        result = api.get("/api/3/action/package_search", ext_bbox=bbox).json()
        assert result["success"], result
        return [d["name"] for d in result["result"]["results"]]

    assert found("0.3,51.1,0.7,51.4") == ["maidstone-bins"]  # around Maidstone
    assert found("-3.0,53.0,-2.0,54.0") == []  # the North West
    page = api.get("/dataset/", ext_bbox="0.3,51.1,0.7,51.4")
    assert page.status_code == 200 and "/dataset/maidstone-bins" in page.text


@pytest.mark.e2e
@pytest.mark.parametrize("path", ["/", "/dataset/", "/dataset/maidstone-bins", "/harvest/"])
def test_each_asset_is_included_once(portal, path):
    _, api, _, _ = portal
    soup = BeautifulSoup(api.get(path).text, "html.parser")
    scripts = [s["src"] for s in soup.find_all("script", src=True)]
    styles = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    duplicated = [url for url, n in Counter(scripts + styles).items() if n > 1]
    assert not duplicated, f"assets included more than once on {path}: {duplicated}"
    assert scripts and styles


@pytest.mark.e2e
def test_dataset_page_keeps_every_plugins_blocks(portal):
    _, api, _, _ = portal
    soup = BeautifulSoup(api.get("/dataset/maidstone-bins").text, "html.parser")
    # activity's tab, dcat's RDF links in the head, the suite's schema fields
    assert soup.find("a", href="/dataset/activity/maidstone-bins"), "activity tab lost"
    alternates = {link.get("type") for link in soup.find_all("link", rel="alternate")}
    assert {"text/turtle", "application/rdf+xml"} & alternates, f"dcat links lost: {alternates}"
    assert "Household waste collection days" in soup.title.text
