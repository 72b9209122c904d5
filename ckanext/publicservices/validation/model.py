"""Validation reports: one row per run (history kept), in ``publicservices_validation_report``.

The table is created by the plugin's alembic migration
(``ckan db upgrade -p publicservices_validation``); it is declared on CKAN's metadata so that
CKAN's test ``clean_db`` also empties it.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import sqlalchemy as sa
from ckan.model import meta
from sqlalchemy.dialects.postgresql import JSONB

__all__: list[str] = []

TABLE_NAME = "publicservices_validation_report"

report_table = sa.Table(
    TABLE_NAME,
    meta.metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("resource_id", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("finished", sa.DateTime),
    sa.Column("error_count", sa.Integer),
    sa.Column("row_count", sa.Integer),
    sa.Column("schema_source", sa.UnicodeText),
    sa.Column("schema", JSONB),
    sa.Column("report", JSONB),
    sa.Column("message", sa.UnicodeText),
    sa.Column("job_id", sa.UnicodeText),
    sa.Column("requested_by", sa.UnicodeText),
    extend_existing=True,
)

_COLUMNS = [c.name for c in report_table.columns]


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def create(
    resource_id: str,
    package_id: str,
    *,
    status: str = "pending",
    job_id: str | None = None,
    requested_by: str | None = None,
) -> str:
    report_id = str(uuid.uuid4())
    meta.Session.execute(
        report_table.insert().values(
            id=report_id,
            resource_id=resource_id,
            package_id=package_id,
            status=status,
            created=_now(),
            job_id=job_id,
            requested_by=requested_by,
        )
    )
    return report_id


def update(report_id: str, **values: Any) -> None:
    unknown = set(values) - set(_COLUMNS)
    if unknown:
        raise KeyError(f"unknown report columns: {sorted(unknown)}")
    meta.Session.execute(
        report_table.update().where(report_table.c.id == report_id).values(**values)
    )


def finish(report_id: str, **values: Any) -> None:
    update(report_id, finished=_now(), **values)


def _row(row: Any) -> dict[str, Any]:
    out = dict(row._mapping)
    for key in ("created", "finished"):
        if out.get(key) is not None:
            out[key] = out[key].isoformat()
    return out


def get(report_id: str) -> dict[str, Any] | None:
    row = meta.Session.execute(
        sa.select(report_table).where(report_table.c.id == report_id)
    ).first()
    return _row(row) if row else None


def latest(resource_id: str, *, with_report: bool = True) -> dict[str, Any] | None:
    cols = (
        report_table.c
        if with_report
        else [c for c in report_table.c if c.name not in ("report", "schema")]
    )
    row = meta.Session.execute(
        sa.select(*cols)
        .where(report_table.c.resource_id == resource_id)
        .order_by(report_table.c.created.desc())
        .limit(1)
    ).first()
    return _row(row) if row else None


def history(resource_id: str, limit: int = 20) -> list[dict[str, Any]]:
    cols = [c for c in report_table.c if c.name not in ("report", "schema")]
    rows = meta.Session.execute(
        sa.select(*cols)
        .where(report_table.c.resource_id == resource_id)
        .order_by(report_table.c.created.desc())
        .limit(limit)
    ).all()
    return [_row(r) for r in rows]
