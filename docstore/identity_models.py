"""Sign-in through an identity provider (SAML 2.0): linked identities and the login handshake.

Kept beside :mod:`docstore.models` (whose ``Base`` they share) because they
belong to one job: remembering who an identity provider vouched for, and
making sure each of its answers is used once, by the browser that asked.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, UTCDateTime, _choice, utcnow


class TrustLevel(StrEnum):
    """How sure the identity provider is of the person (eIDAS levels of assurance)."""

    BASIC = "basic"
    """User name and password at the provider (BundID: STORK-QAA-Level-1/2, eIDAS low)."""
    SUBSTANTIAL = "substantial"
    """A certificate such as ELSTER (STORK-QAA-Level-3, eIDAS substantial)."""
    HIGH = "high"
    """The online ID card (STORK-QAA-Level-4, eIDAS high)."""


class ExternalIdentity(Base):
    """An account's identity at a provider: (issuer, subject) names one person there."""

    __tablename__ = "external_identities"
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        _choice("trust_level", TrustLevel),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(500))
    trust_level: Mapped[str] = mapped_column(String(16))
    """The level of the latest sign-in (a person may sign in with the ID card one day and
    with a password the next)."""
    asserted_name: Mapped[str | None] = mapped_column(String(200))
    """The name the provider vouched for (the account's display name is the person's own
    word and may differ; the clerk sees both)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class SamlLogin(Base):
    """One sign-in through the provider, from the request to the browser that gets the session.

    The provider posts its answer cross-site, without the browser's cookies
    (SameSite); so the answer is checked and parked here, and the browser
    collects it with a same-site redirect that must show the nonce its own
    session got when it asked.  That stops a login forced on someone else's
    browser and a link of someone else's identity to one's own account.
    """

    __tablename__ = "saml_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[str] = mapped_column(String(100), unique=True)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    next_url: Mapped[str] = mapped_column(String(500), default="/")
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    handoff_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    result: Mapped[str | None] = mapped_column(Text)
    """The checked assertion (JSON) once the provider answered."""


class SeenAssertion(Base):
    """An assertion already used; kept until it would have expired anyway (replay guard)."""

    __tablename__ = "saml_seen_assertions"

    assertion_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
