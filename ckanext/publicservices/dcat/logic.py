"""ckanext-dcat's RDF actions, chained so that they use the project's serializer.

The chained versions keep ckanext-dcat's auth, search and paging (its ``_search_ckan_datasets``
and ``_pagination_info``) and change what is done with the results: the linear profile, one
organisation lookup per consortium, and no private datasets — for every user, sysadmins
included, because RDF output is harvested and cached by others.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import entry_points
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Action, Context, DataDict
from ckanext.dcat import logic as dcat_logic
from ckanext.dcat.utils import CONTENT_TYPES, url_to_rdflib_format
from rdflib import URIRef

from ckanext.publicservices.dcat import fragments
from ckanext.publicservices.dcat.serializer import PublicservicesSerializer
from ckanext.publicservices.logic import input_boundary

log = logging.getLogger(__name__)

# what the catalog and dataset routes serve (ckanext-dcat's URL extensions and rdflib's names)
FORMATS = frozenset(CONTENT_TYPES) | {"turtle", "json-ld", "pretty-xml", "nt"}


@functools.cache
def _registered_profiles() -> frozenset[str]:
    return frozenset(ep.name for ep in entry_points(group="ckan.rdf.profiles"))


def _profiles(data_dict: DataDict) -> list[str] | None:
    profiles = data_dict.get("profiles")
    if isinstance(profiles, str):
        profiles = [p for p in profiles.replace(",", " ").split() if p]
    return profiles or None


def check_arguments(data_dict: DataDict, ids: tuple[str, ...] = ()) -> None:
    """The input boundary for the RDF actions: before any search, profile or serializer."""
    input_boundary.check_text_args(data_dict, ("q", "fq", "modified_since", *ids))
    fmt = data_dict.get("format")
    if fmt not in (None, "") and (not isinstance(fmt, str) or fmt.lower() not in FORMATS):
        raise tk.ValidationError(
            {"format": [tk._("Format: use one of {names}.").format(names=", ".join(CONTENT_TYPES))]}
        )
    profiles = data_dict.get("profiles")
    if profiles not in (None, "", []):
        if isinstance(profiles, str):
            input_boundary.text_arg(data_dict, "profiles")
        names = _profiles(data_dict)
        if not isinstance(names, list) or not all(
            isinstance(p, str) and p in _registered_profiles() for p in names
        ):
            raise tk.ValidationError(
                {
                    "profiles": [
                        tk._("Profiles: use names of installed RDF profiles ({names}).").format(
                            names=", ".join(sorted(_registered_profiles()))
                        )
                    ]
                }
            )
    if "page" in data_dict:
        input_boundary.whole_number(data_dict, "page", 1, 1, 1_000_000)
    # package_search keeps to active datasets only while the filter names no "+state" of its own
    fq = data_dict.get("fq")
    if isinstance(fq, str) and "+state" in fq:
        raise tk.ValidationError(
            {"fq": [tk._("Filter: the catalog lists published datasets only; leave out state.")]}
        )


def _search_ids(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """ckanext-dcat's catalog search (``_search_ckan_datasets``: same query, filters, order and
    paging; package_search adds the same permission labels and ``+state:active`` whatever the
    field list) returning only each result's id instead of a full validated dataset dict."""
    n = int(tk.config.get("ckanext.dcat.datasets_per_page", dcat_logic.DATASETS_PER_PAGE))
    try:
        page = int(data_dict.get("page", 1) or 1)
    except ValueError:
        raise dcat_logic.wrong_page_exception from None
    if page < 1:
        raise dcat_logic.wrong_page_exception
    fq_list = ["-dataset_type:harvest", "-dataset_type:showcase"]
    modified_since = data_dict.get("modified_since")
    if modified_since:
        try:
            since = dcat_logic.dateutil_parse(modified_since).isoformat() + "Z"
        except (ValueError, AttributeError):
            raise tk.ValidationError("Wrong modified date format. Use ISO-8601 format") from None
        fq_list.append(f"metadata_modified:[{since} TO NOW]")
    search_dict = {
        "rows": n,
        "start": n * (page - 1),
        "sort": "metadata_modified desc",
        "q": data_dict.get("q", "*:*"),
        "fq": data_dict.get("fq"),
        "fq_list": fq_list,
        "fl": "id",
    }
    return tk.get_action("package_search")(context, search_dict)


def catalog_page(
    context: Context,
    data_dict: DataDict,
    catalog_dict: dict[str, Any] | None = None,
    catalog_ref: str | None = None,
) -> str:
    """One page of a catalog (site-wide, or narrowed by ``fq``) in ``data_dict['format']``."""
    check_arguments(data_dict)
    rdf_format = url_to_rdflib_format(data_dict.get("format") or "xml")
    if rdf_format in fragments.ASSEMBLED:
        # the page needs only the datasets' ids: the fragments hold the rest
        query = _search_ids(context, data_dict)
        try:
            return fragments.catalog_page(
                catalog_dict,
                [str(r["id"]) for r in query["results"]],
                rdf_format,
                _profiles(data_dict),
                dcat_logic._pagination_info(query, data_dict),
                URIRef(catalog_ref) if catalog_ref else None,
            )
        except fragments.NotJoinable as e:
            log.info("DCAT catalog page built in one graph: %s", e)
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
    check_arguments(data_dict)
    tk.check_access("dcat_catalog_show", context, data_dict)
    return catalog_page(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def dcat_catalog_search(up_func: Action, context: Context, data_dict: DataDict) -> str:
    check_arguments(data_dict)
    tk.check_access("dcat_catalog_search", context, data_dict)
    return catalog_page(context, data_dict)


@tk.chained_action
def dcat_dataset_show(up_func: Action, context: Context, data_dict: DataDict) -> str:
    check_arguments(data_dict, ("id",))
    tk.check_access("dcat_dataset_show", context, data_dict)
    try:
        dataset_dict = tk.get_action("package_show")(context, data_dict)
    except tk.NotAuthorized:
        # a private dataset: answer as for one that does not exist
        raise tk.ObjectNotFound(tk._("Dataset not found")) from None
    if tk.asbool(dataset_dict.get("private")):
        # same answer as for a dataset that does not exist: its existence is not public either
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    serializer = PublicservicesSerializer(profiles=_profiles(data_dict))
    return serializer.serialize_dataset(dataset_dict, _format=data_dict.get("format"))


__all__ = ["catalog_page", "dcat_catalog_search", "dcat_catalog_show", "dcat_dataset_show"]
