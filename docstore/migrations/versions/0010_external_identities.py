"""sign-in through a SAML identity provider: linked identities, login handshakes, used assertions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "external_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("trust_level", sa.String(length=16), nullable=False),
        sa.Column("asserted_name", sa.String(length=200), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            ondelete="CASCADE",
            name=op.f("fk_external_identities_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_external_identities_issuer")),
        sa.CheckConstraint(
            "trust_level IN ('basic', 'substantial', 'high')",
            name=op.f("ck_external_identities_trust_level_valid"),
        ),
    )
    op.create_index(op.f("ix_external_identities_user_id"), "external_identities", ["user_id"])
    op.create_table(
        "saml_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("next_url", sa.String(length=500), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("handoff_hash", sa.String(length=64), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saml_logins")),
        sa.UniqueConstraint("request_id", name=op.f("uq_saml_logins_request_id")),
        sa.UniqueConstraint("handoff_hash", name=op.f("uq_saml_logins_handoff_hash")),
    )
    op.create_index(op.f("ix_saml_logins_expires_at"), "saml_logins", ["expires_at"])
    op.create_table(
        "saml_seen_assertions",
        sa.Column("assertion_id", sa.String(length=200), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("assertion_id", name=op.f("pk_saml_seen_assertions")),
    )
    op.create_index(
        op.f("ix_saml_seen_assertions_expires_at"), "saml_seen_assertions", ["expires_at"]
    )


def downgrade() -> None:
    op.drop_table("saml_seen_assertions")
    op.drop_table("saml_logins")
    op.drop_table("external_identities")
