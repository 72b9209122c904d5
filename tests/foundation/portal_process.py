"""Run a portal's `ckan` commands and `ckan run` as an administrator does, in any venv."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg2
import requests

from devstack.services import free_port, terminate


def ckan_command(
    ckan: Path, ini: Path, args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ckan), "-c", str(ini), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def sysadmin_token(ckan: Path, ini: Path, env: dict[str, str], cwd: Path) -> str:
    """A new sysadmin's API token: CKAN accepts it in the Authorization header of page requests."""
    name = f"admin-{uuid.uuid4().hex[:10]}"
    for args in (
        ["user", "add", name, f"email={name}@example.org", f"password={uuid.uuid4().hex}"],
        ["sysadmin", "add", name],
        ["user", "token", "add", name, "smoke"],
    ):
        done = ckan_command(ckan, ini, args, env, cwd)
        assert done.returncode == 0, f"ckan {' '.join(args[:2])}: {done.stdout}{done.stderr}"
    return done.stdout.strip().splitlines()[-1].strip()


@contextlib.contextmanager
def ckan_run(
    ckan: Path,
    ini: Path,
    env: dict[str, str],
    cwd: Path,
    log: Path,
    timeout: float = 120,
    reloader: bool = True,
) -> Iterator[str]:
    """``ckan run`` (Werkzeug with its reloader, as documented) on a free port; its base URL.

    ``reloader=False`` for a long test: the reloader restarts the server, dropping requests in
    flight, whenever a source file of the checkout changes."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(ckan), "-c", str(ini), "run", "--host", "127.0.0.1", "--port", str(port)]
            + ([] if reloader else ["--disable-reloader"]),
            env={**env, "CKAN_SITE_URL": base},
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the reloader's child goes with it
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, f"ckan run exited {proc.returncode}:\n{log.read_text()}"
            # the first request also waits for the reloader's child to load CKAN
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/api/3/action/status_show", timeout=60).ok:
                    break
            assert time.monotonic() < deadline, f"ckan run not serving:\n{log.read_text()}"
            time.sleep(0.3)
        yield base
    finally:
        terminate(proc)


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """A new database beside the test one (a 2.11 CKAN cannot open 2.12's migrated tables)."""
    # libpq URIs as the devstack writes them (a socket directory in ?host=…), kept unencoded
    url = urlsplit(os.environ["CKAN_SQLALCHEMY_URL"])
    admin = psycopg2.connect(url._replace(scheme="postgresql").geturl())
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
        yield url._replace(path=f"/{name}").geturl()
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@contextlib.contextmanager
def search_service_for(site_packages: Path) -> Iterator[str]:
    """The devstack search service, in this process, serving the schema.xml of the CKAN
    installed in ``site_packages`` (CKAN refuses a Solr schema newer than its own)."""
    import threading

    from devstack.search.schema import load_schema
    from devstack.search.server import SearchService, make_server

    schema = load_schema(site_packages / "ckan" / "config" / "solr" / "schema.xml")
    server = make_server("127.0.0.1", 0, SearchService(None, schema))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/solr/ckan"
    finally:
        server.shutdown()
        server.server_close()
