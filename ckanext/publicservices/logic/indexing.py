"""Shape dataset dicts for the search index (stock CKAN Solr schema, dynamic fields only)."""

from __future__ import annotations

from typing import Any

from ckanext.publicservices.schema_helpers import FACET_VOCABULARIES, _as_list
from ckanext.publicservices.vocabularies import terms

# dataset field → (index field, vocabulary that normalises the values or None)
VOCAB_INDEX_FIELDS: dict[str, tuple[str, str | None]] = {
    "la_service": ("vocab_la_service", "lgsl"),
    "la_function": ("vocab_la_function", "lgfl"),
    "area": ("vocab_area", "council"),
    "service_design_phase": ("vocab_service_design_phase", None),
    "data_spectrum": ("vocab_data_spectrum", None),
    "data_use_pattern": ("vocab_data_use_pattern", None),
}

# facet field → label shown in the search page's facet list
FACETS: dict[str, str] = {
    "vocab_la_service": "Services",
    "vocab_area": "Council areas",
    "organization": "Consortia and organisations",
    "vocab_service_design_phase": "Design phase",
    "vocab_data_spectrum": "Data spectrum",
    "vocab_data_use_pattern": "How the data is used",
    "dataset_type": "Type",
}


def index_vocabularies(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Copy the service-redesign fields into multi-valued ``vocab_*`` string fields.

    Values are normalised through the vocabularies (a legacy dataset holding "524" or a former
    GSS code is indexed under the current URI/code); unknown values are indexed as given so a
    withdrawn code still finds its datasets.
    """
    for field, (index_field, name) in VOCAB_INDEX_FIELDS.items():
        values = _as_list(pkg_dict.get(field))
        if not values:
            pkg_dict.pop(index_field, None)
            continue
        out: dict[str, None] = {}
        for value in values:
            term = terms.lookup(name, value) if name else None
            if term is None:
                out[value] = None
            else:
                out[term.code if name == "council" else term.uri] = None
        pkg_dict[index_field] = list(out)
    return pkg_dict


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    """Show labels, not URIs/codes, for the vocabulary facets (API and search page)."""
    facets = search_results.get("search_facets")
    if not isinstance(facets, dict):
        return search_results
    for facet, name in FACET_VOCABULARIES.items():
        block = facets.get(facet)
        if not isinstance(block, dict):
            continue
        for item in block.get("items", []):
            term = terms.lookup(name, item.get("name"))
            if term is not None:
                item["display_name"] = term.label
    return search_results


def before_dataset_index(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    from ckanext.publicservices.consortium import indexing as consortium_indexing

    pkg_dict = consortium_indexing.before_dataset_index(pkg_dict)
    pkg_dict = index_vocabularies(pkg_dict)
    return pkg_dict
