"""ckanext-dcat's RDF actions, chained so that they use the project's serializer.

The chained versions keep ckanext-dcat's auth, search and paging (its ``_search_ckan_datasets``
and ``_pagination_info``) and change what is done with the results: the linear profile, one
organisation lookup per consortium, and no private datasets — for every user, sysadmins
included, because RDF output is harvested and cached by others.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict
from ckanext.dcat import logic as dcat_logic
from rdflib import URIRef

from ckanext.publicservices.dcat.serializer import PublicservicesSerializer


def _profiles(data_dict: DataDict) -> list[str] | None:
    profiles = data_dict.get("profiles")
    if isinstance(profiles, str):
        profiles = [p for p in profiles.replace(",", " ").split() if p]
    return profiles or None


def catalog_page(
    context: Context,
    data_dict: DataDict,
    catalog_dict: dict[str, Any] | None = None,
    catalog_ref: str | None = None,
) -> str:
    """One page of a catalog (site-wide, or narrowed by ``fq``) in ``data_dict['format']``."""
    # ckanext-dcat's search never passes include_private, so package_search leaves private
    # datasets out; the serializer drops any that still reach it
    query = dcat_logic._search_ckan_datasets(context, data_dict)
    pagination_info = dcat_logic._pagination_info(query, data_dict)
    serializer = PublicservicesSerializer(profiles=_profiles(data_dict))
    return serializer.serialize_catalog(
        catalog_dict or {},
        query["results"],
        _format=data_dict.get("format"),
        pagination_info=pagination_info,
        catalog_ref=URIRef(catalog_ref) if catalog_ref else None,
    )


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_show(up_func: Action, context: Context, data_dict: DataDict) -> str:
    tk.check_access("dcat_catalog_show", context, data_dict)
    return catalog_page(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up_func: Action, context: Context, data_dict: DataDict) -> str:
    tk.check_access("dcat_catalog_search", context, data_dict)
    return catalog_page(context, data_dict)


@tk.chained_action
def dcat_dataset_show(up_func: Action, context: Context, data_dict: DataDict) -> str:
    tk.check_access("dcat_dataset_show", context, data_dict)
    try:
        dataset_dict = tk.get_action("package_show")(context, data_dict)
    except tk.NotAuthorized:
        # a private dataset: answer as for one that does not exist
        raise tk.ObjectNotFound("Dataset not found") from None
    if tk.asbool(dataset_dict.get("private")):
        # same answer as for a dataset that does not exist: its existence is not public either
        raise tk.ObjectNotFound("Dataset not found")
    serializer = PublicservicesSerializer(profiles=_profiles(data_dict))
    return serializer.serialize_dataset(dataset_dict, _format=data_dict.get("format"))


__all__ = ["catalog_page", "dcat_catalog_search", "dcat_catalog_show", "dcat_dataset_show"]
