"""Chained organisation actions: the input boundary for organisations (every value walked once,
ids checked before any query), and wrong shapes of the consortium's repeating field get a
field-named error instead of CKAN's generic "Integrity Error" (navl refuses non-lists before any
validator)."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices.logic import atomic, input_boundary

_ = tk._


# core organisation fields that hold one value
CORE_TEXT = ("name", "title", "description", "image_url", "type", "state", "approval_status")


def _check_boundary(data_dict: Any) -> None:
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [_("The organisation must be a JSON object.")]})
    input_boundary.check_text_args(data_dict, ("id", "name", "type", "state"))
    if isinstance(data_dict.get("partners"), str):  # JSON text: read it here, with the limits
        try:
            data_dict["partners"] = input_boundary.json_loads(data_dict["partners"], _("Partners"))
        except tk.Invalid as e:
            raise tk.ValidationError({"partners": [e.error]}) from None
    input_boundary.check(data_dict, _labels(), "organisation")
    for key in CORE_TEXT:
        if isinstance(data_dict.get(key), dict | list):  # core's group schema would crash on it
            raise tk.ValidationError({key: [_("{key}: expected text.").format(key=key)]})


def _labels() -> dict[str, str]:
    try:
        from ckanext.scheming.helpers import scheming_get_organization_schema

        schema = scheming_get_organization_schema("organization") or {}
    except Exception:  # scheming not loaded: the field names serve as labels
        return {}
    out = {}
    for field in schema.get("fields", []):
        label = field.get("label") or field["field_name"]
        out[field["field_name"]] = str(label.get("en") if isinstance(label, dict) else label)
    return out


def _check_partners(data_dict: dict[str, Any]) -> None:
    _check_boundary(data_dict)
    value = data_dict.get("partners")
    if value is None or value == "":
        if "partners" in data_dict:
            data_dict["partners"] = []
        return
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = None
    if not isinstance(value, list) or not all(isinstance(p, dict) for p in value):
        raise tk.ValidationError(
            {"partners": [_("Expecting a list of partners, each with name, role and url")]}
        )
    data_dict["partners"] = value


def _forget_cached() -> None:
    # the RDF writers cache organisation dicts: a fixed organisation shows at once
    from ckanext.publicservices.dcat.profile import forget_consortia

    forget_consortia()


def _forget_after(result: Any) -> Any:
    # after the commit: another process must not refill its cache from the old rows
    atomic.after_commit(_forget_cached)
    return result


@tk.chained_action
def organization_create(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    _check_partners(data_dict)
    return atomic.run(context, lambda: _forget_after(up(context, data_dict)))


@tk.chained_action
def organization_update(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    _check_partners(data_dict)
    return atomic.run(context, lambda: _forget_after(up(context, data_dict)))


__all__ = ["organization_create", "organization_update"]
