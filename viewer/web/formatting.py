"""Template filters: addresses, kinds and dates, formatted for the visitor's language."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from docstore.models import BuildingFile, Grant
from docstore.services import days, roles, uploads
from docstore.services.roles import Capability

from .context import instance

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


UPLOAD_STATUS = {
    "queued": _l("wartet auf Verarbeitung"),
    "running": _l("wird verarbeitet"),
    "done": _l("abgeschlossen"),
}
FILE_OUTCOMES = {
    None: _l("wartet"),
    "accepted": _l("übernommen"),
    "duplicate": _l("schon vorhanden"),
    "rejected": _l("abgewiesen"),
    "failed": _l("fehlgeschlagen"),
    "skipped": _l("übersprungen"),
    "corrected": _l("korrigiert erneut eingereicht"),
    "discarded": _l("verworfen"),
}


REJECTIONS = {
    "broken": _l("Datei beschädigt"),
    "too large / decompression bomb": _l("Datei zu groß (mögliche Dekompressionsbombe)"),
    "encrypted": _l("Datei ist verschlüsselt"),
    "resource limit": _l("Verarbeitung sprengt die Grenzen"),
    "manifest": _l("Fehler im Manifest"),
    "unsupported type": _l("Dateityp nicht unterstützt"),
    "unreadable": _l("Datei nicht lesbar"),
    "empty file": _l("Datei ist leer"),
    "worker crash": _l("Verarbeitung brach bei jedem Versuch ab (Datei in Quarantäne)"),
    "still failing": _l("Nach allen Versuchen nicht verarbeitet (Datei in Quarantäne)"),
}


_MIME = re.compile(r"[a-z]+/[a-z0-9.+-]+")


def rejection(reason: str | None) -> str:
    """The pipeline's stable reason code in the visitor's language.

    Its English detail (a parser's message, "allowed are …") is for the console and the
    API; a page shows the label, and for a refused type the type that was found.
    """
    if not reason:
        return ""
    code, _sep, detail = reason.partition(": ")
    label = REJECTIONS.get(code)
    if label is None:
        return gettext("Die Datei wurde nicht übernommen.")
    found = _MIME.match(detail) if code == "unsupported type" else None
    return f"{label} ({found.group()})" if found else str(label)


def file_reason(upload_file) -> str:
    """Why an uploaded file was refused: a manifest row's problem from its code in the
    visitor's language (with manifest and row), else the pipeline's reason."""
    if not upload_file.reason_code:
        return rejection(upload_file.reason)
    from .error_texts import worded

    params = uploads.reason_params(upload_file)
    problem = worded(upload_file.reason_code, params)
    return gettext("Manifest %(manifest)s, Zeile %(row)s: %(problem)s",
                   manifest=params.get("manifest", ""), row=params.get("row", ""),
                   problem=problem)  # fmt: skip


def upload_status(status: str) -> str:
    return str(UPLOAD_STATUS.get(status, status))


def file_outcome(outcome: str | None) -> str:
    return str(FILE_OUTCOMES.get(outcome, outcome))


def can(capability: str) -> bool:
    """In templates: may the signed-in user do this? (Shown links only; the services decide.)"""
    return current_user.is_authenticated and roles.can(current_user.user, Capability(capability))


def address(bf: BuildingFile | None) -> str:
    if bf is None:
        return ""
    street = " ".join(p for p in (bf.street, bf.house_number) if p)
    town = " ".join(p for p in (bf.postcode, bf.municipality) if p)
    return ", ".join(p for p in (street, town) if p)


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def grant_scope(grant: Grant) -> str:
    """What a grant covers: the whole file, or its kinds and listed documents."""
    parts = [kind_label(k.kind) for k in grant.kinds]
    if grant.documents:
        count = len(grant.documents)
        parts.append(ngettext("%(num)d Dokument", "%(num)d Dokumente", count))
    return ", ".join(parts) if parts else gettext("ganze Akte")


def dateformat(value: dt.date | None) -> str:
    return format_date(value, "medium") if value else ""


def last_day(end: dt.datetime | None) -> str:
    """The last day of a grant as the clerk entered it (its end is the next midnight)."""
    return dateformat(days.last_day(end, instance().config.tz))


def local_date(moment: dt.datetime | None) -> str:
    """The day of an instant in the authority's time zone."""
    return dateformat(days.first_day(moment, instance().config.tz)) if moment else ""


def datetimeformat(value: dt.datetime | None) -> str:
    return format_datetime(value, "medium") if value else ""


def filesize(size: int) -> str:
    """1,7 MB in German, 1.7 MB in English (decimal units, as file managers show them)."""
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            break
        value /= 1000
    return f"{format_decimal(round(value, 1) if unit != 'B' else int(value))} {unit}"


def percent(fraction: float) -> str:
    """A fraction of the page in percent, one decimal, in the user's notation (12,5)."""
    return format_decimal(round(fraction * 100, 1), format="0.#")


def register(app: Flask) -> None:
    app.add_template_filter(address)
    app.add_template_filter(percent)
    app.add_template_filter(kind_label)
    app.add_template_filter(grant_scope)
    app.add_template_filter(dateformat)
    app.add_template_filter(datetimeformat)
    app.add_template_filter(last_day)
    app.add_template_filter(local_date)
    app.add_template_filter(upload_status)
    app.add_template_filter(filesize)
    app.add_template_filter(rejection)
    app.add_template_filter(file_reason)
    app.add_template_filter(uploads.corrected_in, "corrected_in")
    app.add_template_filter(file_outcome)
    app.context_processor(lambda: {"get_locale": get_locale, "can": can})
