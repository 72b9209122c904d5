"""BM-1 catalog endpoint over HTTP: the site catalog with and without the project's profile.

Gunicorn servers (one worker each) on the same database and search service, from inis
chained from test.ini:

``stock``      ``euro_dcat_ap_3`` with scheming's datasets and CKAN's own organisations, without
               the ``publicservices`` plugins: ckanext-dcat's own catalog action and serializer
               (the quadratic ``dcat:byteSize`` scan) — the baseline of the budget "candidate
               faster than stock"
``baseline``   the suite with ``ckanext.dcat.rdf.profiles = euro_dcat_ap_3``: the project's
               serializer (linear DCAT-AP 3) without the project's profile
``candidate``  the suite as configured: ``euro_dcat_ap_3 publicservices``

``baseline`` and ``candidate`` differ only in the profiles line; candidate / baseline is the cost
of the project's profile layer (more triples), reported without a budget, and measured only with
``BENCH_CATALOG_BASELINE=1`` (it adds a third of the benchmark's time; BM-2 measures the same
layer without HTTP).

``ckanext.dcat.datasets_per_page`` is config, so each per-page setting gets its own pair of
servers: 100 per page with /catalog.{ttl,xml,jsonld} first / middle / last page and
``modified_since`` (about half the corpus); 50 and 200 per page, Turtle first and last page.
Requests are interleaved, the order rotating each round. First of all the candidate crawls the
whole catalog (Turtle, 100 per page) for the per-dataset crawl cost, compared across sizes.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from bench.corpus import BASE_INI, RESULTS, current_size
from bench.interleave import p95, write_result

NAME = "catalog"
USES_CORPUS = True
VARIANTS = ["stock", "baseline", "candidate"]
if os.environ.get("BENCH_CATALOG_BASELINE") != "1":
    VARIANTS.remove("baseline")
PROFILES = {
    "stock": "euro_dcat_ap_3",
    "baseline": "euro_dcat_ap_3",
    "candidate": "euro_dcat_ap_3 publicservices",
}
# no scheming_organizations: the project's consortium schema names the project's validators, so
# stock CKAN could not show an organisation with it (a 500 on any page with such a publisher)
STOCK_PLUGINS = "scheming_datasets dcat activity"
ROUNDS = int(os.environ.get("BENCH_CATALOG_ROUNDS", "5"))
FULL_PER_PAGE = 100  # every format and position; the others Turtle only
OTHER_PER_PAGE = (50, 200)
FORMATS = ("ttl", "xml", "jsonld")
P95_BUDGET_MS = 2000.0
# the catalog joined from the fragment store (issue "catalogs at the speed of the disk")
STOCK_RATIO_BUDGET_PP100 = 0.2
CRAWL_BUDGET_S_10K = 15.0  # a full Turtle crawl of 10,000 datasets, store warm
RECRAWL_BUDGET_S = 1.0  # a conditional re-crawl with nothing changed
TIMEOUT = 300


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ini(directory: Path, variant: str, per_page: int, stock_plugins: str = STOCK_PLUGINS) -> Path:
    path = directory / f"catalog-{variant}-{per_page}.ini"
    lines = [
        "[app:main]",
        f"use = config:{BASE_INI}",
        f"ckanext.dcat.rdf.profiles = {PROFILES[variant]}",
        f"ckanext.dcat.datasets_per_page = {per_page}",
    ]
    if variant == "stock":
        lines.append(f"ckan.plugins = {stock_plugins}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
        body = resp.read()
        if resp.status != 200:
            raise RuntimeError(f"{url} answered {resp.status}")
    return time.perf_counter() - started, len(body)


def _get_with(url: str, headers: dict[str, str]) -> tuple[float, int, int, dict[str, str]]:
    """(seconds, bytes, status, response headers); a 304 is an answer, not an error."""
    started = time.perf_counter()
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:
            body = resp.read()
            status, got = resp.status, dict(resp.headers)
    except urllib.error.HTTPError as exc:
        if exc.code != 304:
            raise
        body, status, got = b"", 304, dict(exc.headers)
    return time.perf_counter() - started, len(body), status, got


def _crawl(base: str, last: int, etags: dict[int, str] | None = None) -> dict[str, Any]:
    """A harvester's crawl of every page (Turtle); with ``etags``, a conditional re-crawl."""
    t0 = time.perf_counter()
    total_bytes = 0
    statuses: dict[int, int] = {}
    seen: dict[int, str] = {}
    for page in range(1, last + 1):
        headers = {"If-None-Match": etags[page]} if etags and page in etags else {}
        _, n, status, got = _get_with(f"{base}/catalog.ttl?page={page}", headers)
        total_bytes += n
        statuses[status] = statuses.get(status, 0) + 1
        if got.get("ETag"):
            seen[page] = got["ETag"]
    return {
        "seconds": round(time.perf_counter() - t0, 3),
        "bytes": total_bytes,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "etags": seen,
    }


def _dump(base: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    _, n, status, _ = _get_with(f"{base}/catalog/dump.ttl", {})
    return {"seconds": round(time.perf_counter() - t0, 3), "bytes": n, "status": status}


def _api(base: str, action: str, **params: Any) -> Any:
    url = f"{base}/api/3/action/{action}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=TIMEOUT) as resp:
        return json.loads(resp.read())["result"]


def _stats(samples: list[tuple[float, int]]) -> dict[str, Any]:
    ms = [s * 1000 for s, _ in samples]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95(ms), 1),
        "sql_per_call": None,  # server side: not counted over HTTP
        "bytes": samples[0][1],
    }


def _compare(
    row: dict[str, dict[str, Any]], baseline: str, budget: float | None, p95_budget: float | None
) -> dict[str, Any]:
    b, c = row[baseline], row["candidate"]
    ratio = round(c["median_ms"] / b["median_ms"], 3)
    met = (budget is None or ratio <= budget) and (p95_budget is None or c["p95_ms"] <= p95_budget)
    return {
        "candidate": "candidate",
        "baseline": baseline,
        "ratio": ratio,
        "p95_ratio": round(c["p95_ms"] / b["p95_ms"], 3),
        "cpu_ratio": None,
        "budget": budget,
        "p95_budget_ms": p95_budget,
        "extra_sql": 0,
        "sql_budget": None,
        "met": met,
    }


class Servers:
    """One gunicorn per variant for one per-page setting."""

    def __init__(
        self,
        per_page: int,
        env: dict[str, str],
        tmp: Path,
        variants: list[str],
        stock_plugins: str = STOCK_PLUGINS,
    ) -> None:
        from devstack.portal import start_web

        self.procs: dict[str, Any] = {}
        self.base: dict[str, str] = {}
        self.logs: dict[str, Path] = {}
        try:
            for v in variants:
                port = _free_port()
                log = self.logs[v] = tmp / f"bench-catalog-{v}-{per_page}.log"
                ini = _ini(tmp, v, per_page, stock_plugins)
                self.procs[v] = start_web(ini, env, port, log, workers=1)
                self.base[v] = f"http://127.0.0.1:{port}"
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        from devstack.services import terminate

        for proc in self.procs.values():
            terminate(proc)

    def get(self, variant: str, path: str) -> tuple[float, int]:
        """One timed GET; an error names the variant and path and shows its server's log."""
        try:
            return _get(self.base[variant] + path)
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{variant} {path}: {exc}\n{self.log_tail(variant)}") from exc

    def log_tail(self, variant: str) -> str:
        path = self.logs.get(variant)
        return path.read_text(errors="replace")[-4000:] if path and path.exists() else ""


def _interleave(servers: Servers, path: str, rounds: int) -> dict[str, list[tuple[float, int]]]:
    order = list(servers.base)
    samples: dict[str, list[tuple[float, int]]] = {v: [] for v in order}
    for r in range(1 + rounds):  # one warm-up round
        k = r % len(order)
        for v in order[k:] + order[:k]:
            sample = servers.get(v, path)
            if r:
                samples[v].append(sample)
    return samples


def _uptime() -> str:
    """The machine's load while measuring (it is shared with other work)."""
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "?"


def main() -> int:
    size = current_size()
    if not size:
        print("catalog_bench needs the corpus: run it through `python -m bench`", file=sys.stderr)
        return 2
    tmp = Path(os.environ.get("BENCH_TMP", "/tmp"))
    env = dict(os.environ)
    started = time.perf_counter()
    stats: dict[str, dict[str, Any]] = {}
    comparisons: dict[str, list[dict[str, Any]]] = {}
    crawl: dict[str, Any] = {}
    variants = list(VARIANTS)
    notes: list[str] = []
    for per_page in (FULL_PER_PAGE, *OTHER_PER_PAGE):
        try:
            servers = Servers(per_page, env, tmp, variants)
        except Exception as exc:  # noqa: BLE001 - stock may not start with the project's schemas
            if "stock" not in variants:
                raise
            notes.append(f"stock server did not start ({exc}); measured without it")
            variants.remove("stock")
            servers = Servers(per_page, env, tmp, variants)
        try:
            base = servers.base["candidate"]
            count = _api(base, "package_search", q="*:*", rows=0)["count"]
            last = max(1, -(-count // per_page))
            # modified_since at the median modification time: about half the catalog
            half = _api(
                base,
                "package_search",
                q="*:*",
                rows=1,
                start=count // 2,
                sort="metadata_modified desc",
            )["results"][0]["metadata_modified"]
            positions = {
                "first": "",
                "middle": f"?page={max(1, (last + 1) // 2)}",
                "last": f"?page={last}",
                "modified_since": "?" + urllib.parse.urlencode({"modified_since": half}),
            }
            if per_page == FULL_PER_PAGE:
                # a harvester's full crawl, Turtle, following the pages of the candidate, first
                # (the measure the budget is about; the page cases after it take much longer,
                # stock's pages above all): the first crawl also writes the fragments (the
                # seeder's writes leave them to be built when first served), the second is what
                # every later crawl costs
                cold = _crawl(base, last)
                warm = _crawl(base, last)
                # nothing changed since: every page answered 304 from its ETag
                recrawl = _crawl(base, last, warm["etags"])
                dump = _dump(base)
                public = _api(base, "package_search", q="*:*", rows=0)["count"]
                seconds = warm["seconds"]
                crawl = {
                    "pages": last,
                    "datasets": count,
                    "public_datasets": public,
                    "seconds": round(seconds, 2),
                    "ms_per_dataset": round(seconds * 1000 / count, 3),
                    "bytes": warm["bytes"],
                    "cold_store_seconds": cold["seconds"],
                    "seconds_scaled_to_10k": round(seconds * 10_000 / count, 2),
                    "crawl_budget_10k_s": CRAWL_BUDGET_S_10K,
                    "crawl_met": seconds * 10_000 / count <= CRAWL_BUDGET_S_10K,
                    "conditional_recrawl_seconds": recrawl["seconds"],
                    "conditional_recrawl_statuses": recrawl["statuses"],
                    "conditional_recrawl_met": recrawl["seconds"] <= RECRAWL_BUDGET_S
                    and recrawl["statuses"] == {"304": last},
                    "dump_ttl": dump,
                    "byte_identical_pages": cold["bytes"] == warm["bytes"]
                    and cold["etags"] == warm["etags"],
                }
                print(
                    "  crawl: " + json.dumps({k: v for k, v in crawl.items() if k != "etags"}),
                    flush=True,
                )
            if per_page == FULL_PER_PAGE:
                cases = [(f, p) for f in FORMATS for p in positions]
            else:
                cases = [("ttl", "first"), ("ttl", "last")]
            for fmt, pos in cases:
                label = f"{fmt}_{pos}_pp{per_page}"
                samples = _interleave(servers, f"/catalog.{fmt}{positions[pos]}", ROUNDS)
                stats[label] = {v: _stats(s) for v, s in samples.items()}
                budget_p95 = P95_BUDGET_MS if per_page == 100 else None
                comparisons[label] = [
                    _compare(stats[label], base_v, budget, budget_p95)
                    for base_v, budget in (
                        ("stock", STOCK_RATIO_BUDGET_PP100 if per_page == FULL_PER_PAGE else 1.0),
                        ("baseline", None),
                    )
                    if base_v in stats[label]
                ]
                print(
                    f"  {label:26s} "
                    + "  ".join(
                        f"{v} {st['median_ms']:.0f}/{st['p95_ms']:.0f} ms"
                        for v, st in stats[label].items()
                    )
                    + "  ratios "
                    + " ".join(f"{x['baseline']} {x['ratio']}" for x in comparisons[label]),
                    flush=True,
                )
        finally:
            servers.close()
    # linear crawl: per-dataset cost at this size not above the smallest size measured
    previous = {}
    path = RESULTS / f"{NAME}.json"
    if path.exists():
        previous = json.loads(path.read_text()).get("runs", {})
    per_size = {
        int(s): r["crawl"]["ms_per_dataset"]
        for s, r in previous.items()
        if r.get("crawl") and int(s) != size
    }
    per_size[size] = crawl["ms_per_dataset"]
    smallest = min(per_size)
    crawl_ratio = round(per_size[max(per_size)] / per_size[smallest], 3)
    run = {
        "corpus_size": size,
        "rounds": ROUNDS,
        "seconds": round(time.perf_counter() - started, 1),
        "cases": stats,
        "comparisons": comparisons,
        "crawl": crawl,
        "crawl_ms_per_dataset_by_size": {str(k): v for k, v in sorted(per_size.items())},
        "crawl_ratio_largest_vs_smallest": crawl_ratio if len(per_size) > 1 else None,
        "crawl_linear_met": crawl_ratio <= 1.0 if len(per_size) > 1 else None,
        "notes": notes,
        "uptime": _uptime(),
    }
    write_result(
        NAME,
        {
            "benchmark": "BM-1",
            "title": "Catalog endpoint over HTTP: /catalog.{ttl,xml,jsonld}, first / middle / "
            "last page and modified_since, 50 / 100 / 200 per page",
            "variants": VARIANTS,
            "candidate": "candidate",
            "baselines": [v for v in VARIANTS if v != "candidate"],
            "budget": "candidate <= 0.2 x stock ckanext-dcat euro_dcat_ap_3 at 100 per page "
            "(faster than stock at 50 and 200), p95 <= 2 s at 100 per page; a full Turtle crawl "
            "<= 15 s per 10,000 datasets (store warm), a conditional re-crawl with nothing "
            "changed <= 1 s; candidate / baseline (same serializer, ap3 alone) is shown without "
            "a budget; full-crawl cost per dataset at C5k not above C1k",
            "command": "BENCH_SIZES=1000 .venv/bin/python -m bench catalog",
        },
        size,
        run,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
