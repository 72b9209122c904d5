"""BM-8 harvesting: a 1,000-dataset DCAT-AP catalog through ckanext-harvest's DCAT RDF harvester.

Two CKAN configs (arms), measured interleaved in one run:

* ``harvest_project``  the suite with ``harvest dcat_rdf_harvester``: the datasets go into a
                       consortium through the suite's profile, mapping (dcat/mapping.py, the
                       harvester hooks of dcat/harvest.py) and schema;
* ``harvest_stock``    stock plugins only: ``scheming_datasets`` with scheming's default
                       ``ckan_dataset.yaml``, ckanext-dcat's ``euro_dcat_ap_3`` and
                       ``harvest dcat_rdf_harvester``, into a plain organisation.

Both have ``activity`` (as a portal does). The catalog is written by ckanext-dcat's stock
``euro_dcat_ap_3`` serializer (what a partner's stock CKAN publishes: LGSL themes on a third of
the datasets, GSS spatial on a quarter, access rights, licences, contact, tags, one CSV each) and
served from 127.0.0.1 inside the arm. A sample is one harvest job per arm, of a new source on a
catalog of fresh URIs: ckanext-harvest's own stages in the arm's process — ``queue.gather_stage``
then ``queue.fetch_and_import_stages`` for every object, what the gather and fetch consumers call
for each queue message (``ckan harvester run-test`` runs the same) — so the redis transport, the
same for both, is left out. The two jobs run side by side: both gather, then their objects are
imported CHUNK at a time from each arm in turn (A B, B A, …), so a busy machine's noise falls on
both alike. ``reharvest`` runs the same sources again (every dataset updated, as the RDF harvester
does on each run). Time per dataset = the job's gather and import time / datasets; every object
must end COMPLETE (the run fails otherwise). Budget: harvest_project / harvest_stock <= 1.3.

Run: ``.venv/bin/python -m bench harvest`` (``BENCH_HARVEST_N=200 BENCH_ROUNDS=1`` for a quick run).
Results: bench/results/harvest.json.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench import corpus
from bench.interleave import arms, compare, measure, summarise, write_result

NAME = "harvest"
N = int(os.environ.get("BENCH_HARVEST_N", "1000"))
BUDGET = 1.3
CANDIDATE, BASELINE = "harvest_project", "harvest_stock"
# a job's objects are imported CHUNK at a time from each arm in turn
CHUNK = int(os.environ.get("BENCH_HARVEST_CHUNK", "50"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
# "reharvest" (every dataset updated) too with BENCH_HARVEST_CASES=harvest,reharvest
CASES = os.environ.get("BENCH_HARVEST_CASES", "harvest").split(",")
HARVEST = {"ckan.harvest.mq.type": "redis"}
corpus.VARIANTS[CANDIDATE] = {
    "ckan.plugins": corpus.PROJECT_PLUGINS + " harvest dcat_rdf_harvester",
    **HARVEST,
}
corpus.VARIANTS[BASELINE] = {
    "ckan.plugins": "scheming_datasets dcat activity harvest dcat_rdf_harvester",
    "scheming.dataset_schemas": "ckanext.scheming:ckan_dataset.yaml",
    "scheming.presets": "ckanext.scheming:presets.json",
    "ckanext.dcat.rdf.profiles": "euro_dcat_ap_3",
    **HARVEST,
}

EU = "http://publications.europa.eu/resource/authority/"
LGSL = "http://id.esd.org.uk/service/"
GSS = "http://statistics.data.gov.uk/id/statistical-geography/"
RUN = "__RUN__"  # replaced in the catalog's text by each sample's own path segment
PARTNER = f"https://data.partner.example.org/{RUN}"


def partner_dataset(i: int) -> dict[str, Any]:
    """package_show of a partner's stock CKAN (scheming's default schema with dcat's fields)."""
    name = f"partner-dataset-{i:04d}"
    licence = "cc-by" if i % 2 else "odc-odbl"
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}",
        "name": name,
        "uri": f"{PARTNER}/dataset/{name}",
        # the run in the title: the harvester names datasets after their titles at gather time,
        # and both arms gather before either imports
        "title": f"Partner dataset {i} ({RUN})",
        "notes": f"Dataset number {i} of the partner council: what it holds and how it is made.",
        "type": "dataset",
        "private": False,
        "state": "active",
        "license_id": licence,
        "license_url": f"http://www.opendefinition.org/licenses/{licence}",
        "tags": [{"name": "partner"}, {"name": f"topic-{i % 5}"}],
        "extras": [],
        "access_rights": EU + "access-right/PUBLIC",
        "theme": [EU + "data-theme/REGI"] + ([LGSL + "524"] if i % 3 == 0 else []),
        "spatial_coverage": [{"uri": GSS + "E07000110"}] if i % 4 == 0 else [],
        "contact": [{"name": "Data team", "email": "data@partner.example.org"}],
        "metadata_created": "2024-03-01T10:00:00",
        "metadata_modified": "2024-03-02T10:00:00",
        "resources": [
            {
                "id": f"00000000-0000-4000-9000-{i:012d}",
                "name": f"Dataset {i} (CSV)",
                "url": f"{PARTNER}/files/{name}.csv",
                "format": "CSV",
            }
        ],
    }


def catalog_template(n: int) -> str:
    import ckan.plugins.toolkit as tk
    from ckanext.dcat.processors import RDFSerializer

    # stock ckanext-dcat states a licence on the distributions only with this (stock) option
    tk.config["ckanext.dcat.resource.inherit.license"] = True
    text = RDFSerializer(profiles=["euro_dcat_ap_3"]).serialize_catalog(
        {"title": "Partner council open data"},
        [partner_dataset(i) for i in range(1, n + 1)],
        _format="ttl",
    )
    return text.decode("utf-8") if isinstance(text, bytes) else text


class _Docs(http.server.BaseHTTPRequestHandler):
    docs: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802
        body = self.docs.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class Arm:
    def __init__(self, variant: str, app: Any, args: dict[str, Any]) -> None:
        import ckan.plugins.toolkit as tk

        self.variant, self.token, self.k = variant, args["token"], 0
        self.tk = tk
        self.user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
        org = {"name": f"harvest-{variant.split('_')[1]}-{self.token}", "title": "Partners"}
        if variant == CANDIDATE:
            org.update(
                kind="consortium",
                lead_authority="E10000016",
                default_la_service=["880"],
                default_frequency="monthly",
            )
        self.org = self.action("organization_create", org)["id"]
        self.templates = {n: catalog_template(n) for n in {N, 20}}
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Docs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{server.server_address[1]}"
        self.source: str | None = None
        self.pending: list[str] = []
        self.done_ids: list[str] = []
        self.n = N

    def action(self, name: str, data: dict[str, Any]) -> Any:
        context = {"user": self.user, "ignore_auth": True}
        return self.tk.get_action(name)(context, data)

    def _start(self) -> dict[str, Any]:
        """A job of the current source: created, then its gather stage (timed)."""
        from ckanext.harvest import queue
        from ckanext.harvest.model import HarvestJob

        job_dict = self.action("harvest_job_create", {"source_id": self.source})
        self.job = HarvestJob.get(job_dict["id"])
        self.job.status = "Running"  # what harvest_send_job_to_gather_queue does
        self.job.save()
        self.harvester = queue.get_harvester("dcat_rdf")
        sample, ids = measure(lambda: queue.gather_stage(self.harvester, self.job) or [])
        self.pending, self.done_ids = list(ids), []
        sample["objects"] = len(ids)
        return sample

    def case_gather(self, n: int = N, again: bool = False) -> dict[str, Any]:
        """``again``: the last source's next job on the same catalog (every dataset updated,
        as the RDF harvester does on each run); otherwise a new source on fresh URIs."""
        if not again:
            self.k += 1
            run = f"{self.variant}-{self.token}-{self.k}"
            _Docs.docs[f"/{run}/catalog.ttl"] = self.templates[n].replace(RUN, run).encode()
            self.source = self.action(
                "harvest_source_create",
                {
                    "name": f"src-{run}".replace("_", "-"),
                    "title": f"Partner catalog {run}",
                    "url": f"{self.base}/{run}/catalog.ttl",
                    "source_type": "dcat_rdf",
                    "owner_org": self.org,
                    "frequency": "MANUAL",
                    "config": '{"rdf_format": "turtle"}',
                },
            )["id"]
            self.n = n
        return self._start()

    def case_fetch_import(self, count: int) -> dict[str, Any]:
        """The next ``count`` objects of the job, as the fetch consumer takes them (timed)."""
        from ckanext.harvest import queue
        from ckanext.harvest.model import HarvestObject

        batch, self.pending = self.pending[:count], self.pending[count:]

        def run() -> None:
            for obj_id in batch:
                queue.fetch_and_import_stages(self.harvester, HarvestObject.get(obj_id))

        sample, _ = measure(run)
        self.done_ids += batch
        sample["left"] = len(self.pending)
        return sample

    def case_finish(self) -> dict[str, Any]:
        """The job marked finished; every object must be COMPLETE, else the run fails."""
        from ckan import model
        from ckanext.harvest.model import HarvestObject

        states = [HarvestObject.get(i).state for i in self.done_ids]
        self.action("harvest_jobs_run", {"source_id": self.source})
        complete = states.count("COMPLETE")
        if (len(states), complete) != (self.n, self.n):
            report = self.action("harvest_job_report", {"id": self.job.id})
            errors = list(report["object_errors"].values())[:3]
            raise RuntimeError(f"{self.variant}: {complete}/{len(states)} of {self.n}: {errors}")
        model.Session.remove()
        return {"objects": len(states), "complete": complete}


def _upgrade_harvest_tables() -> None:
    ini = corpus.variant_ini(CANDIDATE)
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ckan"),
            "-c",
            str(ini),
            "db",
            "upgrade",
            "-p",
            "harvest",
        ],
        cwd=corpus.ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"ckan db upgrade -p harvest:\n{done.stdout}{done.stderr[-3000:]}")


def _job(running: dict[str, Any], n: int, again: bool) -> dict[str, dict[str, Any]]:
    """One job per arm, its objects imported in chunks taken from each arm in turn (A B, B A,
    …): one job of ``n`` datasets each, with the machine's noise spread over both alike."""
    order = list(running)
    totals = {v: {"s": 0.0, "cpu_ms": 0.0, "sql": 0, "gather_s": 0.0} for v in order}
    for v in order:
        gathered = running[v].ask("gather", n=n, again=again)
        assert gathered["objects"] == n, (v, gathered)
        for key in ("s", "cpu_ms"):
            totals[v][key] += gathered[key]
        totals[v]["gather_s"] = gathered["s"]
    left, turn = n, 0
    while left:
        for v in order if turn % 2 == 0 else order[::-1]:
            chunk = running[v].ask("fetch_import", count=CHUNK)
            for key in ("s", "cpu_ms"):
                totals[v][key] += chunk[key]
            left = chunk["left"]
        turn += 1
        if turn % 4 == 0:  # a long run's progress, with its figures so far
            done = n - left
            print(
                f"  {done}/{n}: "
                + "  ".join(f"{v} {totals[v]['s'] * 1000 / done:.0f} ms/dataset" for v in order),
                flush=True,
            )
    for v in order:
        running[v].ask("finish")
        totals[v]["per_dataset_ms"] = totals[v]["s"] * 1000 / n
        totals[v]["cpu_per_dataset_ms"] = totals[v]["cpu_ms"] / n
    return totals


def main() -> int:
    _upgrade_harvest_tables()
    token = time.strftime("%H%M%S")
    started = time.perf_counter()
    load = os.getloadavg()
    print(f"  load average at start: {load}", flush=True)
    stats: dict[str, dict[str, Any]] = {}
    comparisons: dict[str, list[dict[str, Any]]] = {}
    variants = [CANDIDATE, BASELINE]
    with arms(f"bench.{NAME}_bench", variants, {"token": token}) as running:
        _job(running, 20, again=False)  # warm both (imports, caches, first statements)
        samples: dict[str, dict[str, list[dict[str, Any]]]] = {
            c: {v: [] for v in variants} for c in CASES
        }
        for r in range(ROUNDS):
            for case in CASES:
                job = _job(running, N, again=case == "reharvest")
                for v in variants:
                    samples[case][v].append(job[v])
                print(f"  round {r + 1}/{ROUNDS} {case}: {job}", flush=True)
        for case in CASES:
            stats[case] = {v: summarise(s) for v, s in samples[case].items()}
            for v in variants:
                stats[case][v]["per_dataset_ms"] = round(stats[case][v]["median_ms"] / N, 2)
            comparisons[case] = [compare(stats[case], CANDIDATE, BASELINE, BUDGET)]
            row, c = stats[case], comparisons[case][0]
            print(
                f"  {case:10s} "
                + "  ".join(f"{v} {row[v]['per_dataset_ms']:.2f} ms/dataset" for v in row)
                + f"  ratio {c['ratio']} (cpu {c['cpu_ratio']})",
                flush=True,
            )
    run = {
        "datasets": N,
        "rounds": ROUNDS,
        "seconds": round(time.perf_counter() - started, 1),
        "loadavg_at_start": [round(x, 2) for x in load],
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
        "cases": stats,
        "comparisons": comparisons,
    }
    write_result(
        NAME,
        {
            "benchmark": "BM-8",
            "title": f"Harvesting {N} DCAT-AP datasets with ckanext-harvest's DCAT RDF harvester "
            "(time per dataset of a job)",
            "variants": {v: corpus.VARIANTS[v] for v in variants},
            "candidate": CANDIDATE,
            "baselines": [BASELINE],
            "budget": f"{CANDIDATE} / {BASELINE} <= {BUDGET} per dataset",
        },
        None,
        run,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
