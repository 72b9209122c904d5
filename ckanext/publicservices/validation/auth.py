"""Auth functions of the publicservices_validation plugin."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

__all__ = [
    "publicservices_standard_list",
    "publicservices_standard_show",
    "publicservices_validation_show",
    "publicservices_validation_run",
    "publicservices_validation_infer_schema",
]


@tk.auth_allow_anonymous_access
def publicservices_standard_list(context: Any, data_dict: dict[str, Any]) -> dict[str, bool]:
    return {"success": True}


@tk.auth_allow_anonymous_access
def publicservices_standard_show(context: Any, data_dict: dict[str, Any]) -> dict[str, bool]:
    return {"success": True}


def _resource_id(data_dict: dict[str, Any]) -> str:
    return str(data_dict.get("resource_id") or data_dict.get("id") or "")


@tk.auth_allow_anonymous_access
def publicservices_validation_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    # whoever may see the resource may see its report (it quotes the resource's own cells)
    return _resource_access(
        "resource_show", context, data_dict, tk._("Not authorized to see this resource")
    )


def publicservices_validation_run(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _can_update(context, data_dict)


def publicservices_validation_infer_schema(
    context: Any, data_dict: dict[str, Any]
) -> dict[str, Any]:
    return _can_update(context, data_dict)


def _can_update(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    return _resource_access(
        "resource_update", context, data_dict, tk._("Only the dataset's publishers can do this")
    )


def _resource_access(
    auth: str, context: Any, data_dict: dict[str, Any], refused: str
) -> dict[str, Any]:
    try:
        tk.check_access(auth, dict(context), {"id": _resource_id(data_dict)})
    except tk.NotAuthorized:
        return {"success": False, "msg": refused}
    except tk.ObjectNotFound:
        return {"success": False, "msg": tk._("Resource not found")}
    return {"success": True}
