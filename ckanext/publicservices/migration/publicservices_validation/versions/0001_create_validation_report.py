"""Create publicservices_validation_report (one row per validation run).

Revision ID: 9c1f3a7e2b01
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "9c1f3a7e2b01"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publicservices_validation_report",
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
    )
    op.create_index(
        "publicservices_validation_report_resource_created",
        "publicservices_validation_report",
        ["resource_id", "created"],
    )
    op.create_index(
        "publicservices_validation_report_package",
        "publicservices_validation_report",
        ["package_id"],
    )


def downgrade() -> None:
    op.drop_table("publicservices_validation_report")
