"""The adapter for a Bezahldienst behind the XBezahldienste 1.0 interface (ePayBL and others).

Written from the published API documentation (docs.fitko.de/xbezahldienste,
version 1.0.0): ``POST /paymenttransaction/{originatorId}/{endPointId}`` creates
a transaction from a PaymentRequest, ``GET .../{transactionId}`` reports its
state (INITIAL, PAYED, CANCELED, FAILED), ``GET /status/{originatorId}/{endPointId}``
says whether the configuration works.  Amounts travel as decimal euros; we
never let them pass through a float.

XBezahldienste 1.0 itself says the outcome must be fetched with the state query;
it defines no push message.  Providers that push one sign it: this adapter takes
a JSON notification signed with HMAC-SHA256 over ``"<unix time>.<body>"`` in the
header ``X-Bezahldienst-Signature: t=<unix time>,v1=<hex>``, with the key agreed
at connection (``paydienst_notification_key``).  Whatever it says, it only makes
us query the state.  Not tried against a real provider: see the README.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from decimal import Decimal, DecimalException
from typing import Any

import requests

from .config import Config
from .errors import ConfigError
from .fees import MAX_CENTS
from .payment_provider import (
    Checkout,
    Notification,
    NotificationRefused,
    Order,
    ProviderStatus,
    ProviderUnavailable,
    TransactionState,
)

SIGNATURE_HEADER = "X-Bezahldienst-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
"""A notification signed longer ago (or ahead) than this is refused: bounds a replay."""
MAX_NOTIFICATION_BYTES = 16 * 1024
ID_PATTERN = re.compile(r"^[\w-]{1,36}$", re.ASCII)
PURPOSE_PATTERN = re.compile(r"[^\w\s-]", re.ASCII)
DESCRIPTION_PATTERN = re.compile(r"[^\w\s\-,.\u00C0-\u017F]")


def euros(cents: int) -> str:
    """Cents as the decimal euro literal the interface carries (1650 -> ``16.50``)."""
    return f"{cents // 100}.{cents % 100:02d}"


AMOUNT_TEXT = re.compile(r"[0-9]{1,9}(\.[0-9]{1,2})?")
"""An amount the provider writes as a string: plain digits, at most two decimals."""


def cents_of(value: Any) -> int:
    """A decimal euro amount read from JSON back into cents; ValueError unless it is an exact,
    finite amount no fee can exceed (``Infinity``, ``1E+5000``, ``"1_650"`` are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise ValueError(f"not an amount: {value!r}")
    if isinstance(value, str) and not AMOUNT_TEXT.fullmatch(value):
        raise ValueError(f"not an amount: {value[:40]!r}")
    try:
        amount = Decimal(str(value)) * 100
        exact = amount.is_finite() and amount == amount.to_integral_value()
    except DecimalException:
        raise ValueError("not an amount") from None
    if not exact or not 0 <= amount <= MAX_CENTS:
        raise ValueError("not an amount in cents within the fee range")
    return int(amount)


def payment_request(order: Order, timestamp: str) -> str:
    """The PaymentRequest's JSON text, the amount written as a decimal literal."""
    purpose = PURPOSE_PATTERN.sub(" ", order.purpose)[:27].strip()
    description = DESCRIPTION_PATTERN.sub(" ", order.description)[:250].strip()
    body = {
        "requestId": order.request_id,
        "requestTimestamp": timestamp,
        "currency": "EUR",
        "grosAmount": "@AMOUNT@",
        "purpose": purpose,
        "description": description,
        "redirectUrl": order.return_url,
        "items": [
            {
                "id": "1",
                "reference": order.request_id,
                "description": description[:100],
                "grossAmount": "@AMOUNT@",
                "quantity": 1,
                "total": "@AMOUNT@",
            }
        ],
    }
    return json.dumps(body, ensure_ascii=False).replace('"@AMOUNT@"', euros(order.amount_cents))


def signature(key: str, timestamp: int, body: bytes) -> str:
    """The header value a provider sends with ``body`` (used by the test provider too)."""
    mac = hmac.new(key.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class XBezahldienst:
    """One Bezahldienst, as configured; see the module docstring for the wire format."""

    name = "xbezahldienste"

    def __init__(self, config: Config) -> None:
        missing = [n for n in ("paydienst_url", "paydienst_originator_id",
                               "paydienst_endpoint_id") if not getattr(config, n)]  # fmt: skip
        if missing:
            raise ConfigError(f"online payment needs {', '.join(missing)}: set them or clear "
                              "payment_provider")  # fmt: skip
        for n in ("paydienst_originator_id", "paydienst_endpoint_id"):
            if not ID_PATTERN.match(getattr(config, n)):
                raise ConfigError(f"{n} is 1 to 36 letters, digits, '_' or '-'")
        if len(config.paydienst_notification_key) < 32:
            raise ConfigError("paydienst_notification_key needs at least 32 characters")
        self._base = config.paydienst_url.rstrip("/")
        self._path = f"{config.paydienst_originator_id}/{config.paydienst_endpoint_id}"
        self._auth = (config.paydienst_user, config.paydienst_password) if (
            config.paydienst_user) else None  # fmt: skip
        self._key = config.paydienst_notification_key
        self._timeout = config.paydienst_timeout_seconds

    def _call(self, method: str, path: str, body: str | None = None) -> Any:
        try:
            reply = requests.request(
                method, f"{self._base}/{path}", auth=self._auth, timeout=self._timeout,
                data=body.encode() if body is not None else None, allow_redirects=False,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
            )  # fmt: skip
        except requests.RequestException as exc:
            raise ProviderUnavailable(
                f"the Bezahldienst at {self._base} does not answer ({type(exc).__name__}): "
                "check paydienst_url and the network"
            ) from None
        if reply.status_code >= 300:
            raise ProviderUnavailable(f"the Bezahldienst answered {reply.status_code} to "
                                      f"{method} {path}: {_problem(reply)}")  # fmt: skip
        try:
            return json.loads(reply.content, parse_float=Decimal)
        except ValueError:
            raise ProviderUnavailable("the Bezahldienst's answer is not JSON") from None

    def create(self, order: Order) -> Checkout:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        answer = self._call("POST", f"paymenttransaction/{self._path}",
                            payment_request(order, stamp))  # fmt: skip
        try:
            tx, url = str(answer["transactionId"]), str(answer["transactionUrl"])
        except (KeyError, TypeError):
            raise ProviderUnavailable("the Bezahldienst's answer names no transaction") from None
        if not ID_PATTERN.match(tx) or not url.startswith(("https://", "http://")):
            raise ProviderUnavailable("the Bezahldienst's answer has no usable pay page")
        return Checkout(tx, url)

    def state(self, transaction_id: str) -> TransactionState:
        if not ID_PATTERN.match(transaction_id):
            raise ProviderUnavailable(f"not a transaction id: {transaction_id!r}")
        answer = self._call("GET", f"paymenttransaction/{self._path}/{transaction_id}")
        try:
            info = answer["paymentInformation"]
            request = answer["paymentRequest"]
            return TransactionState(
                transaction_id=str(answer["transactionId"]),
                status=ProviderStatus(info["paymentStatus"]),
                amount_cents=cents_of(request["grosAmount"]),
                currency=str(request["currency"]),
                payment_method=str(info.get("paymentMethod") or "")[:40],
            )
        except (KeyError, TypeError, ValueError):
            raise ProviderUnavailable("the Bezahldienst's state answer cannot be read") from None

    def notified(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        if len(body) > MAX_NOTIFICATION_BYTES:
            raise NotificationRefused("the notification is too large")
        fields = dict(p.split("=", 1) for p in headers.get(SIGNATURE_HEADER, "").split(",")
                      if "=" in p)  # fmt: skip
        stamp = fields.get("t", "")
        if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 12:
            raise NotificationRefused("the notification is not signed")
        if abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
            raise NotificationRefused("the notification's signature is too old")
        expected = signature(self._key, int(stamp), body)
        if not hmac.compare_digest(expected.encode(), f"t={stamp},v1={fields.get('v1', '')}"
                                   .encode()):  # fmt: skip
            raise NotificationRefused("the notification's signature does not match")
        try:
            claim = json.loads(body, parse_float=Decimal)
            tx = str(claim["transactionId"])
            if not ID_PATTERN.match(tx):
                raise ValueError(tx)
            status = claim.get("paymentStatus")
            amount = claim.get("grosAmount")
            return Notification(tx, ProviderStatus(status) if status else None,
                                cents_of(amount) if amount is not None else None)  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            raise NotificationRefused("the notification cannot be read") from None

    def probe(self) -> None:
        self._call("GET", f"status/{self._path}")


def _problem(reply: requests.Response) -> str:
    """The provider's problem+json title, or the HTTP reason."""
    try:
        problem = reply.json()
        return str(problem.get("title") or problem.get("functionalText") or reply.reason)[:200]
    except (ValueError, AttributeError):
        return reply.reason or "no reason given"


def provider_of(config: Config) -> XBezahldienst | None:
    """The configured provider, or None when the instance takes no online payments."""
    if not config.payment_provider:
        return None
    if config.payment_provider != "xbezahldienste":
        raise ConfigError(f"payment_provider {config.payment_provider!r} is unknown: use "
                          "'xbezahldienste' or leave it empty")  # fmt: skip
    return XBezahldienst(config)
