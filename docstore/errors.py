"""Errors that carry their exit code and a message meant for a person.

The CLI maps them to its exit status in one place (``viewer/cli.py``); the
web app will map them to HTTP statuses the same way.
"""

from __future__ import annotations


class BauakteError(Exception):
    """An error with a message that says what to do; never shown as a traceback."""

    exit_code = 1


class UsageError(BauakteError):
    """Bad input from the user: a wrong name, a weak password, an unknown role."""

    exit_code = 2


class ConfigError(UsageError):
    """A setting is missing or malformed."""


class NotFound(UsageError):
    pass


class Conflict(UsageError):
    """The thing to create already exists."""


class ServiceUnavailable(BauakteError):
    """The database or the object store cannot be reached."""

    exit_code = 2


class PermissionDenied(BauakteError):
    exit_code = 3


class IntegrityFailure(BauakteError):
    """Fixity or audit-chain verification found damage."""

    exit_code = 1
