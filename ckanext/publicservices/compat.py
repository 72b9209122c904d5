"""What differs between CKAN 2.11 and 2.12, in one place.

The suite supports CKAN's two maintained minor versions. Everything else in ``ckanext/`` is
written against 2.12 and asks this module where 2.11 differs:

- the search index update: 2.12 has ``ckan.logic.index_update_package`` and indexes a pair of
  dicts (default and custom show schema); 2.11 indexes the unvalidated ``package_show`` as its
  own ``SynchronousSearchPlugin`` does;
- dataset extras: a JSONB column on 2.12 (``.astext`` queries, a dict), ``package_extra`` rows
  behind an association proxy on 2.11;
- core input handling that crashes on 2.11 where 2.12 answers: navl's ``flatten_dict`` flattens any
  list that starts with a record and raises ``DataError`` on a later non-record, whatever the
  schema; ``boolean_validator`` calls ``.lower()`` on lists, numbers and objects;
- templates that moved: 2.12's ``package/snippets/search_facets.html`` does not exist on 2.11;
  ``organization/read.html`` names ``publicservices/compat/search_facets.html`` as the fallback
  (CKAN's ``{% snippet %}`` renders the first template that exists), which renders 2.11's markup.

Outside Python, the same differences are met where they show: ``vocab-autocomplete.js`` drives
select2 4 (2.12) or 3.5 (2.11); ``a11y.js`` names 3.5's remove links and ``a11y.css`` darkens 2.11's
``.alert-error``; ``package/snippets/info.html`` keeps 2.12's h2 where 2.11 had a second h1.
Test-only differences (logging a test client in, per-version SQL records) live in ``tests/``.
"""

from __future__ import annotations

import json
from typing import Any

import ckan
import ckan.model as model
from ckan import logic


def _minor(version: str) -> tuple[int, int]:
    major, minor = version.split(".")[:2]
    return int(major), int("".join(ch for ch in minor if ch.isdigit()) or 0)


CKAN_VERSION = _minor(ckan.__version__)
CKAN_2_12 = CKAN_VERSION >= (2, 12)


def index_update_package(package_id: str, defer_commit: bool = False) -> None:
    """Re-index one dataset as CKAN does after a change (no auth check, the search commit
    deferred when asked)."""
    if CKAN_2_12:
        logic.index_update_package({"ignore_auth": True}, package_id, defer_commit)
        return
    from ckan.lib import search

    context = {"ignore_auth": True, "validate": False, "use_cache": False}
    pkg_dict = logic.get_action("package_show")(context, {"id": package_id})
    search.index_for("Package").update_dict(pkg_dict, defer_commit)


def package_show_default_and_custom_schemas(
    context: Any, package_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """2.12's pair of dicts a dataset is indexed from: (what the index stores, what
    ``package_show`` answers). 2.11's index takes the unvalidated dataset and validates it
    itself, so the first is that; the second is ``package_show``'s validated answer."""
    if CKAN_2_12:
        return logic.package_show_default_and_custom_schemas(context, package_id)
    import copy

    from ckan import plugins
    from ckan.lib.plugins import lookup_package_plugin, plugin_validate

    # dictized once, validated from a copy, as 2.12 does (each package_show reads it again)
    fresh = logic.fresh_context(context, ignore_auth=True, use_cache=False, validate=False)
    unvalidated = logic.get_action("package_show")(fresh, {"id": package_id})
    package_plugin = lookup_package_plugin(unvalidated["type"])
    validated, _errors = plugin_validate(
        package_plugin,
        fresh,
        copy.deepcopy(unvalidated),
        package_plugin.show_package_schema(),
        "package_show",
    )
    for item in plugins.PluginImplementations(plugins.IPackageController):
        item.after_dataset_show(fresh, validated)
    return unvalidated, validated


def index_package_dicts(
    both: tuple[dict[str, Any], dict[str, Any]], insert: bool = False, defer_commit: bool = False
) -> None:
    """Index a dataset from :func:`package_show_default_and_custom_schemas`'s pair, as 2.12's
    ``index_insert_package_dicts`` (``insert``) or ``index_update_package_dicts`` do."""
    if CKAN_2_12:
        if insert:
            logic.index_insert_package_dicts(both)
        else:
            logic.index_update_package_dicts(both, defer_commit)
        return
    import copy

    from ckan.lib import search

    search.index_for("Package").update_dict(copy.deepcopy(both[0]), defer_commit)


def package_extra_equals(key: str, value: str) -> Any:
    """A query criterion: the dataset's extra ``key`` is ``value``."""
    if CKAN_2_12:
        return model.Package.extras[key].astext == value
    extra = model.PackageExtra
    return model.Package._extras.any((extra.key == key) & (extra.value == value))


def stored_extras(pkg: Any) -> dict[str, str]:
    """A loaded dataset's extras as a plain dict (2.11's are an association proxy, no dict)."""
    extras = getattr(pkg, "extras", None)
    if extras is None:
        return {}
    return extras if isinstance(extras, dict) else dict(extras.items())


def _breaks_flattening(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_breaks_flattening(v) for v in value.values())
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return not all(isinstance(v, dict) for v in value) or any(
            _breaks_flattening(v) for v in value
        )
    return False


def core_input_errors(data_dict: dict[str, Any], message: str) -> dict[str, list[str]]:
    """Field errors for input that CKAN 2.11's core would crash on; none on 2.12.

    ``message`` is the error to give a field whose list mixes records and plain values. A
    ``private`` that is neither text nor a boolean is read as 2.12's ``boolean_validator``
    reads it (a number by its truth, anything else as false) instead of raising.
    """
    if CKAN_2_12:
        return {}
    private = data_dict.get("private")
    if private is not None and not isinstance(private, (str, bool)):
        data_dict["private"] = bool(private) if isinstance(private, int) else False
    return {key: [message] for key, value in data_dict.items() if _breaks_flattening(value)}


def readable_extras(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset without stored composite extras that are not JSON, before it is shown.

    ckanext-scheming parses a repeating-subfields field's stored extra with ``json.loads`` before
    validating the dataset for show, so one unparseable stored value (data predating the input
    boundary) makes the dataset's page a 500. On 2.12 the search index keeps the last validated
    document when re-indexing refuses such a dataset, and its page is served from that; 2.11
    removes the document before re-indexing, so its page is validated from the database. The
    field is left out (shown as empty) instead.
    """
    extras = pkg_dict.get("extras")
    if not extras:
        return pkg_dict
    from ckanext.scheming.helpers import scheming_get_dataset_schema

    schema = scheming_get_dataset_schema(pkg_dict.get("type") or "dataset") or {}
    composite = {
        f["field_name"] for f in schema.get("dataset_fields", []) if "repeating_subfields" in f
    }

    def readable(extra: dict[str, Any]) -> bool:
        if extra.get("key") not in composite or not isinstance(extra.get("value"), str):
            return True
        try:
            json.loads(extra["value"])
        except ValueError:
            return False
        return True

    pkg_dict["extras"] = [extra for extra in extras if readable(extra)]
    return pkg_dict
