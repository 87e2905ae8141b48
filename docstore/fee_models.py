"""Fee notices (Gebührenbescheide), the payments made on them, and imported bank statements.

Kept beside :mod:`docstore.models` (whose ``Base`` they share).  Nothing here is
ever deleted: a notice or a payment made in error is cancelled with a reason,
so the authority's books can always be traced back (and public-sector
accounting rules require them kept for years).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, UTCDateTime, _choice, utcnow


class NoticeStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    TRANSFER = "transfer"
    """A bank transfer, read from a CAMT.053 statement."""
    ONLINE = "online"
    CASH = "cash"
    CARD = "card"
    """At the desk, with a receipt number."""


class PaymentStatus(StrEnum):
    MATCHED = "matched"
    UNMATCHED = "unmatched"
    """Received, but no notice found: waits for a clerk."""
    CANCELLED = "cancelled"


class FeeNotice(Base):
    __tablename__ = "fee_notices"
    __table_args__ = (_choice("status", NoticeStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    grant_id: Mapped[int | None] = mapped_column(ForeignKey("grants.id"))
    """The access that waits for this fee (none once it is open)."""
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    """ISO 11649 creditor reference (see :mod:`docstore.payment_reference`)."""
    items: Mapped[list] = mapped_column(JSON)
    """``FeeItem.as_dict()`` of each item, as printed."""
    total_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    """The sum of the matched payments, kept with every payment recorded."""
    adjustment_reason: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    """Clerk time the fee counts."""
    recipient: Mapped[str] = mapped_column(Text)
    """Name and postal address as printed (the account may change or go later)."""
    aktenzeichen: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.OPEN.value)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[dt.date] = mapped_column(Date)
    pdf_key: Mapped[str | None] = mapped_column(String(200))
    """The notice as sent, in the object store (``notices/<sha256>.pdf``)."""
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    payments: Mapped[list[Payment]] = relationship(
        back_populates="notice", order_by="Payment.id", foreign_keys="Payment.notice_id"
    )

    @property
    def open_cents(self) -> int:
        return max(self.total_cents - self.paid_cents, 0)

    @property
    def surplus_cents(self) -> int:
        """Paid beyond the fee: to be refunded."""
        return max(self.paid_cents - self.total_cents, 0)


class BankStatement(Base):
    """One imported CAMT.053 statement; the same file twice is recognised by its hash."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    statement_id: Mapped[str] = mapped_column(String(100))
    account: Mapped[str] = mapped_column(String(40))
    entries: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (_choice("method", PaymentMethod), _choice("status", PaymentStatus))

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("fee_notices.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=PaymentStatus.MATCHED.value)
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    """What makes a payment one payment: the bank's entry reference, the provider's payment
    id, the desk's receipt number.  Importing or notifying twice finds it taken."""
    receipt: Mapped[str | None] = mapped_column(String(100))
    payer: Mapped[str | None] = mapped_column(String(200))
    remittance: Mapped[str | None] = mapped_column(Text)
    """The transfer's purpose line, as the payer wrote it."""
    booked_on: Mapped[dt.date | None] = mapped_column(Date)
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("bank_statements.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The clerk who assigned an unmatched payment to its notice."""
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    notice: Mapped[FeeNotice | None] = relationship(
        back_populates="payments", foreign_keys=[notice_id]
    )


class OnlineStatus(StrEnum):
    STARTED = "started"
    """Created at the provider; the payer is on its pay page (or left it)."""
    PAID = "paid"
    CANCELLED = "cancelled"
    """The payer gave up."""
    FAILED = "failed"
    """The provider refused the payment or could not be reached to create it."""
    DISPUTED = "disputed"
    """The provider reports a payment that does not fit (another amount): for a clerk."""


class OnlinePayment(Base):
    """One attempt to pay a notice online; the booked money is its :class:`Payment`."""

    __tablename__ = "online_payments"
    __table_args__ = (_choice("status", OnlineStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("fee_notices.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    provider: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    """Ours, sent as the PaymentRequest's requestId and in the return URL."""
    transaction_id: Mapped[str | None] = mapped_column(String(36), unique=True)
    pay_url: Mapped[str | None] = mapped_column(Text)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=OnlineStatus.STARTED.value)
    detail: Mapped[str | None] = mapped_column(Text)
    """Why it failed or is disputed, for the clerk."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
