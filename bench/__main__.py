"""`make bench`: every benchmark in bench/*_bench.py, against real devstack services.

Each benchmark module runs in its own process (so one cannot warm another's caches) with CKAN
pointed at throw-away services (CKAN_INI, CKAN_SQLALCHEMY_URL, …), and writes its figures to
bench/results/<name>.json. `python -m bench NAME…` runs only those.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from devstack.portal import ROOT, init_database
from devstack.services import ServiceError, ckan_env, running_stack

BENCH_INI = ROOT / "test.ini"


def main(selected: list[str]) -> int:
    modules = sorted(p.stem for p in (ROOT / "bench").glob("*_bench.py"))
    if selected:
        modules = [m for m in modules if any(m.startswith(s) for s in selected)]
    tmp = Path(tempfile.mkdtemp(prefix="publicservices-bench-"))
    failures = []
    try:
        with running_stack(tmp, persistent=False) as services:
            env = ckan_env(
                services, CKAN_INI=str(BENCH_INI), CKAN_STORAGE_PATH=str(tmp / "storage")
            )
            init_database(BENCH_INI, env)
            for module in modules:
                print(f"==> bench.{module}", flush=True)
                if subprocess.call([sys.executable, "-m", f"bench.{module}"], env=env, cwd=ROOT):
                    failures.append(module)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
