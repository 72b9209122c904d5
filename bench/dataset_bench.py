"""BM-3 per-dataset RDF and dataset page over HTTP: /dataset/{id}.ttl, .jsonld and /dataset/{id}.

Two gunicorn servers (one worker each) on the same database and search service, as in BM-1:
``stock`` is CKAN with ckanext-dcat (``euro_dcat_ap_3``) and its default dataset schema — a
portal without the suite reading the same datasets (the service-redesign fields show as extras;
scheming's display of the project's schemas needs the project's plugins); ``candidate`` is the
suite as configured. The same 200 public datasets (spread over the
corpus) are requested from both, the order alternating per dataset, for each of the three paths.
Budget (performance.md): candidate p50 ≤ 1.2 × stock p50.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.catalog_bench import Servers, _api, _stats
from bench.corpus import current_size
from bench.interleave import write_result

NAME = "dataset"
USES_CORPUS = True
VARIANTS = ["stock", "candidate"]
IDS = int(os.environ.get("BENCH_DATASET_IDS", "200"))
PATHS = {"ttl": "/dataset/{id}.ttl", "jsonld": "/dataset/{id}.jsonld", "page": "/dataset/{id}"}
BUDGET = 1.2
STOCK_PLUGINS = "dcat activity"


def _ids(base: str, count: int) -> list[str]:
    """``count`` public dataset names spread evenly over the corpus (sorted by name)."""
    total = _api(base, "package_search", q="*:*", rows=0)["count"]
    step = max(1, total // count)
    names: list[str] = []
    for start in range(0, total, 1000):
        rows = _api(base, "package_search", q="*:*", rows=1000, start=start, sort="name asc")
        names += [d["name"] for d in rows["results"]]
    return names[::step][:count]


def main() -> int:
    size = current_size()
    if not size:
        print("dataset_bench needs the corpus: run it through `python -m bench`", file=sys.stderr)
        return 2
    tmp = Path(os.environ.get("BENCH_TMP", "/tmp"))
    started = time.perf_counter()
    servers = Servers(100, dict(os.environ), tmp, VARIANTS, STOCK_PLUGINS)
    stats: dict[str, dict[str, Any]] = {}
    comparisons: dict[str, list[dict[str, Any]]] = {}
    try:
        ids = _ids(servers.base["candidate"], IDS)
        for v in VARIANTS:  # warm-up: templates, schemas, profile classes
            for path in PATHS.values():
                servers.get(v, path.format(id=ids[0]))
        for case, path in PATHS.items():
            samples: dict[str, list[tuple[float, int]]] = {v: [] for v in VARIANTS}
            for i, name in enumerate(ids):
                order = VARIANTS if i % 2 == 0 else VARIANTS[::-1]
                for v in order:
                    samples[v].append(servers.get(v, path.format(id=name)))
            stats[case] = {v: _stats(s) for v, s in samples.items()}
            ratio = round(
                stats[case]["candidate"]["median_ms"] / stats[case]["stock"]["median_ms"], 3
            )
            comparisons[case] = [
                {
                    "candidate": "candidate",
                    "baseline": "stock",
                    "ratio": ratio,
                    "p95_ratio": round(
                        stats[case]["candidate"]["p95_ms"] / stats[case]["stock"]["p95_ms"], 3
                    ),
                    "cpu_ratio": None,
                    "budget": BUDGET,
                    "extra_sql": 0,
                    "sql_budget": None,
                    "met": ratio <= BUDGET,
                }
            ]
            print(
                f"  {case:8s} "
                + "  ".join(
                    f"{v} {st['median_ms']:.1f}/{st['p95_ms']:.1f} ms"
                    for v, st in stats[case].items()
                )
                + f"  ratio {ratio}",
                flush=True,
            )
    finally:
        servers.close()
    write_result(
        NAME,
        {
            "benchmark": "BM-3",
            "title": "Per-dataset RDF and dataset page over HTTP: /dataset/{id}.ttl, "
            ".jsonld and /dataset/{id}, 200 datasets",
            "variants": VARIANTS,
            "candidate": "candidate",
            "baselines": ["stock"],
            "budget": "candidate p50 <= 1.2 x stock CKAN + ckanext-dcat (euro_dcat_ap_3) p50",
            "command": ".venv/bin/python -m bench dataset",
        },
        size,
        {
            "corpus_size": size,
            "rounds": 1,  # each of the 200 datasets once per variant and path
            "ids": len(ids),
            "seconds": round(time.perf_counter() - started, 1),
            "cases": stats,
            "comparisons": comparisons,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
