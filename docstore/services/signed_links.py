"""Links sent by mail: signed with the instance's secret key, each for one purpose, expiring.

A link carries the account id and what must still be true when it is
followed (the address to confirm, a fingerprint of the current password
hash), so a link stops working once it has done its job: a confirmed address
cannot be confirmed again, a reset link dies with the password it replaces.
"""

from __future__ import annotations

import hashlib
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import UsageError


class LinkExpired(UsageError):
    """The link was genuine but is too old."""

    default_code = "link.expired"


class LinkInvalid(UsageError):
    """Not a link we made, made for something else, or already used."""

    default_code = "link.invalid"


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"bauakte-{purpose}")


def make(secret_key: str, purpose: str, payload: list[Any]) -> str:
    return _serializer(secret_key, purpose).dumps(payload)


def read(secret_key: str, purpose: str, token: str, max_age_seconds: int) -> list[Any]:
    """The payload of a genuine, fresh link for ``purpose``; :class:`LinkExpired` or
    :class:`LinkInvalid` otherwise."""
    if not token or len(token) > 1000:
        raise LinkInvalid("this link is not valid")
    try:
        payload = _serializer(secret_key, purpose).loads(token, max_age=max_age_seconds)
    except SignatureExpired:
        raise LinkExpired("this link has expired") from None
    except BadSignature:
        raise LinkInvalid("this link is not valid") from None
    if not isinstance(payload, list):
        raise LinkInvalid("this link is not valid")
    return payload


def fingerprint(value: str) -> str:
    """A short digest of a secret, so that a link can name it without revealing it."""
    return hashlib.sha256(value.encode()).hexdigest()[:20]
