"""Baseline and candidate measured in one run, interleaved A B A B …

CKAN's plugins are process-global, so each variant (a CKAN config) lives in its own worker process
(an *arm*). The coordinator asks the arms in turn for one sample of one case, so machine noise
falls on every variant alike. An arm answers on a private pipe, so CKAN's own output
cannot corrupt the protocol.

A benchmark module defines ``class Arm`` with ``__init__(self, variant, app, args)`` and methods
``case_<name>(**kwargs) -> Sample``; helpers here time a call and count its SQL statements.
"""

from __future__ import annotations

import importlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.corpus import RESULTS, ROOT, variant_ini

Sample = dict[str, Any]


# -- inside an arm ------------------------------------------------------------------------


class Counters:
    """SQL statements (``before_cursor_execute``) and background jobs enqueued."""

    def __init__(self) -> None:
        self.sql = 0
        self.jobs = 0
        self.frictionless = 0
        self.searches = 0
        self.statements: list[str] = []
        self.keep = False

    def install_frictionless(self) -> None:
        """Count synchronous frictionless validations (before the app imports anything)."""
        import frictionless

        original = frictionless.Resource.validate

        def validate(resource: Any, *args: Any, **kwargs: Any) -> Any:
            self.frictionless += 1
            return original(resource, *args, **kwargs)

        frictionless.Resource.validate = validate  # type: ignore[method-assign]

    def install(self) -> None:
        import ckan.lib.jobs as jobs
        import ckan.plugins.toolkit as tk
        from ckan import model
        from sqlalchemy import event

        def on_execute(conn, cursor, statement, parameters, context, executemany) -> None:
            self.sql += 1
            if self.keep:
                self.statements.append(statement)

        event.listen(model.meta.engine, "before_cursor_execute", on_execute)
        original = jobs.enqueue

        def enqueue(*args: Any, **kwargs: Any) -> Any:
            self.jobs += 1
            return original(*args, **kwargs)

        jobs.enqueue = enqueue  # type: ignore[assignment]
        tk.enqueue_job = enqueue  # type: ignore[assignment]

        from ckan.lib.search.query import PackageSearchQuery

        run = PackageSearchQuery.run

        def counted_run(query_self: Any, *args: Any, **kwargs: Any) -> Any:
            self.searches += 1
            return run(query_self, *args, **kwargs)

        PackageSearchQuery.run = counted_run  # type: ignore[method-assign]


COUNTERS = Counters()


def measure(fn: Callable[[], Any]) -> tuple[Sample, Any]:
    """Run ``fn`` once; its wall time (s), SQL statements and jobs enqueued."""
    sql, jobs, fl, se = COUNTERS.sql, COUNTERS.jobs, COUNTERS.frictionless, COUNTERS.searches
    started, cpu = time.perf_counter(), time.process_time()
    result = fn()
    seconds = time.perf_counter() - started
    # the arm's own CPU time: unlike wall time, it does not grow while other processes hold
    # the cores (it leaves out PostgreSQL's and the search service's share)
    cpu_ms = (time.process_time() - cpu) * 1000
    return {
        "s": seconds,
        "sql": COUNTERS.sql - sql,
        "jobs": COUNTERS.jobs - jobs,
        "frictionless": COUNTERS.frictionless - fl,
        "search_requests": COUNTERS.searches - se,
        "cpu_ms": cpu_ms,
    }, result


def load_app(ini: str) -> Any:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    return make_app(load_config(ini))


def _arm_main(module_name: str, variant: str, ini: str, args: str, fd: str) -> None:
    out = os.fdopen(int(fd), "w", buffering=1)
    COUNTERS.install_frictionless()
    app = load_app(ini)
    flask_app = app._wsgi_app
    COUNTERS.install()
    module = importlib.import_module(module_name)
    with flask_app.test_request_context():
        arm = module.Arm(variant, flask_app, json.loads(args))
        out.write(json.dumps({"ready": True, "info": getattr(arm, "info", {})}) + "\n")
        for line in sys.stdin:
            msg = json.loads(line)
            if msg.get("op") == "quit":
                break
            try:
                reply = getattr(arm, "case_" + msg["case"])(**msg.get("kwargs", {}))
            except Exception as exc:  # reported to the coordinator, which stops the run
                import traceback

                reply = {
                    "error": f"{type(exc).__name__}: {exc}",
                    "trace": traceback.format_exc()[-3000:],
                }
            out.write(json.dumps(reply, default=str) + "\n")


# -- the coordinator ------------------------------------------------------------------------


def log_path(module: str, variant: str) -> Path:
    directory = Path(os.environ.get("BENCH_TMP", "/tmp"))
    return directory / f"bench-{module.rsplit('.', 1)[-1]}-{variant}.log"


class ArmProcess:
    def __init__(self, module: str, variant: str, args: dict[str, Any] | None = None) -> None:
        self.variant = variant
        self.log = log_path(module, variant)
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.interleave",
                module,
                variant,
                str(variant_ini(variant)),
                json.dumps(args or {}),
                str(write_fd),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=open(log_path(module, variant), "w"),  # noqa: SIM115 - the child's
            pass_fds=(write_fd,),
            cwd=ROOT,
            text=True,
        )
        os.close(write_fd)
        self.replies = os.fdopen(read_fd)
        hello = self._read()
        self.info = hello.get("info", {})

    def _read(self) -> dict[str, Any]:
        line = self.replies.readline()
        if not line:
            code = self.proc.wait()
            tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"arm {self.variant} exited ({code}); {self.log}:\n{tail}")
        return json.loads(line)

    def ask(self, case: str, **kwargs: Any) -> Sample:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"case": case, "kwargs": kwargs}) + "\n")
        self.proc.stdin.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"{self.variant}.{case}: {reply['error']}\n{reply.get('trace', '')}")
        return reply

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write(json.dumps({"op": "quit"}) + "\n")
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@contextmanager
def arms(
    module: str, variants: list[str], args: dict[str, Any] | None = None
) -> Iterator[dict[str, ArmProcess]]:
    started: dict[str, ArmProcess] = {}
    try:
        for v in variants:
            started[v] = ArmProcess(module, v, args)
        yield started
    finally:
        for arm in started.values():
            arm.close()


def interleave(
    arms_: dict[str, ArmProcess], case: str, rounds: int, warmup: int = 2, **kwargs: Any
) -> dict[str, list[Sample]]:
    """``rounds`` samples of ``case`` from every arm, alternating the order each round."""
    order = list(arms_)
    samples: dict[str, list[Sample]] = {v: [] for v in order}
    for r in range(warmup + rounds):
        for v in order if r % 2 == 0 else order[::-1]:
            sample = arms_[v].ask(case, **kwargs)
            if r >= warmup:
                samples[v].append(sample)
    return samples


# -- statistics and results -------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summarise(samples: list[Sample]) -> dict[str, Any]:
    ms = [s["s"] * 1000 for s in samples]
    sql = [s["sql"] for s in samples]
    out = {
        "n": len(samples),
        "median_ms": round(statistics.median(ms), 3),
        "p95_ms": round(p95(ms), 3),
        "sql_per_call": round(statistics.median(sql), 2),
        "sql_max": max(sql),
        "jobs_per_call": round(statistics.median([s.get("jobs", 0) for s in samples]), 2),
        "frictionless_per_call": max(s.get("frictionless", 0) for s in samples),
    }
    extra = {k for s in samples for k in s if k not in ("s", "sql", "jobs", "frictionless")}
    for k in sorted(extra):
        vals = [s[k] for s in samples if isinstance(s.get(k), (int, float))]
        if vals:
            out[k] = round(statistics.median(vals), 3)
    return out


def compare(
    stats: dict[str, dict[str, Any]],
    candidate: str,
    baseline: str,
    budget: float | None,
    sql_budget: float | None = None,
) -> dict[str, Any]:
    c, b = stats[candidate], stats[baseline]
    ratio = c["median_ms"] / b["median_ms"] if b["median_ms"] else None
    extra_sql = c["sql_per_call"] - b["sql_per_call"]
    met = (
        ratio is not None
        and (budget is None or ratio <= budget)
        and (sql_budget is None or extra_sql <= sql_budget)
    )
    cpu = round(c["cpu_ms"] / b["cpu_ms"], 3) if c.get("cpu_ms") and b.get("cpu_ms") else None
    return {
        "cpu_ratio": cpu,
        "candidate": candidate,
        "baseline": baseline,
        "ratio": round(ratio, 3) if ratio is not None else None,
        "p95_ratio": round(c["p95_ms"] / b["p95_ms"], 3) if b["p95_ms"] else None,
        "budget": budget,
        "extra_sql": round(extra_sql, 2),
        "sql_budget": sql_budget,
        "met": met,
    }


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True, capture_output=True
        ).stdout.strip()
    except OSError:
        return ""


def summary_of(size: int, run: dict[str, Any]) -> dict[str, Any]:
    return {
        "size": size,
        "measured_at": run.get("measured_at"),
        "commit": run.get("commit"),
        "ratios": {
            case: {
                c["baseline"]: {k: c.get(k) for k in ("ratio", "cpu_ratio", "extra_sql", "met")}
                for c in comps
            }
            for case, comps in run.get("comparisons", {}).items()
        },
    }


def write_result(name: str, meta: dict[str, Any], size: int | None, run: dict[str, Any]) -> Path:
    """Merge this run (at corpus ``size``) into bench/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data.update(meta)
    previous = data.get("runs", {}).get(str(size or 0))
    if previous:  # keep the trend: earlier runs' ratios, newest last
        data.setdefault("history", []).append(summary_of(size or 0, previous))
        data["history"] = data["history"][-20:]
    run["measured_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    run["commit"] = git_commit()
    data.setdefault("runs", {})[str(size or 0)] = run
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return path


if __name__ == "__main__":
    # run the importable module's copy, so that the benchmark shares its COUNTERS
    from bench import interleave as _self

    _self._arm_main(*sys.argv[1:6])
