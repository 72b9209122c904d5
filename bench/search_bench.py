"""BM-7: the search service — index throughput and package_search latency at 5,000 datasets.

Starts its own in-memory search service on a free port (so it never touches the shared one),
feeds it 5,000 CKAN-shaped index documents the way CKAN does (one JSON add per request with
`commit=true`, through pysolr), then times package_search-shaped requests — CKAN's exact
parameters: dismax `qf`/`mm`/`tie`, three `fq`, five facet fields, `rows=21`, sort
`score desc, metadata_modified desc`, `fl=id validated_data_dict` — end to end over HTTP and
in-process. The baseline is a brute-force Python filter over the same documents (token match,
filters, facet counting, sort). Writes bench/results/search.json.

    python -m bench.search_bench [--docs 5000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pysolr

from devstack.search.server import SearchService

RESULTS = Path(__file__).resolve().parent / "results" / "search.json"
FACETS = ["organization", "groups", "tags", "res_format", "license_id"]
QF = "name^4 title^4 tags^2 groups^2 text"

WORDS = [
    "flood",
    "water",
    "river",
    "quality",
    "air",
    "pollution",
    "school",
    "admissions",
    "housing",
    "benefit",
    "council",
    "tax",
    "business",
    "rates",
    "fuel",
    "poverty",
    "careers",
    "guidance",
    "wifi",
    "footfall",
    "library",
    "visits",
    "waste",
    "collection",
    "recycling",
    "planning",
    "applications",
    "parking",
    "permits",
    "street",
    "lighting",
    "social",
    "care",
    "adult",
    "children",
    "transport",
    "bus",
    "routes",
    "cycling",
    "footpaths",
    "licensing",
    "food",
    "hygiene",
    "energy",
    "efficiency",
    "homelessness",
    "noise",
    "complaints",
    "allotments",
    "burial",
    "cemeteries",
    "elections",
    "register",
    "voters",
    "budget",
    "spending",
]
ORGS = [f"consortium-{i}" for i in range(12)]
GROUPS = [f"theme-{i}" for i in range(15)]
FORMATS = ["CSV", "JSON", "XLSX", "PDF", "GeoJSON", "API"]
LICENSES = ["OGL-UK-3.0", "cc-by", "cc-zero", "odc-odbl", "other-closed"]


def make_docs(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    start = datetime(2023, 1, 1, tzinfo=timezone.utc)
    docs = []
    for i in range(n):
        title = " ".join(rnd.choices(WORDS, k=rnd.randint(3, 6))).capitalize()
        notes = " ".join(rnd.choices(WORDS, k=rnd.randint(20, 60)))
        modified = (start + timedelta(minutes=rnd.randint(0, 900_000))).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        )
        org = rnd.choice(ORGS)
        nres = rnd.randint(0, 4)
        private = rnd.random() < 0.1
        docs.append(
            {
                "id": f"00000000-0000-0000-0000-{i:012d}",
                "index_id": f"{i:032x}",
                "site_id": "default",
                "name": f"dataset-{i}",
                "title": title,
                "title_string": title,
                "notes": notes,
                "state": "active" if rnd.random() < 0.97 else "draft",
                "type": "dataset",
                "dataset_type": "dataset",
                "entity_type": "package",
                "capacity": "private" if private else "public",
                "private": private,
                "organization": org,
                "owner_org": f"org-id-{org}",
                "license_id": rnd.choice(LICENSES),
                "tags": sorted(set(rnd.choices(WORDS, k=rnd.randint(1, 5)))),
                "groups": sorted(set(rnd.choices(GROUPS, k=rnd.randint(0, 2)))),
                "res_format": [rnd.choice(FORMATS) for _ in range(nres)],
                "res_name": [f"Resource {j} {rnd.choice(WORDS)}" for j in range(nres)],
                "res_url": [f"http://example.org/{i}/{j}.csv" for j in range(nres)],
                "res_description": ["" for _ in range(nres)],
                "num_resources": nres,
                "num_tags": 2,
                "metadata_created": modified,
                "metadata_modified": modified,
                "extras_area": rnd.choice(["E06000001", "S12000050", "E07000105"]),
                "vocab_la_service": [f"http://id.esd.org.uk/service/{rnd.randint(1, 900)}"],
                "permission_labels": ["public"] if not private else [f"member-org-id-{org}"],
                "validated_data_dict": json.dumps({"name": f"dataset-{i}", "title": title}),
                "data_dict": json.dumps({"name": f"dataset-{i}"}),
            }
        )
    return docs


def ckan_params(q: str) -> dict[str, Any]:
    """What PackageSearchQuery.run sends for /dataset?q=… (anonymous user)."""
    params: dict[str, Any] = {
        "fq": [
            "+dataset_type:dataset +capacity:public +state:(active)",
            '+site_id:"default"',
            '+permission_labels:("public")',
        ],
        "facet": "true",
        "facet.field": FACETS,
        "facet.limit": 50,
        "facet.mincount": 1,
        "rows": 21,
        "start": 0,
        "sort": "score desc, metadata_modified desc",
        "fl": "id validated_data_dict",
        "df": "text",
        "q.op": "AND",
        "wt": "json",
    }
    if ":" not in q:
        params.update({"defType": "dismax", "qf": QF, "mm": "2<-1 5<80%", "tie": "0.1"})
    return params


def brute_force(docs: list[dict[str, Any]], q: str) -> tuple[int, list[str], dict[str, Counter]]:
    """The baseline: scan every document in Python (lower-cased token match, no stemming)."""
    words = [] if q == "*:*" else [w.lower() for w in q.split()]
    hits = []
    for d in docs:
        if not (
            d["capacity"] == "public"
            and d["state"] == "active"
            and "public" in d["permission_labels"]
        ):
            continue
        if words:
            blob = " ".join([d["name"], d["title"], d["notes"], *d["tags"], *d["groups"]])
            tokens = set(re.findall(r"\w+", blob.lower()))
            matched = sum(w in tokens for w in words)
            if matched < (len(words) if len(words) <= 2 else len(words) - 1):
                continue
            hits.append((matched, d["metadata_modified"], d))
        else:
            hits.append((0, d["metadata_modified"], d))
    hits.sort(key=lambda h: (h[0], h[1]), reverse=True)
    facets = {f: Counter() for f in FACETS}
    for _, _, d in hits:
        for f in FACETS:
            vals = d.get(f)
            for v in vals if isinstance(vals, list) else [vals]:
                facets[f][v] += 1
    return len(hits), [h[2]["id"] for h in hits[:21]], facets


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to separate cost from machine load."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()

    # the service in its own process, as the harness runs it
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "devstack.search", "--port", str(port), "--memory"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and "ready" in proc.stdout.readline()
    url = f"http://127.0.0.1:{port}/solr/ckan"
    solr = pysolr.Solr(url, timeout=30)
    docs = make_docs(args.docs)
    # and an in-process core over the same documents, to separate HTTP from search cost
    core = SearchService(None).core("ckan")
    t0 = time.perf_counter()
    core.add_docs(docs)
    inprocess_index_s = time.perf_counter() - t0

    # indexing as CKAN does it: one document per request, commit=true
    t0, cpu0 = time.perf_counter(), cpu_seconds(proc.pid)
    for doc in docs:
        solr.add([doc], commit=True)
    index_s = time.perf_counter() - t0
    index_cpu_s = cpu_seconds(proc.pid) - cpu0
    # and in batches of 100 (a bulk loader's pattern), replacing the same documents
    t0 = time.perf_counter()
    for i in range(0, len(docs), 100):
        solr.add(docs[i : i + 100], commit=True)
    batch_s = time.perf_counter() - t0

    rnd = random.Random(11)
    queries = ["*:*"] + [
        " ".join(rnd.choices(WORDS, k=rnd.randint(1, 3))) for _ in range(args.queries - 1)
    ]
    http_ms, core_ms, brute_ms = [], [], []
    search_cpu_s = 0.0
    agree = 0
    for q in queries:
        params = ckan_params(q)
        t, cpu0 = time.perf_counter(), cpu_seconds(proc.pid)
        res = solr.search(q, **params)
        http_ms.append((time.perf_counter() - t) * 1000)
        search_cpu_s += cpu_seconds(proc.pid) - cpu0
        multi = {
            k: [str(x) for x in v] if isinstance(v, list) else [str(v)] for k, v in params.items()
        }
        multi["q"] = [q]
        t = time.perf_counter()
        core.select(multi)
        core_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        count, _, _ = brute_force(docs, q)
        brute_ms.append((time.perf_counter() - t) * 1000)
        agree += q == "*:*" and res.hits == count  # same filters → same count for match-all

    t = time.perf_counter()
    proc.terminate()
    proc.wait(60)
    stop_s = time.perf_counter() - t
    result = {
        "benchmark": "BM-7 search service",
        "docs": args.docs,
        "queries": len(queries),
        "index_docs_per_s_http_single_doc_commit": round(args.docs / index_s, 1),
        "index_seconds": round(index_s, 2),
        # the service's own CPU time: what the rate would be with a free core
        "index_docs_per_service_cpu_s": round(args.docs / index_cpu_s, 1) if index_cpu_s else None,
        "search_service_cpu_ms_per_query": round(search_cpu_s / len(queries) * 1000, 2),
        "index_docs_per_s_http_batches_of_100": round(args.docs / batch_s, 1),
        "index_docs_per_s_inprocess_batch": round(args.docs / inprocess_index_s, 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
        "service_stop_seconds": round(stop_s, 2),
        "search_http_ms": {"p50": round(pct(http_ms, 50), 2), "p95": round(pct(http_ms, 95), 2)},
        "search_inprocess_ms": {
            "p50": round(pct(core_ms, 50), 2),
            "p95": round(pct(core_ms, 95), 2),
        },
        "brute_force_python_ms": {
            "p50": round(pct(brute_ms, 50), 2),
            "p95": round(pct(brute_ms, 95), 2),
        },
        "match_all_count_agrees_with_brute_force": bool(agree),
        "budget": {"search_p50_ms": 20, "index_docs_per_s": 300},
        # wall clock depends on what else the (shared, 2-core) machine runs; the service's own
        # CPU time does not, so both verdicts are recorded
        "within_budget_wall_clock": pct(http_ms, 50) <= 20 and args.docs / index_s >= 300,
        "within_budget_service_cpu": bool(
            search_cpu_s / len(queries) * 1000 <= 20
            and index_cpu_s
            and args.docs / index_cpu_s >= 300
        ),
        "measured_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    http, inproc, brute = (
        result["search_http_ms"],
        result["search_inprocess_ms"],
        result["brute_force_python_ms"],
    )
    print(
        f"BM-7 search: {args.docs} docs indexed at "
        f"{result['index_docs_per_s_http_single_doc_commit']} docs/s over HTTP (one doc per "
        f"request; {result['index_docs_per_service_cpu_s']} per service CPU-second), "
        f"{result['index_docs_per_s_inprocess_batch']} docs/s in-process; "
        f"package_search p50 {http['p50']} ms / p95 {http['p95']} ms over HTTP, in-process p50 "
        f"{inproc['p50']} ms; brute-force Python p50 {brute['p50']} ms; "
        f"within budget: wall clock {result['within_budget_wall_clock']}, service CPU "
        f"{result['within_budget_service_cpu']} (load average {result['load_average_1min']})"
    )


if __name__ == "__main__":
    main()
