"""RDF import: ``publicservices_dcat_import`` creates or updates datasets from a DCAT document.

The document goes through :func:`~ckanext.publicservices.dcat.serializer.parse_datasets` (which
refuses hostile input before rdflib sees it) and the profiles' parse; each dataset it describes is
then created or updated in the target organisation with the portal's own ``package_create`` /
``package_update`` (the user's permissions, the schema's validators), so an invalid dataset gives
field-named errors and does not stop the others.

Matching, within the target organisation only (a dataset of another organisation is never
touched, and its existence is not revealed):

1. a dataset imported earlier from the same source: its ``identifier`` extra equals the
   document's ``dct:identifier`` (or the dataset URI when there is none);
2. a dataset of this portal named by the document: ``dct:identifier`` equal to its id or name, or
   its URI ``{site}/dataset/{id or name}`` (re-importing the organisation's own catalog).

Anything else is created, named after its title. A created dataset keeps the source's identifier
(written back as ``dct:identifier``) but gets its own URI.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import ckan.plugins.toolkit as tk
from ckan import authz, model
from ckan.lib import plugins as lib_plugins
from ckan.lib.munge import munge_title_to_name
from ckan.lib.navl.dictization_functions import DataError
from ckan.types import Context, DataDict
from ckanext.dcat.utils import catalog_uri

from ckanext.publicservices import compat
from ckanext.publicservices.csrf import guard_action
from ckanext.publicservices.dcat import mapping
from ckanext.publicservices.dcat.serializer import (
    RDFImportError,
    max_import_bytes,
    parse_datasets,
)
from ckanext.publicservices.logic import input_boundary

log = logging.getLogger(__name__)

# format names accepted by the action and the CLI → the parser's
FORMATS = {
    "ttl": "ttl",
    "turtle": "ttl",
    "xml": "xml",
    "rdf": "xml",
    "rdfxml": "xml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "json": "jsonld",
    "nt": "nt",
    "ntriples": "nt",
}
# keys every dataset dict may carry besides its schema's fields
CORE_DATASET_KEYS = frozenset({"type", "tags", "resources", "extras", "owner_org", "url"})
CORE_RESOURCE_KEYS = frozenset({"mimetype"})
SOURCE_KEY = "identifier"


def _format(data_dict: DataDict) -> str:
    value = data_dict.get("format")
    if not value:
        upload = data_dict.get("upload")
        filename = str(getattr(upload, "filename", "") or "")
        value = filename.rsplit(".", 1)[-1] if "." in filename else "ttl"
    fmt = FORMATS.get(str(value).strip().lower().lstrip("."))
    if fmt is None:
        raise tk.ValidationError(
            {
                "format": [
                    tk._(
                        "Unknown RDF format {value!r}; use ttl, xml (RDF/XML), jsonld or nt"
                    ).format(value=value)
                ]
            }
        )
    return fmt


def _document(data_dict: DataDict) -> bytes | str:
    """The RDF text: ``data`` or the uploaded file ``upload`` (read up to the size limit)."""
    data = data_dict.get("data")
    upload = data_dict.get("upload")
    if upload is not None and not isinstance(upload, str) and hasattr(upload, "read"):
        stream = getattr(upload, "stream", upload)
        raw = stream.read(max_import_bytes() + 1)
        if not raw:
            raise tk.ValidationError({"upload": [tk._("The uploaded file is empty")]})
        return raw if isinstance(raw, bytes) else str(raw)
    if isinstance(upload, str) and upload and not data:
        data = upload
    if not isinstance(data, (str, bytes)) or not data.strip():
        raise tk.ValidationError(
            {"data": [tk._("Missing value: give the RDF text or upload a file")]}
        )
    if isinstance(data, str):
        try:
            data.encode("utf-8")  # a lone surrogate (from JSON's \ud800) cannot be parsed
        except UnicodeEncodeError as e:
            raise tk.ValidationError(
                {
                    "data": [
                        tk._(
                            "The RDF text holds a character that is not valid Unicode at "
                            "position {pos}."
                        ).format(pos=e.start + 1)
                    ]
                }
            ) from None
    return data


def _organisation(data_dict: DataDict) -> model.Group:
    input_boundary.check_text_args(data_dict, ("format",))
    ref = input_boundary.text_arg(data_dict, "owner_org")
    if not ref:
        raise tk.ValidationError({"owner_org": [tk._("Missing value")]})
    org = model.Group.get(ref)
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ValidationError({"owner_org": [tk._("Organization does not exist")]})
    return org


def _pop(dataset: dict[str, Any], key: str) -> str:
    """Remove ``key`` from the root and the extras; its value (root first) or ''."""
    value = dataset.pop(key, None)
    kept = []
    for extra in dataset.get("extras") or []:
        if isinstance(extra, dict) and extra.get("key") == key:
            value = value or extra.get("value")
        else:
            kept.append(extra)
    if "extras" in dataset:
        dataset["extras"] = kept
    return str(value) if value else ""


def _fields(dataset_type: str) -> tuple[frozenset[str], frozenset[str]]:
    try:
        schema = tk.get_action("scheming_dataset_schema_show")({}, {"type": dataset_type})
    except (KeyError, tk.ObjectNotFound):
        raise tk.ValidationError(
            {"type": [tk._("Unknown dataset type {type!r}").format(type=dataset_type)]}
        ) from None
    dataset = frozenset(f["field_name"] for f in schema.get("dataset_fields", []))
    resource = frozenset(f["field_name"] for f in schema.get("resource_fields", []))
    return dataset, resource


def _clean(parsed: dict[str, Any], org: model.Group) -> tuple[dict[str, Any], str, str]:
    """The dataset dict to write, its source identifier, and the URI it had in the document."""
    identifier = _pop(parsed, "identifier")
    uri = _pop(parsed, "uri")
    dataset_type = parsed.get("type") or "dataset"
    dataset_fields, resource_fields = _fields(dataset_type)
    keep = dataset_fields | CORE_DATASET_KEYS
    dataset = {k: v for k, v in parsed.items() if k in keep and k not in ("name", "id")}
    dataset["type"] = dataset_type
    dataset["owner_org"] = org.id
    # the document's other extras (catalog homepage, harvest bookkeeping) are not metadata here
    dataset["extras"] = (
        [{"key": SOURCE_KEY, "value": identifier or uri}] if identifier or uri else []
    )
    dataset["resources"] = [
        {k: v for k, v in r.items() if k in resource_fields or k in CORE_RESOURCE_KEYS}
        for r in parsed.get("resources") or []
        if isinstance(r, dict)
    ]
    return dataset, identifier, uri


def _match(org: model.Group, identifier: str, uri: str) -> model.Package | None:
    """An existing dataset of ``org`` that this document's dataset describes (see module doc)."""
    alive = model.Session.query(model.Package).filter(
        model.Package.owner_org == org.id, model.Package.state != "deleted"
    )
    source = identifier or uri
    if source:
        found = alive.filter(compat.package_extra_equals(SOURCE_KEY, source)).first()
        if found is not None:
            return found
    site = catalog_uri().rstrip("/") + "/dataset/"
    refs = [identifier] if identifier else []
    if uri.startswith(site):
        refs.append(uri[len(site) :].split("/", 1)[0])
    for ref in refs:
        if not ref or len(ref) > 200:
            continue
        found = alive.filter((model.Package.id == ref) | (model.Package.name == ref)).first()
        if found is not None:
            return found
    return None


def _free_name(title: str) -> str:
    base = munge_title_to_name(title or "imported-dataset")[:90].strip("-") or "imported-dataset"
    name, n = base, 1
    while model.Session.query(model.Package.id).filter(model.Package.name == name).first():
        n += 1
        name = f"{base}-{n}"
    return name


def _keep_resource_ids(dataset: dict[str, Any], existing: model.Package) -> None:
    """Resources already there (same URL) keep their id, so their history and checks stay."""
    by_url = {r.url: r.id for r in existing.resources if r.url}
    for resource in dataset["resources"]:
        rid = by_url.pop(resource.get("url") or "", None)
        if rid:
            resource["id"] = rid


def _errors(error: tk.ValidationError) -> dict[str, Any]:
    summary = error.error_dict if isinstance(error.error_dict, dict) else {}
    return summary or {"dataset": [str(error)]}


def _dry_run(context: Context, dataset: dict[str, Any], existing: model.Package | None) -> None:
    """Run the schema's validation as package_create/package_update would, writing nothing."""
    plugin = lib_plugins.lookup_package_plugin(dataset["type"])
    ctx: Context = {"model": model, "session": model.Session, "user": context.get("user", "")}
    if existing is not None:
        ctx["package"] = existing
        schema = plugin.update_package_schema()
        action = "package_update"
    else:
        schema = plugin.create_package_schema()
        action = "package_create"
    _data, errors = lib_plugins.plugin_validate(plugin, ctx, dataset, schema, action)
    if errors:
        raise tk.ValidationError(errors)


def _import_one(
    context: Context,
    parsed: dict[str, Any],
    org: model.Group,
    dry_run: bool,
    private: bool,
    org_dict: dict[str, Any] | None = None,
) -> dict[str, Any]:
    result: dict[str, Any] = {"title": parsed.get("title") or ""}
    try:
        stated = parsed.pop(mapping.STATED_LICENCES, None)
        dataset, identifier, uri = _clean(parsed, org)
        result["identifier"] = identifier or uri
        existing = _match(org, identifier, uri)
        if existing is not None:
            dataset["id"] = existing.id
            dataset["name"] = existing.name
            dataset["private"] = existing.private
            _keep_resource_ids(dataset, existing)
        else:
            dataset["name"] = _free_name(dataset.get("title") or "")
            dataset["private"] = private
        result["name"] = dataset["name"]
        # what the document lacks: its access rights, the consortium's defaults (one place,
        # shared with harvesting); what cannot be filled is reported with the reason
        dataset[mapping.STATED_LICENCES] = stated
        completion = mapping.complete(
            dataset, org_dict or {"name": org.name}, _fields(dataset["type"])[0]
        )
        dataset = completion.dataset
        if completion.filled:
            result["filled"] = completion.filled
        if completion.unmapped:
            errors: dict[str, Any] = dict(completion.unmapped)
            try:
                _dry_run(context, dataset, existing)
            except tk.ValidationError as e:
                for key, messages in _errors(e).items():
                    errors.setdefault(key, messages)
            model.Session.rollback()
            result.update(status="invalid", errors=errors)
            return result
        if dry_run:
            _dry_run(context, dataset, existing)
            result["status"] = "would update" if existing is not None else "would create"
            if existing is not None:
                result["id"] = existing.id
            return result
        action = "package_update" if existing is not None else "package_create"
        ctx: Context = {"user": context.get("user", "")}
        if context.get("ignore_auth"):
            ctx["ignore_auth"] = True
        saved = tk.get_action(action)(ctx, dataset)
        result.update(
            status="updated" if existing is not None else "created",
            id=saved["id"],
            name=saved["name"],
        )
    except tk.ValidationError as e:
        model.Session.rollback()
        result.update(status="invalid", errors=_errors(e))
    except DataError as e:
        model.Session.rollback()
        result.update(status="invalid", errors={"dataset": [f"Badly shaped data: {e.error}"]})
    except tk.NotAuthorized:
        model.Session.rollback()
        result.update(
            status="refused", errors={"dataset": [tk._("Not authorised to write this dataset")]}
        )
    except Exception:  # one dataset's failure must not lose the others' results
        model.Session.rollback()
        log.exception("DCAT import of %r into %s failed", result.get("title"), org.name)
        result.update(
            status="invalid", errors={"dataset": [tk._("Could not be imported (logged)")]}
        )
    return result


def _flag(data_dict: DataDict, key: str) -> bool:
    try:
        return bool(tk.asbool(data_dict.get(key, False)))
    except ValueError:
        raise tk.ValidationError({key: [tk._("Must be true or false")]}) from None


def publicservices_dcat_import_auth(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Whoever may create datasets in the target organisation may import into it."""
    ref = data_dict.get("owner_org")
    valid = isinstance(ref, str) and ref and not input_boundary.text_problem(ref)
    org = model.Group.get(ref) if valid and len(ref) <= 200 else None
    if org is None:
        return {
            "success": False,
            "msg": tk._("An organisation you can create datasets in is required"),
        }
    user = context.get("user")
    if not authz.has_user_permission_for_group_or_org(org.id, user, "create_dataset"):
        return {
            "success": False,
            "msg": tk._("Not authorised to create datasets in this organisation"),
        }
    return {"success": True}


@guard_action
def publicservices_dcat_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Create or update datasets of an organisation from a DCAT (RDF) document.

    A web request imports at most ``ckanext.publicservices.dcat.import_max_datasets`` datasets
    itself; a larger document is queued as a background job and the answer is
    ``{"status": "queued", "import_id", "datasets_found", …}``: poll
    ``publicservices_dcat_import_status`` with the ``import_id`` for the result below.

    :param owner_org: the organisation (id or name) the datasets go to
    :param data: the RDF text (or ``upload``: an uploaded file)
    :param format: ``ttl`` (default), ``xml`` (RDF/XML), ``jsonld`` or ``nt``; guessed from the
        upload's file name when not given
    :param dry_run: validate and report what would be done, writing nothing (default false)
    :param private: whether created datasets are private (default false; updates keep theirs)
    :returns: ``{"datasets": [{"status": created|updated|invalid|refused|would create|would update,
        "title", "identifier", "name", "id", "errors": {field: [messages]},
        "filled": {field: where its value came from}}], "created": n,
        "updated": n, "invalid": n}``
    """
    org = _organisation(data_dict)
    tk.check_access("publicservices_dcat_import", context, {**data_dict, "owner_org": org.id})
    fmt = _format(data_dict)
    document = _document(data_dict)
    dry_run = _flag(data_dict, "dry_run")
    private = _flag(data_dict, "private")
    from ckanext.publicservices.dcat import import_jobs  # imports this module

    queued = import_jobs.queue_if_large(context, org, fmt, document, dry_run, private)
    if queued is not None:
        return queued
    try:
        parsed = parse_datasets(document, fmt)
    except RDFImportError as e:
        raise tk.ValidationError({"data": [str(e)]}) from None
    except Exception:  # a profile's parse failing on an odd (but well-formed) graph
        log.exception("DCAT import: the profiles could not map the document")
        raise tk.ValidationError(
            {"data": [tk._("The RDF is well-formed but could not be mapped to datasets")]}
        ) from None
    if not parsed:
        raise tk.ValidationError({"data": [tk._("The document describes no dcat:Dataset")]})
    org_dict = mapping.consortium(org.id)
    results = [_import_one(context, p, org, dry_run, private, org_dict) for p in parsed]
    counts = {
        key: sum(1 for r in results if r["status"] == key)
        for key in ("created", "updated", "invalid", "refused")
    }
    log.info("DCAT import into %s by %s: %s", org.name, context.get("user"), counts)
    return {"organization": org.name, "dry_run": dry_run, "datasets": results, **counts}


def import_file(
    path: str,
    org: str,
    fmt: str | None = None,
    dry_run: bool = False,
    echo: Callable[[str], Any] = print,
) -> int:
    """``ckan publicservices dcat-import``: import a file as the site user; the exit status
    (0 all written or would be, 1 some datasets invalid, 2 the document refused)."""
    if not fmt:
        fmt = path.rsplit(".", 1)[-1] if "." in os.path.basename(path) else "ttl"
    with open(path, "rb") as f:
        data = f.read(max_import_bytes() + 1)
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: Context = {"user": site_user["name"], "ignore_auth": True}
    try:
        result = publicservices_dcat_import(
            context, {"owner_org": org, "data": data, "format": fmt, "dry_run": dry_run}
        )
    except tk.ValidationError as e:
        for field, messages in _errors(e).items():
            echo(f"{field}: {' '.join(str(m) for m in messages)}")
        return 2
    for item in result["datasets"]:
        where = item.get("name") or item.get("identifier") or ""
        echo(f"{item['status']}: {item['title']} ({where})")
        for field, messages in (item.get("errors") or {}).items():
            echo(f"    {field}: {' '.join(str(m) for m in _flat(messages))}")
    mode = " (dry run: nothing written)" if dry_run else ""
    echo(
        f"{result['created']} created, {result['updated']} updated, "
        f"{result['invalid'] + result['refused']} not imported{mode}"
    )
    return 1 if result["invalid"] or result["refused"] else 0


def _flat(messages: Any) -> list[Any]:
    """Error messages of a field (repeating subfields nest them in lists and dicts)."""
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flat(v)]
    if isinstance(messages, list):
        return [m for v in messages for m in _flat(v)]
    return [messages]


__all__ = ["import_file", "publicservices_dcat_import", "publicservices_dcat_import_auth"]
