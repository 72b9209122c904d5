"""Data for the consortium page: partnership, service focus, publications by type, state of data.

Everything about the consortium's datasets comes from ONE ``package_search`` (light ``fl`` fields,
a ``dataset_type`` facet): no per-dataset SQL and no per-type query.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices import vocabularies

# the portal's publication types, in page order
DATASET_TYPES: tuple[tuple[str, str], ...] = (
    ("dataset", "Data"),
    ("design-pattern", "Design patterns"),
    ("learning-resource", "Learning resources"),
)
VALIDATION_STATUSES: tuple[str, ...] = ("success", "failure", "error", "pending")
# the longest gap between updates each frequency allows, in days (None: no schedule to miss)
FREQUENCY_DAYS: dict[str, int | None] = {
    "UPDATE_CONT": 1,
    "CONT": 1,
    "DAILY": 1,
    "DAILY_2": 1,
    "WEEKLY": 7,
    "WEEKLY_2": 7,
    "WEEKLY_3": 7,
    "BIWEEKLY": 14,
    "MONTHLY": 31,
    "MONTHLY_2": 31,
    "MONTHLY_3": 31,
    "BIMONTHLY": 62,
    "QUARTERLY": 92,
    "ANNUAL_3": 122,
    "ANNUAL_2": 183,
    "ANNUAL": 366,
    "financial-year": 366,
    "BIENNIAL": 731,
    "TRIENNIAL": 1096,
}
LIGHT_FIELDS: list[str] = [
    "id",
    "name",
    "title",
    "dataset_type",
    "metadata_modified",
    "extras_modified",
    "extras_frequency",
    "vocab_validation_status",
]


def page_rows() -> int:
    return tk.config.get("ckanext.publicservices.consortium_page_rows")


def items_per_type() -> int:
    return tk.config.get("ckanext.publicservices.consortium_page_items_per_type")


def _parse_date(value: Any) -> dt.datetime | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not value or not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = dt.datetime.strptime(text[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return parsed.replace(tzinfo=None)


def overdue_days(
    frequency: Any, last_update: dt.datetime | None, now: dt.datetime
) -> tuple[int | None, int | None]:
    """(allowed gap, days late) for a dataset; (None, None) when it has no schedule to keep."""
    if isinstance(frequency, list):
        frequency = frequency[0] if frequency else None
    term = vocabularies.lookup("frequency", frequency) if frequency else None
    allowed = FREQUENCY_DAYS.get(term.code) if term else None
    if allowed is None or last_update is None:
        return allowed, None
    late = (now - last_update).days - allowed
    return allowed, late if late > 0 else None


def council(code: Any) -> dict[str, Any] | None:
    """A council for display: code, name, ONS/Scottish statistical-geography URI."""
    term = vocabularies.council(code) if code else None
    if term is None:
        return None
    return {"code": term.code, "name": term.label, "uri": term.uri, "type": term.council_type}


def service_labels(values: Any) -> list[dict[str, str]]:
    """LGSL services for display as labels (unknown values shown as given)."""
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values or []:
        term = vocabularies.service(value)
        if term is None:
            out.append({"code": str(value), "uri": str(value), "label": str(value)})
        else:
            out.append({"code": term.code, "uri": term.uri, "label": term.label})
    return out


def publications(
    org: dict[str, Any], user: str | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """The consortium's publications grouped by type, validation counts and overdue datasets.

    One ``package_search`` as the current user (so private datasets appear only to members).
    """
    now = now or dt.datetime.utcnow()
    context: dict[str, Any] = {"user": user if user is not None else _current_user()}
    result = tk.get_action("package_search")(
        context,
        {
            "q": "",
            "fq": '+owner_org:"{}"'.format(org["id"]),
            "fl": LIGHT_FIELDS,
            "facet": "true",
            "facet.field": ["dataset_type"],
            "facet.limit": -1,
            "rows": page_rows(),
            "sort": "metadata_modified desc",
            "include_private": True,
        },
    )
    type_counts: dict[str, int] = dict(result.get("facets", {}).get("dataset_type", {}))
    per_type = items_per_type()
    groups: dict[str, list[dict[str, Any]]] = {t: [] for t, _label in DATASET_TYPES}
    validation: Counter[str] = Counter()
    datasets_failing: list[dict[str, Any]] = []
    overdue: list[dict[str, Any]] = []
    scheduled = 0
    for doc in result["results"]:
        dataset_type = doc.get("dataset_type") or "dataset"
        item = {
            "id": doc.get("id"),
            "name": doc.get("name"),
            "title": doc.get("title") or doc.get("name"),
            "type": dataset_type,
        }
        bucket = groups.setdefault(dataset_type, [])
        if len(bucket) < per_type:
            bucket.append(item)
        statuses = doc.get("vocab_validation_status") or []
        if isinstance(statuses, str):
            statuses = [statuses]
        validation.update(s for s in statuses if s)
        if any(s in ("failure", "error") for s in statuses):
            datasets_failing.append(item)
        # package_search moves the requested extras_* fields to their bare names
        modified = doc.get("modified", doc.get("extras_modified"))
        last = _parse_date(modified) or _parse_date(doc.get("metadata_modified"))
        allowed, late = overdue_days(doc.get("frequency", doc.get("extras_frequency")), last, now)
        if allowed is not None:
            scheduled += 1
        if late:
            overdue.append(dict(item, days_late=late, allowed_days=allowed))
    overdue.sort(key=lambda i: -i["days_late"])
    labels = dict(DATASET_TYPES)
    ordered = [t for t, _label in DATASET_TYPES] + sorted(set(groups) - set(labels))
    return {
        "count": result["count"],
        "examined": len(result["results"]),
        "groups": [
            {
                "type": t,
                "label": labels.get(t, t),
                "count": type_counts.get(t, 0),
                "entries": groups.get(t, []),
            }
            for t in ordered
            if t in labels or type_counts.get(t)
        ],
        "validation": {s: validation.get(s, 0) for s in VALIDATION_STATUSES},
        "datasets_failing": datasets_failing,
        "overdue": overdue,
        "scheduled": scheduled,
    }


def _current_user() -> str:
    user = tk.current_user
    return getattr(user, "name", "") or ""


__all__ = ["publications", "council", "service_labels", "overdue_days"]
