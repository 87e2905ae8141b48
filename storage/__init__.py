"""Object storage for originals and derived renditions.

Knows nothing of documents, users or the web: it stores bytes under keys.
"""

from .base import ObjectInfo, ObjectStore, PutResult
from .errors import (
    ContentMismatch,
    ImmutableObject,
    InvalidKey,
    StorageError,
    StorageUnavailable,
)
from .filesystem import FilesystemStore
from .keys import (
    derived_key,
    extract_key,
    incoming_key,
    letter_key,
    original_key,
    proof_key,
    validate_key,
)
from .url import open_store, redact_url

__all__ = [
    "ContentMismatch",
    "FilesystemStore",
    "ImmutableObject",
    "InvalidKey",
    "ObjectInfo",
    "ObjectStore",
    "PutResult",
    "StorageError",
    "StorageUnavailable",
    "derived_key",
    "extract_key",
    "incoming_key",
    "letter_key",
    "open_store",
    "original_key",
    "proof_key",
    "redact_url",
    "validate_key",
]
