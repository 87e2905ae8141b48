"""How fees and payments read in the interface: amounts, items, statuses, methods."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask
from flask_babel import format_currency
from flask_babel import lazy_gettext as _l

from docstore.payment_reference import display

ITEM_LABELS = {
    "application": _l("Gebühr für die Akteneinsicht"),
    "file": _l("Gebühr je Bauakte"),
    "time": _l("Verwaltungsaufwand, je angefangene halbe Stunde"),
    "page_a4": _l("Auszug, je Seite bis DIN A4"),
    "page_a3": _l("Auszug, je Seite größer als DIN A4"),
    "exemption": _l("Gebührenbefreiung"),
    "adjustment": _l("Festsetzung abweichend von der Gebührenordnung"),
}
NOTICE_STATUS = {
    "open": _l("offen"),
    "paid": _l("bezahlt"),
    "cancelled": _l("storniert"),
}
METHODS = {
    "transfer": _l("Überweisung"),
    "online": _l("online bezahlt"),
    "cash": _l("bar an der Kasse"),
    "card": _l("mit Karte an der Kasse"),
}
PAYMENT_STATUS = {
    "matched": _l("zugeordnet"),
    "unmatched": _l("nicht zugeordnet"),
    "cancelled": _l("storniert"),
}


def euro(cents: int | None) -> str:
    """16,50 € in German, €16.50 in English; exact (no float on the way)."""
    return format_currency(Decimal(cents or 0) / 100, "EUR")


def fee_item_label(code: str) -> str:
    return str(ITEM_LABELS.get(code, code))


def notice_status(code: str) -> str:
    return str(NOTICE_STATUS.get(code, code))


def payment_method(code: str) -> str:
    return str(METHODS.get(code, code))


def payment_status(code: str) -> str:
    return str(PAYMENT_STATUS.get(code, code))


def reference(code: str | None) -> str:
    """A payment reference in groups of four, as printed on the notice."""
    return display(code) if code else ""


def register(app: Flask) -> None:
    for f in (euro, fee_item_label, notice_status, payment_method, payment_status, reference):
        app.add_template_filter(f)
