"""End to end: the real CKAN web server process (gunicorn), as `make demo` runs it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from devstack.portal import start_web
from devstack.services import free_port, terminate

PAGES = ["/", "/dataset/", "/organization/", "/catalog.ttl", "/api/3/action/status_show"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    ini = Path(os.environ["CKAN_INI"])
    log = tmp_path_factory.mktemp("web") / "web.log"
    env = {**os.environ, "CKAN_SITE_URL": f"http://127.0.0.1:{port}"}
    proc = start_web(ini, env, port, log, workers=2)
    yield f"http://127.0.0.1:{port}"
    terminate(proc)
    assert proc.poll() is not None


@pytest.mark.e2e
@pytest.mark.parametrize("path", PAGES)
def test_pages_answer_200_from_the_real_server(server, path):
    response = requests.get(server + path, timeout=60)
    assert response.status_code == 200, response.text[:500]


@pytest.mark.e2e
def test_status_lists_the_suites_plugins(server):
    extensions = requests.get(server + "/api/3/action/status_show", timeout=30).json()["result"][
        "extensions"
    ]
    assert {"publicservices", "publicservices_validation", "scheming_datasets", "dcat"} <= set(
        extensions
    )
