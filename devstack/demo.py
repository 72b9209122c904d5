"""`make demo`: a complete local portal with the suite enabled, data kept under ``.devstack/``."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from devstack.config import write_ckan_ini
from devstack.portal import (
    ROOT,
    ensure_sysadmin,
    finish,
    init_database,
    start_ckan,
    start_web,
    start_worker,
)
from devstack.services import ServiceError, ckan_env, port_in_use, running_stack, terminate

DATA = ROOT / ".devstack"


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(port: int) -> int:
    started = time.monotonic()
    if port_in_use(port):
        print(
            f"error: port {port} is already taken by another program, so the portal cannot start.\n"
            f"Stop that program (see `fuser -v {port}/tcp`) or run `make demo PORT=5050`.",
            file=sys.stderr,
        )
        return 1
    processes: list[subprocess.Popen] = []
    try:
        step(f"starting PostgreSQL, Redis and the search service (data in {DATA})")
        with running_stack(DATA, persistent=True) as services:
            site_url = f"http://127.0.0.1:{port}"
            env = ckan_env(services)
            ini = write_ckan_ini(DATA, services, site_url)
            env["CKAN_INI"] = str(ini)
            step("creating or upgrading the database (ckan db init)")
            init_database(ini, env)
            password = ensure_sysadmin(ini, env, DATA / "admin-password")
            # The seed is idempotent and the portal serves either way: run it while CKAN starts.
            step("seeding the four consortia and their illustrative datasets")
            seed = start_ckan(ini, "publicservices", "seed", env=env)
            step(f"starting CKAN (gunicorn, 2 workers) on {site_url} and a job worker")
            try:
                processes.append(start_worker(ini, env, DATA / "logs" / "worker.log"))
                processes.append(start_web(ini, env, port, DATA / "logs" / "web.log"))
                print(finish(seed).rstrip(), flush=True)
                return _serve(ini, site_url, password, started, processes)
            finally:
                step("stopping")
                for proc in [seed, *reversed(processes)]:
                    terminate(proc)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _serve(
    ini: Path, site_url: str, password: str, started: float, processes: list[subprocess.Popen]
) -> int:
    print(
        f"\nThe portal is serving at {site_url}  (ready in {time.monotonic() - started:.0f} s)\n"
        f"  sysadmin login: admin / {password}\n"
        f"  config: {ini}\n  logs: {DATA / 'logs'}\n"
        "Press Ctrl-C to stop every process it started.\n",
        flush=True,
    )
    while all(proc.poll() is None for proc in processes):
        time.sleep(1)
    failed = next(proc for proc in processes if proc.poll() is not None)
    print(
        f"error: {failed.args[0]} exited with code {failed.returncode}; see {DATA / 'logs'}",
        file=sys.stderr,
    )
    return 1
