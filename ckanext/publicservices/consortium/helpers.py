"""Template helpers of the consortium organisations (registered through :func:`get_helpers`)."""

from __future__ import annotations

import functools
from typing import Any

from ckanext.publicservices.consortium import defaults, page
from ckanext.publicservices.vocabularies import terms


def publicservices_consortium_license_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    from ckan import model

    register = model.Package.get_license_register()
    return [
        {"value": lid, "label": lic.title}
        for lid, lic in sorted(register.items(), key=lambda i: i[1].title)
    ]


@functools.lru_cache(maxsize=1)
def _frequency_choices() -> tuple[tuple[str, str], ...]:
    return tuple((t.uri, t.label) for t in terms.frequencies().values() if not t.withdrawn)


def publicservices_consortium_frequency_choices(field: dict[str, Any]) -> list[dict[str, str]]:
    return [{"value": uri, "label": label} for uri, label in _frequency_choices()]


def publicservices_consortium_council(code: Any) -> dict[str, Any] | None:
    return page.council(code)


def publicservices_consortium_services(values: Any) -> list[dict[str, str]]:
    return page.service_labels(values)


def publicservices_consortium_frequency_label(value: Any) -> str:
    term = terms.lookup("frequency", value) if value else None
    return term.label if term else (value or "")


def publicservices_consortium_publications(
    org: dict[str, Any], listing: dict[str, Any] | None = None
) -> dict[str, Any]:
    return page.publications(org, listing=listing)


def publicservices_consortium_sidebar_facets(facet_titles: dict[str, Any]) -> dict[str, Any]:
    return page.sidebar_facets(facet_titles)


def publicservices_consortium_form_defaults(
    data: dict[str, Any], dataset_type: str, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    return defaults.form_defaults(data, dataset_type, errors)


def publicservices_consortium_form_rows(data: dict[str, Any], field: str) -> list[dict[str, Any]]:
    """Rows of a repeating field from raw ``<field>-N-<sub>`` form inputs, in index order."""
    prefix = f"{field}-"
    rows: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        if not isinstance(key, str) or not key.startswith(prefix):
            continue
        index, _sep, sub = key[len(prefix) :].partition("-")
        if index.isdigit() and sub:
            rows.setdefault(int(index), {})[sub] = value
    return [rows[i] for i in sorted(rows)]


def get_helpers() -> dict[str, Any]:
    """The consortium template helpers, for the plugin's ``ITemplateHelpers``."""
    return {
        "publicservices_consortium_license_choices": publicservices_consortium_license_choices,
        "publicservices_consortium_frequency_choices": publicservices_consortium_frequency_choices,
        "publicservices_consortium_council": publicservices_consortium_council,
        "publicservices_consortium_services": publicservices_consortium_services,
        "publicservices_consortium_frequency_label": publicservices_consortium_frequency_label,
        "publicservices_consortium_publications": publicservices_consortium_publications,
        "publicservices_consortium_sidebar_facets": publicservices_consortium_sidebar_facets,
        "publicservices_consortium_form_defaults": publicservices_consortium_form_defaults,
        "publicservices_consortium_form_rows": publicservices_consortium_form_rows,
    }
