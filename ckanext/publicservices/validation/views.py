"""Pages of the publicservices_validation plugin: the standards, reports, re-run, schema
inference, and the Data Package export."""

from __future__ import annotations

import json
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.publicservices import csrf
from ckanext.publicservices.validation import datapackage
from ckanext.publicservices.validation import report as vreport

__all__ = ["publicservices_validation"]

publicservices_validation = Blueprint("publicservices_validation", __name__)
# CKAN may have exempted these views from its CSRF check for the whole process (see csrf.py)
publicservices_validation.before_request(csrf.check_view)


def _context() -> dict[str, Any]:
    return {
        "user": tk.current_user.name if tk.current_user else "",
        "auth_user_obj": tk.current_user,
    }


def _json(data: Any, status: int = 200) -> Response:
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False), status=status, mimetype="application/json"
    )


@publicservices_validation.route("/standard")
def standard_list() -> str:
    items = tk.get_action("publicservices_standard_list")(_context(), {"all_fields": True})
    return tk.render("publicservices/validation/standard_list.html", {"standards": items})


@publicservices_validation.route("/standard/<name>")
def standard_read(name: str) -> Any:
    as_json = name.endswith(".json")
    try:
        std = tk.get_action("publicservices_standard_show")(
            _context(), {"id": name[:-5] if as_json else name}
        )
    except tk.ObjectNotFound:
        return tk.abort(404, tk._("Data standard not found"))
    if as_json or "application/json" in (tk.request.headers.get("Accept") or "").split(",")[0]:
        return _json(std["schema"])
    return tk.render("publicservices/validation/standard_read.html", {"standard": std})


def _load(id: str, resource_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    context = _context()
    try:
        pkg = tk.get_action("package_show")(context, {"id": id})
        res = tk.get_action("resource_show")(context, {"id": resource_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("Resource not found"))
    if res.get("package_id") != pkg["id"]:
        tk.abort(404, tk._("Resource not found"))
    return pkg, res


def _can_edit(res: dict[str, Any]) -> bool:
    try:
        tk.check_access("publicservices_validation_run", _context(), {"resource_id": res["id"]})
    except tk.NotAuthorized:
        return False
    return True


@publicservices_validation.route("/dataset/<id>/resource/<resource_id>/validation")
def report(id: str, resource_id: str) -> str:
    pkg, res = _load(id, resource_id)
    context = _context()
    report_id = tk.request.args.get("report_id")
    return _render_report(context, pkg, res, report_id, {"can_edit": _can_edit(res)})


def _render_report(
    context: Any,
    pkg: dict[str, Any],
    res: dict[str, Any],
    report_id: str | None,
    extra: dict[str, Any],
) -> str:
    """The report page: the resource's report (the latest, or ``report_id``) and its history."""
    query = {"resource_id": res["id"]}
    if report_id:
        query["report_id"] = report_id
    try:
        row = tk.get_action("publicservices_validation_show")(context, query)
    except tk.ObjectNotFound:
        row = None
    history = tk.get_action("publicservices_validation_history")(
        context, {"resource_id": res["id"]}
    )
    explained = vreport.explain_all(row.get("report"), row.get("schema")) if row else None
    return tk.render(
        "publicservices/validation/report.html",
        {
            "pkg": pkg,
            "pkg_dict": pkg,
            "res": res,
            "report": row,
            "explained": explained,
            "history": history,
            "inferred": None,
            **extra,
        },
    )


@publicservices_validation.route(
    "/dataset/<id>/resource/<resource_id>/validation/run", methods=["POST"]
)
def run(id: str, resource_id: str) -> Any:
    pkg, res = _load(id, resource_id)
    try:
        tk.get_action("publicservices_validation_run")(_context(), {"resource_id": res["id"]})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the dataset's publishers can re-run validation"))
    except tk.ValidationError as err:
        tk.h.flash_error("; ".join(f"{k}: {' '.join(v)}" for k, v in err.error_dict.items()))
    else:
        tk.h.flash_success(
            tk._("Validation queued: refresh this page in a moment to see the result.")
        )
    return tk.redirect_to("publicservices_validation.report", id=pkg["name"], resource_id=res["id"])


@publicservices_validation.route(
    "/dataset/<id>/resource/<resource_id>/validation/infer", methods=["POST"]
)
def infer(id: str, resource_id: str) -> Any:
    pkg, res = _load(id, resource_id)
    context = _context()
    try:
        inferred = tk.get_action("publicservices_validation_infer_schema")(
            context, {"resource_id": res["id"]}
        )
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the dataset's publishers can do this"))
    except tk.ValidationError as err:
        tk.h.flash_error(" ".join(" ".join(v) for v in err.error_dict.values()))
        return tk.redirect_to(
            "publicservices_validation.report", id=pkg["name"], resource_id=res["id"]
        )
    return _render_report(
        context,
        pkg,
        res,
        None,
        {
            "can_edit": True,
            "inferred": json.dumps(inferred["schema"], indent=2, ensure_ascii=False),
            "inferred_source": inferred["source"],
        },
    )


@publicservices_validation.route(
    "/dataset/<id>/resource/<resource_id>/validation/schema", methods=["POST"]
)
def save_schema(id: str, resource_id: str) -> Any:
    pkg, res = _load(id, resource_id)
    text = tk.request.form.get("schema", "")
    try:
        parsed = json.loads(text)
        if not isinstance(parsed, dict) or not isinstance(parsed.get("fields"), list):
            raise ValueError('a Table Schema needs a "fields" list')
    except ValueError as err:
        tk.h.flash_error(tk._("The schema was not saved: it is not valid: {err}").format(err=err))
        return tk.redirect_to(
            "publicservices_validation.report", id=pkg["name"], resource_id=res["id"]
        )
    try:
        tk.get_action("resource_patch")(_context(), {"id": res["id"], "schema": json.dumps(parsed)})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the dataset's publishers can do this"))
    except tk.ValidationError as err:
        tk.h.flash_error("; ".join(f"{k}: {v}" for k, v in err.error_dict.items()))
    else:
        from ckanext.publicservices.validation import standards

        claimed = standards.resolve_conforms_to(res.get("conforms_to"))
        if claimed:
            tk.h.flash_notice(
                tk._(
                    "Schema saved, but this resource claims to conform to {title}: it is still "
                    "checked against that standard, not against this schema. Remove the claim "
                    "(Conforms to) if the file does not follow the standard."
                ).format(title=claimed.get("title") or claimed["name"])
            )
        else:
            tk.h.flash_success(tk._("Schema saved; the resource is being validated against it."))
    return tk.redirect_to("publicservices_validation.report", id=pkg["name"], resource_id=res["id"])


@publicservices_validation.route("/dataset/<id>/datapackage.json")
def datapackage_json(id: str) -> Response:
    try:
        pkg = tk.get_action("package_show")(_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return _json({"error": "Dataset not found"}, status=404)
    return _json(datapackage.build(pkg))
