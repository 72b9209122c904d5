"""Stored metadata that cannot be rendered never takes a page down.

Values that predate the input boundary, or that another extension wrote, may hold text the
boundary refuses (a lone surrogate from JSON text breaks every UTF-8 response; control characters
break XML). Datasets are cleaned as they are shown or listed, organisations as they are shown
(``organization_show``, which the pages and the catalogs use); each is logged with its id.
A dataset of a type no schema registers links to the generic dataset route.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from flask import url_for

from ckanext.publicservices.logic import input_boundary

log = logging.getLogger(__name__)


def dataset(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    if input_boundary.needs_scrub(pkg_dict):
        log.warning(
            "dataset %s: stored values with characters that cannot be shown; "
            "shown with U+FFFD in their place",
            pkg_dict.get("id"),
        )
        input_boundary.scrub(pkg_dict)
    return pkg_dict


def dataset_results(search_results: dict[str, Any]) -> None:
    for result in search_results.get("results") or []:
        if isinstance(result, dict):
            dataset(result)


@tk.chained_action
@tk.side_effect_free
def organization_show(up: Any, context: Any, data_dict: Any) -> Any:
    result = up(context, data_dict)
    if isinstance(result, dict) and input_boundary.needs_scrub(result):
        log.warning(
            "organisation %s: stored values with characters that cannot be shown; "
            "shown with U+FFFD in their place",
            result.get("id"),
        )
        input_boundary.scrub(result)
    return result


_TYPED_ENDPOINT_SUFFIXES = ("_resource.", ".")


def unknown_type_url(error: Exception, endpoint: str, values: dict[str, Any]) -> str | None:
    """A Flask URL-build error handler: ``<type>.read`` (and the type's other dataset and
    resource routes) of a type without a blueprint build the generic ``dataset`` route."""
    for marker in _TYPED_ENDPOINT_SUFFIXES:
        prefix, sep, rest = endpoint.partition(marker)
        if sep and prefix and prefix != "dataset" and "." not in prefix:
            if prefix in input_boundary.registered_dataset_types():
                return None
            try:
                return url_for(f"dataset{marker}{rest}", **values)
            except Exception:  # noqa: BLE001 - not a dataset route: let Flask raise its error
                return None
    return None


__all__ = ["organization_show"]
