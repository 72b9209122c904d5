"""The benchmark corpus (C1k, C5k) and the CKAN configurations the benchmarks compare.

The generator itself is :mod:`bench.seed` (``python -m bench.seed -c INI --datasets N``); this
module drives it for ``make bench``:
``python -m bench.corpus N`` brings the database to N datasets with two loader processes.

Variants (CKAN configs chained from test.ini with ``use = config:``):
``stock``     plain CKAN 2.12 (``activity`` only, default schema; service fields as free extras)
``scheming``  ``scheming_datasets`` with ckanext-scheming's ``ckan_dataset.yaml`` (same extras)
``project``   the suite exactly as test.ini configures it
``loader``    the suite without ``activity``: the corpus is loaded without activity records
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS: write a trial run's figures elsewhere (e.g. on a busy machine)
RESULTS = Path(os.environ.get("BENCH_RESULTS") or ROOT / "bench" / "results")
BASE_INI = ROOT / "test.ini"
CORPUS_SIZES = (1000, 5000)
LOADERS = 2  # one per core

PROJECT_PLUGINS = (
    "publicservices publicservices_validation scheming_datasets scheming_organizations dcat"
    " activity"
)
VARIANTS: dict[str, dict[str, str]] = {
    "stock": {"ckan.plugins": "activity"},
    "scheming": {
        "ckan.plugins": "scheming_datasets activity",
        "scheming.dataset_schemas": "ckanext.scheming:ckan_dataset.yaml",
        "scheming.presets": "ckanext.scheming:presets.json",
    },
    "project": {"ckan.plugins": PROJECT_PLUGINS},
    "loader": {"ckan.plugins": PROJECT_PLUGINS.replace(" activity", "")},
}


def corpus_sizes() -> tuple[int, ...]:
    """``BENCH_SIZES=1000`` (comma-separated) limits a run; default C1k and C5k."""
    raw = os.environ.get("BENCH_SIZES", "")
    return tuple(int(x) for x in raw.split(",") if x.strip()) or CORPUS_SIZES


def current_size() -> int | None:
    """The corpus size of this phase of ``make bench`` (set by the runner), if any."""
    raw = os.environ.get("BENCH_CORPUS_SIZE")
    return int(raw) if raw else None


def variant_ini(variant: str, directory: Path | None = None) -> Path:
    """Write (once) an ini chained from test.ini with the variant's overrides."""
    directory = directory or Path(os.environ.get("BENCH_TMP", "/tmp")) / "publicservices-bench-ini"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{variant}.ini"
    lines = ["[app:main]", f"use = config:{BASE_INI}"]
    lines += [f"{k} = {v}" for k, v in VARIANTS[variant].items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def _bench_seed(ini: Path, *args: str, stderr: Any = subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.seed", "-c", str(ini), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )


def _seed(n: int, *options: str) -> tuple[int, float, list[str]]:
    """``bench-seed --datasets n`` with LOADERS processes: created, seconds, stderr lines."""
    ini = variant_ini("loader")
    first = _bench_seed(ini, "--datasets", "0", *options)
    out, err = first.communicate()
    if first.returncode:
        raise RuntimeError(f"bench-seed (organisations) failed:\n{out}{err[-4000:]}")
    started = time.perf_counter()
    # each loader's log goes to a file: with pipes read one loader after the other, a loader
    # whose pipe filled up (CKAN logs a few lines per dataset) waited for the others to finish
    created = 0
    lines: list[str] = []
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile("w+")) for _ in range(LOADERS)]
        procs = [
            _bench_seed(
                ini,
                "--datasets",
                str(n),
                "--fast",
                "--shard",
                f"{k}/{LOADERS}",
                *options,
                stderr=logs[k],
            )
            for k in range(LOADERS)
        ]
        for proc, log in zip(procs, logs, strict=True):
            out, _ = proc.communicate()
            log.seek(0)
            err = log.read()
            if proc.returncode:
                raise RuntimeError(f"bench-seed failed:\n{out}{err[-4000:]}")
            created += int(out.split("created ", 1)[1].split()[0])
            lines += err.splitlines()
    return created, time.perf_counter() - started, lines


def load_one_org(n: int) -> tuple[int, float]:
    """Load one organisation with ``n`` datasets beside the corpus (BM-5's consortium page)."""
    created, seconds, _lines = _seed(n, "--one-organisation")
    return created, seconds


def remove_one_org() -> str:
    """Purge that organisation again, so the corpus is as the other benchmarks expect it."""
    proc = _bench_seed(variant_ini("loader"), "--remove-one-organisation")
    out, err = proc.communicate()
    if proc.returncode:
        raise RuntimeError(f"bench-seed --remove-one-organisation failed:\n{out}{err[-4000:]}")
    return out.strip()


def ensure_corpus(n: int) -> dict[str, object]:
    """Bring the corpus to ``n`` datasets (idempotent); record the load rate in corpus.json."""
    created, elapsed, lines = _seed(n)
    missing = [ln for ln in lines if ln.startswith("fields not in")]
    record = {
        "size": n,
        "created": created,
        "seconds": round(elapsed, 1),
        "datasets_per_second": round(created / elapsed, 2) if created else None,
        "loaders": LOADERS,
        "path": "package_create (loader variant), --fast: commit per 50, batch index, "
        "validation jobs of the new resources not queued (no worker runs)",
        "fields_not_stored": missing[0] if missing else "",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    path = RESULTS / "corpus.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault("loads", {})[str(n)] = record
    data["generator"] = "bench.seed (seeded, deterministic)"
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return record


if __name__ == "__main__":
    for size in (int(a) for a in sys.argv[1:]):
        print(json.dumps(ensure_corpus(size)), flush=True)
