"""`make demo`: a complete local portal with the suite enabled, data kept under ``.devstack/``."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from devstack import harvest
from devstack.config import write_ckan_ini
from devstack.portal import (
    ROOT,
    ckan,
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
            ini = write_ckan_ini(
                DATA, services, site_url, extra_plugins=harvest.PLUGINS, extra=harvest.SETTINGS
            )
            env["CKAN_INI"] = str(ini)
            step("creating or upgrading the database (ckan db init)")
            init_database(ini, env)
            ckan(ini, "db", "upgrade", "-p", "harvest", env=env)
            password = ensure_sysadmin(ini, env, DATA / "admin-password")
            # The seed is idempotent and the portal serves either way: run it while CKAN starts.
            step("seeding the four consortia and their illustrative datasets")
            seed = start_ckan(ini, "publicservices", "seed", env=env)
            step(
                f"starting CKAN (gunicorn, 2 workers) on {site_url}, a job worker and the "
                "harvest gather and fetch consumers"
            )
            try:
                processes.append(start_worker(ini, env, DATA / "logs" / "worker.log"))
                processes.extend(harvest.start_consumers(ini, env, DATA / "logs"))
                processes.append(start_web(ini, env, port, DATA / "logs" / "web.log"))
                print(finish(seed).rstrip(), flush=True)
                # the illustrative partner catalog, on a port kept across starts (the source's URL)
                catalog = harvest.serve_catalog(port + 1)
                if catalog is None:
                    print(f"note: port {port + 1} is taken: no illustrative harvest", flush=True)
                else:
                    step(harvest.seed_source(ini, env, catalog))
                return _serve(ini, site_url, password, started, processes, env)
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
    ini: Path,
    site_url: str,
    password: str,
    started: float,
    processes: list[subprocess.Popen],
    env: dict[str, str],
) -> int:
    print(
        f"\nThe portal is serving at {site_url}  (ready in {time.monotonic() - started:.0f} s)\n"
        f"  sysadmin login: admin / {password}\n"
        f"  config: {ini}\n  logs: {DATA / 'logs'}\n"
        "Press Ctrl-C to stop every process it started.\n",
        flush=True,
    )
    runner: subprocess.Popen | None = None
    last_run = 0.0
    try:
        while all(proc.poll() is None for proc in processes):
            # what a portal's cron does: start due harvest jobs, mark finished ones Finished
            if time.monotonic() - last_run > 30 and (runner is None or runner.poll() is not None):
                if runner is not None:
                    runner.communicate()
                runner = harvest.mark_finished_jobs(ini, env)
                last_run = time.monotonic()
            time.sleep(1)
    finally:
        if runner is not None:
            terminate(runner)
    failed = next(proc for proc in processes if proc.poll() is not None)
    print(
        f"error: {failed.args[0]} exited with code {failed.returncode}; see {DATA / 'logs'}",
        file=sys.stderr,
    )
    return 1
