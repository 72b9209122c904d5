"""Create publicservices_dcat_fragment (each public dataset's RDF per format, joined into pages).

Revision ID: 5e2d8c41a9f0
Revises:
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "5e2d8c41a9f0"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publicservices_dcat_fragment",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("format", sa.UnicodeText, primary_key=True),
        # the profile names the fragment was written with ("" never: the configured ones)
        sa.Column("profiles", sa.UnicodeText, primary_key=True),
        # hash of everything the bytes depend on (see dcat/fragments.py)
        sa.Column("stamp", sa.UnicodeText, nullable=False),
        sa.Column("dataset_ref", sa.UnicodeText, nullable=False),
        sa.Column("prefixes", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("modified", sa.UnicodeText, nullable=False),
        sa.Column("built", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("publicservices_dcat_fragment")
