"""`make demo`'s harvesting: ckanext-harvest's gather and fetch consumers beside the job worker
(redis queues), and one illustrative harvest source reading a static DCAT-AP file
(``devstack/partner-catalog.ttl``, made-up data) served on 127.0.0.1, so no internet is needed."""

from __future__ import annotations

import http.server
import subprocess
import threading
from pathlib import Path

from devstack.portal import BIN, ROOT, ckan, finish, start_ckan
from devstack.services import ServiceError, port_in_use

PLUGINS = "harvest dcat_rdf_harvester"
SETTINGS = "ckan.harvest.mq.type = redis"
CATALOG = ROOT / "devstack" / "partner-catalog.ttl"
SOURCE = "partner-council-illustrative"
SOURCE_TITLE = "Partner council catalog (illustrative, served locally)"
OWNER = "kent"


def consumer_env(env: dict[str, str]) -> dict[str, str]:
    """ckanext-harvest 1.6.3 waits on its queues without a timeout and redis-py 8 times sockets
    out after 5 s by default: the consumers' connection gets a long timeout in its URL."""
    url = env["CKAN_REDIS_URL"]
    sep = "&" if "?" in url else "?"
    return {**env, "CKAN_REDIS_URL": f"{url}{sep}socket_timeout=31536000"}


def start_consumers(ini: Path, env: dict[str, str], logs: Path) -> list[subprocess.Popen]:
    logs.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [str(BIN / "ckan"), "-c", str(ini), "harvester", stage],
            env=consumer_env(env),
            cwd=ROOT,
            stdout=open(logs / f"harvest-{stage}.log", "ab"),  # noqa: SIM115 - inherited
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for stage in ("gather-consumer", "fetch-consumer")
    ]


class _Catalog(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path.split("?", 1)[0] != "/catalog.ttl":
            self.send_error(404)
            return
        body = CATALOG.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def serve_catalog(port: int) -> str | None:
    """Serve the static catalog on 127.0.0.1:``port`` (kept across starts: the source's URL)."""
    if port_in_use(port):
        return None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Catalog)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/catalog.ttl"


def seed_source(ini: Path, env: dict[str, str], url: str) -> str:
    """Create the illustrative source (once) and start its first job; what was done."""
    shown = start_ckan(ini, "harvester", "source", "show", SOURCE, env=env)
    try:
        finish(shown)
        return f"harvest source {SOURCE!r} already there (its jobs at /harvest/{SOURCE})"
    except ServiceError:  # not there yet: create it
        pass
    # ckanext-harvest 1.6.3's `source create` creates the source, then fails printing it (the
    # new source has no status yet): what counts is that `source show` finds it afterwards
    created = start_ckan(
        ini,
        "harvester",
        "source",
        "create",
        SOURCE,
        url,
        "dcat_rdf",
        SOURCE_TITLE,
        "true",
        OWNER,
        "MANUAL",
        '{"rdf_format": "turtle"}',
        env=env,
    )
    created.communicate()
    ckan(ini, "harvester", "source", "show", SOURCE, env=env)
    ckan(ini, "harvester", "job", SOURCE, env=env)
    return f"harvest source {SOURCE!r} created and its first job queued (/harvest/{SOURCE})"


def mark_finished_jobs(ini: Path, env: dict[str, str]) -> subprocess.Popen:
    """`ckan harvester run`: starts due jobs and marks finished ones (what cron does)."""
    return start_ckan(ini, "harvester", "run", env=env)
