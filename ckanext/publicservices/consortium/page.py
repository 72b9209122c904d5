"""Data for the consortium page: partnership, service focus, publications by type, state of data.

Everything about the consortium's datasets comes from ONE ``package_search`` (light ``fl`` fields,
a ``dataset_type`` facet): no per-dataset SQL and no per-type query.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

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
LIGHT_FIELDS: list[str] = ["id", "name", "title", "dataset_type"]
DUE_FIELD = "publicservices_due_date"
OVERDUE_LISTED = 10  # the page lists the most overdue; the count covers all


def page_rows() -> int:
    return tk.config.get("ckanext.publicservices.consortium_page_rows")


def items_per_type() -> int:
    return tk.config.get("ckanext.publicservices.consortium_page_items_per_type")


def parse_date(value: Any) -> dt.datetime | None:
    """A naive UTC datetime from an ISO date or datetime string; None when unreadable."""
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
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return parsed


def allowed_days(frequency: Any) -> int | None:
    """The longest gap between updates a frequency allows; None when there is no schedule."""
    term = vocabularies.lookup("frequency", frequency) if frequency else None
    return FREQUENCY_DAYS.get(term.code) if term else None


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
    """The consortium's publications grouped by type, validation results and overdue datasets.

    Two small searches as the current user (private datasets appear only to members), whatever
    the number of datasets: the recent publications with ``dataset_type`` and validation facets,
    and the overdue ones (``publicservices_due_date`` in the past, indexed from the frequency).
    """
    now = now or dt.datetime.utcnow()
    user = user if user is not None else _current_user()
    owner_fq = '+owner_org:"{}"'.format(org["id"])
    search = tk.get_action("package_search")
    result = search(
        {"user": user},
        {
            "q": "",
            "fq": owner_fq,
            "fl": LIGHT_FIELDS,
            "facet": "true",
            "facet.field": ["dataset_type", "vocab_validation_status"],
            "facet.limit": -1,
            "rows": page_rows(),
            "sort": "metadata_modified desc",
            "include_private": True,
        },
    )
    late = search(
        {"user": user},
        {
            "q": "",
            "fq": f"{owner_fq} +{DUE_FIELD}:[* TO NOW]",
            "fl": [*LIGHT_FIELDS, DUE_FIELD],
            "facet": "false",
            "rows": OVERDUE_LISTED,
            "sort": f"{DUE_FIELD} asc",
            "include_private": True,
        },
    )
    facets = result.get("facets", {})
    type_counts: dict[str, int] = dict(facets.get("dataset_type", {}))
    validation = facets.get("vocab_validation_status", {})
    per_type = items_per_type()
    link = _linker()
    groups: dict[str, list[dict[str, Any]]] = {t: [] for t, _label in DATASET_TYPES}
    for doc in result["results"]:
        item = _item(doc, link)
        bucket = groups.setdefault(item["type"], [])
        if len(bucket) < per_type:
            bucket.append(item)
    overdue = []
    for doc in late["results"]:
        due = parse_date(_first(doc.get(DUE_FIELD)))
        overdue.append(dict(_item(doc, link), days_late=max(0, (now - due).days) if due else 0))
    labels = dict(DATASET_TYPES)
    ordered = [t for t, _label in DATASET_TYPES] + sorted(set(type_counts) - set(labels))
    return {
        "count": result["count"],
        "groups": [
            {
                "type": t,
                "label": labels.get(t, t),
                "count": type_counts.get(t, 0),
                "entries": groups.get(t, []),
            }
            for t in ordered
        ],
        "validation": {s: validation.get(s, 0) for s in VALIDATION_STATUSES},
        "overdue": overdue,
        "overdue_count": late["count"],
    }


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _linker() -> Any:
    """Dataset page URLs without one ``url_for`` per item (a route lookup costs ~0.5 ms)."""
    templates: dict[str, str] = {}

    def link(dataset_type: str, name: str) -> str:
        if dataset_type not in templates:
            try:
                templates[dataset_type] = tk.url_for(f"{dataset_type}.read", id="__NAME__")
            except Exception:  # a type without its own blueprint
                templates[dataset_type] = tk.url_for("dataset.read", id="__NAME__")
        return templates[dataset_type].replace("__NAME__", quote(name, safe=""))

    return link


def _item(doc: dict[str, Any], link: Any) -> dict[str, Any]:
    name = doc.get("name") or ""
    dataset_type = doc.get("dataset_type") or "dataset"
    return {
        "id": doc.get("id"),
        "name": name,
        "title": doc.get("title") or name,
        "type": dataset_type,
        "url": link(dataset_type, name),
    }


def _current_user() -> str:
    user = tk.current_user
    return getattr(user, "name", "") or ""


__all__ = ["publications", "council", "service_labels", "allowed_days", "parse_date"]
