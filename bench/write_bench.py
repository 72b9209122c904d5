"""BM-4 write path: stock default schema / scheming ``ckan_dataset.yaml`` / the project's schema.

Cases (each one action call, timed, SQL statements counted): ``package_create`` (5 resources),
unchanged ``package_update`` (CKAN 2.12 returns early when the dict equals the stored dataset — a
dataset whose free extras come back in another order never takes that path), ``package_update``
with the title changed (the edit form), one-field ``package_patch``, ``resource_create`` on a
20-resource dataset, ``package_show`` with ``use_cache=False``. The baselines carry the same
metadata as free extras, so every variant stores the same information. Budget: project ÷
scheming ≤ 1.25, ≤ 2 extra SQL statements per call, validation adds only an enqueue (no
synchronous frictionless).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from bench.corpus import current_size
from bench.interleave import arms, compare, interleave, measure, summarise, write_result

NAME = "write"
USES_CORPUS = True
VARIANTS = ["stock", "scheming", "project"]
CASES = [
    "package_create",
    "package_update",
    "package_update_changed",
    "package_patch",
    "resource_create_20",
    "package_show_nocache",
]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
BUDGET = 1.25
SQL_BUDGET = 2.0
CONTENT_BASE = 100_000  # generator indices for the bench's own datasets (the corpus uses 1..N)


class Arm:
    def __init__(self, variant: str, app: Any, args: dict[str, Any]) -> None:
        from bench import seed as benchseed

        self.variant = variant
        self.bs = benchseed
        benchseed.ensure_sysadmin()
        benchseed.ensure_organisations()
        self.fields = None if variant == "stock" else benchseed.schema_fields()
        self.extras = variant != "project"
        self.prefix = f"bm4-{variant}-{args['token']}-"
        self.k = 0
        self.created: list[str] = []
        big = self.payload(CONTENT_BASE - 1)
        big["name"] = self.prefix + "r20"
        big["resources"] = [dict(big["resources"][n % 5], name=f"part {n}") for n in range(20)]
        self.r20 = self.action("package_create", big)["id"]
        self.info = {"missing_fields": benchseed.missing_fields() if self.fields else []}
        self.done()

    def payload(self, i: int) -> dict[str, Any]:
        data = self.bs.fitted_dataset(i, fields=self.fields, extras=self.extras)
        data["name"] = f"{self.prefix}{i}"
        return data

    def action(self, name: str, data: dict[str, Any], **ctx: Any) -> Any:
        import ckan.plugins.toolkit as tk

        return tk.get_action(name)({"user": self.bs.BENCH_USER, **ctx}, data)

    def done(self) -> None:
        from ckan import model

        model.Session.remove()  # as at the end of a request

    def _timed(self, name: str, data: dict[str, Any], **ctx: Any) -> tuple[dict, Any]:
        sample, result = measure(lambda: self.action(name, data, **ctx))
        self.done()
        return sample, result

    def case_package_create(self) -> dict[str, Any]:
        self.k += 1
        sample, result = self._timed("package_create", self.payload(CONTENT_BASE + self.k))
        self.created.append(result["id"])
        return sample

    def _pick(self) -> str:
        if not self.created:
            self.case_package_create()
        self.k += 1
        return self.created[self.k % len(self.created)]

    def case_package_update(self) -> dict[str, Any]:
        pkg = self.action("package_show", {"id": self._pick()}, use_cache=False)
        self.done()
        return self._timed("package_update", pkg)[0]

    def case_package_update_changed(self) -> dict[str, Any]:
        # what the edit form sends: the whole dataset with one field changed
        pkg = self.action("package_show", {"id": self._pick()}, use_cache=False)
        self.done()
        pkg["title"] = f"{pkg['title'].split(' [')[0]} [{self.k}]"
        return self._timed("package_update", pkg)[0]

    def case_package_patch(self) -> dict[str, Any]:
        data = {"id": self._pick(), "notes": f"Changed notes {self.k}: what the data covers."}
        return self._timed("package_patch", data)[0]

    def case_resource_create_20(self) -> dict[str, Any]:
        self.k += 1
        res = {
            "package_id": self.r20,
            "url": f"https://example.org/extra/{self.k}.csv",
            "name": f"extra {self.k}",
            "format": "CSV",
            "size": 1000 + self.k,
        }
        sample, result = self._timed("resource_create", res)
        self.action("resource_delete", {"id": result["id"]})  # back to 20 resources
        self.done()
        return sample

    def case_package_show_nocache(self) -> dict[str, Any]:
        return self._timed("package_show", {"id": self._pick()}, use_cache=False)[0]


def main() -> int:
    size = current_size()
    token = time.strftime("%H%M%S")
    started = time.perf_counter()
    stats: dict[str, dict[str, Any]] = {}
    comparisons: dict[str, list[dict[str, Any]]] = {}
    with arms(f"bench.{NAME}_bench", VARIANTS, {"token": token}) as running:
        info = running["project"].info
        for case in CASES:
            samples = interleave(running, case, ROUNDS)
            stats[case] = {v: summarise(s) for v, s in samples.items()}
            comparisons[case] = [
                compare(stats[case], "project", "scheming", BUDGET, SQL_BUDGET),
                compare(stats[case], "project", "stock", None),
            ]
            row = stats[case]
            print(
                f"  {case:22s} "
                + "  ".join(
                    f"{v} {row[v]['median_ms']:.1f} ms/{row[v]['sql_per_call']:.0f} sql"
                    for v in row
                )
                + f"  ratio project/scheming {comparisons[case][0]['ratio']}",
                flush=True,
            )
    sync_validation = max(stats[c]["project"]["frictionless_per_call"] for c in CASES)
    run = {
        "corpus_size": size,
        "rounds": ROUNDS,
        "seconds": round(time.perf_counter() - started, 1),
        "cases": stats,
        "comparisons": comparisons,
        "synchronous_frictionless_validations": sync_validation,
        "fields_not_in_schema": info.get("missing_fields", []),
    }
    write_result(
        NAME,
        {
            "benchmark": "BM-4",
            "title": "Write path: package_create / update / patch / resource_create / show",
            "variants": VARIANTS,
            "candidate": "project",
            "baselines": ["scheming", "stock"],
            "budget": f"project / scheming <= {BUDGET}, <= {SQL_BUDGET:g} extra SQL per call, "
            "no synchronous frictionless",
        },
        size,
        run,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
