"""Template filters: addresses, kinds and dates, formatted for the visitor's language."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from docstore.models import BuildingFile

KIND_LABELS = {
    "bauantrag": _l("Bauantrag"),
    "baugenehmigung": _l("Baugenehmigung"),
    "bauzeichnung": _l("Bauzeichnung / Plan"),
    "lageplan": _l("Lageplan"),
    "statik": _l("Statik"),
    "bescheinigung": _l("Bescheinigung / Zertifikat"),
    "abnahme": _l("Abnahme"),
    "schriftverkehr": _l("Schriftverkehr"),
    "sonstiges": _l("Sonstiges"),
}


def address(bf: BuildingFile | None) -> str:
    if bf is None:
        return ""
    street = " ".join(p for p in (bf.street, bf.house_number) if p)
    town = " ".join(p for p in (bf.postcode, bf.municipality) if p)
    return ", ".join(p for p in (street, town) if p)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def dateformat(value: dt.date | None) -> str:
    return format_date(value, "medium") if value else ""


def datetimeformat(value: dt.datetime | None) -> str:
    return format_datetime(value, "medium") if value else ""


def register(app: Flask) -> None:
    app.add_template_filter(address)
    app.add_template_filter(kind_label)
    app.add_template_filter(dateformat)
    app.add_template_filter(datetimeformat)
    app.context_processor(lambda: {"get_locale": get_locale})
