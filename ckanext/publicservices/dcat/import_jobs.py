"""Large DCAT imports run as background jobs, so that no web request outlives its server's timeout.

A web request to ``publicservices_dcat_import`` writes at most
``ckanext.publicservices.dcat.import_max_datasets`` datasets itself. It counts the document's
``dcat:Dataset`` resources after the safety checks and the RDF parse, and a document describing
more is queued on the suite's job queue (``ckan jobs worker publicservices``) instead. A document
of more than ``PARSE_IN_REQUEST_BYTES`` is queued after the checks that need no parse (the parse
of the 5 MB ``import_max_bytes`` admits took 9 s under load); its parse errors then appear in the
status. The caller gets an ``import_id`` and polls ``publicservices_dcat_import_status``; the
job imports as the user who asked, with that user's permissions at the time it runs, and stores
the same result the request would have returned.

Calls outside a web request (``ckan publicservices dcat-import``, the job itself) have no web
timeout and import inline whatever the size.

Status records live in Redis for ``RECORD_TTL`` seconds (the document itself only in the job).
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict
from flask import has_request_context

__all__ = ["publicservices_dcat_import_status"]

log = logging.getLogger(__name__)

QUEUE = "publicservices"  # the suite's queue, served by the same worker as validation
RECORD_TTL = 7 * 24 * 3600
STATUSES = ("queued", "running", "finished", "failed")
# a larger document is queued without being parsed in the request (rdflib reads Turtle at
# roughly 0.5-1 MB/s here: the 5 MB the import admits took 9 s under load)
PARSE_IN_REQUEST_BYTES = 1_000_000


def max_datasets() -> int:
    return max(1, int(tk.config.get("ckanext.publicservices.dcat.import_max_datasets") or 50))


def job_timeout() -> int:
    return max(60, int(tk.config.get("ckanext.publicservices.dcat.import_job_timeout") or 3600))


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _key(import_id: str) -> str:
    return f"{tk.config.get('ckan.site_id') or 'default'}:publicservices:dcat_import:{import_id}"


def _redis() -> Any:
    from ckan.lib.redis import connect_to_redis

    return connect_to_redis()


def _save(record: dict[str, Any]) -> None:
    _redis().set(_key(record["id"]), json.dumps(record), ex=RECORD_TTL)


def _load(import_id: str) -> dict[str, Any] | None:
    raw = _redis().get(_key(import_id))
    return json.loads(raw) if raw else None


def _update(import_id: str, **changes: Any) -> dict[str, Any] | None:
    record = _load(import_id)
    if record is None:
        return None
    record.update(changes)
    _save(record)
    return record


def count_datasets(document: bytes | str, fmt: str) -> int:
    """The document's dcat:Dataset resources (RDFImportError on refused or broken input)."""
    from ckanext.dcat.profiles import DCAT
    from rdflib import RDF

    from ckanext.publicservices.dcat.serializer import SafeRDFParser

    parser = SafeRDFParser()
    parser.parse(document, fmt)
    return len(set(parser.g.subjects(RDF.type, DCAT.Dataset)))


def _cheap_checks(document: bytes | str, fmt: str) -> None:
    """The serializer's refusals that need no parse (size, encoding, DTDs, remote contexts)."""
    from ckanext.dcat.utils import url_to_rdflib_format

    from ckanext.publicservices.dcat.serializer import check_rdf_input

    rdf_format = url_to_rdflib_format(fmt) or "xml"
    if rdf_format in ("pretty-xml", "rdf", "application/rdf+xml"):
        rdf_format = "xml"
    check_rdf_input(document, rdf_format)


def queue_if_large(
    context: Context,
    org: Any,
    fmt: str,
    document: bytes | str,
    dry_run: bool,
    private: bool,
) -> dict[str, Any] | None:
    """In a web request, queue a document of more than ``max_datasets()`` datasets and return
    the answer for the caller; None when the request should import it itself."""
    if not has_request_context():
        return None
    from ckanext.publicservices.dcat.serializer import RDFImportError

    limit = max_datasets()
    size = len(document.encode("utf-8") if isinstance(document, str) else document)
    try:
        if size > PARSE_IN_REQUEST_BYTES:
            # the parse alone could take seconds: only the cheap checks here, the rest in the job
            _cheap_checks(document, fmt)
            found = None
        else:
            found = count_datasets(document, fmt)
            if found <= limit:
                return None
    except RDFImportError as e:
        raise tk.ValidationError({"data": [str(e)]}) from None
    import_id = str(uuid.uuid4())
    record = {
        "id": import_id,
        "status": "queued",
        "organization": org.name,
        "owner_org": org.id,
        "user": context.get("user") or "",
        "dry_run": dry_run,
        "datasets_found": found,
        "queued": _now(),
        "started": None,
        "finished": None,
        "result": None,
        "errors": None,
    }
    _save(record)
    from rq import Callback

    raw = document.encode("utf-8") if isinstance(document, str) else bytes(document)
    tk.enqueue_job(
        run_import,
        [import_id],
        {"data": raw, "fmt": fmt, "dry_run": dry_run, "private": private},
        title=f"publicservices DCAT import {import_id} into {org.name}",
        queue=QUEUE,
        rq_kwargs={"timeout": job_timeout(), "on_failure": Callback(on_job_failure)},
    )
    log.info(
        "DCAT import into %s by %s: %s datasets, queued as %s",
        org.name,
        record["user"],
        found,
        import_id,
    )
    described = f"describes {found} datasets" if found is not None else f"is {size:,} bytes"
    return {
        "status": "queued",
        "import_id": import_id,
        "organization": org.name,
        "dry_run": dry_run,
        "datasets_found": found,
        "max_datasets_per_request": limit,
        "message": (
            f"The document {described}, more than one request may import ({limit} datasets, "
            f"{PARSE_IN_REQUEST_BYTES:,} bytes): it is being imported in the background. Poll "
            "publicservices_dcat_import_status with this import_id for the result."
        ),
    }


def run_import(
    import_id: str, data: bytes, fmt: str, dry_run: bool = False, private: bool = False
) -> dict[str, Any] | None:
    """The job: import as the user who asked and store the result on the status record."""
    from ckan import model

    from ckanext.publicservices.dcat import importer

    record = _update(import_id, status="running", started=_now())
    if record is None:
        log.warning("DCAT import %s: its status record has expired; not run", import_id)
        return None
    context: Context = {"user": record["user"]}
    try:
        result = importer.publicservices_dcat_import(
            context,
            {
                "owner_org": record["owner_org"],
                "data": data,
                "format": fmt,
                "dry_run": dry_run,
                "private": private,
            },
        )
    except tk.ValidationError as e:
        model.Session.rollback()
        errors = e.error_dict if isinstance(e.error_dict, dict) else {"data": [str(e)]}
        _update(import_id, status="failed", finished=_now(), errors=errors)
        return None
    except tk.NotAuthorized as e:
        model.Session.rollback()
        _update(import_id, status="failed", finished=_now(), errors={"owner_org": [str(e)]})
        return None
    except Exception as e:  # the record must not stay "running" whatever happened
        model.Session.rollback()
        log.exception("DCAT import %s failed", import_id)
        _update(
            import_id,
            status="failed",
            finished=_now(),
            errors={"data": [f"The import stopped ({e.__class__.__name__}); it is logged"]},
        )
        return None
    result = {**result, "status": "finished"}
    _update(
        import_id,
        status="finished",
        finished=_now(),
        result=result,
        datasets_found=record.get("datasets_found") or len(result.get("datasets") or []),
    )
    return result


def on_job_failure(job: Any, connection: Any, exc_type: Any, exc_value: Any, tb: Any) -> None:
    """RQ failure callback: a job stopped by its time limit (or a killed work horse)."""
    import_id = (job.args or [None])[0]
    if not import_id:
        return
    name = getattr(exc_type, "__name__", "an error")
    reason = (
        f"The import took longer than {job_timeout()} seconds and was stopped; datasets "
        "written before then are kept. Split the document, or ask the portal's administrators."
        if "Timeout" in name
        else f"The import stopped unexpectedly ({name})."
    )
    try:
        _update(import_id, status="failed", finished=_now(), errors={"data": [reason]})
    except Exception:
        log.exception("could not record the failure of DCAT import %s", import_id)


@tk.side_effect_free
def publicservices_dcat_import_status(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The state of a DCAT import queued by ``publicservices_dcat_import``.

    :param id: the ``import_id`` the import answered with
    :returns: ``{"id", "status": queued|running|finished|failed, "organization", "user",
        "dry_run", "datasets_found", "queued", "started", "finished", "result": the import's
        result once finished, "errors": {field: [messages]} when failed}``
    """
    import_id = data_dict.get("id")
    if not isinstance(import_id, str) or not import_id.strip():
        raise tk.ValidationError({"id": ["Missing value: give the import_id of a queued import"]})
    try:
        uuid.UUID(import_id)
    except ValueError:
        raise tk.ValidationError({"id": ["Not an import id"]}) from None
    record = _load(import_id)
    if record is None:
        raise tk.ObjectNotFound("No such import (or it finished more than 7 days ago)")
    # whoever may import into the organisation may follow its imports
    tk.check_access("publicservices_dcat_import", context, {"owner_org": record["owner_org"]})
    return {k: v for k, v in record.items() if k != "owner_org"}
