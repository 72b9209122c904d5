"""``ckan publicservices seed``: the four founding consortia and their illustrative publications.

Idempotent: every organisation, dataset and sample file is compared with what the portal holds
and written only when it differs, so a second run changes nothing (no new activity, same
``metadata_modified``). Runs through the action layer as the site user (no sysadmin account
needed). Only the fields the active schemas know are sent and compared, so the seed follows the
schemas as they evolve.
"""

from __future__ import annotations

import copy
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import ckan.plugins.toolkit as tk
from werkzeug.datastructures import FileStorage

from ckanext.publicservices.consortium import content, samples

DATE_FIELDS = frozenset({"issued", "modified", "start", "end", "start_date", "end_date"})
# keys of the seed content that are instructions, not dataset fields
NOT_FIELDS = frozenset({"standard"})
ALWAYS_SENT = frozenset({"type", "private", "owner_org", "name"})


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dropped_fields: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        lines = [
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}"
        ]
        lines += [f"  created  {n}" for n in self.created]
        lines += [f"  updated  {n}" for n in self.updated]
        for kind, names in sorted(self.dropped_fields.items()):
            lines.append(f"  fields not in the {kind} schema (not sent): {', '.join(names)}")
        return "\n".join(lines)


def _context() -> dict[str, Any]:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}


def _action(name: str, data: dict[str, Any]) -> Any:
    return tk.get_action(name)(_context(), data)


def _norm(value: Any, key: str = "") -> Any:
    """A comparable form: blanks dropped, dates cut to the day, strings stripped."""
    if isinstance(value, dict):
        return {k: _norm(v, k) for k, v in value.items() if _norm(v, k) not in (None, "", [], {})}
    if isinstance(value, list | tuple):
        return [_norm(v, key) for v in value]
    if isinstance(value, str):
        text = value.strip()
        return text[:10] if key in DATE_FIELDS else text
    return value


def _same(current: Any, wanted: Any, key: str) -> bool:
    if key == "tag_string":
        names = sorted(t["name"] for t in current or [])
        return names == sorted(t.strip() for t in wanted.split(",") if t.strip())
    if key == "private":
        return bool(current) == bool(wanted)
    return _norm(current, key) == _norm(wanted, key)


def _schema_fields(kind: str, type_: str) -> set[str] | None:
    try:
        if kind == "organization":
            schema = tk.get_action("scheming_organization_schema_show")({}, {"type": type_})
            return {f["field_name"] for f in schema["fields"]}
        schema = tk.get_action("scheming_dataset_schema_show")({}, {"type": type_})
    except (KeyError, tk.ObjectNotFound):
        return None
    return {f["field_name"] for f in schema["dataset_fields"]}


def _only_known(
    data: dict[str, Any], known: set[str] | None, kind: str, report: SeedReport
) -> dict[str, Any]:
    if known is None:
        return data
    if kind != "organization":
        known = known | {"tag_string", "private", "type"}
    dropped = sorted(k for k in data if k not in known and k not in ALWAYS_SENT)
    if dropped:
        seen = report.dropped_fields.setdefault(kind, [])
        seen.extend(k for k in dropped if k not in seen)
    return {k: v for k, v in data.items() if k not in dropped}


def _ensure_organization(wanted: dict[str, Any], report: SeedReport) -> dict[str, Any]:
    wanted = _only_known(
        copy.deepcopy(wanted),
        _schema_fields("organization", "organization"),
        "organization",
        report,
    )
    try:
        current = _action(
            "organization_show",
            {"id": wanted["name"], "include_datasets": False, "include_users": False},
        )
    except tk.ObjectNotFound:
        created = _action("organization_create", wanted)
        report.created.append(f"organization {wanted['name']}")
        return created
    diff = {k: v for k, v in wanted.items() if not _same(current.get(k), v, k)}
    return _patch("organization_patch", f"organization {wanted['name']}", current, diff, report)


def _patch(
    action: str, what: str, current: dict[str, Any], diff: dict[str, Any], report: SeedReport
) -> dict[str, Any]:
    """Patch what differs (and bring a deleted one back); unchanged when nothing does."""
    if current.get("state") != "active":
        diff["state"] = "active"
    if not diff:
        report.unchanged.append(what)
        return current
    updated = _action(action, dict(diff, id=current["id"]))
    report.updated.append(f"{what} ({', '.join(sorted(diff))})")
    return updated


def _ensure_dataset(wanted: dict[str, Any], report: SeedReport) -> dict[str, Any]:
    type_ = wanted["type"]
    wanted = _only_known(wanted, _schema_fields("dataset", type_), type_, report)
    try:
        current = _action("package_show", {"id": wanted["name"]})
    except tk.ObjectNotFound:
        created = _action("package_create", wanted)
        report.created.append(f"{type_} {wanted['name']}")
        return created
    diff: dict[str, Any] = {}
    for key, value in wanted.items():
        if key == "owner_org":
            if (current.get("organization") or {}).get("name") != value:
                diff[key] = value
        elif key == "tag_string":
            if not _same(current.get("tags"), value, key):
                diff[key] = value
        elif not _same(current.get(key), value, key):
            diff[key] = value
    return _patch("package_patch", f"{type_} {wanted['name']}", current, diff, report)


def _ensure_sample_file(
    dataset: dict[str, Any], standard: str, rows: int, seed: int, report: SeedReport
) -> None:
    from ckanext.publicservices.validation import standards

    found = standards.get(standard)
    if found is None:
        raise tk.ObjectNotFound(f"data standard {standard!r} is not installed")
    body = samples.generate_csv(found["schema"], standard, rows=rows, seed=seed)
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    filename = f"{dataset['name']}.csv"
    wanted = {
        "name": filename,
        "description": (
            f"Illustrative sample data: {rows} rows generated by a seeded random generator "
            f'(seed {seed}) following the "{found["title"]}" data standard. Not real figures.'
        ),
        "format": "CSV",
        "conforms_to": [found["uri"]],
        "hash": digest,
    }
    current = next((r for r in dataset.get("resources", []) if r.get("name") == filename), None)

    def upload() -> FileStorage:
        return FileStorage(io.BytesIO(body), filename=filename, content_type="text/csv")

    label = f"file {filename}"
    if current is None:
        _action("resource_create", dict(wanted, package_id=dataset["id"], upload=upload()))
        report.created.append(label)
        return
    diff = {k: v for k, v in wanted.items() if not _same(current.get(k), v, k)}
    if not diff:
        report.unchanged.append(label)
        return
    patch: dict[str, Any] = dict(wanted, id=current["id"])
    if "hash" in diff or current.get("url_type") != "upload":
        patch["upload"] = upload()
    _action("resource_patch", patch)
    report.updated.append(f"{label} ({', '.join(sorted(diff))})")


def seed(rows: int = 60, seed: int = 2017) -> SeedReport:
    """Create or bring up to date the four consortia and their publications."""
    from ckanext.publicservices.validation import standards

    report = SeedReport()
    for org in content.CONSORTIA:
        _ensure_organization(org, report)
    for org in content.CONSORTIA:
        for item in content.datasets_for(org):
            item = copy.deepcopy(item)
            standard = item.pop("standard", None)
            if standard:
                item["conforms_to"] = [standards.uri(standard)]
            dataset = _ensure_dataset(
                {k: v for k, v in item.items() if k not in NOT_FIELDS}, report
            )
            if standard:
                _ensure_sample_file(dataset, standard, rows, seed, report)
    return report


__all__ = ["SeedReport", "seed"]
