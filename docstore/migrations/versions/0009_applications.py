"""applications to inspect a file: the full status list, legitimations, proofs, messages;
grants limited to document kinds

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUS = "status IN ('submitted', 'in_review', 'approved', 'rejected', 'withdrawn')"
NEW_STATUS = (
    "status IN ('submitted', 'in_review', 'query', 'digitising', 'approved', 'rejected', "
    "'no_file', 'withdrawn')"
)
OLD_LEGITIMATION = "legitimation IN ('owner', 'authorized', 'legitimate_interest')"
NEW_LEGITIMATION = (
    "legitimation IN ('owner', 'authorized', 'management', 'architect', 'neighbour', "
    "'legitimate_interest')"
)
KINDS = (
    "kind IN ('bauantrag', 'baugenehmigung', 'bauzeichnung', 'lageplan', 'statik', "
    "'bescheinigung', 'abnahme', 'schriftverkehr', 'sonstiges')"
)
NEW_COLUMNS = [
    ("street", sa.String(length=200)),
    ("house_number", sa.String(length=20)),
    ("postcode", sa.String(length=10)),
    ("gemarkung", sa.String(length=100)),
    ("flur", sa.String(length=20)),
    ("flurstueck", sa.String(length=40)),
    ("aktenzeichen", sa.String(length=40)),
    ("interest", sa.Text()),
    ("chamber_number", sa.String(length=50)),
    ("assigned_to_id", sa.Integer()),
    ("reason", sa.String(length=32)),
]


def _checks(batch_op, table: str, status: str, legitimation: str | None) -> None:
    batch_op.drop_constraint(op.f(f"ck_{table}_status_valid"), type_="check")
    batch_op.create_check_constraint(op.f(f"ck_{table}_status_valid"), sa.text(status))
    if legitimation:
        batch_op.drop_constraint(op.f(f"ck_{table}_legitimation_valid"), type_="check")
        batch_op.create_check_constraint(
            op.f(f"ck_{table}_legitimation_valid"), sa.text(legitimation)
        )


def upgrade() -> None:
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        for name, type_ in NEW_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_access_requests_assigned_to_id_users"), "users",
            ["assigned_to_id"], ["id"],
        )  # fmt: skip
        batch_op.drop_constraint(
            batch_op.f("fk_access_requests_power_of_attorney_sha256_blobs"), type_="foreignkey"
        )
        batch_op.drop_column("power_of_attorney_sha256")
        _checks(batch_op, "access_requests", NEW_STATUS, NEW_LEGITIMATION)
    with op.batch_alter_table("access_request_events", schema=None) as batch_op:
        _checks(batch_op, "access_request_events", NEW_STATUS, None)
    op.create_table(
        "application_proofs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("active_content", sa.Boolean(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["access_requests.id"],
            name=op.f("fk_application_proofs_request_id_access_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_proofs")),
    )
    op.create_index(op.f("ix_application_proofs_request_id"), "application_proofs", ["request_id"])
    op.create_table(
        "application_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_application_messages_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["access_requests.id"],
            name=op.f("fk_application_messages_request_id_access_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_messages")),
    )
    op.create_index(
        op.f("ix_application_messages_request_id"), "application_messages", ["request_id"]
    )
    op.create_table(
        "grant_kinds",
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_grant_kinds_kind_valid")),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["grants.id"],
            name=op.f("fk_grant_kinds_grant_id_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grant_id", "kind", name=op.f("pk_grant_kinds")),
    )


def downgrade() -> None:
    op.drop_table("grant_kinds")
    op.drop_index(op.f("ix_application_messages_request_id"), table_name="application_messages")
    op.drop_table("application_messages")
    op.drop_index(op.f("ix_application_proofs_request_id"), table_name="application_proofs")
    op.drop_table("application_proofs")
    op.execute(
        "DELETE FROM access_request_events WHERE status NOT IN "
        "('submitted', 'in_review', 'approved', 'rejected', 'withdrawn')"
    )
    op.execute(
        "UPDATE access_requests SET status = 'in_review' WHERE status IN "
        "('query', 'digitising', 'no_file')"
    )
    op.execute(
        "UPDATE access_requests SET legitimation = 'legitimate_interest' WHERE legitimation "
        "NOT IN ('owner', 'authorized', 'legitimate_interest')"
    )
    with op.batch_alter_table("access_request_events", schema=None) as batch_op:
        _checks(batch_op, "access_request_events", OLD_STATUS, None)
    with op.batch_alter_table("access_requests", schema=None) as batch_op:
        _checks(batch_op, "access_requests", OLD_STATUS, OLD_LEGITIMATION)
        batch_op.add_column(
            sa.Column("power_of_attorney_sha256", sa.String(length=64), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_access_requests_power_of_attorney_sha256_blobs"), "blobs",
            ["power_of_attorney_sha256"], ["sha256"],
        )  # fmt: skip
        batch_op.drop_constraint(
            batch_op.f("fk_access_requests_assigned_to_id_users"), type_="foreignkey"
        )
        for name, _ in reversed(NEW_COLUMNS):
            batch_op.drop_column(name)
