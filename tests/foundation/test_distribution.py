"""The built wheel and sdist hold everything a portal needs, and the wheel installs into a stock
CKAN 2.11 or 2.12 without touching it, then serves.

The stock venvs (CKAN only, from the constraints, no system site-packages) are kept in the user's
cache, keyed on the CKAN version and the constraints file's hash, and put back to stock after
each use: building one costs a few minutes, reusing it a few seconds.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from devstack.portal import ROOT
from tests.foundation.portal_process import (
    ckan_command,
    ckan_run,
    fresh_database,
    search_service_for,
)

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ckanext-publicservices"
CKAN_VERSIONS = {"2.12": "constraints/ckan-2.12.txt", "2.11": "constraints/ckan-2.11.txt"}


def _tracked(*paths: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", *paths], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """``python -m build``: the sdist, then the wheel built from it (as a packager does)."""
    out = tmp_path_factory.mktemp("dist")
    # no isolation: the build requirements (setuptools, wheel) are the venv's, not downloaded
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_the_wheel_holds_every_file_of_the_package(dist):
    names = set(zipfile.ZipFile(dist["wheel"]).namelist())
    # schemas/ is installed as the package ckanext.publicservices.schemas
    wanted = [
        "ckanext/publicservices/schemas/" + f[len("schemas/") :] if f.startswith("schemas/") else f
        for f in _tracked("ckanext", "schemas")
    ]
    missing = [f for f in wanted if f not in names]
    assert not missing, f"not in the wheel: {missing}"
    for kind in (
        "ckanext/publicservices/schemas/standards/",
        "ckanext/publicservices/templates/",
        "ckanext/publicservices/assets/",
        "ckanext/publicservices/migration/",
        "ckanext/publicservices/i18n/ckanext-publicservices.pot",
        "ckanext/publicservices/vocabularies/data/ATTRIBUTION.md",
        "ckanext/publicservices/vocabularies/data/LICENCES.txt",
        "ckanext/publicservices/config_declaration.yaml",
    ):
        assert any(n.startswith(kind) for n in names), kind
    assert not [n for n in names if n.startswith(("tests/", "devstack/", "bench/"))]


def test_the_sdist_holds_the_package_and_its_build_files(dist):
    with tarfile.open(dist["sdist"]) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    wanted = _tracked("ckanext", "schemas", "constraints") + [
        "setup.py",
        "pyproject.toml",
        "README.md",
        "CHANGELOG.md",
        "babel.cfg",
    ]
    missing = [f for f in wanted if f not in names]
    assert not missing, f"not in the sdist: {missing}"


# a stock CKAN, the wheel on top ------------------------------------------------------------


def _pip(venv: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=900,
    )


def _freeze(venv: Path) -> dict[str, str]:
    done = _pip(venv, "freeze", "--all")
    assert done.returncode == 0, done.stderr
    out = {}
    for line in done.stdout.splitlines():
        # "name==version", or "name @ file:///…" for a distribution installed from a file
        name, sep, version = line.partition("==")
        if not sep:
            name, sep, version = line.partition(" @ ")
        if sep and not line.startswith(("#", "-e")):
            out[name.strip().lower().replace("_", "-")] = version.strip()
    return out


def _ckan_version(constraints: Path) -> str:
    for line in constraints.read_text().splitlines():
        if line.startswith("ckan=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"no ckan== line in {constraints}")


@contextlib.contextmanager
def stock_ckan_venv(constraints: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A venv holding CKAN ``ckan[requirements]`` only; back to that state on exit."""
    version = _ckan_version(constraints)
    key = hashlib.sha256(constraints.read_bytes()).hexdigest()[:12]
    venv = CACHE / f"stock-ckan-{version}-{key}"
    snapshot = venv / "stock-freeze.txt"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another checkout's run may use the same venv
        if snapshot.is_file():
            _back_to_stock(venv, _read(snapshot))  # after a run that was killed mid-way
        if not snapshot.is_file() or _freeze(venv) != _read(snapshot):
            # older venvs of this CKAN version were made from older constraints
            for stale in CACHE.glob(f"stock-ckan-{version}-*"):
                shutil.rmtree(stale, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            requirement = f"ckan[requirements]=={version}"
            done = _pip(venv, "install", "-q", "-c", str(constraints), requirement)
            assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
            snapshot.write_text("".join(f"{n}=={v}\n" for n, v in sorted(_freeze(venv).items())))
        stock = _read(snapshot)
        try:
            yield venv, stock
        finally:
            _back_to_stock(venv, stock)


def _back_to_stock(venv: Path, stock: dict[str, str]) -> None:
    added = sorted(set(_freeze(venv)) - set(stock))
    if added:
        _pip(venv, "uninstall", "-y", "-q", *added)


def _read(snapshot: Path) -> dict[str, str]:
    pins = (line.split("==", 1) for line in snapshot.read_text().splitlines() if "==" in line)
    return {name: version for name, version in pins}


@pytest.mark.e2e
@pytest.mark.parametrize("series", list(CKAN_VERSIONS))
def test_the_wheel_installs_into_a_stock_ckan_and_serves(dist, series, tmp_path):
    constraints = ROOT / CKAN_VERSIONS[series]
    with stock_ckan_venv(constraints) as (venv, stock):
        assert stock["ckan"] == _ckan_version(constraints)
        done = _pip(venv, "install", "-q", "-c", str(constraints), str(dist["wheel"]))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        after = _freeze(venv)
        assert after["ckan"] == stock["ckan"]
        assert after["sqlalchemy"] == stock["sqlalchemy"]
        changed = {n: (v, after.get(n)) for n, v in stock.items() if after.get(n) != v}
        assert not changed, f"installing the wheel changed the host's packages: {changed}"
        assert "ckanext-publicservices" in after

        ckan = venv / "bin" / "ckan"
        # test.ini, where a visitor may open the dataset form (no sysadmin to create: each
        # `ckan` command costs a CKAN start-up)
        ini = tmp_path / "wheel.ini"
        option = "ckan.auth.anon_create_dataset = "
        text = (ROOT / "test.ini").read_text()
        assert f"{option}false" in text
        ini.write_text(text.replace(f"{option}false", f"{option}true"))
        (site_packages,) = venv.glob("lib/python3*/site-packages")
        with (
            fresh_database(f"wheel_ckan_{series.replace('.', '_')}") as db_url,
            search_service_for(site_packages) as solr_url,
        ):
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
            env.update(
                CKAN_SQLALCHEMY_URL=db_url,
                CKAN_SOLR_URL=solr_url,
                CKAN_STORAGE_PATH=str(tmp_path / "storage"),
            )
            init = ckan_command(ckan, ini, ["db", "init"], env, tmp_path)
            assert init.returncode == 0, init.stdout[-2000:] + init.stderr[-3000:]
            with ckan_run(ckan, ini, env, tmp_path, tmp_path / "run.log") as base:
                assert requests.get(f"{base}/", timeout=60).status_code == 200
                form = requests.get(f"{base}/dataset/new", timeout=60)
                assert form.status_code == 200, form.text[-2000:]
                assert 'name="la_service"' in form.text
                catalog = requests.get(f"{base}/catalog.ttl", timeout=60)
                assert catalog.status_code == 200 and "dcat:Catalog" in catalog.text
                status = requests.get(f"{base}/api/3/action/status_show", timeout=60).json()
                assert status["result"]["ckan_version"] == stock["ckan"]
            # the suite was imported from the wheel, not from this checkout
            probe = "import ckanext.publicservices as m; print(m.__file__)"
            where = subprocess.run(
                [str(venv / "bin" / "python"), "-c", probe],
                capture_output=True,
                text=True,
                cwd=tmp_path,
            )
            assert str(venv) in where.stdout, where.stdout + where.stderr
