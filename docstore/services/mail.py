"""Mail through an outbox: written with the change it tells about, sent later by a worker.

A service that has something to tell a person calls :func:`queue` in its
own transaction, so the mail exists exactly when the change does.  The
worker (:func:`deliver_due`, run by ``bauakte spool`` and ``bauakte mail
send``) sends what is due; a server that is down costs a delay, never a
message.  Delivery is at least once: a crash between the server's "250 OK"
and the row's deletion sends that one mail twice, which beats losing it.

Texts live in ``docstore/mail_texts/<kind>.<lang>.txt`` (first line the
subject, then a blank line, then the body), one file per language, so both
languages are complete and a test renders every kind in each.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from ..db import Database
from ..mail_transport import MailTransport, PermanentFailure, TemporaryFailure
from ..models import MailMessage, User, utcnow

log = logging.getLogger(__name__)
TEXTS = Path(__file__).resolve().parent.parent / "mail_texts"
LANGUAGES = ("de", "en")
RETRY_MINUTES = (1, 5, 15, 60)
"""Waits after the first, second, … failure; the last one repeats until the server is back."""
CLAIM = dt.timedelta(minutes=5)
"""How long a sender owns the rows it took (longer than any send takes)."""


@dataclass(frozen=True)
class MailContext:
    """What every text needs besides its own parameters: who sends, and where to go."""

    authority: str
    portal: str
    contact: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEXTS),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


def kinds() -> list[str]:
    return sorted({p.name.split(".")[0] for p in TEXTS.glob("*.txt") if not p.name.startswith("_")})


def render(kind: str, language: str, context: MailContext, **params: Any) -> tuple[str, str]:
    """(subject, body) of one kind of mail in ``language`` (German when it is not offered)."""
    language = language if language in LANGUAGES else LANGUAGES[0]
    template = _environment().get_template(f"{kind}.{language}.txt")
    text = template.render(
        authority=context.authority, portal=context.portal, contact=context.contact, **params
    )
    subject, _, body = text.partition("\n\n")
    return subject.strip(), body


def queue(
    session: Session,
    user: User,
    kind: str,
    context: MailContext,
    *,
    to: str | None = None,
    **params: Any,
) -> MailMessage:
    """A mail to ``user`` (at ``to``, or their address), in their language, sent after the
    transaction commits."""
    recipient = to or user.email
    if not recipient:
        raise ValueError(f"user {user.id} has no e-mail address")
    # a name typed by whoever registered an address its owner has not confirmed is not the
    # owner's: the mail would carry a stranger's text (a link, say) under the city's sender
    name = (user.display_name or "") if user.email_confirmed_at else ""
    subject, body = render(kind, user.language, context, name=name, **params)
    message = MailMessage(user_id=user.id, recipient=recipient, subject=subject, body=body)
    session.add(message)
    return message


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def deliver_due(
    db: Database, transport: MailTransport, sender: str, *, limit: int = 50
) -> Delivery:
    """Send what is due now; each row is claimed first, so two senders never send one mail."""
    sent = deferred = failed = 0
    for message_id in _claim(db, limit):
        with db.session() as s:
            row = s.get(MailMessage, message_id)
            if row is None:
                continue
            message = _message(row, sender)
        try:
            transport.send(message)
        except PermanentFailure as exc:
            _give_up(db, message_id, str(exc))
            failed += 1
        except TemporaryFailure as exc:
            _defer(db, message_id, str(exc))
            deferred += 1
        else:
            with db.transaction() as s:
                s.execute(delete(MailMessage).where(MailMessage.id == message_id))
            sent += 1
    return Delivery(sent, deferred, failed)


def _claim(db: Database, limit: int) -> list[int]:
    now = utcnow()
    with db.session() as s:
        due = s.scalars(
            select(MailMessage.id)
            .where(MailMessage.failed_at.is_(None), MailMessage.next_attempt_at <= now)
            .where(or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now))
            .order_by(MailMessage.id)
            .limit(limit)
        ).all()
    claimed = []
    for message_id in due:
        with db.transaction() as s:
            taken = s.execute(
                update(MailMessage)
                .where(MailMessage.id == message_id)
                .where(or_(MailMessage.claimed_until.is_(None), MailMessage.claimed_until < now))
                .values(claimed_until=now + CLAIM)
            ).rowcount
        if taken:
            claimed.append(message_id)
    return claimed


def _message(row: MailMessage, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"bauakte{row.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(row.body)
    return message


def _defer(db: Database, message_id: int, reason: str) -> None:
    with db.transaction() as s:
        row = s.get(MailMessage, message_id)
        if row is None:
            return
        wait = RETRY_MINUTES[min(row.attempts, len(RETRY_MINUTES) - 1)]
        row.attempts += 1
        row.last_error = reason[:2000]
        row.next_attempt_at = utcnow() + dt.timedelta(minutes=wait)
        row.claimed_until = None
    log.warning("mail %d not sent, next try in %d min: %s", message_id, wait, reason)


def _give_up(db: Database, message_id: int, reason: str) -> None:
    with db.transaction() as s:
        row = s.get(MailMessage, message_id)
        if row is None:
            return
        row.attempts += 1
        row.last_error = reason[:2000]
        row.failed_at = utcnow()
        row.claimed_until = None
    log.error("mail %d refused for good, not tried again: %s", message_id, reason)


@dataclass(frozen=True)
class OutboxState:
    waiting: int
    failed: int
    oldest: dt.datetime | None
    last_error: str | None


def state(db: Database) -> OutboxState:
    """For ``bauakte mail status``: what waits, what was refused, and the latest reason."""
    with db.session() as s:
        waiting = s.scalar(select(func.count()).where(MailMessage.failed_at.is_(None))) or 0
        failed = s.scalar(select(func.count()).where(MailMessage.failed_at.is_not(None))) or 0
        oldest = s.scalar(select(func.min(MailMessage.created_at)))
        last_error = s.scalar(
            select(MailMessage.last_error)
            .where(MailMessage.last_error.is_not(None))
            .order_by(MailMessage.next_attempt_at.desc())
            .limit(1)
        )
    return OutboxState(waiting, failed, oldest, last_error)


def context_of(config: Any) -> MailContext:
    """The instance's sender details (``authority_name``, ``public_url``, ``contact_email``)."""
    return MailContext(config.authority_name, config.public_url.rstrip("/"), config.contact_email)
