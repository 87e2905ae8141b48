"""What Bauakte needs from an online payment provider, whichever it is.

The flow every public-sector Bezahldienst shares: the online service creates a
payment transaction for an amount, sends the payer to the provider's pay page,
gets the payer back on its return URL, and learns the outcome by asking the
provider (and, where the provider pushes them, by a signed notification).  The
state the provider reports when *asked* is what counts: a return URL can be
typed by anyone and a notification can be replayed, so both only make us ask.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from .errors import ServiceUnavailable, UsageError


class ProviderStatus(StrEnum):
    """The status model of XBezahldienste 1.0 (the payer still busy, paid, gave up, refused)."""

    INITIAL = "INITIAL"
    PAYED = "PAYED"
    CANCELED = "CANCELED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Order:
    """A payment to create: one fee notice's open amount."""

    request_id: str
    """Ours, unique per attempt; the provider refuses it twice."""
    amount_cents: int
    purpose: str
    """The booking text (the notice's payment reference)."""
    description: str
    return_url: str


@dataclass(frozen=True)
class Checkout:
    transaction_id: str
    pay_url: str


@dataclass(frozen=True)
class TransactionState:
    transaction_id: str
    status: ProviderStatus
    amount_cents: int
    currency: str
    payment_method: str = ""


@dataclass(frozen=True)
class Notification:
    """What a genuine notification claims; only a state query confirms it."""

    transaction_id: str
    status: ProviderStatus | None
    amount_cents: int | None


class ProviderUnavailable(ServiceUnavailable):
    """The provider did not answer, or answered with something we cannot read."""


class NotificationRefused(UsageError):
    """A notification that is not the provider's (bad or missing signature, stale, garbled)."""


class PaymentProvider(Protocol):
    name: str

    def create(self, order: Order) -> Checkout: ...

    def state(self, transaction_id: str) -> TransactionState: ...

    def notified(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        """What a genuine notification says; NotificationRefused for anything else."""
        ...

    def probe(self) -> None:
        """ProviderUnavailable naming what to check when the provider cannot be used."""
        ...
