"""Chained organisation actions: wrong shapes of the consortium's repeating field get a field-named
error instead of CKAN's generic "Integrity Error" (navl refuses non-lists before any validator)."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

_ = tk._


def _check_partners(data_dict: dict[str, Any]) -> None:
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


@tk.chained_action
def organization_create(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    _check_partners(data_dict)
    return up(context, data_dict)


@tk.chained_action
def organization_update(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    _check_partners(data_dict)
    return up(context, data_dict)


__all__ = ["organization_create", "organization_update"]
