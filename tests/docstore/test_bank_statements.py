"""CAMT.053 statements: payments matched by their reference, the same file twice changing
nothing, and every hostile or wrong file refused with nothing booked."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docstore import camt, payment_reference
from docstore.fee_models import BankStatement, NoticeStatus, Payment, PaymentStatus
from docstore.models import Role
from docstore.services import bank_statements, fee_notices
from docstore.services.actors import CONSOLE
from tests.camt_samples import IBAN, Booking, statement

from .conftest import make_user
from .test_applications import TZ
from .test_payments import MAIL, _approved, _sees, _terms


def _import(s: Session, data: bytes, account: str = IBAN, actor=CONSOLE):
    return bank_statements.import_statement(s, data, actor=actor, account=account, zone=TZ,
                                            context=MAIL)  # fmt: skip


def _count(s: Session, model) -> int:
    return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("version", ["08", "02"])
def test_a_transfer_with_the_reference_pays_the_notice(session: Session, version: str) -> None:
    _, citizen, doc, _, notice = _approved(session, _terms())
    typed = payment_reference.display(notice.reference).lower()
    data = statement([Booking("16.50", f"Gebuehr {typed} Mustermann")], version=version)
    report = _import(session, data)
    assert (report.matched, report.unmatched) == (1, 0)
    assert notice.status == NoticeStatus.PAID.value and _sees(session, citizen, doc)
    (payment,) = notice.payments
    assert payment.payer == "Erika Mustermann" and payment.booked_on.isoformat() == "2026-12-04"


def test_the_structured_reference_field_is_read(session: Session) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    _import(session, statement([Booking("16.50", reference=notice.reference)]))
    assert notice.status == NoticeStatus.PAID.value


def test_partial_over_and_unmatched_payments_wait_for_a_clerk(session: Session) -> None:
    clerk, citizen, doc, _, notice = _approved(session, _terms())
    data = statement([
        Booking("10.00", notice.reference, bank_ref="A1"),
        Booking("16.50", "Akteneinsicht Hauptstrasse 1", bank_ref="A2"),  # no reference
        Booking("16.50", payment_reference.make(999), bank_ref="A3"),  # no such notice
        Booking("16.50", f"{notice.reference} {payment_reference.make(7)}", bank_ref="A4"),
    ])  # fmt: skip
    report = _import(session, data)
    assert (report.matched, report.unmatched) == (1, 3)
    assert notice.open_cents == 650 and not _sees(session, citizen, doc)
    assert [p.remittance for p in bank_statements.payments.unmatched(session, clerk)][:1] == [
        "Akteneinsicht Hauptstrasse 1"
    ]
    assert bank_statements.payments.to_resolve(session, clerk) == [notice]


def test_a_cancelled_notice_takes_no_transfer(session: Session) -> None:
    clerk, _, _, _, notice = _approved(session, _terms())
    fee_notices.cancel(session, clerk, notice.id, "irrtümlich erlassen")
    report = _import(session, statement([Booking("16.50", notice.reference)]))
    assert report.unmatched == 1 and notice.paid_cents == 0


def test_debits_pending_and_foreign_currency_are_no_payments(session: Session) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    data = statement([Booking("16.50", notice.reference, credit=False),
                      Booking("16.50", notice.reference, booked=False),
                      Booking("16.50", notice.reference, currency="CHF")])  # fmt: skip
    report = _import(session, data)
    assert report.skipped == 3 and _count(session, Payment) == 0


def test_the_same_statement_twice_changes_nothing(session: Session) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    data = statement([Booking("8.00", notice.reference)])
    _import(session, data)
    again = _import(session, data)
    assert again.already_imported and notice.paid_cents == 800
    assert _count(session, BankStatement) == 1 and _count(session, Payment) == 1


def test_an_overlapping_statement_books_only_what_is_new(session: Session) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    _import(session, statement([Booking("8.00", notice.reference)], statement_id="day-1"))
    both = statement([Booking("8.00", notice.reference), Booking("8.50", notice.reference)],
                     statement_id="day-1-and-2")  # fmt: skip
    report = _import(session, both)
    assert (report.known, report.matched) == (1, 1)
    assert notice.paid_cents == 1650 and notice.status == NoticeStatus.PAID.value


def test_without_bank_references_a_moved_entry_is_known_and_equal_transfers_count_twice(
    session: Session,
) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    _import(session, statement([Booking("8.00", notice.reference)], statement_id="a"))
    moved = statement([Booking("1.00", notice.reference), Booking("8.00", notice.reference),
                       Booking("1.00", notice.reference)], statement_id="b")  # fmt: skip
    report = _import(session, moved)  # the known transfer is now second in the file
    assert (report.known, report.matched) == (1, 2) and notice.paid_cents == 1000


def test_a_credit_larger_than_any_fee_is_skipped_not_an_error(session: Session) -> None:
    _, _, _, _, notice = _approved(session, _terms())
    data = statement([Booking("250000.00", "Grundsteuer"), Booking("8.00", notice.reference)])
    report = _import(session, data)
    assert (report.matched, report.skipped) == (1, 1) and notice.paid_cents == 800


def test_a_statement_of_another_account_is_refused(session: Session) -> None:
    _approved(session, _terms())
    with pytest.raises(camt.StatementRejected, match="not the fee account"):
        _import(session, statement([Booking("16.50")], iban="DE89370400440532013000"))
    assert _count(session, BankStatement) == 0


def test_only_reviewers_import(session: Session) -> None:
    from docstore.errors import PermissionDenied

    citizen = make_user(session, "someone", Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        _import(session, statement([Booking("1.00")]), actor=citizen)


def test_an_unmatched_transfer_is_assigned_later(session: Session) -> None:
    clerk, citizen, doc, _, notice = _approved(session, _terms())
    _import(session, statement([Booking("16.50", "Bauakte Mustermann")]))
    (stray,) = bank_statements.payments.unmatched(session, clerk)
    bank_statements.payments.assign(session, clerk, stray.id, notice.id, TZ, MAIL)
    assert stray.status == PaymentStatus.MATCHED.value and _sees(session, citizen, doc)


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&lol3;</Document>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>&x;
</BkToCstmrStmt></Document>"""
PAIN = b"""<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn/></Document>"""


def _two_statements() -> bytes:
    one = statement([Booking("1.00")]).decode()
    start, end = one.index("<Stmt>"), one.index("</Stmt>") + len("</Stmt>")
    return (one[:end] + one[start:end] + one[end:]).encode()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (BOMB, "DTD"),
        (EXTERNAL, "DTD"),
        (b"<?xml version='1.0'?><!DOCTYPE d><Document/>", "DTD"),
        (b"x" * (camt.MAX_BYTES + 1), "larger than"),
        (b"%PDF-1.7 not a statement", "not well-formed"),
        (b"<Document><unclosed></Document>", "not well-formed"),
        (PAIN, "not a CAMT.053"),
        (statement([Booking("1.00")]).replace(b"camt.053.001.08", b"camt.053.001.99"),
         "not a CAMT.053"),
        (statement([Booking("1.00")]).replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"", 1),
         "schema at /Document/BkToCstmrStmt/Stmt/Bal: .*'CdtDbtInd' expected"),
        (statement([Booking("1.005")]), "whole cents"),
        (statement([Booking("-1.00")]), "schema"),
        (statement([Booking("0.00")]), "more than zero"),
        (_two_statements(), "one account statement per file"),
    ],
)  # fmt: skip
def test_hostile_and_wrong_files_are_refused_and_nothing_is_booked(
    session: Session, data: bytes, words: str
) -> None:
    _approved(session, _terms())
    with pytest.raises(camt.StatementRejected, match=words):
        _import(session, data)
    assert _count(session, BankStatement) == 0 and _count(session, Payment) == 0
