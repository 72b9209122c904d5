"""`make test`: throw-away services on free ports in a temp dir, pytest with CKAN's plugin.

Two pytest runs share the services: the project's suite (``test.ini``, the suite's plugins) and
the search-service conformance run of CKAN's own search tests (``devstack/core-test.ini``, no
plugins, CKAN's tests imported from the installed package).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import ckan

from devstack.portal import ROOT, init_database
from devstack.services import ServiceError, ckan_env, running_stack

PROJECT_INI = ROOT / "test.ini"
CORE_INI = ROOT / "devstack" / "core-test.ini"

# CKAN's own search tests (issue 2's acceptance), run from the installed ckan package.
CKAN_TESTS = Path(ckan.__file__).parent / "tests"
CONFORMANCE_TESTS = [
    str(CKAN_TESTS / "lib" / "search" / "test_common.py"),
    str(CKAN_TESTS / "lib" / "search" / "test_query.py"),
    str(CKAN_TESTS / "lib" / "search" / "test_index.py"),
    str(CKAN_TESTS / "lib" / "search" / "test_search.py"),
    str(CKAN_TESTS / "logic" / "action" / "test_get.py") + "::TestPackageSearch",
    str(CKAN_TESTS / "logic" / "action" / "test_get.py")
    + "::TestPackageAutocompleteWithDatasetForm",
]
CONFORMANCE_ARGS = ["-p", "devstack.search.conformance", "--rootdir", str(CKAN_TESTS.parent)]


def _pytest(ini: Path, args: list[str], env: dict[str, str]) -> int:
    cmd = [sys.executable, "-m", "pytest", f"--ckan-ini={ini}", "-p", "no:cacheprovider", *args]
    print("+", " ".join(cmd), flush=True)
    return subprocess.call(cmd, env=env, cwd=ROOT)


def run(suites: list[str], pytest_args: list[str]) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="publicservices-test-"))
    started = time.monotonic()
    try:
        with running_stack(tmp, persistent=False) as services:
            env = ckan_env(
                services, CKAN_STORAGE_PATH=str(tmp / "storage"), PUBLICSERVICES_TEST_TMP=str(tmp)
            )
            env["CKAN_INI"] = str(PROJECT_INI)
            print(
                "services:", ", ".join(f"{s.name}={s.url}" for s in services.values()), flush=True
            )
            init_database(PROJECT_INI, env)
            code = 0
            if "project" in suites:
                code |= _pytest(PROJECT_INI, pytest_args, env)  # default: testpaths
            if "conformance" in suites:
                code |= _pytest(CORE_INI, CONFORMANCE_ARGS + CONFORMANCE_TESTS + pytest_args, env)
            return code
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"test services stopped after {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(run(["project"], sys.argv[1:]))
