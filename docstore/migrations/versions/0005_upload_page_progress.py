"""pages done of an uploaded file while its worker is on it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("upload_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pages_done", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pages_total", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("upload_files", schema=None) as batch_op:
        batch_op.drop_column("pages_total")
        batch_op.drop_column("pages_done")
