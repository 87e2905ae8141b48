"""Storage errors.

Builtins are used where they fit (``FileNotFoundError`` for a missing key,
``FileExistsError`` for an attempt to replace an original), so callers need
no storage-specific knowledge for the common cases.
"""

from __future__ import annotations


class StorageError(Exception):
    """Base class for errors raised by an object store."""


class StorageUnavailable(StorageError):
    """The store cannot be reached or did not answer.

    The message names the endpoint (host and port, or folder) so an operator
    knows where to look, and never contains credentials.
    """

    def __init__(self, endpoint: str, reason: str) -> None:
        self.endpoint = endpoint
        self.reason = reason
        super().__init__(f"object store at {endpoint} is unavailable: {reason}")


class InvalidKey(StorageError, ValueError):
    """A key that could escape the store or is otherwise malformed."""


class ImmutableObject(StorageError, PermissionError):
    """An original was to be deleted or replaced with other bytes."""


class ContentMismatch(StorageError, ValueError):
    """The bytes written under a content address do not hash to that address."""
