"""Run CKAN itself: CLI commands, the web server (gunicorn) and a job worker."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from devstack.services import ServiceError, port_in_use, terminate, wait_for

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
JOB_QUEUES = ("default", "publicservices")


def start_ckan(ini: Path, *args: str, env: dict[str, str]) -> subprocess.Popen:
    """Start ``ckan -c INI ARGS…`` without waiting; :func:`finish` collects it."""
    return subprocess.Popen(
        [str(BIN / "ckan"), "-c", str(ini), *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so that `terminate` can stop it and its children
    )


def finish(proc: subprocess.Popen) -> str:
    """Wait for a CKAN command; return its output (CKAN logs to stderr, kept for errors)."""
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        command = " ".join(proc.args[3:])
        raise ServiceError(f"`ckan {command}` failed (exit {proc.returncode}):\n{stdout}{stderr}")
    return stdout


def ckan(ini: Path, *args: str, env: dict[str, str]) -> str:
    return finish(start_ckan(ini, *args, env=env))


def init_database(ini: Path, env: dict[str, str]) -> None:
    """Create or upgrade CKAN's tables and every enabled plugin's (alembic, idempotent)."""
    ckan(ini, "db", "init", env=env)


def ensure_sysadmin(ini: Path, env: dict[str, str], password_file: Path) -> str:
    """Create the sysadmin ``admin`` once; its password is kept in ``password_file``."""
    import secrets

    if password_file.exists():
        return password_file.read_text().strip()
    password = secrets.token_urlsafe(12)
    ckan(ini, "user", "add", "admin", "email=admin@example.org", f"password={password}", env=env)
    ckan(ini, "sysadmin", "add", "admin", env=env)
    password_file.write_text(password)
    password_file.chmod(0o600)
    return password


def start_web(
    ini: Path,
    env: dict[str, str],
    port: int,
    log: Path,
    workers: int = 2,
    app: str = "devstack.wsgi:application",
) -> subprocess.Popen:
    if port_in_use(port):
        raise ServiceError(
            f"Port {port} is already taken by another program. Stop it "
            f"(e.g. `fuser -k {port}/tcp`) or choose another port with PORT=…"
        )
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            app,
        ],
        env={**env, "CKAN_INI": str(ini)},
        cwd=ROOT,
        stdout=open(log, "ab"),  # noqa: SIM115 - inherited by the child
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def serving() -> bool:
        url = f"http://127.0.0.1:{port}/api/3/action/status_show"
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status == 200

    try:
        wait_for(serving, 120, "The CKAN web server (gunicorn)", proc)
    except ServiceError as exc:
        terminate(proc)
        raise ServiceError(f"{exc} Its log: {log}") from exc
    return proc


def start_worker(ini: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    log.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [str(BIN / "ckan"), "-c", str(ini), "jobs", "worker", *JOB_QUEUES],
        env=env,
        cwd=ROOT,
        stdout=open(log, "ab"),  # noqa: SIM115 - inherited by the child
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
