"""The demo's web log (gunicorn's output, .devstack/logs/web.log) holds the traceback of every
unhandled exception, wherever it was raised, and gunicorn's access log."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devstack.config import write_ckan_ini
from devstack.portal import start_web
from devstack.services import Service, free_port, terminate
from tests.foundation.crash_app import MIDDLEWARE_ERROR, STREAM_ERROR, VIEW_ERROR

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("demo")
    port = free_port()
    site_url = f"http://127.0.0.1:{port}"
    services = {
        name: Service(name, os.environ[var])
        for name, var in (
            ("postgresql", "CKAN_SQLALCHEMY_URL"),
            ("redis", "CKAN_REDIS_URL"),
            ("search", "CKAN_SOLR_URL"),
        )
    }
    ini = write_ckan_ini(root, services, site_url)  # the demo's own ckan.ini and logging
    log = root / "logs" / "web.log"
    env = {**os.environ, "CKAN_SITE_URL": site_url}
    proc = start_web(ini, env, port, log, workers=1, app="tests.foundation.crash_app:application")
    yield site_url, log
    terminate(proc)


def _logged(log: Path, pattern: str, timeout: float = 10) -> bool:
    """Whether the log shows ``pattern`` (a regex) within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if re.search(pattern, log.read_text(errors="replace")):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)


def _traceback_of(error: str) -> str:
    # a traceback ending in this error, not just a line that mentions it
    return r"Traceback \(most recent call last\):\n(?:[ \t].*\n)+RuntimeError: " + error


def test_error_in_a_view_is_logged_with_its_traceback(demo_server: tuple[str, Path]) -> None:
    url, log = demo_server
    assert requests.get(url + "/__crash/view", timeout=60).status_code == 500
    assert _logged(log, _traceback_of(VIEW_ERROR)), log.read_text()[-3000:]


def test_error_outside_flask_is_logged_with_its_traceback(demo_server: tuple[str, Path]) -> None:
    url, log = demo_server
    assert requests.get(url + "/__crash/middleware", timeout=60).status_code == 500
    assert _logged(log, _traceback_of(MIDDLEWARE_ERROR)), log.read_text()[-3000:]


def test_error_while_streaming_is_logged_with_its_traceback(
    demo_server: tuple[str, Path],
) -> None:
    url, log = demo_server
    # the server may drop the connection half-way through the body (get reads all of it)
    with contextlib.suppress(requests.RequestException):
        requests.get(url + "/__crash/stream", timeout=60)
    assert _logged(log, _traceback_of(STREAM_ERROR)), log.read_text()[-3000:]


def test_requests_are_in_the_access_log(demo_server: tuple[str, Path]) -> None:
    url, log = demo_server
    requests.get(url + "/api/3/action/status_show?from=access-log-test", timeout=60)
    assert _logged(log, r'"GET /api/3/action/status_show\?from=access-log-test HTTP/1\.1" 200')
