"""The pages a German public site must have, reachable from every page without signing in:
Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit.

Each page's text comes from the instance: ``<legal_dir>/<page>.<lang>.txt``
(or ``<page>.txt``), plain text whose blank lines separate paragraphs, shown
escaped.  Without such a file the built-in text is shown, in German or
English, naming the authority and its contact from the settings.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from .context import instance

bp = Blueprint("legal", __name__)

PAGES = {
    "impressum": _l("Impressum"),
    "datenschutz": _l("Datenschutzerklärung"),
    "barrierefreiheit": _l("Erklärung zur Barrierefreiheit"),
}


@bp.route("/<any(impressum, datenschutz, barrierefreiheit):page>")
def legal_page(page: str) -> str:
    config = instance().config
    language = str(get_locale() or "de")
    paragraphs = _from_instance(Path(config.legal_dir), page, language)
    return render_template(
        "legal/page.html",
        page=page,
        title=PAGES[page],
        paragraphs=paragraphs,
        default=f"legal/{page}.{'en' if language == 'en' else 'de'}.html",
        authority=config.authority_name,
        contact=config.contact_email,
    )


def _from_instance(folder: Path, page: str, language: str) -> list[str] | None:
    """The operator's text for this page and language, as paragraphs (None: none given)."""
    for name in (f"{page}.{language}.txt", f"{page}.txt"):
        path = folder / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")  # a stray byte: not a 500
            return [p.strip() for p in text.split("\n\n") if p.strip()]
    return None
