"""Background validation of tabular resources (RQ jobs on the ``publicservices`` queue).

The web request only enqueues (``enqueue``); ``validate_resource`` runs in ``ckan jobs worker
publicservices``. It never changes the resource's file or metadata other than the three
``validation_*`` fields, which it writes straight to the resource row (no action call: no
activity, no ``metadata_modified`` bump, no new validation run); the search index follows through
CKAN's model-change notification.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime
import json
import logging
import os
import resource as rlimit
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.publicservices.validation import fetch, settings, standards
from ckanext.publicservices.validation import model as vmodel

__all__: list[str] = []

log = logging.getLogger(__name__)

QUEUE = "publicservices"
STATUSES = ("pending", "success", "failure", "error")
STATUS_FIELDS = ("validation_status", "validation_timestamp", "validation_error_count")

_MIMETYPE_FORMATS = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_TEXT_FORMATS = ("csv", "tsv")
_ZIP_FORMATS = ("xlsx", "ods")


class Problem(Exception):
    """A run that cannot produce a data report; the message is shown to the publisher."""


@dataclasses.dataclass
class Outcome:
    status: str
    error_count: int = 0
    row_count: int | None = None
    schema_source: str | None = None
    schema: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    message: str | None = None


# -- which resources ---------------------------------------------------------------------------


def tabular_format(res: dict[str, Any]) -> str | None:
    """The validatable format (csv, tsv, xlsx, ods) of a resource dict, or None."""
    wanted = settings.formats()
    fmt = str(res.get("format") or "").strip().lower().lstrip(".")
    fmt = _MIMETYPE_FORMATS.get(fmt, fmt)
    if not fmt:
        path = str(res.get("url") or "").split("?", 1)[0].split("#", 1)[0]
        _, ext = os.path.splitext(path)
        fmt = ext.lower().lstrip(".")
    return fmt if fmt in wanted else None


def enqueue(resource_id: str, *, requested_by: str | None = None) -> str | None:
    """Queue a validation run; returns the RQ job id (None if Redis is unavailable)."""
    from rq import Callback

    try:
        job = tk.enqueue_job(
            validate_resource,
            [resource_id],
            {"requested_by": requested_by},
            title=f"publicservices validation {resource_id}",
            queue=QUEUE,
            rq_kwargs={"timeout": settings.job_timeout(), "on_failure": Callback(on_job_failure)},
        )
    except Exception:  # Redis down must not break saving a resource; the status stays pending
        log.exception("could not enqueue validation of resource %s", resource_id)
        return None
    return job.id


# -- the job -----------------------------------------------------------------------------------


def _current_job_id() -> str | None:
    try:
        from rq import get_current_job

        job = get_current_job()
    except Exception:
        return None
    return job.id if job else None


def _show(action: str, id_: str) -> dict[str, Any]:
    return tk.get_action(action)({"ignore_auth": True, "user": ""}, {"id": id_})


def validate_resource(resource_id: str, requested_by: str | None = None) -> str | None:
    """Validate one resource and store the report; returns the report id."""
    from ckan import model

    res = None
    for attempt in range(2):  # the request that enqueued may not have committed yet
        try:
            res = _show("resource_show", resource_id)
            break
        except tk.ObjectNotFound:
            model.Session.rollback()
            time.sleep(0.5 * (attempt + 1))
    if res is None:
        log.warning("validation: resource %s no longer exists", resource_id)
        return None
    pkg = _show("package_show", res["package_id"])
    report_id = vmodel.create(
        resource_id,
        pkg["id"],
        status="running",
        job_id=_current_job_id(),
        requested_by=requested_by,
    )
    model.Session.commit()
    started = time.monotonic()
    try:
        with _memory_limit(settings.memory_limit_mb()):
            outcome = run(res, pkg)
    except MemoryError:
        outcome = Outcome(
            "error",
            message=(
                "The check ran out of memory: the file is too large or too complex to check "
                "(for example one enormous line or cell). Split it into smaller files."
            ),
        )
    except Problem as err:
        outcome = Outcome("error", message=str(err))
    except Exception as err:  # the worker must keep running whatever the file contains
        log.exception("validation of resource %s failed", resource_id)
        outcome = Outcome(
            "error", message=f"The check could not be completed ({err.__class__.__name__}: {err})."
        )
    seconds = round(time.monotonic() - started, 3)
    report = outcome.report or {}
    report.setdefault("seconds", seconds)
    model.Session.rollback()
    if outcome.status in FAILED and withdraw_if_gated(pkg["id"]):
        report["withdrawn"] = WITHDRAWN_NOTE
    vmodel.finish(
        report_id,
        status=outcome.status,
        error_count=outcome.error_count,
        row_count=outcome.row_count,
        schema_source=outcome.schema_source,
        schema=outcome.schema,
        report=report,
        message=outcome.message,
    )
    model.Session.commit()
    set_resource_status(resource_id, outcome.status, outcome.error_count)
    return report_id


FAILED = ("failure", "error")
WITHDRAWN_NOTE = (
    "The dataset was made private when this check failed: this portal publishes a dataset only "
    "while all of its data passes validation. Fix the file (or its schema) and let the check run "
    "again, then make the dataset public."
)


def withdraw_if_gated(package_id: str) -> bool:
    """With the publication gate on, make a public dataset private again; True if it was.

    The gate refuses publishing while a check failed or is pending, but a public dataset can
    get a new or changed file at any time, and its check only ends after the save (checks run
    in the worker, never in the request). Taking the dataset back keeps the gate's promise to
    re-users (public means every file passed), and the publisher, told on the report and the
    dataset page, publishes again in one step once the data is fixed."""
    from ckan import model

    if not settings.public_gate():
        return False
    obj = model.Package.get(package_id)
    if obj is None or obj.private or obj.state != "active":
        return False
    obj.private = True
    model.Session.commit()
    log.warning("validation gate: dataset %s made private after a failed check", package_id)
    return True


def on_job_failure(job: Any, connection: Any, exc_type: Any, exc_value: Any, tb: Any) -> None:
    """RQ failure callback: the job was stopped (time limit, killed work horse) before it
    could finish its report; record that so the resource does not stay "pending" forever."""
    from ckan import model

    resource_id = (job.args or [None])[0]
    if not resource_id:
        return
    name = getattr(exc_type, "__name__", "an error")
    if "Timeout" in name:
        message = (
            f"The check took longer than {settings.job_timeout()} seconds and was stopped. "
            "Split the file into smaller files, or ask the portal's administrators."
        )
    else:
        message = (
            f"The check stopped unexpectedly ({name}). Re-run it; if it fails again, "
            "split the file."
        )
    try:
        model.Session.rollback()
        t = vmodel.report_table
        res_obj = model.Resource.get(resource_id)
        if res_obj is not None and withdraw_if_gated(res_obj.package_id):
            message += " " + WITHDRAWN_NOTE
        model.Session.execute(
            t.update()
            .where(t.c.resource_id == resource_id, t.c.job_id == job.id, t.c.status == "running")
            .values(status="error", message=message, finished=vmodel._now())
        )
        model.Session.commit()
        set_resource_status(resource_id, "error", None)
    except Exception:
        log.exception("could not record the failure of validation job %s", job.id)
        model.Session.rollback()


def set_resource_status(resource_id: str, status: str, error_count: int | None) -> None:
    """Write the validation_* fields on the resource row only (no action: no activity, no
    metadata_modified bump, no new run), commit, and refresh the dataset's search document,
    which package_show serves as its cache."""
    from ckan import model

    from ckanext.publicservices import compat

    obj = model.Resource.get(resource_id)
    if obj is None:
        return
    extras = dict(obj.extras or {})
    extras["validation_status"] = status
    extras["validation_timestamp"] = (
        datetime.datetime.now(datetime.timezone.utc)
        .replace(tzinfo=None)
        .isoformat(timespec="seconds")
    )
    if error_count is None:
        extras.pop("validation_error_count", None)
    else:
        extras["validation_error_count"] = error_count
    obj.extras = extras
    package_id = obj.package_id
    model.Session.commit()
    try:
        compat.index_update_package(package_id)
    except Exception:  # the DB holds the truth; a stale index only delays the badge
        log.exception("could not re-index dataset %s after validation", package_id)


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


@contextlib.contextmanager
def _memory_limit(mb: int) -> Iterator[None]:
    """Cap the address space a check may add (in the worker's forked work horse): a zip bomb or
    an enormous cell ends in MemoryError, caught as an error report, not in the OOM killer."""
    if mb <= 0:
        yield
        return
    soft, hard = rlimit.getrlimit(rlimit.RLIMIT_AS)
    wanted = _address_space() + mb * 1024 * 1024
    if hard != rlimit.RLIM_INFINITY:
        wanted = min(wanted, hard)
    try:
        rlimit.setrlimit(rlimit.RLIMIT_AS, (wanted, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        rlimit.setrlimit(rlimit.RLIMIT_AS, (soft, hard))


# -- one run -----------------------------------------------------------------------------------


def run(res: dict[str, Any], pkg: dict[str, Any]) -> Outcome:
    """Pick the schema, get the file, check it; raise Problem for a file-level error."""
    fmt = tabular_format(res)
    if not fmt:
        raise Problem(
            f"The resource's format ({res.get('format') or 'none'}) is not one that can be checked "
            f"({', '.join(sorted(settings.formats())).upper()})."
        )
    schema, schema_source, note = choose_schema(res, pkg)
    workdir = tempfile.mkdtemp(prefix="publicservices-validation-")
    try:
        path = obtain_file(res, fmt, workdir)
        preflight(path, fmt)
        outcome = check(path, fmt, schema)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    outcome.schema_source = schema_source
    if note:
        (outcome.report or {}).setdefault("notes", []).append(note)
    if schema is not None:
        outcome.schema = schema
    return outcome


def _resource_standard(res: dict[str, Any]) -> dict[str, Any] | None:
    return standards.resolve_conforms_to(res.get("conforms_to"))


def which_schema(
    res: dict[str, Any], pkg: dict[str, Any] | None
) -> tuple[str, dict[str, Any] | None]:
    """What a check of ``res`` is made against, in ``choose_schema``'s order, without reading
    anything (for badges): ``("standard", standard)``, ``("resource", None)`` or
    ``("inferred", None)``."""
    claimed = _resource_standard(res)
    if claimed:
        return "standard", claimed
    if res.get("schema"):
        return "resource", None
    found = standards.resolve_conforms_to((pkg or {}).get("conforms_to"))
    if found:
        return "standard", found
    return "inferred", None


def choose_schema(
    res: dict[str, Any], pkg: dict[str, Any]
) -> tuple[dict[str, Any] | None, str, str | None]:
    """Schema order: a known standard the resource claims to conform to; the resource's own
    ``schema``; a known standard the dataset conforms to; else None (inferred from the data).

    The resource's claim comes first so that a schema saved on it (one "Suggest a schema"
    inferred from the very data, say) can never make a file pass in the standard's place: the
    badge would then vouch for conformity nobody checked. The dataset's claim is weaker: one of
    its files (a lookup table) may rightly follow a schema of its own."""
    own = res.get("schema")
    claimed = _resource_standard(res)
    if claimed:
        note = None
        if own:
            note = (
                f"The resource's own schema was not used: the resource claims to conform to "
                f"{claimed.get('title') or claimed['name']}, so it is checked against that "
                "standard. Remove the claim to check the file against its own schema instead."
            )
        return claimed["schema"], f"standard:{claimed['name']}", note
    if own:
        return _own_schema(own), "resource", None
    note = None
    for where, value in (("resource", res.get("conforms_to")), ("dataset", pkg.get("conforms_to"))):
        found = standards.resolve_conforms_to(value)
        if found:
            return found["schema"], f"standard:{found['name']}", None
        if value and not note:
            note = (
                f"The {where} conforms to {value}, which is not a standard this portal knows, "
                "so the columns were inferred from the data."
            )
    return None, "inferred", note


def _own_schema(value: Any) -> dict[str, Any]:
    from frictionless import FrictionlessException, Schema

    if isinstance(value, dict):
        descriptor = value
    else:
        text = str(value).strip()
        if text.startswith(("http://", "https://")):
            found = standards.schema(text)
            if found:
                return found
            descriptor = _fetch_schema(text)
        else:
            try:
                descriptor = json.loads(text)
            except ValueError as err:
                raise Problem(
                    f"The resource's schema is neither a link nor valid JSON ({err})."
                ) from err
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        raise Problem('The resource\'s schema is not a Table Schema: it needs a "fields" list.')
    try:
        Schema.from_descriptor(descriptor)
    except FrictionlessException as err:
        raise Problem(
            f"The resource's schema is not a valid Table Schema: {err.error.message}"
        ) from err
    return descriptor


def _fetch_schema(url: str) -> dict[str, Any]:
    import io

    buf = io.BytesIO()
    try:
        fetch.fetch(
            url,
            buf,
            max_bytes=1_000_000,
            timeout=settings.fetch_timeout(),
            deadline=settings.fetch_timeout(),
            allow_private=settings.fetch_allow_private(),
        )
    except fetch.FetchRefused as err:
        raise Problem(
            f"The resource's schema at {url} could not be fetched: {err.reason}."
        ) from err
    try:
        return json.loads(buf.getvalue().decode("utf-8"))
    except ValueError as err:
        raise Problem(f"The resource's schema at {url} is not valid JSON ({err}).") from err


def obtain_file(res: dict[str, Any], fmt: str, workdir: str) -> str:
    """A local path to the resource's bytes (the upload itself, read only, or a download)."""
    if res.get("url_type") == "upload":
        return _upload_path(res, fmt, workdir)
    url = str(res.get("url") or "")
    if not url:
        raise Problem("The resource has no link or upload to check.")
    target = os.path.join(workdir, f"data.{fmt}")
    with open(target, "wb") as out:
        try:
            fetch.fetch(
                url,
                out,
                max_bytes=settings.max_bytes(),
                timeout=settings.fetch_timeout(),
                deadline=settings.fetch_deadline(),
                allow_private=settings.fetch_allow_private(),
            )
        except fetch.FetchRefused as err:
            where = f" ({err.url})" if err.url and err.url != url else ""
            raise Problem(f"The linked file was not fetched{where}: {err.reason}.") from err
    return target


def _upload_path(res: dict[str, Any], fmt: str, workdir: str) -> str:
    from ckan.lib import uploader

    missing = Problem(
        "The uploaded file is missing from the portal's storage (it may have been removed). "
        "Upload the file again."
    )
    upload = uploader.get_resource_uploader(dict(res))
    location = upload.get_path(res["id"])
    storage = getattr(upload, "storage", None)
    if storage is None:
        if not os.path.isfile(location):
            raise missing
        return str(location)
    from ckan.lib import files

    root = getattr(getattr(storage, "settings", None), "path", "")
    if root:
        full = storage.full_path(location)
        if os.path.isfile(full):
            return full
        raise missing
    target = os.path.join(workdir, f"data.{fmt}")
    limit = settings.max_bytes()
    try:
        data = files.FileData(files.Location(location), size=storage.size(files.Location(location)))
        if data.size > limit:
            raise Problem(f"The file is larger than the {limit // 1_000_000} MB limit for checks.")
        with open(target, "wb") as out:
            for chunk in storage.stream(data):
                out.write(chunk)
    except files.exc.MissingFileError as err:
        raise missing from err
    return target


def preflight(path: str, fmt: str) -> None:
    """File-level checks frictionless does not make (or makes at great cost)."""
    size = os.path.getsize(path)
    if size == 0:
        raise Problem("The file is empty (0 bytes). Upload or link the file with its data.")
    if size > settings.max_bytes():
        raise Problem(
            f"The file is {size / 1e6:.0f} MB, more than the "
            f"{settings.max_bytes() / 1e6:.0f} MB limit for checks."
        )
    with open(path, "rb") as fh:
        head = fh.read(8192)
    kind = sniff(head)
    if fmt in _TEXT_FORMATS:
        if kind != "text":
            raise Problem(
                f"The resource says {fmt.upper()} but the file looks like "
                f"{_KIND_LABEL.get(kind, kind)}. "
                "Check the link points at the data file itself, or correct the format."
            )
        if not head.strip(b"\xef\xbb\xbf \t\r\n"):
            raise Problem("The file contains only blank space: there is no header row or data.")
        _check_line_lengths(path)
    else:
        if kind != "zip":
            raise Problem(
                f"The resource says {fmt.upper()} but the file looks like "
                f"{_KIND_LABEL.get(kind, kind)}, "
                "not a spreadsheet. Correct the format or upload the spreadsheet."
            )
        _check_zip(path, fmt)


_KIND_LABEL = {
    "html": "a web page (HTML)",
    "pdf": "a PDF document",
    "zip": "a zip archive or spreadsheet (XLSX/ODS)",
    "gzip": "a gzip-compressed file",
    "ole": "an old binary Excel/Office file (XLS)",
    "binary": "a binary file",
    "text": "text",
}


def sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if (
        start.startswith((b"<!doctype html", b"<html", b"<head", b"<?xml"))
        or b"<html" in start[:1024]
    ):
        return "html"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text
        return "text"
    if b"\x00" in head:
        return "binary"
    return "text"


def _check_line_lengths(path: str) -> None:
    limit = settings.max_line_bytes()
    current = 0  # bytes of the line in progress
    line_no = 1
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            sep = b"\n" if b"\n" in chunk else (b"\r" if b"\r" in chunk else None)
            if sep is None:
                current += len(chunk)
            else:
                parts = chunk.split(sep)
                longest = max(current + len(parts[0]), max(map(len, parts[1:-1]), default=0))
                if longest > limit:
                    current = longest
                    break
                current = len(parts[-1])
                line_no += len(parts) - 1
            if current > limit:
                break
    if current > limit:
        raise Problem(
            f"The file has a line longer than {limit // 1024} KB (near line {line_no}). "
            "This usually means the line endings are missing or a quote is never closed; "
            "fix the file so each row is on its own line."
        )


def _check_zip(path: str, fmt: str) -> None:
    limit = settings.max_unzipped_bytes()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as err:
        raise Problem(
            f"The {fmt.upper()} file is damaged (not a readable zip archive: {err})."
        ) from err
    if len(infos) > 10_000:
        raise Problem(
            f"The {fmt.upper()} file holds {len(infos)} parts, too many to be a normal spreadsheet."
        )
    total = sum(i.file_size for i in infos)
    if total > limit:
        raise Problem(
            f"The {fmt.upper()} file would expand to {total / 1e6:.0f} MB, more than the "
            f"{limit / 1e6:.0f} MB allowed (a possible zip bomb). Save it as CSV or split it."
        )


# -- frictionless ------------------------------------------------------------------------------


# errors about the file as a whole (no row or header): the run ends as "error", not "failure"
def _is_file_level(error: dict[str, Any]) -> bool:
    tags = error.get("tags") or []
    return "#row" not in tags and "#header" not in tags


def check(path: str, fmt: str, schema: dict[str, Any] | None) -> Outcome:
    from frictionless import Resource, Schema

    options: dict[str, Any] = {"format": fmt}
    if schema is not None:
        options["schema"] = Schema.from_descriptor(schema)
    field_limit = csv.field_size_limit()
    csv.field_size_limit(max(field_limit, settings.max_line_bytes()))
    try:
        resource = Resource(path=os.path.basename(path), basepath=os.path.dirname(path), **options)
        limit_rows = settings.limit_rows() or None
        report = resource.validate(limit_errors=settings.limit_errors(), limit_rows=limit_rows)
        inferred = resource.schema.to_descriptor() if schema is None and resource.schema else None
    finally:
        csv.field_size_limit(field_limit)
    # report.to_dict() re-validates every error's metadata (~1 ms each): read the attributes
    task = report.tasks[0] if report.tasks else None
    errors = [_error_dict(e) for e in (task.errors if task else [])]
    errors += [_error_dict(e) for e in report.errors]
    file_level = [e for e in errors if _is_file_level(e)]
    stats: dict[str, Any] = dict(task.stats) if task else {}
    error_count = int(stats.get("errors", len(errors)) or 0)
    summary = {
        "valid": bool(report.valid),
        "rows": stats.get("rows"),
        "fields": stats.get("fields"),
        "bytes": stats.get("bytes"),
        "labels": list(task.labels or []) if task else [],
        "errors": errors,
        "warnings": [str(w) for w in (task.warnings if task else [])]
        + [str(w) for w in report.warnings],
        "limit_errors": settings.limit_errors(),
        "truncated": error_count >= settings.limit_errors(),
        "frictionless_seconds": (report.stats or {}).get("seconds"),
    }
    data = {"valid": report.valid}
    if file_level:
        first = file_level[0]
        return Outcome(
            "error",
            error_count=error_count,
            row_count=stats.get("rows"),
            report=summary,
            schema=inferred,
            message=_file_message(first),
        )
    status = "success" if data.get("valid") else "failure"
    return Outcome(
        status,
        error_count=error_count,
        row_count=stats.get("rows"),
        report=summary,
        schema=inferred,
    )


_ERROR_ATTRS = (
    ("row_number", "rowNumber"),
    ("field_name", "fieldName"),
    ("field_number", "fieldNumber"),
    ("cell", "cell"),
    ("label", "label"),
)


def _error_dict(error: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": error.type,
        "title": error.title,
        "message": error.message,
        "tags": list(error.tags),
        "note": error.note,
    }
    for attr, key in _ERROR_ATTRS:
        value = getattr(error, attr, None)
        if value is not None:
            out[key] = value
    cells = getattr(error, "cells", None)
    if cells and "cell" not in out:  # row-level errors (blank row, primary key): show the row
        out["cells"] = [str(c)[:200] for c in cells[:50]]
    return out


def _file_message(error: dict[str, Any]) -> str:
    etype = error.get("type", "")
    note = error.get("note") or error.get("message") or ""
    if etype == "encoding-error":
        return (
            "The file's text encoding could not be read consistently (" + note + "). "
            "Save the file as UTF-8 (in Excel: CSV UTF-8) and upload it again."
        )
    if etype == "source-error" and "empty" in note:
        return "The file is empty: there is no header row or data."
    if etype in ("format-error", "source-error"):
        return (
            f"The file could not be read as a table ({note}). "
            "Check the format and that the file is not damaged."
        )
    return f"The file could not be checked: {error.get('message') or note}"


def infer_schema(res: dict[str, Any], sample_rows: int = 1000) -> dict[str, Any]:
    """A Table Schema inferred from the resource's data (for the publisher to review)."""
    from frictionless import Detector, Resource

    fmt = tabular_format(res)
    if not fmt:
        raise Problem("Only CSV, TSV, XLSX and ODS resources can have a schema inferred.")
    workdir = tempfile.mkdtemp(prefix="publicservices-infer-")
    try:
        path = obtain_file(res, fmt, workdir)
        preflight(path, fmt)
        resource = Resource(
            path=os.path.basename(path),
            basepath=os.path.dirname(path),
            format=fmt,
            detector=Detector(sample_size=sample_rows),
        )
        resource.infer()
        descriptor = resource.schema.to_descriptor()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return descriptor
