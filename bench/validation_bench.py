"""BM-6 data validation: the project's job against a direct ``frictionless.validate``.

Part 1 (in process, no services): for CSV with 8 and 40 columns, 10k and 100k rows, valid and
with 1% bad rows, with and without a ``primaryKey`` (8 columns), and one 100k-row XLSX, the job's
work (``jobs.preflight`` + ``jobs.check``: sniffing, line-length scan, zip checks, frictionless,
the report dict) and ``frictionless.validate`` on the same file with the same schema and
``limit_errors`` are timed interleaved A B B A …; medians, p95 and the ratio are recorded.
Because the shared machine is noisy, each case also counts the Python function calls of one
profiled run per variant (files under 5 MB): a ratio that noise cannot move. Peak RSS of each
variant is measured in a fresh child process on the 100k × 8 files.

Part 2 (end to end, needs the devstack services from ``python -m bench``): a 1,000,000 × 8 CSV
is uploaded with ``resource_create`` and ``ckan jobs worker publicservices --burst`` validates
it; the time from the upload to the stored report and the worker's peak RSS (its forked work
horse included, via RUSAGE_CHILDREN) are recorded. Skipped when CKAN_INI is not set.

Run: ``.venv/bin/python -m bench validation`` (services) or ``python -m bench.validation_bench``.
Results: bench/results/validation.json. ``BENCH_VALIDATION_E2E_ROWS`` changes the e2e size;
``BENCH_VALIDATION_PARTS=cases,rss,e2e`` picks parts (a partial run keeps the other figures).
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "validation.json"
BUDGET_RATIO = 1.10
BUDGET_E2E_S = 60.0
BUDGET_RSS_MB = 300.0
LIMIT_ERRORS = 1000

BASE_FIELDS: list[dict[str, Any]] = [
    {"name": "id", "type": "integer", "constraints": {"required": True}},
    {"name": "name", "type": "string", "constraints": {"required": True}},
    {"name": "date", "type": "date"},
    {"name": "amount", "type": "number", "constraints": {"minimum": 0}},
    {"name": "count", "type": "integer"},
    {"name": "category", "type": "string", "constraints": {"enum": ["a", "b", "c", "d"]}},
    {"name": "flag", "type": "boolean"},
    {
        "name": "postcode",
        "type": "string",
        "constraints": {"pattern": "^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"},
    },
]


def schema_for(columns: int, primary_key: bool) -> dict[str, Any]:
    fields = []
    for i in range(columns):
        base = dict(BASE_FIELDS[i % 8])
        if i >= 8:
            base = {**base, "name": f"{base['name']}_{i // 8}"}
            base.pop("constraints", None) if base["type"] == "integer" and i % 8 == 0 else None
        fields.append(base)
    out: dict[str, Any] = {"fields": fields}
    if primary_key:
        out["primaryKey"] = ["id"]
    return out


def _row(i: int, columns: int, bad: bool, rnd: random.Random) -> list[Any]:
    day = datetime.date(2018, 1, 1) + datetime.timedelta(days=i % 365)
    base = [
        i + 1,
        f"Name {i}",
        day.isoformat(),
        round(rnd.random() * 1000, 2),
        i % 97,
        "abcd"[i % 4],
        "true" if i % 2 else "false",
        "ML1 1AB",
    ]
    if bad:
        base[3] = "n/a"  # a type error in amount
    row: list[Any] = []
    while len(row) < columns:
        row.extend(base)
    return row[:columns]


def write_csv(path: Path, rows: int, columns: int, bad_share: float) -> None:
    rnd = random.Random(rows * 100 + columns)
    every = int(1 / bad_share) if bad_share else 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([f["name"] for f in schema_for(columns, False)["fields"]])
        for i in range(rows):
            writer.writerow(_row(i, columns, bool(every) and i % every == every - 1, rnd))


def write_xlsx(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([f["name"] for f in schema_for(8, False)["fields"]])
    rnd = random.Random(7)
    for i in range(rows):
        ws.append(_row(i, 8, False, rnd))
    wb.save(path)


# -- the two variants ----------------------------------------------------------------------


def run_direct(path: str, fmt: str, schema: dict[str, Any]) -> dict[str, Any]:
    import frictionless

    report = frictionless.validate(
        os.path.basename(path),
        basepath=os.path.dirname(path),
        schema=frictionless.Schema.from_descriptor(schema),
        format=fmt,
        limit_errors=LIMIT_ERRORS,
    )
    task = report.tasks[0]
    return {
        "valid": report.valid,
        "rows": task.stats.get("rows"),
        "errors": task.stats.get("errors"),
    }


def run_job(path: str, fmt: str, schema: dict[str, Any]) -> dict[str, Any]:
    from ckanext.publicservices.validation import jobs

    jobs.preflight(path, fmt)
    outcome = jobs.check(path, fmt, schema)
    json.dumps(outcome.report)  # the job stores it as JSONB
    return {
        "valid": outcome.status == "success",
        "rows": outcome.row_count,
        "errors": outcome.error_count,
    }


def _configure() -> None:
    import ckan.plugins.toolkit as tk

    tk.config["ckanext.publicservices.validation.limit_errors"] = LIMIT_ERRORS


def timed(fn: Any, *args: Any) -> tuple[float, dict[str, Any]]:
    started = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - started, out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def case(name: str, path: Path, fmt: str, schema: dict[str, Any], rounds: int) -> dict[str, Any]:
    samples: dict[str, list[float]] = {"direct": [], "job": []}
    outs: dict[str, dict[str, Any]] = {}
    for i in range(rounds):
        pair = [("direct", run_direct), ("job", run_job)]
        for variant, fn in pair if i % 2 == 0 else pair[::-1]:  # A B, B A: order bias cancels
            seconds, out = timed(fn, str(path), fmt, schema)
            samples[variant].append(seconds)
            outs[variant] = out
    med = {v: statistics.median(s) for v, s in samples.items()}
    calls = {}
    if path.stat().st_size < 5_000_000:  # noise-free check: Python calls made by each variant
        import cProfile
        import pstats

        for variant, fn in (("direct", run_direct), ("job", run_job)):
            prof = cProfile.Profile()
            prof.enable()
            fn(str(path), fmt, schema)
            prof.disable()
            calls[variant] = pstats.Stats(prof).total_calls
    result = {
        "case": name,
        "rounds": rounds,
        "bytes": path.stat().st_size,
        "direct_median_s": round(med["direct"], 3),
        "direct_p95_s": round(p95(samples["direct"]), 3),
        "job_median_s": round(med["job"], 3),
        "job_p95_s": round(p95(samples["job"]), 3),
        "ratio": round(med["job"] / med["direct"], 3),
        "python_calls_ratio": round(calls["job"] / calls["direct"], 4) if calls else None,
        "rows_checked": outs["job"]["rows"],
        "errors": outs["job"]["errors"],
        "same_result": outs["job"]["errors"] == outs["direct"]["errors"]
        and outs["job"]["valid"] == outs["direct"]["valid"],
    }
    print(json.dumps(result), flush=True)
    return result


def peak_rss_mb(variant: str, path: Path, fmt: str, schema: dict[str, Any]) -> dict[str, float]:
    """Peak RSS of one run in a fresh interpreter, and how much the run added to the peak the
    imports (CKAN, frictionless) had already reached."""
    code = (
        "import json,resource,sys;"
        "from bench.validation_bench import run_direct, run_job, _configure;"
        "_configure(); fn = run_direct if sys.argv[1] == 'direct' else run_job;"
        "import frictionless, ckanext.publicservices.validation.jobs;"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "fn(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]));"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
        "print(base / 1024, peak / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, variant, str(path), fmt, json.dumps(schema)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    base, peak = (float(x) for x in out.stdout.strip().splitlines()[-1].split())
    return {"peak_mb": round(peak, 1), "added_by_the_run_mb": round(peak - base, 1)}


# -- end to end ----------------------------------------------------------------------------


def end_to_end(workdir: Path, rows: int) -> dict[str, Any]:
    ini = os.environ.get("CKAN_INI")
    if not ini:
        return {"skipped": "no CKAN_INI (run through `python -m bench validation`)"}
    import io

    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    from werkzeug.datastructures import FileStorage

    path = workdir / f"e2e-{rows}x8.csv"
    write_csv(path, rows, 8, 0.0)
    conf = load_config(ini)
    # the default 10 MB upload cap would refuse the file before validation is reached
    conf["ckan.max_resource_size"] = max(int(conf.get("ckan.max_resource_size") or 10), 500)
    app = make_app(conf)
    with app._wsgi_app.test_request_context():
        import ckan.model as model
        import ckan.plugins.toolkit as tk

        from ckanext.publicservices.validation import jobs
        from ckanext.publicservices.validation import model as vmodel

        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        ctx = lambda: {"user": site_user["name"], "ignore_auth": True}  # noqa: E731
        token = f"{int(time.time())}"
        org = tk.get_action("organization_create")(ctx(), {"name": f"bm6-org-{token}"})
        pkg = tk.get_action("package_create")(
            ctx(),
            {
                "name": f"bm6-{token}",
                "title": "BM-6 end to end",
                "owner_org": org["id"],
                "la_service": ["54"],
                "data_use_pattern": ["increasing-access"],
                "data_spectrum": "open",
                "personal_data": "none",
                "security_classification": "OFFICIAL",
            },
        )
        from ckan.lib import jobs as ckan_jobs

        ckan_jobs.get_queue(jobs.QUEUE).empty()
        data = path.read_bytes()
        started = time.perf_counter()
        res = tk.get_action("resource_create")(
            ctx(),
            {
                "package_id": pkg["id"],
                "name": "one million rows",
                "format": "CSV",
                "schema": json.dumps(schema_for(8, False)),
                "upload": FileStorage(
                    io.BytesIO(data), filename="million.csv", content_type="text/csv"
                ),
            },
        )
        uploaded = time.perf_counter()
        ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
        # a wrapper process whose only descendants are the worker and its work horses, so its
        # RUSAGE_CHILDREN peak is the worker's (nothing else this bench ran is counted)
        wrapper = (
            "import resource, subprocess, sys;"
            "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
            "sys.stderr.write(r.stderr[-600:]);"
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        )
        worker = subprocess.run(
            [
                sys.executable,
                "-c",
                wrapper,
                ckan,
                "-c",
                ini,
                "jobs",
                "worker",
                "publicservices",
                "--burst",
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
        finished = time.perf_counter()
        code, rss_kb = (worker.stdout.strip().splitlines() or ["-1 0"])[-1].split()
        model.Session.remove()
        stored = vmodel.latest(res["id"], with_report=False) or {}
        # later benchmarks share the database: leave nothing behind
        tk.get_action("dataset_purge")(ctx(), {"id": pkg["id"]})
        tk.get_action("organization_purge")(ctx(), {"id": org["id"]})
        return {
            "rows": rows,
            "columns": 8,
            "bytes": len(data),
            "upload_s": round(uploaded - started, 2),
            "upload_to_report_s": round(finished - started, 2),
            "worker_exit_code": int(code),
            "report_status": stored.get("status"),
            "report_rows": stored.get("row_count"),
            "worker_peak_rss_mb": round(int(rss_kb) / 1024, 1),
            "worker_log_tail": worker.stderr[-600:] if int(code) else "",
            "budget_s": BUDGET_E2E_S,
            "met": finished - started < BUDGET_E2E_S and stored.get("status") == "success",
        }


def summarise_cases(cases: list[dict[str, Any]]) -> dict[str, Any]:
    """Ratios over all cases. ``ratio_total`` (sum of the job's medians over the sum of the
    direct medians) is the budget figure; single-case ratios swing with the machine's load,
    the Python call counts do not."""
    ratios = [c["ratio"] for c in cases] or [0.0]
    direct = sum(c["direct_median_s"] for c in cases)
    calls = [c["python_calls_ratio"] for c in cases if c.get("python_calls_ratio")]
    return {
        "ratio_total": round(sum(c["job_median_s"] for c in cases) / direct, 3) if direct else 0.0,
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_max": max(ratios),
        "python_calls_ratio_max": max(calls) if calls else None,
    }


def main() -> int:
    _configure()
    quick = os.environ.get("BENCH_QUICK") == "1"
    parts = set(os.environ.get("BENCH_VALIDATION_PARTS", "cases,rss,e2e").split(","))
    base = Path(os.environ.get("BENCH_TMP") or tempfile.mkdtemp(prefix="bm6-"))
    workdir = Path(tempfile.mkdtemp(prefix="bm6-", dir=base))
    started = time.perf_counter()
    cases = []
    plan = [  # (rows, columns, bad share, primary key, rounds)
        (10_000, 8, 0.0, False, 6),
        (10_000, 8, 0.01, False, 6),
        (10_000, 40, 0.0, False, 4),
        (10_000, 40, 0.01, False, 4),
        (100_000, 8, 0.0, False, 4),
        (100_000, 8, 0.01, False, 4),
        (100_000, 8, 0.0, True, 2),
        (100_000, 8, 0.01, True, 2),
        (100_000, 40, 0.0, False, 2),
        (100_000, 40, 0.01, False, 2),
    ]
    if quick:
        plan = [p for p in plan if p[0] == 10_000]
    if "cases" not in parts:
        plan = []
    files: dict[tuple[int, int, float], Path] = {}
    warm = workdir / "warm.csv"
    write_csv(warm, 2000, 8, 0.01)
    for fn in (run_direct, run_job):  # imports and first-call caches out of the timings
        fn(str(warm), "csv", schema_for(8, False))
    for rows, columns, bad, pk, rounds in plan:
        key = (rows, columns, bad)
        if key not in files:
            files[key] = workdir / f"{rows}x{columns}{'-bad' if bad else ''}.csv"
            write_csv(files[key], rows, columns, bad)
        kind = (" 1% bad" if bad else " valid") + (" +primaryKey" if pk else "")
        name = f"csv {rows // 1000}k x {columns}{kind}"
        cases.append(case(name, files[key], "csv", schema_for(columns, pk), rounds))
    if not quick and "cases" in parts:
        xlsx = workdir / "100000x8.xlsx"
        write_xlsx(xlsx, 100_000)
        cases.append(case("xlsx 100k x 8 valid", xlsx, "xlsx", schema_for(8, False), 1))
    rss = {}
    if not quick and "rss" in parts:
        if (100_000, 8, 0.0) not in files:
            files[(100_000, 8, 0.0)] = workdir / "100000x8.csv"
            write_csv(files[(100_000, 8, 0.0)], 100_000, 8, 0.0)
        for pk in (False, True):
            f = files[(100_000, 8, 0.0)]
            for variant in ("direct", "job"):
                rss[f"{variant}{' +primaryKey' if pk else ''}"] = peak_rss_mb(
                    variant, f, "csv", schema_for(8, pk)
                )
    e2e_rows = int(os.environ.get("BENCH_VALIDATION_E2E_ROWS", "1000000"))
    try:
        e2e = (
            end_to_end(workdir, e2e_rows)
            if not quick and "e2e" in parts
            else {"skipped": "BENCH_QUICK or BENCH_VALIDATION_PARTS"}
        )
    except Exception as exc:  # record it with the other figures rather than lose them
        e2e = {"error": f"{type(exc).__name__}: {exc}"}
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    if "cases" not in parts:  # a partial run keeps the other figures
        cases = previous.get("cases") or []
    if "rss" not in parts:
        rss = previous.get("peak_rss_mb_100k_x_8") or {}
    out = {
        "benchmark": "BM-6 data validation",
        "command": ".venv/bin/python -m bench validation",
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "limit_errors": LIMIT_ERRORS,
        "cases": cases,
        **summarise_cases(cases),
        "peak_rss_mb_100k_x_8": rss,
        "end_to_end": e2e,
        "budget": {"ratio": BUDGET_RATIO, "e2e_s": BUDGET_E2E_S, "worker_rss_mb": BUDGET_RSS_MB},
        "runtime_s": round(time.perf_counter() - started, 1),
        # absolute times depend on what else the shared 2-core machine was running
        "load_average_at_end": [round(x, 1) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
    }
    out["within_budget"] = {
        "ratio": out["ratio_total"] <= BUDGET_RATIO
        and (out["python_calls_ratio_max"] or 0) <= BUDGET_RATIO,
        "e2e": bool(e2e.get("met")),
        "worker_rss": bool(e2e.get("worker_peak_rss_mb"))
        and e2e["worker_peak_rss_mb"] < BUDGET_RSS_MB,
        "invalid_stops_at_limit_errors": all((c["errors"] or 0) <= LIMIT_ERRORS for c in cases),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(
        json.dumps({k: out[k] for k in ("ratio_total", "ratio_max", "within_budget", "runtime_s")})
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
