"""Alembic environment of the publicservices plugin.

Its revisions live in ``versions/`` and are recorded in
``publicservices_alembic_version`` (CKAN's convention for plugin migrations),
separate from CKAN core's ``alembic_version``.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
if config.config_file_name:
    fileConfig(config.config_file_name)

PLUGIN = os.path.basename(os.path.dirname(os.path.abspath(__file__)))
VERSION_TABLE = f"{PLUGIN}_alembic_version"


def _include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # autogenerate only ever looks at this plugin's own tables
    return type_ != "table" or (name or "").startswith("publicservices_validation")


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        literal_binds=True,
        version_table=VERSION_TABLE,
        include_object=_include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            version_table=VERSION_TABLE,
            include_object=_include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
