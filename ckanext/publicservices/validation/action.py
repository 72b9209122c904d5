"""Actions of the publicservices_validation plugin.

Standards (public): ``publicservices_standard_list``, ``publicservices_standard_show``.
Reports: ``publicservices_validation_show``, ``publicservices_validation_history``,
``publicservices_validation_run`` (re-run), ``publicservices_validation_infer_schema``.
Chained core actions: ``package_create``/``package_update`` enqueue validation of new or changed
tabular resources (after the save, never validating in the request), keep the job-written
``validation_*`` fields when a form or API call omits them, and apply the optional publication
gate; ``bulk_update_public`` applies the gate too.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices.csrf import guard_action
from ckanext.publicservices.logic import input_boundary
from ckanext.publicservices.validation import jobs, settings, standards
from ckanext.publicservices.validation import model as vmodel
from ckanext.publicservices.validation import report as vreport

__all__ = [
    "publicservices_standard_list",
    "publicservices_standard_show",
    "publicservices_validation_show",
    "publicservices_validation_history",
    "publicservices_validation_run",
    "publicservices_validation_infer_schema",
    "package_create",
    "package_update",
    "bulk_update_public",
]

_RESOURCE_ARGS = ("resource_id", "id", "report_id")
SKIP_FLAG = "publicservices_validation_skip"  # context flag: save without (re)validating
FAILED = ("failure", "error")
PENDING = ("pending", "running")


def _summary(std: dict[str, Any], with_fields: bool) -> dict[str, Any]:
    out = {k: v for k, v in std.items() if k != "schema"}
    if with_fields:
        out["fields"] = [
            {
                k: f.get(k)
                for k in ("name", "title", "type", "format", "description", "constraints")
                if f.get(k) is not None
            }
            for f in std["schema"].get("fields", [])
        ]
    return out


@tk.side_effect_free
def publicservices_standard_list(context: Any, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """The data standards this portal knows.

    :param all_fields: include each standard's fields (default false)
    """
    tk.check_access("publicservices_standard_list", context, data_dict)
    with_fields = input_boundary.flag(data_dict, "all_fields")
    return [_summary(s, with_fields) for s in standards.all()]


@tk.side_effect_free
def publicservices_standard_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """One data standard with its Table Schema.

    :param id: the standard's name or URI
    """
    input_boundary.check_text_args(data_dict, ("id", "uri", "name"))
    tk.check_access("publicservices_standard_show", context, data_dict)
    ident = data_dict.get("id") or data_dict.get("uri") or data_dict.get("name")
    if not ident:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    found = standards.get(str(ident))
    if not found:
        raise tk.ObjectNotFound(tk._("Data standard not found"))
    return found


def _resource(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    rid = data_dict.get("resource_id") or data_dict.get("id")
    if not rid:
        raise tk.ValidationError({"resource_id": [tk._("Missing value")]})
    return tk.get_action("resource_show")(dict(context), {"id": rid})


@tk.side_effect_free
def publicservices_validation_show(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The latest (or a given) validation report of a resource, with plain-language errors.

    :param resource_id: the resource
    :param report_id: a particular run (optional; default the latest)
    """
    input_boundary.check_text_args(data_dict, _RESOURCE_ARGS)
    tk.check_access("publicservices_validation_show", context, data_dict)
    res = _resource(context, data_dict)
    report_id = data_dict.get("report_id")
    row = vmodel.get(report_id) if report_id else vmodel.latest(res["id"])
    if not row or row["resource_id"] != res["id"]:
        raise tk.ObjectNotFound(tk._("No validation report for this resource"))
    explained = vreport.explain_all(row.get("report"), row.get("schema"))
    row["explained"] = {
        "items": explained["items"],
        "by_column": [{"column": c, "count": n} for c, n in explained["by_column"]],
    }
    return row


@tk.side_effect_free
def publicservices_validation_history(
    context: Any, data_dict: dict[str, Any]
) -> list[dict[str, Any]]:
    """Earlier validation runs of a resource, newest first (without their reports).

    :param resource_id: the resource
    :param limit: how many (default 20, at most 100)
    """
    limit = input_boundary.whole_number(data_dict, "limit", 20, 1, 100, clamp=True)
    input_boundary.check_text_args(data_dict, _RESOURCE_ARGS)
    tk.check_access("publicservices_validation_show", context, data_dict)
    res = _resource(context, data_dict)
    return vmodel.history(res["id"], limit)


@guard_action
def publicservices_validation_run(context: Any, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Queue a new validation run of a resource (publishers).

    :param resource_id: the resource
    """
    input_boundary.check_text_args(data_dict, _RESOURCE_ARGS)
    tk.check_access("publicservices_validation_run", context, data_dict)
    res = _resource(context, data_dict)
    if not jobs.tabular_format(res):
        raise tk.ValidationError(
            {"format": [tk._("Only CSV, TSV, XLSX and ODS resources are validated")]}
        )
    jobs.set_resource_status(res["id"], "pending", None)
    job_id = jobs.enqueue(res["id"], requested_by=context.get("user"))
    return {"resource_id": res["id"], "status": "pending", "job_id": job_id}


@guard_action
def publicservices_validation_infer_schema(
    context: Any, data_dict: dict[str, Any]
) -> dict[str, Any]:
    """A Table Schema inferred from a resource's data, for the publisher to review and save
    as the resource's ``schema``. Uses the last run's inferred schema when there is one.

    :param resource_id: the resource
    """
    input_boundary.check_text_args(data_dict, _RESOURCE_ARGS)
    tk.check_access("publicservices_validation_infer_schema", context, data_dict)
    res = _resource(context, data_dict)
    latest = vmodel.latest(res["id"])
    if latest and latest.get("schema_source") == "inferred" and latest.get("schema"):
        return {"schema": latest["schema"], "source": "last validation run"}
    try:
        schema = jobs.infer_schema(res)
    except jobs.Problem as err:
        raise tk.ValidationError({"schema": [str(err)]}) from err
    return {"schema": schema, "source": "data sample"}


# -- chained core actions ----------------------------------------------------------------------


def _is_upload(value: Any) -> bool:
    return bool(value) and hasattr(value, "filename") and bool(getattr(value, "filename", None))


def _canonical(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value.strip()
    return json.dumps(value, sort_keys=True) if value else ""


def _fingerprint(res: dict[str, Any]) -> tuple[Any, ...]:
    url = str(res.get("url") or "")
    if res.get("url_type") == "upload":  # package_show turns the file name into a download URL
        url = url.rsplit("/", 1)[-1]
    return (
        url,
        str(res.get("format") or "").lower(),
        _canonical(res.get("schema")),
        _canonical(res.get("conforms_to")),
    )


def _prepare(
    context: Any, data_dict: dict[str, Any], existing: dict[str, dict[str, Any]]
) -> list[int]:
    """Mark new/changed tabular resources pending and keep the job's fields on the others.
    Returns the positions to validate once saved."""
    todo: list[int] = []
    resources = data_dict.get("resources")
    if not isinstance(resources, list):
        return todo
    for pos, res in enumerate(resources):
        if not isinstance(res, dict):
            continue
        old = existing.get(str(res.get("id") or ""))
        changed = (
            old is None or _is_upload(res.get("upload")) or _fingerprint(res) != _fingerprint(old)
        )
        # a web-form upload has no url or format yet (CKAN sets them from the file name later,
        # inside package_update): judge it by the uploaded file's name
        upload = res.get("upload")
        judged = {**res, "url": getattr(upload, "filename", "")} if _is_upload(upload) else res
        if changed and jobs.tabular_format(judged):
            res["validation_status"] = "pending"
            res.pop("validation_error_count", None)
            res.pop("validation_timestamp", None)
            todo.append(pos)
        else:
            # only the job writes these: keep the stored result whatever the caller sent,
            # and drop it when the data changed into something not validated
            for field in jobs.STATUS_FIELDS:
                if old is not None and not changed and field in old:
                    res[field] = old[field]
                else:
                    res.pop(field, None)
    return todo


def _existing_resources(pkg: Any) -> dict[str, dict[str, Any]]:
    out = {}
    for r in pkg.resources if pkg is not None else []:
        d = dict(r.extras or {})
        d.update(url=r.url, format=r.format, id=r.id, url_type=r.url_type)
        out[r.id] = d
    return out


def _gate(context: Any, pkg: Any, data_dict: dict[str, Any]) -> None:
    """Refuse making a dataset public while a check of one of its resources failed or has not
    finished (when configured). A public dataset whose new or changed file then fails its check
    is made private again by the job (``jobs.withdraw_if_gated``)."""
    if pkg is None or not settings.public_gate():
        return
    becomes_public = pkg.private and not input_boundary.flag(data_dict, "private", pkg.private)
    if not becomes_public:
        return
    # the refusal names resources: only for those who may edit the dataset anyway
    tk.check_access("package_update", dict(context), {"id": pkg.id})
    _refuse_if_failed(pkg, data_dict)


def _report_links(pkg: Any, resources: list[Any]) -> str:
    return "; ".join(
        f"{r.name or r.id}: "
        + tk.url_for(
            "publicservices_validation.report", id=pkg.name, resource_id=r.id, _external=True
        )
        for r in resources
    )


def _refuse_if_failed(pkg: Any, data_dict: dict[str, Any] | None = None) -> None:
    # resources this same call changes are checked again after the save: pending by then
    changed = set()
    for res in (data_dict or {}).get("resources") or []:
        if isinstance(res, dict) and res.get("validation_status") == "pending":
            changed.add(str(res.get("id") or ""))
    status = {r.id: (r.extras or {}).get("validation_status") for r in pkg.resources}
    failed = [r for r in pkg.resources if status[r.id] in FAILED and r.id not in changed]
    if failed:
        raise tk.ValidationError(
            {
                "private": [
                    tk._(
                        "This dataset cannot be made public while a resource has failed "
                        "validation. Fix the data and re-run validation; see the report: {links}"
                    ).format(links=_report_links(pkg, failed))
                ]
            }
        )
    pending = [r for r in pkg.resources if status[r.id] in PENDING or r.id in changed]
    if pending or "" in changed:
        raise tk.ValidationError(
            {
                "private": [
                    tk._(
                        "This dataset cannot be made public until its data has been validated: "
                        "a check is still queued or running. Make it public once the check has "
                        "passed; see the report: {links}"
                    ).format(links=_report_links(pkg, pending) or tk._("(a new resource)"))
                ]
            }
        )


def _after(context: Any, result: Any, todo: list[int]) -> None:
    if not todo:
        return
    deferred = context.get("publicservices_after_commit")
    if isinstance(deferred, list):  # the write is not committed yet: the job must not run first
        deferred.append(lambda: _enqueue(context, result, todo))
        return
    _enqueue(context, result, todo)


def _enqueue(context: Any, result: Any, todo: list[int]) -> None:
    if isinstance(result, dict) and "resources" in result:
        resources = result.get("resources") or []
    else:  # return_id_only (the harvester's writes): the stored rows, in package_show's order
        from ckan import model

        ident = result if isinstance(result, str) else result["id"]
        pkg = model.Package.get(ident)
        # only what tabular_format reads: a package_show here was a whole dictize, validation
        # and search-index read per harvested dataset
        resources = (
            [{"id": r.id, "format": r.format, "url": r.url} for r in pkg.resources] if pkg else []
        )
    for pos in todo:
        if pos < len(resources) and jobs.tabular_format(resources[pos]):
            jobs.enqueue(resources[pos]["id"], requested_by=context.get("user"))


@tk.chained_action
def package_create(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    if context.get(SKIP_FLAG):
        return up(context, data_dict)
    todo = _prepare(context, data_dict, {})
    result = up(context, data_dict)
    _after(context, result, todo)
    return result


@tk.chained_action
def package_update(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    if context.get(SKIP_FLAG):
        return up(context, data_dict)
    from ckan import model

    input_boundary.check_text_args(data_dict, ("id", "name"))
    ident = data_dict.get("id") or data_dict.get("name")
    pkg = model.Package.get(ident) if ident else None
    todo = _prepare(context, data_dict, _existing_resources(pkg))
    _gate(context, pkg, data_dict)  # after _prepare: it marks the files this call changes
    result = up(context, data_dict)
    _after(context, result, todo)
    return result


@tk.chained_action
def bulk_update_public(up: Any, context: Any, data_dict: dict[str, Any]) -> Any:
    input_boundary.check_text_args(data_dict, ("org_id",))
    datasets = input_boundary.check_id_list(data_dict, "datasets")
    if settings.public_gate():
        from ckan import model

        tk.check_access("bulk_update_public", dict(context), data_dict)
        for ident in datasets:
            pkg = model.Package.get(ident)
            if pkg is not None and pkg.private:
                _refuse_if_failed(pkg)
    return up(context, data_dict)
