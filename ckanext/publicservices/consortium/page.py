"""Data for the consortium page: partnership, service focus, publications by type, state of data.

The page makes no search of its own on its usual view: the recent publications and the type and
validation counts come from CKAN's own listing search on the organisation page (the facets are
added through IFacets), the overdue datasets from a cache keyed on the visible datasets. No
per-dataset SQL and no per-type query.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from typing import Any
from urllib.parse import quote

import ckan.plugins.toolkit as tk

from ckanext.publicservices.vocabularies import terms

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
    term = terms.lookup("frequency", frequency) if frequency else None
    return FREQUENCY_DAYS.get(term.code) if term else None


def council(code: Any) -> dict[str, Any] | None:
    """A council for display: code, name, ONS/Scottish statistical-geography URI."""
    term = terms.council(code) if code else None
    if term is None:
        return None
    return {"code": term.code, "name": term.label, "uri": term.uri, "type": term.council_type}


def service_labels(values: Any) -> list[dict[str, str]]:
    """LGSL services for display as labels (unknown values shown as given)."""
    if isinstance(values, str):
        values = [values]
    out = []
    for value in values or []:
        term = terms.service(value)
        if term is None:
            out.append({"code": str(value), "uri": str(value), "label": str(value)})
        else:
            out.append({"code": term.code, "uri": term.uri, "label": term.label})
    return out


PAGE_FACETS: dict[str, str] = {
    # asked of the organisation read view's own listing search (IFacets), so that the page's
    # type and validation counts cost no search of their own; not shown in its sidebar
    "dataset_type": "Type",
    "vocab_validation_status": "Validation status",
}
OVERDUE_CACHE_SIZE = 512


def organization_facets(facets_dict: dict[str, Any]) -> dict[str, Any]:
    """IFacets ``organization_facets``: the page's facets on core's listing search.

    Left out of htmx updates of the list: they render only the results and the sidebar.
    """
    if getattr(tk.request, "htmx", False):
        return facets_dict
    for field, label in PAGE_FACETS.items():
        facets_dict.setdefault(field, tk._(label))
    return facets_dict


def sidebar_facets(facet_titles: dict[str, Any]) -> dict[str, Any]:
    """The listing's facet titles without the page's own (shown in its blocks instead)."""
    return {k: v for k, v in (facet_titles or {}).items() if k not in PAGE_FACETS}


def publications(
    org: dict[str, Any],
    user: str | None = None,
    now: dt.datetime | None = None,
    listing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The consortium's publications grouped by type, validation results and overdue datasets.

    ``listing`` is what CKAN's organisation read view already searched for its list (``page``,
    ``facet_titles``, ``search_facets``, ``query_error``). When that list is the unfiltered
    first page in the default order (newest first), its results and facets give the recent
    publications and the type and validation counts; otherwise one light search of our own does.
    Overdue datasets come from a per-visitor cache that is valid while the visible datasets
    (their number and the newest change) are the same and no further dataset has fallen due, so
    the usual page costs no search beyond core's. Every search runs as the current user
    (private datasets appear only to members).
    """
    now = now or dt.datetime.utcnow()
    user = user if user is not None else _current_user()
    reused = _listing_results(listing)
    if reused is None:
        docs, count, facets = _own_search(org, user)
    else:
        docs, count, facets = reused
    type_counts: dict[str, int] = dict(facets.get("dataset_type", {}))
    validation = facets.get("vocab_validation_status", {})
    per_type = items_per_type()
    link = _linker()
    groups: dict[str, list[dict[str, Any]]] = {t: [] for t, _label in DATASET_TYPES}
    for doc in docs:
        item = _item(doc, link)
        bucket = groups.setdefault(item["type"], [])
        if len(bucket) < per_type:
            bucket.append(item)
    newest = docs[0] if docs else {}
    changed = parse_date(newest.get("metadata_modified"))
    # to the millisecond, as the index keeps it: the list's dicts and the index agree
    stamp = changed.isoformat(timespec="milliseconds") if changed else None
    fingerprint = (count, stamp, newest.get("id"))
    late = _overdue(org, user, fingerprint, now)
    overdue = []
    for doc in late["results"]:
        due = parse_date(_first(doc.get(DUE_FIELD)))
        overdue.append(dict(_item(doc, link), days_late=max(0, (now - due).days) if due else 0))
    labels = dict(DATASET_TYPES)
    ordered = [t for t, _label in DATASET_TYPES] + sorted(set(type_counts) - set(labels))
    return {
        "count": count,
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


def _newest_first_by_default() -> bool:
    """Whether CKAN's default dataset order on an empty query is newest change first."""
    sort = str(tk.config.get("ckan.search.default_package_sort") or "")
    parts = [" ".join(p.split()).lower() for p in sort.split(",") if p.strip()]
    if parts and parts[0] == "score desc":  # every dataset scores alike on an empty query
        parts = parts[1:]
    return bool(parts) and parts[0] == "metadata_modified desc"


def _is_default_listing() -> bool:
    """The list is the unfiltered first page in the default order (as the facets assume)."""
    for key, value in tk.request.args.items(multi=True):
        if key.startswith("_") or not value.strip() or (key == "page" and value == "1"):
            continue
        return False
    return _newest_first_by_default()


def _listing_results(
    listing: dict[str, Any] | None,
) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]] | None:
    """Results, count and page facets of core's listing search, when they can stand in."""
    if not listing or listing.get("query_error") or listing.get("page") is None:
        return None
    titles = listing.get("facet_titles") or {}
    if any(field not in titles for field in PAGE_FACETS) or not _is_default_listing():
        return None
    page_ = listing["page"]
    search_facets = listing.get("search_facets") or {}
    facets = {}
    for field in PAGE_FACETS:
        items = (search_facets.get(field) or {}).get("items", [])
        facets[field] = {item["name"]: item["count"] for item in items}
    docs = [d for d in (page_.items or []) if isinstance(d, dict)]
    return docs[: page_rows()], int(page_.item_count or 0), facets


def _own_search(
    org: dict[str, Any], user: str
) -> tuple[list[dict[str, Any]], int, dict[str, dict[str, int]]]:
    result = tk.get_action("package_search")(
        {"user": user},
        {
            "q": "",
            "fq": _owner_fq(org),
            "fl": [*LIGHT_FIELDS, "metadata_modified"],
            "facet": "true",
            "facet.field": list(PAGE_FACETS),
            "facet.limit": -1,
            "rows": page_rows(),
            "sort": "metadata_modified desc",
            "include_private": True,
        },
    )
    return result["results"], result["count"], result.get("facets", {})


def _owner_fq(org: dict[str, Any]) -> str:
    return '+owner_org:"{}"'.format(org["id"])


_overdue_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_overdue_lock = threading.Lock()


def _overdue(
    org: dict[str, Any], user: str, fingerprint: tuple[Any, ...], now: dt.datetime
) -> dict[str, Any]:
    """The overdue count and the most overdue datasets, searched again only when they may differ.

    They change when a visible dataset is added, changed, removed or hidden (the count or the
    newest change differ: the key) or when the next dataset falls due (the entry's expiry).
    The key includes the visitor, so no one is shown another's private datasets.
    """
    key = (org["id"], user, *fingerprint)
    with _overdue_lock:
        entry = _overdue_cache.get(key)
        if entry is not None and (entry["expires"] is None or now < entry["expires"]):
            _overdue_cache.move_to_end(key)
            return entry
    search = tk.get_action("package_search")
    # the next due date first: a dataset falling due between the two searches is then counted
    # and also ends the entry's validity at once
    upcoming = search(
        {"user": user},
        {
            "q": "",
            "fq": f"{_owner_fq(org)} +{DUE_FIELD}:[NOW TO *]",
            "fl": ["id", DUE_FIELD],
            "facet": "false",
            "rows": 1,
            "sort": f"{DUE_FIELD} asc",
            "include_private": True,
        },
    )
    late = search(
        {"user": user},
        {
            "q": "",
            "fq": f"{_owner_fq(org)} +{DUE_FIELD}:[* TO NOW]",
            "fl": [*LIGHT_FIELDS, DUE_FIELD],
            "facet": "false",
            "rows": OVERDUE_LISTED,
            "sort": f"{DUE_FIELD} asc",
            "include_private": True,
        },
    )
    expires = (
        parse_date(_first(upcoming["results"][0].get(DUE_FIELD))) if upcoming["results"] else None
    )
    entry = {"count": late["count"], "results": late["results"], "expires": expires}
    with _overdue_lock:
        _overdue_cache[key] = entry
        _overdue_cache.move_to_end(key)
        while len(_overdue_cache) > OVERDUE_CACHE_SIZE:
            _overdue_cache.popitem(last=False)
    return entry


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
    # light search fields carry ``dataset_type``; full dataset dicts (core's listing) ``type``
    dataset_type = doc.get("dataset_type") or doc.get("type") or "dataset"
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


__all__ = [
    "publications",
    "organization_facets",
    "sidebar_facets",
    "council",
    "service_labels",
    "allowed_days",
    "parse_date",
]
