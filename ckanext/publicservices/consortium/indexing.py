"""Index fields the consortium page reads back with one light search."""

from __future__ import annotations

import json
from typing import Any

FIELD = "vocab_validation_status"


def index_validation_status(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """``vocab_validation_status``: the validation status of each resource (multi-valued).

    Resources are already flattened at ``before_dataset_index`` and only configured resource
    extras survive, so the statuses are read from the dataset's JSON (parsed only when present).
    """
    raw = pkg_dict.get("data_dict")
    if not isinstance(raw, str) or '"validation_status"' not in raw:
        return pkg_dict
    try:
        resources = json.loads(raw).get("resources") or []
    except (ValueError, AttributeError):
        return pkg_dict
    statuses = [
        r["validation_status"]
        for r in resources
        if isinstance(r, dict)
        and isinstance(r.get("validation_status"), str)
        and r["validation_status"]
    ]
    if statuses:
        pkg_dict[FIELD] = statuses
    return pkg_dict
