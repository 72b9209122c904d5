"""Extras written straight into the database, stored as the CKAN under test stores them.

CKAN 2.12 keeps dataset and organisation extras in a JSONB column (``package.extras``,
``"group".extras``); CKAN 2.11 keeps them as rows (``package_extra``, ``group_extra``). Tests that
plant bad stored values (as data predating the input boundary would be) go through here.
"""

from __future__ import annotations

import uuid

import ckan.model as model
from sqlalchemy import text

from ckanext.publicservices import compat

_JSONB = (
    "UPDATE {table} SET extras = jsonb_set(coalesce(extras, '{{}}'::jsonb), :path, "
    "to_jsonb(CAST(:raw AS text))) WHERE id = :id"
)
_ROW_DELETE = "DELETE FROM {table} WHERE {owner} = :id AND key = :key"
_ROW_INSERT = (
    "INSERT INTO {table} (id, {owner}, key, value, state) VALUES (:row, :id, :key, :raw, 'active')"
)


def _set(jsonb_table: str, row_table: str, owner: str, obj_id: str, key: str, raw: str) -> None:
    params = {"id": obj_id, "key": key, "raw": raw}
    if compat.CKAN_2_12:
        params["path"] = "{" + key + "}"
        model.Session.execute(text(_JSONB.format(table=jsonb_table)), params)
    else:
        params["row"] = str(uuid.uuid4())
        model.Session.execute(text(_ROW_DELETE.format(table=row_table, owner=owner)), params)
        model.Session.execute(text(_ROW_INSERT.format(table=row_table, owner=owner)), params)
    model.Session.commit()
    model.Session.remove()


def set_package_extra(pkg_id: str, key: str, raw: str) -> None:
    """Store ``raw`` as the dataset's extra ``key`` and commit."""
    _set("package", "package_extra", "package_id", pkg_id, key, raw)


def set_group_extra(group_id: str, key: str, raw: str) -> None:
    """Store ``raw`` as the organisation's extra ``key`` and commit."""
    _set('"group"', "group_extra", "group_id", group_id, key, raw)
