"""Per-consortium dataset defaults.

A consortium's ``default_*`` fields pre-fill the new-dataset form opened for it (GET only, only
empty fields). The action API never applies them: ``package_create`` stores what it is given.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

# consortium field → dataset field (contact is a repeating field: one row of name/email)
DEFAULT_FIELDS: dict[str, str] = {
    "default_license_id": "license_id",
    "default_contact_name": "contact",
    "default_contact_email": "contact",
    "default_area": "area",
    "default_frequency": "frequency",
    "default_la_service": "la_service",
}
# licences differ between data (OGL) and learning materials (CC BY): the consortium's licence
# default is for its data datasets only
LICENSE_DEFAULT_TYPES: frozenset[str] = frozenset({"dataset"})


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | dict):
        items = value.values() if isinstance(value, dict) else value
        return all(_blank(v) for v in items)
    return False


def dataset_defaults(org: dict[str, Any], dataset_type: str = "dataset") -> dict[str, Any]:
    """The dataset field values a consortium's defaults stand for (empty defaults left out)."""
    out: dict[str, Any] = {}
    if org.get("default_license_id") and dataset_type in LICENSE_DEFAULT_TYPES:
        out["license_id"] = org["default_license_id"]
    contact = {
        k: org.get(f"default_contact_{k}")
        for k in ("name", "email")
        if org.get(f"default_contact_{k}")
    }
    if contact:
        out["contact"] = [contact]
    for source, target in (("default_area", "area"), ("default_la_service", "la_service")):
        value = org.get(source)
        if isinstance(value, str):
            value = [value]
        if value:
            out[target] = list(value)
    if org.get("default_frequency"):
        out["frequency"] = org["default_frequency"]
    return out


def _schema_fields(dataset_type: str) -> set[str] | None:
    """Field names of a scheming dataset type; None when scheming does not know the type."""
    try:
        schema = tk.h.scheming_get_dataset_schema(dataset_type)
    except (AttributeError, KeyError):
        return None
    if not schema:
        return None
    return {f["field_name"] for f in schema.get("dataset_fields", [])}


def form_defaults(
    data: dict[str, Any], dataset_type: str, errors: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Values to merge into the new-dataset form's data: the consortium's defaults for empty fields.

    Only for a fresh GET of the form with a consortium chosen (``?owner_org=<id or name>`` or
    CKAN's ``?group=<id>``); a re-displayed form (validation errors, POST) keeps
    what the user typed.
    """
    if errors or tk.request.method != "GET":
        return {}
    org_ref = data.get("owner_org") or data.get("group_id")
    if not org_ref or not isinstance(org_ref, str):
        return {}
    try:
        org = tk.get_action("organization_show")(
            {"user": tk.current_user.name if tk.current_user else ""},
            {
                "id": org_ref,
                "include_datasets": False,
                "include_users": False,
                "include_groups": False,
                "include_followers": False,
                "include_dataset_count": False,
            },
        )
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return {}
    fields = _schema_fields(dataset_type)
    out = {
        key: value
        for key, value in dataset_defaults(org, dataset_type).items()
        if _blank(data.get(key)) and (fields is None or key in fields)
    }
    # the organisation select matches on id; links may carry the name
    out["owner_org"] = org["id"]
    return out


__all__ = ["DEFAULT_FIELDS", "dataset_defaults", "form_defaults"]
