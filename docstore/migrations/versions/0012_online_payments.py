"""online payments: attempts to pay a fee notice through the Bezahldienst

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 13:15:00.492544
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "online_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("pay_url", sa.Text(), nullable=True),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('started', 'paid', 'cancelled', 'failed', 'disputed')",
            name=op.f("ck_online_payments_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["fee_notices.id"], name=op.f("fk_online_payments_notice_id_fee_notices")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_online_payments_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_online_payments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_online_payments")),
        sa.UniqueConstraint("request_id", name=op.f("uq_online_payments_request_id")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_online_payments_transaction_id")),
    )
    with op.batch_alter_table("online_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_online_payments_notice_id"), ["notice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("online_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_online_payments_notice_id"))

    op.drop_table("online_payments")
