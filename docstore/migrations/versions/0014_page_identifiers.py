"""pages: a random public identifier for IIIF URLs

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 22:40:00
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.add_column(sa.Column("iiif_id", sa.String(length=36), nullable=True))
    _name_existing_pages()
    with op.batch_alter_table("pages") as batch:
        batch.alter_column("iiif_id", existing_type=sa.String(length=36), nullable=False)
        batch.create_unique_constraint("uq_pages_iiif_id", ["iiif_id"])


def _name_existing_pages() -> None:
    """uuid4 in Python, not a database function: SQLite has none, and both stacks must agree."""
    connection = op.get_bind()
    pages = sa.table("pages", sa.column("id", sa.Integer), sa.column("iiif_id", sa.String))
    while True:
        ids = (
            connection.execute(sa.select(pages.c.id).where(pages.c.iiif_id.is_(None)).limit(BATCH))
            .scalars()
            .all()
        )
        if not ids:
            return
        connection.execute(
            pages.update().where(pages.c.id == sa.bindparam("page_id")),
            [{"page_id": i, "iiif_id": str(uuid.uuid4())} for i in ids],
        )


def downgrade() -> None:
    with op.batch_alter_table("pages") as batch:
        batch.drop_constraint("uq_pages_iiif_id", type_="unique")
        batch.drop_column("iiif_id")
