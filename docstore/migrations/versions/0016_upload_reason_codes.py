"""upload reason codes: a manifest row's problem as a stable code the web words

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("upload_files") as batch:
        batch.add_column(sa.Column("reason_code", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("reason_params", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("upload_files") as batch:
        batch.drop_column("reason_params")
        batch.drop_column("reason_code")
