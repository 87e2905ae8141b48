"""The mail outbox against a real SMTP server: nothing lost while it is down, nothing sent twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from docstore.db import Database
from docstore.errors import ConfigError
from docstore.mail_transport import ConsoleTransport, open_transport
from docstore.models import MailMessage, Role
from docstore.services import mail
from tests.servers import SmtpServer

from .conftest import make_user

CONTEXT = mail.MailContext("Bauaufsicht Musterstadt", "https://bauakte.example", "amt@example.de")
SENDER = "Bauakte <noreply@bauakte.example>"


def _queue(db: Database, address: str, kind: str = "confirm", language: str = "de") -> int:
    with db.transaction() as s:
        user = make_user(s, address.partition("@")[0], Role.CITIZEN)
        user.email = address
        user.language = language
        message = mail.queue(s, user, kind, CONTEXT, link="https://bauakte.example/x", hours=48)
        s.flush()
        return message.id


def _due_now(db: Database) -> None:
    with db.transaction() as s:
        s.execute(update(MailMessage).values(next_attempt_at=dt.datetime.now(dt.UTC)))


def test_a_queued_mail_reaches_the_server_once(db: Database, mailbox: SmtpServer) -> None:
    _queue(db, "erika@example.de")
    transport = open_transport(mailbox.url)
    done = mail.deliver_due(db, transport, SENDER)
    assert done == mail.Delivery(sent=1)
    received = mailbox.wait_for("erika@example.de")
    assert received["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert received["From"] == SENDER
    assert received["Auto-Submitted"] == "auto-generated"
    assert "https://bauakte.example/x" in received.get_content()
    assert mail.deliver_due(db, transport, SENDER) == mail.Delivery()
    assert len(mailbox.to("erika@example.de")) == 1


def test_a_server_that_is_down_loses_nothing(db: Database, mailbox: SmtpServer) -> None:
    _queue(db, "max@example.de")
    mailbox.stop()
    try:
        transport = open_transport(mailbox.url)
        assert mail.deliver_due(db, transport, SENDER) == mail.Delivery(deferred=1)
        state = mail.state(db)
        assert state.waiting == 1 and "127.0.0.1" in state.last_error
        # not due again at once: the next try waits
        assert mail.deliver_due(db, transport, SENDER) == mail.Delivery()
        _due_now(db)
        assert mail.deliver_due(db, transport, SENDER) == mail.Delivery(deferred=1)
        with db.session() as s:
            row = s.scalars(select(MailMessage)).one()
            assert row.attempts == 2
            assert row.next_attempt_at > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)
    finally:
        mailbox.start()
    _due_now(db)
    assert mail.deliver_due(db, open_transport(mailbox.url), SENDER) == mail.Delivery(sent=1)
    assert mailbox.wait_for("max@example.de")
    assert mail.state(db).waiting == 0


def test_a_refused_recipient_is_kept_as_failed_and_not_retried(
    db: Database, mailbox: SmtpServer
) -> None:
    _queue(db, "gibtsnicht@example.de")
    _queue(db, "gibtes@example.de")
    mailbox.refuse.add("gibtsnicht@example.de")
    transport = open_transport(mailbox.url)
    assert mail.deliver_due(db, transport, SENDER) == mail.Delivery(sent=1, failed=1)
    _due_now(db)
    assert mail.deliver_due(db, transport, SENDER) == mail.Delivery()
    state = mail.state(db)
    assert (state.waiting, state.failed) == (0, 1)
    assert "550" in state.last_error


def test_a_row_another_sender_holds_is_left_alone(db: Database, mailbox: SmtpServer) -> None:
    _queue(db, "anna@example.de")
    with db.transaction() as s:
        s.execute(
            update(MailMessage).values(
                claimed_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
            )
        )
    assert mail.deliver_due(db, open_transport(mailbox.url), SENDER) == mail.Delivery()
    assert mailbox.to("anna@example.de") == []


@pytest.mark.parametrize("kind", mail.kinds())
@pytest.mark.parametrize("language", mail.LANGUAGES)
def test_every_text_renders_in_both_languages(kind: str, language: str) -> None:
    params = {
        **{"link": "https://x/l", "hours": 48, "minutes": 60, "signin": "https://x/login"},
        **{"number": "2026-00042", "subject": "Hauptstraße 1", "status": "query", "days": 10},
        "new_address": "n***@example.de",
        "fee_cents": 1650,
        "held": True,
        "until": "31.01.2027",
        **{"id": 7, "aktenzeichen": "63-BA-1994-0063", "pages": 3, "unpaid": True},
        **{"address": "Hauptstraße 1, 50667 Köln", "reason": "Vollmacht zurückgezogen"},
    }
    subject, body = mail.render(kind, language, CONTEXT, name="Erika Mustermann", **params)
    assert subject and "\n" not in subject
    assert "https://x/l" in body or f"{CONTEXT.portal}/" in body
    assert CONTEXT.authority in body and CONTEXT.contact in body
    other = mail.render(kind, "en" if language == "de" else "de", CONTEXT, name="", **params)
    assert other[0] != subject


def test_the_console_transport_prints_the_whole_mail(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    _queue(db, "lisa@example.de", language="en")
    assert mail.deliver_due(db, ConsoleTransport(), SENDER) == mail.Delivery(sent=1)
    out = capsys.readouterr().out
    assert "To: lisa@example.de" in out and "Please confirm your e-mail address" in out
    assert "https://bauakte.example/x" in out


@pytest.mark.parametrize(
    "url", ["smtp://", "http://mail.example", "smtp://h:port", "smtp://h?starttls=maybe"]
)
def test_a_malformed_smtp_url_is_a_one_line_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        open_transport(url)
    assert "\n" not in str(caught.value)


def test_a_password_is_never_sent_without_tls(db: Database, mailbox: SmtpServer) -> None:
    _queue(db, "tom@example.de")
    transport = open_transport(f"smtp://user:secret@127.0.0.1:{mailbox.port}")
    assert transport.location == f"smtp://user@127.0.0.1:{mailbox.port}"
    assert mail.deliver_due(db, transport, SENDER) == mail.Delivery(deferred=1)
    assert "unencrypted" in mail.state(db).last_error
    assert mailbox.to("tom@example.de") == []
