"""Errors that carry their exit code, a message meant for a person, and a stable code.

The message is English with the command-line advice an operator needs; the CLI prints it and
maps the class to its exit status in one place (``viewer/cli.py``). The ``code`` and its
``params`` are for every other entry point: the web words each code in the user's language
(``viewer/web/error_texts.py``), so no English sentence or CLI advice reaches a German page.
"""

from __future__ import annotations


class BauakteError(Exception):
    """An error with a message that says what to do; never shown as a traceback."""

    exit_code = 1
    default_code = "failed"

    def __init__(self, message: str = "", code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code or self.default_code
        self.params = params


class UsageError(BauakteError):
    """Bad input from the user: a wrong name, a weak password, an unknown role."""

    exit_code = 2


class ConfigError(UsageError):
    """A setting is missing or malformed."""


class NotFound(UsageError):
    default_code = "not_found"


class Conflict(UsageError):
    """The thing to create already exists."""


class ServiceUnavailable(BauakteError):
    """The database or the object store cannot be reached."""

    exit_code = 2
    default_code = "unavailable"
    retry_after = 30
    """Seconds a client should wait before asking again (the web's ``Retry-After``)."""


class Busy(ServiceUnavailable):
    """Too much at once: the work was refused (or rolled back) whole; asking again shortly
    will do.  Load shedding and a database that broke a lock cycle say so, not a 500."""

    default_code = "busy"
    retry_after = 5


class PermissionDenied(BauakteError):
    exit_code = 3


class IntegrityFailure(BauakteError):
    """Fixity or audit-chain verification found damage."""

    exit_code = 1
