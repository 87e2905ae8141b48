"""extracts: orders, their pages, plan authors' consents

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:46:35.034815
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("consented_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_plan_consents_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_plan_consents_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_plan_consents_withdrawn_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_consents")),
    )
    with op.batch_alter_table("plan_consents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_consents_document_id"), ["document_id"], unique=False
        )

    op.create_table(
        "extract_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("building_file_id", sa.Integer(), nullable=False),
        sa.Column("stamped", sa.Boolean(), nullable=False),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("proceedings_declared", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("object_key", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("fee_notice_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'ready', 'failed', 'expired')",
            name=op.f("ck_extract_orders_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["building_file_id"],
            ["building_files.id"],
            name=op.f("fk_extract_orders_building_file_id_building_files"),
        ),
        sa.ForeignKeyConstraint(
            ["fee_notice_id"],
            ["fee_notices.id"],
            name=op.f("fk_extract_orders_fee_notice_id_fee_notices"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_extract_orders_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extract_orders")),
    )
    with op.batch_alter_table("extract_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_extract_orders_building_file_id"), ["building_file_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_extract_orders_user_id"), ["user_id"], unique=False)

    op.create_table(
        "extract_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("left_out", sa.String(length=32), nullable=True),
        sa.CheckConstraint(
            "left_out IN ('plan_without_consent')", name=op.f("ck_extract_pages_left_out_valid")
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_extract_pages_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["extract_orders.id"],
            name=op.f("fk_extract_pages_order_id_extract_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["pages.id"], name=op.f("fk_extract_pages_page_id_pages")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extract_pages")),
    )
    with op.batch_alter_table("extract_pages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extract_pages_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("extract_pages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extract_pages_order_id"))

    op.drop_table("extract_pages")
    with op.batch_alter_table("extract_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extract_orders_user_id"))
        batch_op.drop_index(batch_op.f("ix_extract_orders_building_file_id"))

    op.drop_table("extract_orders")
    with op.batch_alter_table("plan_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_consents_document_id"))

    op.drop_table("plan_consents")
