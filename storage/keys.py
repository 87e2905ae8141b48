"""Object keys: validation and the content-addressed layout.

Keys are relative, slash-separated paths.  Validation happens in one place so
that neither the filesystem store nor the S3 store can be tricked into
reaching outside its root (``..``, absolute paths, NUL, backslashes).
"""

from __future__ import annotations

import hashlib
import re

from .errors import InvalidKey

ORIGINALS_PREFIX = "blobs/sha256/"
DERIVED_PREFIX = "derived/"
PROOFS_PREFIX = "proofs/sha256/"
LETTERS_PREFIX = "letters/sha256/"
EXTRACTS_PREFIX = "extracts/"
INCOMING_PREFIX = "incoming/"

_SHA256 = re.compile(r"[0-9a-f]{64}")
# A segment may not start with a dot: hidden names are the store's own
# (the filesystem store keeps its temporary files under ``.tmp/``).
_SEGMENT = re.compile(r"[A-Za-z0-9_@=+,-][A-Za-z0-9._@=+,-]*")
MAX_KEY_LENGTH = 900


def validate_key(key: str) -> str:
    """Return ``key`` unchanged if it is a safe relative key, else raise InvalidKey."""
    if not isinstance(key, str) or not key:
        raise InvalidKey("object key must be a non-empty string")
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidKey(f"object key is longer than {MAX_KEY_LENGTH} characters")
    if "\x00" in key:
        raise InvalidKey("object key contains a NUL character")
    if "\\" in key:
        raise InvalidKey(f"object key {key!r} contains a backslash")
    if key.startswith("/"):
        raise InvalidKey(f"object key {key!r} is absolute; keys are relative to the store")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey(f"object key {key!r} has an empty, '.' or '..' segment")
        if not _SEGMENT.fullmatch(segment):
            raise InvalidKey(
                f"object key {key!r} has a segment that starts with a dot "
                "or contains characters outside [A-Za-z0-9._@=+,-]"
            )
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a key (optionally ending in '/')."""
    if prefix == "":
        return prefix
    validate_key(prefix.rstrip("/") or "x")
    if prefix.startswith("/"):
        raise InvalidKey(f"prefix {prefix!r} is absolute")
    return prefix


def original_key(sha256: str) -> str:
    """The content address of an original: ``blobs/sha256/ab/cd/<sha256>``."""
    if not _SHA256.fullmatch(sha256):
        raise InvalidKey(f"{sha256!r} is not a lower-case hex SHA-256 digest")
    return f"{ORIGINALS_PREFIX}{sha256[:2]}/{sha256[2:4]}/{sha256}"


def proof_key(sha256: str) -> str:
    """An applicant's proof document, kept apart from the building files' originals."""
    if not _SHA256.fullmatch(sha256):
        raise InvalidKey(f"{sha256!r} is not a lower-case hex SHA-256 digest")
    return f"{PROOFS_PREFIX}{sha256[:2]}/{sha256[2:4]}/{sha256}"


def derived_key(sha256: str, name: str) -> str:
    """A rendition derived from the original ``sha256``, e.g. ``p1/thumb.jpg``."""
    if not _SHA256.fullmatch(sha256):
        raise InvalidKey(f"{sha256!r} is not a lower-case hex SHA-256 digest")
    return validate_key(f"{DERIVED_PREFIX}{sha256}/{name}")


def original_digest(key: str) -> str | None:
    """The SHA-256 an original key promises, or None if the key is not an original."""
    if not key.startswith(ORIGINALS_PREFIX):
        return None
    digest = key.rsplit("/", 1)[-1]
    if key != original_key(digest):
        raise InvalidKey(f"{key!r} is under {ORIGINALS_PREFIX} but is not a content address")
    return digest


def letter_key(sha256: str) -> str:
    """A letter the authority sent (a fee notice), kept byte for byte as it went out."""
    if not _SHA256.fullmatch(sha256):
        raise InvalidKey(f"{sha256!r} is not a lower-case hex SHA-256 digest")
    return f"{LETTERS_PREFIX}{sha256[:2]}/{sha256[2:4]}/{sha256}"


def extract_key(order_id: int) -> str:
    """The PDF of an extract order: derived, deleted when its link runs out."""
    if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
        raise InvalidKey(f"{order_id!r} is not an extract order number")
    return f"{EXTRACTS_PREFIX}{order_id}.pdf"


_TOKEN = re.compile(r"[0-9a-f]{16,64}")


def incoming_key(token: str, name: str) -> str:
    """A file of upload ``token`` waiting for a queue worker on any host.

    The browser's file name may hold any character, so the key holds its digest; the
    name itself is the upload's row in the database.
    """
    if not _TOKEN.fullmatch(token):
        raise InvalidKey(f"{token!r} is not an upload token")
    digest = hashlib.sha256(name.encode()).hexdigest()[:40]
    return f"{INCOMING_PREFIX}{token}/{digest}"
