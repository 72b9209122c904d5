"""Shape dataset dicts for the search index (stock CKAN Solr schema, dynamic fields only)."""

from __future__ import annotations

from typing import Any


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    return pkg_dict
