"""Stored metadata that cannot be rendered never takes a page down.

Values that predate the input boundary, or that another extension wrote, may hold text the
boundary refuses (a lone surrogate from JSON text breaks every UTF-8 response; control characters
break XML). Datasets are cleaned as they are shown or listed, organisations as they are shown
(``organization_show``, which the pages and the catalogs use); each is logged with its id.
A dataset of a type no schema registers links to the generic dataset route.

A per-process cache of shown metadata (the RDF writers' organisations) is only as good as the
data it was filled from: :class:`SharedStamp` lets a write in one process void the copies every
other process holds, so a fixed organisation shows fixed everywhere at once.
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
def package_show(up: Any, context: Any, data_dict: Any) -> Any:
    _check_show_id(data_dict, ("id", "name_or_id"))
    _check_flags(data_dict, ("use_default_schema", "include_plugin_data", "include_tracking"))
    return up(context, data_dict)


def _check_flags(data_dict: Any, keys: tuple[str, ...]) -> None:
    """Core reads these with ``asbool``, which raises ValueError (a 500) on any other word and on
    an empty one (``?include_plugin_data=``): an empty one means core's default, any other is
    passed on as true or false or refused."""
    if isinstance(data_dict, dict):
        for key in keys:
            if data_dict.get(key, 0) in (None, ""):
                del data_dict[key]
            elif key in data_dict:
                data_dict[key] = input_boundary.flag(data_dict, key)


def _check_show_id(data_dict: Any, keys: tuple[str, ...]) -> None:
    """An id reaches PostgreSQL as it is (a NUL ends in a 500 there). One that cannot name
    anything is not found: the pages that show a dataset or an organisation answer 404 for it,
    as they do for any unknown id."""
    if not isinstance(data_dict, dict):
        return
    try:
        input_boundary.check_text_args(data_dict, keys)
    except tk.ValidationError as e:
        messages = [m for msgs in e.error_dict.values() for m in msgs]
        raise tk.ObjectNotFound("; ".join(str(m) for m in messages)) from None


ORGANIZATION_SHOW_FLAGS = (
    "include_datasets",
    "include_dataset_count",
    "include_users",
    "include_groups",
    "include_extras",
    "include_followers",
    "include_member_count",
)


@tk.chained_action
@tk.side_effect_free
def organization_show(up: Any, context: Any, data_dict: Any) -> Any:
    _check_show_id(data_dict, ("id",))
    _check_flags(data_dict, ORGANIZATION_SHOW_FLAGS)
    result = up(context, data_dict)
    if isinstance(result, dict) and input_boundary.needs_scrub(result):
        log.warning(
            "organisation %s: stored values with characters that cannot be shown; "
            "shown with U+FFFD in their place",
            result.get("id"),
        )
        input_boundary.scrub(result)
    return result


class SharedStamp:
    """Whether a per-process cache is still valid in every process: a counter in Redis that a
    committed write increments; a process compares it with the one its cache was filled under,
    once per web request (always outside one), and empties its cache when they differ.
    One Redis GET per request that uses the cache (about 0.1 ms on a local Redis)."""

    _UNKNOWN = object()

    def __init__(self, name: str) -> None:
        self.name = name
        self._seen: Any = None

    def _key(self) -> str:
        return "{}:publicservices:stamp:{}".format(tk.config.get("ckan.site_id") or "", self.name)

    def valid(self) -> bool:
        """False when the cache must be emptied (another process changed the data)."""
        from flask import g, has_request_context

        memo: Any = None
        if has_request_context():
            memo = g.setdefault("_publicservices_stamps", set())
            if self.name in memo:
                return True
        try:
            from ckan.lib.redis import connect_to_redis

            stamp: Any = connect_to_redis().get(self._key())
        except Exception:  # noqa: BLE001 - no Redis: no cache is trusted
            log.exception("cache stamp %s could not be read; cache emptied", self.name)
            self._seen = self._UNKNOWN
            return False
        if memo is not None:
            memo.add(self.name)
        if stamp == self._seen:
            return True
        self._seen = stamp
        return False

    def bump(self) -> None:
        """After a committed write: every process's cache is void from now on."""
        self._seen = self._UNKNOWN
        try:
            from ckan.lib.redis import connect_to_redis

            connect_to_redis().incr(self._key())
        except Exception:  # noqa: BLE001 - the write is committed; other caches expire by age
            log.exception("cache stamp %s could not be increased", self.name)


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


__all__ = ["SharedStamp", "organization_show", "package_show"]
