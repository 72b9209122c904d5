"""Index fields the consortium page reads back from the search index (no per-dataset SQL).

``vocab_validation_status``: the validation status of each of the dataset's resources (faceted
on the consortium page). ``publicservices_due_date`` (a ``*_date`` dynamic date field): when the
dataset is next due for an update, from its frequency and its last update, so that "overdue" is
one range query (``publicservices_due_date:[* TO NOW]``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

VALIDATION_FIELD = "vocab_validation_status"
DUE_FIELD = "publicservices_due_date"


def index_validation_status(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Resources are already flattened at ``before_dataset_index`` and only configured resource
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
        pkg_dict[VALIDATION_FIELD] = statuses
    return pkg_dict


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def due_date(frequency: Any, modified: Any, metadata_modified: Any) -> dt.datetime | None:
    """When a dataset is due for its next update; None when it has no schedule to keep."""
    from ckanext.publicservices.consortium.page import allowed_days, parse_date

    allowed = allowed_days(_first(frequency))
    if allowed is None:
        return None
    last = parse_date(_first(modified)) or parse_date(_first(metadata_modified))
    if last is None:
        return None
    return last + dt.timedelta(days=allowed)


def index_due_date(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    due = due_date(
        pkg_dict.get("frequency") or pkg_dict.get("extras_frequency"),
        pkg_dict.get("modified") or pkg_dict.get("extras_modified"),
        pkg_dict.get("metadata_modified"),
    )
    if due is None:
        pkg_dict.pop(DUE_FIELD, None)
    else:
        pkg_dict[DUE_FIELD] = due.strftime("%Y-%m-%dT%H:%M:%SZ")
    return pkg_dict


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return index_due_date(index_validation_status(pkg_dict))
