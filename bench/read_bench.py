"""BM-5 read path on the corpus: stock CKAN against the suite, interleaved.

Cases: ``package_show`` (the API default, served from the search index when fresh),
``package_search`` with rows 20 / 100 / 1000 and the project's facets, and the consortium page
(``GET /organization/<name>``, anonymous, through the Flask app in-process): ``consortium_page``
for a corpus organisation (a tenth of the corpus), ``consortium_page_1000`` for one organisation
holding 1,000 datasets (the acceptance case; loaded beside the corpus for this case only and
purged after it, 1 in 10 private as in the corpus, so a visitor sees 900; at the largest corpus
size of the run only). Budget: ≤ 1.15 ×
stock for show and search, ≤ 1.2 × for the consortium page, zero extra SQL per search result
(SQL at rows=1000 minus SQL at rows=20, per extra row).

``BENCH_CASES=consortium`` (comma-separated prefixes) runs only those cases and merges them into
the recorded run of that corpus size.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from bench.corpus import RESULTS, corpus_sizes, current_size, load_one_org, remove_one_org
from bench.interleave import arms, compare, interleave, measure, summarise, write_result
from bench.seed import ONE_ORG

NAME = "read"
USES_CORPUS = True
VARIANTS = ["stock", "project"]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "60"))
FACETS = [
    "organization",
    "dataset_type",
    "tags",
    "res_format",
    "license_id",
    "vocab_la_service",
    "vocab_area",
    "vocab_service_design_phase",
    "vocab_data_spectrum",
    "vocab_data_use_pattern",
]
SEARCH_ROWS = (20, 100, 1000)
BUDGETS = {
    "package_show": 1.15,
    "package_search_20": 1.15,
    "package_search_100": 1.15,
    "package_search_1000": 1.15,
    "consortium_page": 1.2,
    "consortium_page_1000": 1.2,
}
CONSORTIUM = "bench-consortium-01"
ONE_ORG_DATASETS = 1000


class Arm:
    def __init__(self, variant: str, app: Any, args: dict[str, Any]) -> None:
        from bench import seed as benchseed

        self.bs = benchseed
        self.size = int(args["size"])
        self.client = app.test_client()
        self.k = 0
        benchseed.ensure_sysadmin()

    def action(self, name: str, data: dict[str, Any]) -> Any:
        import ckan.plugins.toolkit as tk

        return tk.get_action(name)({"user": ""}, data)  # anonymous, as a re-user

    def done(self) -> None:
        from ckan import model

        model.Session.remove()

    def case_package_show(self) -> dict[str, Any]:
        # public datasets only (every tenth is private), spread over the corpus
        self.k += 1
        i = (self.k * 7919) % self.size + 1
        i = i - 1 if i % 10 == 0 else i
        sample, _ = measure(lambda: self.action("package_show", {"id": self.bs.dataset_name(i)}))
        self.done()
        return sample

    def case_package_search(self, rows: int) -> dict[str, Any]:
        self.k += 1
        data = {"q": "", "rows": rows, "facet.field": FACETS, "facet.limit": 50, "start": 0}
        sample, result = measure(lambda: self.action("package_search", data))
        self.done()
        sample["results"] = len(result["results"])
        sample["count"] = result["count"]
        return sample

    def case_consortium_page(self, org: str = CONSORTIUM) -> dict[str, Any]:
        sample, resp = measure(lambda: self.client.get(f"/organization/{org}"))
        self.done()
        if resp.status_code != 200:
            raise RuntimeError(f"/organization/{org} answered {resp.status_code}")
        sample["bytes"] = len(resp.data)
        return sample


def _selected(label: str) -> bool:
    wanted = [c.strip() for c in os.environ.get("BENCH_CASES", "").split(",") if c.strip()]
    return not wanted or any(label.startswith(w) for w in wanted)


def _measure(
    running: Any,
    label: str,
    case: str,
    kwargs: dict[str, Any],
    stats: dict[str, dict[str, Any]],
    comparisons: dict[str, list[dict[str, Any]]],
) -> None:
    rounds = ROUNDS if "search_1000" not in label else max(5, ROUNDS // 3)
    samples = interleave(running, case, rounds, **kwargs)
    stats[label] = {v: summarise(s) for v, s in samples.items()}
    comparisons[label] = [compare(stats[label], "project", "stock", BUDGETS[label])]
    row = stats[label]
    print(
        f"  {label:22s} "
        + "  ".join(
            f"{v} {row[v]['median_ms']:.1f} ms/{row[v]['sql_per_call']:.0f} sql"
            f"/{row[v].get('search_requests', 0):.0f} search"
            for v in row
        )
        + f"  ratio {comparisons[label][0]['ratio']} (cpu {comparisons[label][0]['cpu_ratio']})",
        flush=True,
    )


def _previous_run(size: int) -> dict[str, Any]:
    path = RESULTS / f"{NAME}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    return dict(data.get("runs", {}).get(str(size), {}))


def main() -> int:
    size = current_size()
    if not size:
        print("read_bench needs the corpus: run it through `python -m bench`", file=sys.stderr)
        return 2
    started = time.perf_counter()
    stats: dict[str, dict[str, Any]] = {}
    comparisons: dict[str, list[dict[str, Any]]] = {}
    with arms(f"bench.{NAME}_bench", VARIANTS, {"size": size}) as running:
        plan: list[tuple[str, str, dict[str, Any]]] = [("package_show", "package_show", {})]
        plan += [(f"package_search_{r}", "package_search", {"rows": r}) for r in SEARCH_ROWS]
        plan += [("consortium_page", "consortium_page", {})]
        for label, case, kwargs in plan:
            if _selected(label):
                _measure(running, label, case, kwargs, stats, comparisons)
        if _selected("consortium_page_1000") and size == max(corpus_sizes()):
            # the one organisation exists only while this case runs: the other cases and
            # benchmarks see the corpus alone; measured beside the largest corpus only (the
            # bigger index; loading 1,000 datasets costs about 80 s)
            created, seconds = load_one_org(ONE_ORG_DATASETS)
            print(f"  one organisation: {created} datasets loaded in {seconds:.0f} s", flush=True)
            try:
                kwargs = {"org": ONE_ORG}
                _measure(
                    running, "consortium_page_1000", "consortium_page", kwargs, stats, comparisons
                )
            finally:
                print(f"  {remove_one_org()}", flush=True)
    run: dict[str, Any] = {
        "corpus_size": size,
        "rounds": ROUNDS,
        "seconds": round(time.perf_counter() - started, 1),
        # wall-time ratios need a quiet machine: the 1, 5 and 15 minute load at the end
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    first, last = f"package_search_{SEARCH_ROWS[0]}", f"package_search_{SEARCH_ROWS[-1]}"
    if first in stats and last in stats:
        extra_rows = stats[last]["project"].get("results", 0) - stats[first]["project"].get(
            "results", 0
        )
        per_result = {
            v: round(
                (stats[last][v]["sql_per_call"] - stats[first][v]["sql_per_call"]) / extra_rows, 4
            )
            if extra_rows
            else None
            for v in VARIANTS
        }
        run["sql_per_search_result"] = per_result
        run["sql_per_search_result_met"] = per_result.get("project") == 0
    if os.environ.get("BENCH_CASES"):  # a partial run: keep the other cases' figures
        previous = _previous_run(size)
        stats = {**previous.get("cases", {}), **stats}
        comparisons = {**previous.get("comparisons", {}), **comparisons}
        run = {**{k: v for k, v in previous.items() if k not in ("cases", "comparisons")}, **run}
    run["cases"] = stats
    run["comparisons"] = comparisons
    write_result(
        NAME,
        {
            "benchmark": "BM-5",
            "title": "Read path: package_show, package_search (rows 20/100/1000), consortium page"
            " (a corpus organisation; one organisation with 1,000 datasets)",
            "variants": VARIANTS,
            "candidate": "project",
            "baselines": ["stock"],
            "budget": "<= 1.15 x stock for show and search, <= 1.2 x for the consortium page, "
            "zero extra SQL per search result",
        },
        size,
        run,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
