"""Template helpers of the publicservices_validation plugin (no DB queries: they read the
``validation_*`` fields already on the resource dicts)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices.validation import jobs, standards

__all__ = [
    "publicservices_validation_badge",
    "publicservices_validation_summary",
    "publicservices_validation_gate",
    "publicservices_standard_uri",
    "publicservices_standard_for",
]

_LABELS = {
    "pending": ("Validation pending", "secondary"),
    "running": ("Validation running", "secondary"),
    "success": ("Valid data", "success"),
    "failure": ("Invalid data", "danger"),
    "error": ("Validation error", "warning"),
}


def _schema_label(res: dict[str, Any], pkg: dict[str, Any] | None) -> str:
    kind, standard = jobs.which_schema(res, pkg)
    if kind == "standard" and standard:
        return tk._("the standard {title}").format(title=standard.get("title") or standard["name"])
    if kind == "resource":
        return tk._("its own schema")
    return tk._("columns inferred from the data (no schema)")


def publicservices_validation_badge(
    res: dict[str, Any], pkg: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """``{status, label, css, errors, timestamp, schema}`` for a resource's badge, or None.
    ``schema`` says what the check is made against; a "valid" label names it."""
    status = res.get("validation_status")
    if not status or status not in _LABELS:
        return None
    label, css = _LABELS[status]
    errors: Any = res.get("validation_error_count")
    schema = _schema_label(res, pkg)
    if status == "failure" and errors not in (None, ""):
        try:
            count = int(errors)
        except (TypeError, ValueError):
            count = 0
        label = tk.ungettext(
            "Invalid data: {n} error against {schema}",
            "Invalid data: {n} errors against {schema}",
            count,
        ).format(n=errors, schema=schema)
    elif status == "success":
        label = tk._("Valid against {schema}").format(schema=schema)
    else:
        label = tk._(label)
    return {
        "status": status,
        "label": label,
        "css": css,
        "errors": errors,
        "timestamp": res.get("validation_timestamp"),
        "schema": schema,
    }


def publicservices_validation_gate() -> bool:
    """Whether the publication gate is on (datasets are public only while their data passes)."""
    from ckanext.publicservices.validation import settings

    return settings.public_gate()


def publicservices_validation_summary(pkg: dict[str, Any]) -> dict[str, int]:
    """Counts of the dataset's resources by validation status."""
    out: dict[str, int] = {}
    for res in pkg.get("resources") or []:
        status = res.get("validation_status")
        if status:
            out[status] = out.get(status, 0) + 1
    return out


def publicservices_standard_uri(name: str) -> str:
    return standards.uri(name)


def publicservices_standard_for(
    res: dict[str, Any], pkg: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The known standard a resource (or else its dataset) conforms to, without its schema."""
    found = standards.resolve_conforms_to(res.get("conforms_to")) or (
        standards.resolve_conforms_to((pkg or {}).get("conforms_to")) if pkg else None
    )
    if not found:
        return None
    return {k: v for k, v in found.items() if k != "schema"} | {
        "tabular": bool(jobs.tabular_format(res))
    }
