"""Extracts (Aktenauszüge) and the plan authors' consents they depend on.

Kept beside :mod:`docstore.models` (whose ``Base`` they share).  An order
remembers every page that was asked for, also the ones left out and why, so
the applicant, the clerk and the auditor can all see what went out.  The PDF
itself is derived: it is made from the originals in the background and
deleted when its link has run out.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, UTCDateTime, _choice, utcnow


class ExtractStatus(StrEnum):
    QUEUED = "queued"
    """Waiting for the background worker (or being made by it)."""
    READY = "ready"
    FAILED = "failed"
    """The worker gave up after several tries; the operator finds why in ``error``."""
    EXPIRED = "expired"
    """The link ran out and the PDF was deleted; the order stays on record."""


class LeftOut(StrEnum):
    PLAN_WITHOUT_CONSENT = "plan_without_consent"
    """A plan whose author has not consented, ordered without the § 45 UrhG declaration."""


class ExtractOrder(Base):
    __tablename__ = "extract_orders"
    __table_args__ = (_choice("status", ExtractStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    building_file_id: Mapped[int] = mapped_column(ForeignKey("building_files.id"), index=True)
    stamped: Mapped[bool] = mapped_column(Boolean, default=True)
    recipient: Mapped[str] = mapped_column(String(200))
    """The name stamped on every page, as it was when the extract was ordered."""
    proceedings_declared: Mapped[bool] = mapped_column(Boolean, default=False)
    """The applicant declared the copy is for proceedings before an authority (§ 45 UrhG)."""
    status: Mapped[str] = mapped_column(String(16), default=ExtractStatus.QUEUED.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    object_key: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    fee_notice_id: Mapped[int | None] = mapped_column(ForeignKey("fee_notices.id"))

    pages: Mapped[list[ExtractPage]] = relationship(
        order_by="ExtractPage.position", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        """The reference the applicant quotes, like an application's."""
        return f"E-{self.created_at.year}-{self.id:05d}"


class ExtractPage(Base):
    """One page asked for, in the order it appears in the extract."""

    __tablename__ = "extract_pages"
    __table_args__ = (_choice("left_out", LeftOut),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("extract_orders.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"))
    number: Mapped[int] = mapped_column(Integer)
    """The page's number in its document (kept for the record if the page changes)."""
    left_out: Mapped[str | None] = mapped_column(String(32))


class PlanConsent(Base):
    """The author's consent to copies of a plan for people outside the authority.

    Withdrawn, never deleted: an extract made while it held stays explained.
    """

    __tablename__ = "plan_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    consented_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
