"""Reject payloads of the wrong shape or content before CKAN validates them.

The chained dataset and resource actions are the door of the input boundary
(:mod:`~ckanext.publicservices.logic.input_boundary`): the whole data dict is walked once, ids and
the dataset type are checked, and required fields refused when blank, all before any query.

CKAN's navl raises ``DataError`` (an exception, not a field error) when a field that takes a list
of records gets anything else, e.g. ``user_needs: "as a resident…"`` or ``tags: "a,b"``. These
chained actions check those shapes first and answer with a ``ValidationError`` naming the field,
so the API and the form always get a usable error.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices import compat
from ckanext.publicservices.logic import atomic, input_boundary

# core fields whose schema is a list of records
CORE_RECORD_LISTS = (
    "resources",
    "tags",
    "groups",
    "extras",
    "relationships_as_object",
    "relationships_as_subject",
)


def _shape_message(label: str) -> str:
    return tk._("{label}: expected a list of records (objects), one per entry.").format(label=label)


def _check_records(
    value: Any, fields: list[dict[str, Any]], label: str, errors: dict[str, list[str]], key: str
) -> None:
    if value == []:
        return
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        errors.setdefault(key, []).append(_shape_message(label))
        return
    # the form always posts its spare empty rows; a record with nothing in its declared fields is
    # not an entry (keys no subfield declares are dropped by the schema, and would leave the row
    # empty: "As a , I need .")
    names = [sub["field_name"] for sub in fields]
    value[:] = [record for record in value if not _is_blank([record.get(n) for n in names])]
    for record in value:
        for sub in fields:
            if "repeating_subfields" in sub and record.get(sub["field_name"]) in (None, ""):
                record.pop(sub["field_name"], None)
            if "repeating_subfields" in sub and sub["field_name"] in record:
                _check_records(
                    record[sub["field_name"]],
                    sub["repeating_subfields"],
                    f"{label} – {sub.get('label', sub['field_name'])}",
                    errors,
                    key,
                )


def _is_blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_blank(v) for v in value.values())
    if isinstance(value, list):
        return all(_is_blank(v) for v in value)
    return value is None or (isinstance(value, str) and not value.strip())


def _schema_for(data_dict: dict[str, Any]) -> dict[str, Any] | None:
    dataset_type = data_dict.get("type") or "dataset"
    if not isinstance(dataset_type, str):
        return None
    try:
        from ckanext.scheming.helpers import scheming_get_dataset_schema

        return scheming_get_dataset_schema(dataset_type)
    except Exception:  # scheming not loaded: nothing of ours to check
        return None


def _labels(schema: dict[str, Any] | None) -> dict[str, str]:
    fields = (schema or {}).get("dataset_fields", [])
    return {f["field_name"]: _text_label(f) for f in fields}


def _text_label(field: dict[str, Any]) -> str:
    label = field.get("label") or field["field_name"]
    return str(label.get("en", field["field_name"]) if isinstance(label, dict) else label)


def check_boundary(data_dict: Any) -> dict[str, Any] | None:
    """The input boundary for a dataset: content, ids, type; returns its scheming schema."""
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [tk._("The dataset must be a JSON object.")]})
    input_boundary.check_text_args(data_dict, ("id", "name", "owner_org", "state"))
    dataset_type = data_dict.get("type")
    if dataset_type not in (None, "") and (
        not isinstance(dataset_type, str)
        or dataset_type not in input_boundary.registered_dataset_types()
    ):
        raise tk.ValidationError(
            {
                "type": [
                    tk._("Type: not a dataset type of this portal; use one of {types}.").format(
                        types=", ".join(sorted(input_boundary.registered_dataset_types()))
                    )
                ]
            }
        )
    schema = _schema_for(data_dict)
    input_boundary.check(data_dict, _labels(schema), "dataset")
    _check_required(data_dict, schema)
    return schema


def _check_required(data_dict: dict[str, Any], schema: dict[str, Any] | None) -> None:
    """A field the schema marks required: whitespace-only is as empty (the field's validators
    then refuse it, the title's with ``publicservices_not_blank``)."""
    for field in (schema or {}).get("dataset_fields", []):
        value = data_dict.get(field["field_name"])
        if field.get("required") and isinstance(value, str) and not value.strip():
            data_dict[field["field_name"]] = ""


def _expand_form_rows(data_dict: dict[str, Any], schema: dict[str, Any] | None) -> None:
    """The form posts repeating rows as ``user_needs-0-as_a``; scheming turns them into lists
    only while validating. Do it first (with scheming's own function, so the result is the
    same), so that blank rows are dropped from form posts as from the API."""
    if not schema or not any("-" in key for key in data_dict):
        return
    from ckanext.scheming.plugins import expand_form_composite

    composite = {
        f["field_name"] for f in schema.get("dataset_fields", []) if "repeating_subfields" in f
    }
    expand_form_composite(data_dict, composite)


def check_shapes(data_dict: Any) -> None:
    schema = check_boundary(data_dict)
    _expand_form_rows(data_dict, schema)
    errors: dict[str, list[str]] = {}
    for key in CORE_RECORD_LISTS:
        if key in data_dict and data_dict[key] in (None, ""):
            data_dict[key] = []  # "nothing" given in a JSON-ish way
        value = data_dict.get(key)
        if value not in (None, "", []) and (
            not isinstance(value, list) or not all(isinstance(v, dict) for v in value)
        ):
            errors.setdefault(key, []).append(_shape_message(key))
    if schema:
        for field in schema.get("dataset_fields", []):
            if "repeating_subfields" in field and data_dict.get(field["field_name"], 0) in (
                None,
                "",
            ):
                data_dict[field["field_name"]] = []
            if "repeating_subfields" in field and field["field_name"] in data_dict:
                label = field.get("label", field["field_name"])
                _check_records(
                    data_dict[field["field_name"]],
                    field["repeating_subfields"],
                    str(label),
                    errors,
                    field["field_name"],
                )
        resources = data_dict.get("resources")
        if isinstance(resources, list) and "resources" not in errors:
            for res in resources:
                for field in schema.get("resource_fields", []):
                    if "repeating_subfields" in field and res.get(field["field_name"], 0) in (
                        None,
                        "",
                    ):
                        res[field["field_name"]] = []
                    if "repeating_subfields" in field and field["field_name"] in res:
                        _check_records(
                            res[field["field_name"]],
                            field["repeating_subfields"],
                            str(field.get("label")),
                            errors,
                            "resources",
                        )
    mixed = tk._("expected a value, or a list of records (objects) only, not a mix of both.")
    for key, messages in compat.core_input_errors(data_dict, mixed).items():
        errors.setdefault(key, messages)
    if errors:
        found: dict[str, Any] = dict(errors)
        if "tags" in found:  # CKAN's ValidationError expects tag errors as [{"name": [...]}]
            found["tags"] = [{"name": found["tags"]}]
        raise tk.ValidationError(found)


# kept here too: the validation chain reads it under this name
AFTER_COMMIT = atomic.AFTER_COMMIT


@tk.chained_action
def package_create(up: Any, context: Any, data_dict: Any) -> Any:
    check_shapes(data_dict)
    return atomic.dataset_write(context, lambda: up(context, data_dict), "insert")


@tk.chained_action
def package_update(up: Any, context: Any, data_dict: Any) -> Any:
    check_shapes(data_dict)
    return atomic.dataset_write(context, lambda: up(context, data_dict), "update")


def _check_core_text(data_dict: dict[str, Any]) -> None:
    # core reads these as text before the schema validates them (its uploader guesses the media
    # type from the URL, its format guess lower-cases the format): anything else was a 500
    input_boundary.text_arg(data_dict, "url", "URL", max_length=input_boundary.MAX_TEXT)
    input_boundary.text_arg(data_dict, "format", "Format", max_length=input_boundary.MAX_TEXT)


def _check_resource(data_dict: Any) -> None:
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [tk._("The resource must be a JSON object.")]})
    input_boundary.check_text_args(data_dict, ("id", "package_id"))
    _check_core_text(data_dict)
    input_boundary.check(data_dict, None, "resource")


@tk.chained_action
def resource_create(up: Any, context: Any, data_dict: Any) -> Any:
    _check_resource(data_dict)
    return atomic.run(context, lambda: up(context, data_dict))


@tk.chained_action
def resource_update(up: Any, context: Any, data_dict: Any) -> Any:
    _check_resource(data_dict)
    return atomic.run(context, lambda: up(context, data_dict))


def _check_patch(data_dict: Any) -> None:
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [tk._("The request must be a JSON object.")]})
    input_boundary.check_text_args(data_dict, ("id", "name", "package_id"))
    input_boundary.check(data_dict, None, "request")


@tk.chained_action
def package_patch(up: Any, context: Any, data_dict: Any) -> Any:
    _check_patch(data_dict)  # before core's package_show of the id
    return atomic.run(context, lambda: up(context, data_dict))


@tk.chained_action
def resource_patch(up: Any, context: Any, data_dict: Any) -> Any:
    _check_patch(data_dict)
    _check_core_text(data_dict)
    return atomic.run(context, lambda: up(context, data_dict))


def _check_bulk(data_dict: Any) -> None:
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [tk._("The request must be a JSON object.")]})
    input_boundary.check_text_args(data_dict, ("org_id",))
    input_boundary.check_id_list(data_dict, "datasets", required=True)


@tk.chained_action
def bulk_update_private(up: Any, context: Any, data_dict: Any) -> Any:
    _check_bulk(data_dict)
    return up(context, data_dict)


@tk.chained_action
def bulk_update_public(up: Any, context: Any, data_dict: Any) -> Any:
    _check_bulk(data_dict)
    return up(context, data_dict)


@tk.chained_action
def bulk_update_delete(up: Any, context: Any, data_dict: Any) -> Any:
    _check_bulk(data_dict)
    return up(context, data_dict)


__all__ = [
    "bulk_update_delete",
    "bulk_update_private",
    "bulk_update_public",
    "package_create",
    "package_patch",
    "package_update",
    "resource_create",
    "resource_patch",
    "resource_update",
]
