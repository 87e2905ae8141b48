"""The fee notice as PDF: what it says, that it says it the same way twice, where it is kept."""

from __future__ import annotations

import datetime as dt

import pypdfium2

from docstore import payment_reference
from docstore.fees import FeeCode, FeeItem
from docstore.services.fee_notices import Letterhead, NoticeLetter
from ingest.printing import euro, fee_notice, girocode, store_fee_notice
from storage import FilesystemStore

HEAD = Letterhead("Stadt Musterstadt · Bauaufsichtsamt", ("Am Rathaus 1", "12345 Musterstadt"),
                  "Stadtkasse Musterstadt", "DE02120300000000202051", "BYLADEM1001",
                  "Deutsche Kreditbank", "Gegen diesen Bescheid kann Widerspruch erhoben werden.",
                  "https://portal.example")  # fmt: skip


def _letter(**changes) -> NoticeLetter:
    items = (FeeItem(FeeCode.APPLICATION, 1, 1400), FeeItem(FeeCode.FILE, 1, 250),
             FeeItem(FeeCode.ADJUSTMENT, 1, -650))  # fmt: skip
    values = dict(
        letterhead=HEAD, number=42, reference=payment_reference.make(42),
        issued_on=dt.date(2026, 12, 4), due_on=dt.date(2027, 1, 3),
        recipient=("Erika Mustermann", "Hauptstraße 1", "12345 Musterstadt"),
        application="2026-00042", subject="Hauptstraße 1", aktenzeichen="BA-1990-0042",
        items=items, total_cents=1000, adjustment_reason="Härtefall nach § 5",
    )  # fmt: skip
    values.update(changes)
    return NoticeLetter(**values)


def _text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_euros_are_written_the_german_way() -> None:
    assert euro(1650) == "16,50 €"
    assert euro(123456789) == "1.234.567,89 €"
    assert euro(-650) == "−6,50 €"
    assert euro(5) == "0,05 €"


def test_the_notice_says_everything_the_payer_needs() -> None:
    letter = _letter()
    text = _text(fee_notice(letter))
    for expected in ("Gebührenbescheid", "Erika Mustermann", "BA-1990-0042", "2026-00042",
                     payment_reference.display(letter.reference), "03.01.2027", "04.12.2026",
                     "14,00 €", "2,50 €", "−6,50 €", "10,00 €", "Härtefall nach § 5",
                     "DE02 1203 0000 0000 2020 51", "Stadtkasse Musterstadt",
                     "Rechtsbehelfsbelehrung", "Widerspruch erhoben",
                     "https://portal.example/applications/"):  # fmt: skip
        assert expected in text, expected


def test_the_same_letter_prints_the_same_bytes() -> None:
    assert fee_notice(_letter()) == fee_notice(_letter())
    assert fee_notice(_letter()) != fee_notice(_letter(total_cents=1100))


def test_the_girocode_carries_amount_and_reference() -> None:
    code = girocode(_letter()).split("\n")
    assert code[:4] == ["BCD", "002", "1", "SCT"]
    assert code[6] == HEAD.iban and code[7] == "EUR10.00"
    assert code[9] == payment_reference.make(42)  # the structured reference field
    assert girocode(_letter(letterhead=Letterhead("Amt"))) is None  # no account configured


def test_a_notice_without_bank_details_still_prints() -> None:
    text = _text(fee_notice(_letter(letterhead=Letterhead("Amt"))))
    assert "Gebührenbescheid" in text and "IBAN" not in text


def test_the_notice_is_kept_as_sent(tmp_path) -> None:
    store = FilesystemStore(tmp_path / "objects")
    store.ensure_ready()
    key = store_fee_notice(store, _letter())
    assert key.startswith("letters/sha256/")
    assert store.read_bytes(key) == fee_notice(_letter())
    assert store_fee_notice(store, _letter()) == key  # printed again: the same object
