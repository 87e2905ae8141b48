"""The authority's paper: fee notices (and later extracts' stamps) as PDF, made with fpdf2.

One module owns the letterhead, so every letter looks the same.  Letters are
in German, the official language of the proceedings (§ 23 VwVfG), whatever
language the portal is read in.  The same letter gives the same bytes (the
creation date is the issue date), so printing again is recognisable.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import qrcode
from fpdf import FPDF

from docstore.fees import FeeCode
from docstore.payment_reference import display
from docstore.services.fee_notices import NoticeLetter
from storage import ObjectStore, letter_key

from .fonts import FONT, FONT_BOLD, require_fonts

ITEM_LABELS = {
    FeeCode.APPLICATION: "Gebühr für die Akteneinsicht",
    FeeCode.FILE: "Gebühr je Bauakte",
    FeeCode.TIME: "Verwaltungsaufwand, je angefangene halbe Stunde",
    FeeCode.PAGE_A4: "Auszug, je Seite bis DIN A4",
    FeeCode.PAGE_A3: "Auszug, je Seite größer als DIN A4",
    FeeCode.EXEMPTION: "Gebührenbefreiung",
    FeeCode.ADJUSTMENT: "Festsetzung abweichend von der Gebührenordnung",
}


def euro(cents: int) -> str:
    """German notation: ``1.234,50 €``, a minus sign for credits."""
    sign = "−" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{rest:02d} €"


def girocode(letter: NoticeLetter) -> str | None:
    """The EPC QR code banking apps read (version 002, SEPA credit transfer), when the
    account is configured; the structured reference goes in its own field."""
    head = letter.letterhead
    if not head.iban or letter.total_cents <= 0:
        return None
    amount = f"EUR{letter.total_cents // 100}.{letter.total_cents % 100:02d}"
    return "\n".join(["BCD", "002", "1", "SCT", head.bic, head.payee[:70], head.iban,
                      amount, "", letter.reference, ""])  # fmt: skip


class _Letter(FPDF):
    def __init__(self, letter: NoticeLetter) -> None:
        super().__init__(format="A4")
        require_fonts()
        self.letter = letter
        self.add_font("DejaVu", fname=str(FONT))
        self.add_font("DejaVu", style="B", fname=str(FONT_BOLD))
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=22)
        issued = dt.datetime.combine(letter.issued_on, dt.time(12), dt.UTC)
        self.set_creation_date(issued)
        self.set_title(f"Gebührenbescheid {display(letter.reference)}")
        self.set_author(letter.letterhead.authority)
        self.set_lang("de")

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("DejaVu", size=7.5)
        self.cell(0, 4, f"{self.letter.letterhead.authority} · Gebührenbescheid "
                        f"{display(self.letter.reference)} · Seite {self.page_no()}/{{nb}}",
                  align="C")  # fmt: skip

    def line_of(self, text: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.set_font("DejaVu", style="B" if bold else "", size=size)
        self.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def fee_notice(letter: NoticeLetter) -> bytes:
    pdf = _Letter(letter)
    pdf.add_page()
    head = letter.letterhead
    pdf.line_of(head.authority, size=12, bold=True, height=6)
    for line in head.address:
        pdf.line_of(line, size=9, height=4.5)
    pdf.ln(8)
    top = pdf.get_y()
    for line in letter.recipient:
        pdf.line_of(line, size=10)
    pdf.set_xy(125, top)
    extract = letter.kind == "extract"
    facts = [("Datum", f"{letter.issued_on:%d.%m.%Y}"),
             ("Auszug" if extract else "Antrag", letter.application),
             ("Aktenzeichen", letter.aktenzeichen), ("Zahlungsreferenz", display(letter.reference)),
             ("Fällig am", f"{letter.due_on:%d.%m.%Y}")]  # fmt: skip
    for label, value in facts:
        pdf.set_x(125)
        pdf.set_font("DejaVu", size=8)
        pdf.cell(28, 5, label)
        pdf.set_font("DejaVu", style="B", size=8.5)
        pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 30) + 8)
    pdf.line_of("Gebührenbescheid", size=15, bold=True, height=8)
    pdf.ln(2)
    if extract:
        pdf.line_of(f"Für Ihren Auszug {letter.application} aus der Bauakte "
                    f"{letter.aktenzeichen} ({letter.subject}) wird folgende Gebühr "
                    "festgesetzt:")  # fmt: skip
    else:
        pdf.line_of(f"Für Ihren Antrag auf Akteneinsicht {letter.application} "
                    f"({letter.subject}) wird folgende Gebühr festgesetzt:")  # fmt: skip
    pdf.ln(3)
    _items(pdf, letter)
    pdf.ln(5)
    _payment(pdf, letter)
    pdf.ln(4)
    pdf.line_of("Rechtsbehelfsbelehrung", size=10, bold=True)
    pdf.line_of(head.remedy, size=9, height=4.5)
    pdf.ln(4)
    pdf.line_of("Dieser Bescheid wurde elektronisch erstellt und ist ohne Unterschrift gültig.",
                size=8, height=4)  # fmt: skip
    return bytes(pdf.output())


def _items(pdf: _Letter, letter: NoticeLetter) -> None:
    widths = (95, 20, 27, 28)
    pdf.set_font("DejaVu", style="B", size=9)
    for width, title, align in zip(widths, ("Position", "Anzahl", "Einzelbetrag", "Betrag"),
                                   "LRRR", strict=True):  # fmt: skip
        pdf.cell(width, 6, title, border="B", align=align)
    pdf.ln()
    pdf.set_font("DejaVu", size=9)
    for item in letter.items:
        label = ITEM_LABELS[item.code]
        pdf.cell(widths[0], 6, label)
        pdf.cell(widths[1], 6, str(item.quantity), align="R")
        pdf.cell(widths[2], 6, euro(item.unit_cents), align="R")
        pdf.cell(widths[3], 6, euro(item.total_cents), align="R", new_x="LMARGIN", new_y="NEXT")
    if letter.adjustment_reason:
        pdf.set_font("DejaVu", size=8)
        pdf.multi_cell(widths[0], 4.5, f"Begründung: {letter.adjustment_reason}",
                       new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_font("DejaVu", style="B", size=10)
    pdf.cell(sum(widths[:3]), 7, "Gesamtbetrag", border="T")
    pdf.cell(widths[3], 7, euro(letter.total_cents), border="T", align="R",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip


def _payment(pdf: _Letter, letter: NoticeLetter) -> None:
    head = letter.letterhead
    when = "nach Zahlungseingang freigeschaltet"
    if letter.pay_afterwards:
        when = "bereits freigeschaltet; die Gebühr ist dennoch fristgerecht zu zahlen"
    pdf.line_of(f"Bitte zahlen Sie {euro(letter.total_cents)} bis zum {letter.due_on:%d.%m.%Y}. "
                f"Die Unterlagen werden {when}.")  # fmt: skip
    if head.iban:
        pdf.ln(2)
        top = pdf.get_y()
        bank = [("Empfänger", head.payee), ("IBAN", _grouped(head.iban)), ("BIC", head.bic),
                ("Bank", head.bank), ("Verwendungszweck", display(letter.reference))]  # fmt: skip
        for label, value in bank:
            if value:
                pdf.set_font("DejaVu", size=9)
                pdf.cell(35, 5, label)
                pdf.set_font("DejaVu", style="B", size=9)
                pdf.cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
        code = girocode(letter)
        if code:
            image = qrcode.make(code, border=1, box_size=6).get_image()
            pdf.image(image, x=160, y=top, w=28, h=28, alt_text="GiroCode für die Überweisung")
            pdf.set_y(max(pdf.get_y(), top + 30))
        pdf.line_of("Bitte geben Sie als Verwendungszweck nur die Zahlungsreferenz an, damit "
                    "Ihre Zahlung zugeordnet werden kann.", size=8.5, height=4.5)  # fmt: skip
    if head.portal:
        pdf.ln(1)
        where = "extracts" if letter.kind == "extract" else "applications"
        pdf.line_of(f"Online bezahlen: {head.portal}/{where}/", size=9)


def _grouped(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def store_fee_notice(store: ObjectStore, letter: NoticeLetter) -> str:
    """Print the notice and keep it; returns its object key (a printer for
    :class:`docstore.services.fee_notices.FeeTerms`)."""
    data = fee_notice(letter)
    key = letter_key(hashlib.sha256(data).hexdigest())
    if not store.exists(key):
        store.put_stream(key, io.BytesIO(data))
    return key
