"""The committed state of the database, read on a connection of its own (never the session
under test), to check that a refused request changed nothing."""

from __future__ import annotations

import ckan.model as model
from sqlalchemy import text

# every table a dataset, resource or organisation write touches
TABLES = (
    "package",
    "resource",
    "resource_view",
    '"group"',
    "member",
    "package_tag",
    "tag",
    "package_relationship",
    "activity",
    "publicservices_validation_report",
)


def snapshot() -> dict[str, str]:
    out = {}
    with model.meta.engine.connect() as conn:
        for table in TABLES:
            # activities are only ever added: their ids say whether one was
            row_text = "t.id::text" if table == "activity" else "t::text"
            digest = f"md5(coalesce(string_agg({row_text}, '|' ORDER BY {row_text}), ''))"
            row = conn.execute(text(f"SELECT count(*), {digest} FROM {table} t")).one()
            out[table] = f"{row[0]}:{row[1]}"
    return out
