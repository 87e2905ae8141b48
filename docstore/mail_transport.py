"""The one way out for mail: an SMTP server (the standard library's smtplib) or the console.

``smtp_url`` chooses: ``smtp://USER:PASSWORD@host:587`` (STARTTLS when the
server offers it, ``?starttls=require`` to insist, ``?starttls=never`` for a
relay on loopback), ``smtps://…:465`` (TLS from the first byte), or
``console:`` (the demo: each message printed in full, so a newcomer can
follow a registration link without a mail server).  A password is never
sent over an unencrypted connection.

Failures come in two kinds the sender treats differently: a
:class:`TemporaryFailure` (server down, timeout, 4xx) is tried again later; a
:class:`PermanentFailure` (every recipient refused with 5xx) is not.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import ConfigError

TIMEOUT_SECONDS = 30


class TemporaryFailure(Exception):
    """The message may get through later; the reason is for the operator's log."""


class PermanentFailure(Exception):
    """The server refused the message for good (an address that does not exist)."""


class MailTransport(Protocol):
    location: str
    """Where mail goes, without a password (for logs and ``bauakte mail status``)."""

    def send(self, message: EmailMessage) -> None: ...

    def probe(self) -> None:
        """Raise :class:`TemporaryFailure` with advice when mail cannot go out."""


class ConsoleTransport:
    location = "console"

    def send(self, message: EmailMessage) -> None:
        """As a person reads it: decoded text, links whole on one line."""
        head = "".join(f"{name}: {message[name]}\n" for name in ("From", "To", "Subject"))
        sys.stdout.write(f"\n----- mail (not sent: smtp_url is console:) -----\n{head}\n")
        sys.stdout.write(message.get_content())
        sys.stdout.write("----- end of mail -----\n")
        sys.stdout.flush()

    def probe(self) -> None:
        return None


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    implicit_tls: bool
    starttls: str
    """``auto``, ``require`` or ``never``."""
    username: str | None = None
    password: str | None = None

    @property
    def location(self) -> str:
        scheme = "smtps" if self.implicit_tls else "smtp"
        user = f"{self.username}@" if self.username else ""
        return f"{scheme}://{user}{self.host}:{self.port}"

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as client:
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):
                raise PermanentFailure(_reason(exc.recipients)) from None
            raise TemporaryFailure(_reason(exc.recipients)) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(f"{self.location}: {_describe(exc)}") from None

    def probe(self) -> None:
        try:
            with self._connect() as client:
                client.noop()
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporaryFailure(
                f"cannot send mail through {self.location}: {_describe(exc)} "
                "(check BAUAKTE_SMTP_URL)"
            ) from None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            client.ehlo()
            if not self.implicit_tls and self.starttls != "never":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                elif self.starttls == "require":
                    raise smtplib.SMTPNotSupportedError("the server offers no STARTTLS")
            if self.username:
                if not self.implicit_tls and not isinstance(client.sock, ssl.SSLSocket):
                    raise smtplib.SMTPNotSupportedError(
                        "refusing to send the password unencrypted (the server offers no TLS)"
                    )
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return client


def _reason(recipients: dict) -> str:
    return "; ".join(
        f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
        for address, (code, reply) in recipients.items()
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS} s"
    return str(exc) or type(exc).__name__


def open_transport(url: str) -> MailTransport:
    """The transport ``smtp_url`` names; a malformed URL is a one-line :class:`ConfigError`."""
    parts = urlsplit(url.strip())
    if parts.scheme == "console":
        return ConsoleTransport()
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            f"smtp_url {parts.scheme + ':' if parts.scheme else url!r} is not understood: use "
            "smtp://host:587, smtps://host:465 or console: (check BAUAKTE_SMTP_URL)"
        )
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["auto"])[0]
    if starttls not in ("auto", "require", "never"):
        raise ConfigError("smtp_url: starttls must be auto, require or never")
    implicit = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit else 25)
    except ValueError:
        raise ConfigError("smtp_url has a port that is not a number") from None
    return SmtpTransport(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
