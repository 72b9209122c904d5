"""`make bench`: every benchmark in bench/*_bench.py, against real devstack services.

Each benchmark module runs in its own process (so one cannot warm another's caches) with CKAN
pointed at throw-away services (CKAN_INI, CKAN_SQLALCHEMY_URL, …), and writes its figures to
bench/results/<name>.json. `python -m bench NAME…` runs only those.

A module that says ``USES_CORPUS = True`` runs once per corpus size (C1k, then the corpus is
extended to C5k; ``BENCH_SIZES=1000`` limits a run) with BENCH_CORPUS_SIZE set. At the end
bench/report.py rewrites bench/results/README.md and its charts from every results file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.corpus import corpus_sizes
from devstack.portal import ROOT, init_database
from devstack.services import ServiceError, ckan_env, running_stack

BENCH_INI = ROOT / "test.ini"


def _uses_corpus(module: str) -> bool:
    return "\nUSES_CORPUS = True" in (ROOT / "bench" / f"{module}.py").read_text()


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
            env["BENCH_TMP"] = str(tmp)
            corpus = [m for m in modules if _uses_corpus(m)]
            for module in (m for m in modules if m not in corpus):
                print(f"==> bench.{module}", flush=True)
                if subprocess.call([sys.executable, "-m", f"bench.{module}"], env=env, cwd=ROOT):
                    failures.append(module)
            for size in corpus_sizes() if corpus else ():
                print(f"==> corpus: {size} datasets", flush=True)
                if subprocess.call(
                    [sys.executable, "-m", "bench.corpus", str(size)], env=env, cwd=ROOT
                ):
                    failures.append(f"corpus {size}")
                    break
                for module in corpus:
                    print(f"==> bench.{module} (C{size})", flush=True)
                    if subprocess.call(
                        [sys.executable, "-m", f"bench.{module}"],
                        env={**env, "BENCH_CORPUS_SIZE": str(size)},
                        cwd=ROOT,
                    ):
                        failures.append(f"{module} (C{size})")
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("==> bench.report", flush=True)
    if subprocess.call([sys.executable, "-m", "bench.report"], cwd=ROOT):
        failures.append("report")
    if failures:
        print(f"failed: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
