"""Acceptance: the datapackage.json of every seeded dataset validates with frictionless — the
descriptor, and the data itself (uploaded files read from the portal's storage, every tabular
resource checked against the schema the export carries)."""

from __future__ import annotations

import json
import os
from typing import Any

import ckan.model as model
import pytest
from ckan.lib import uploader
from frictionless import Package

from ckanext.publicservices.consortium import seed as seed_module

pytestmark = [pytest.mark.usefixtures("with_plugins", "clean_db", "clean_index", "clean_queues")]


def _local_path(res: dict[str, Any]) -> str:
    up = uploader.get_resource_uploader(dict(res))
    storage = getattr(up, "storage", None)
    location = up.get_path(res["id"])
    return storage.full_path(location) if storage is not None else location


def test_every_seeded_dataset_exports_a_valid_data_package(app: Any) -> None:
    seed_module.seed(rows=8)
    names = [p.name for p in model.Session.query(model.Package).filter_by(state="active")]
    assert len(names) >= 4
    checked_tables = 0
    for name in names:
        body = json.loads(app.get(f"/dataset/{name}/datapackage.json", status=200).body)
        assert [e.message for e in Package.metadata_validate(body)] == [], name
        uploads = {}
        pkg = model.Package.get(name)
        for r in pkg.resources:
            if r.url_type == "upload":
                uploads[r.id] = _local_path({"id": r.id, "url": r.url, "url_type": "upload"})
        tabular = []
        for res_desc in body["resources"]:
            rid = res_desc["path"].split("/resource/")[-1].split("/")[0]
            if "schema" in res_desc and rid in uploads:
                res_desc["path"] = os.path.basename(uploads[rid])
                tabular.append((res_desc, os.path.dirname(uploads[rid])))
        for res_desc, basepath in tabular:
            package = Package.from_descriptor(
                {"name": body["name"], "resources": [res_desc]}, basepath=basepath
            )
            report = package.validate()
            assert report.valid, (name, report.flatten(["rowNumber", "fieldName", "type", "note"]))
            checked_tables += 1
    assert checked_tables >= 4  # one sample file per consortium at least
