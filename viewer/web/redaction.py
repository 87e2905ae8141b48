"""The clerk's redaction of a page: mark a region with a reason, lift it again.

The region comes as percentages of the page (typed, or filled in by dragging
over the deep-zoom image: ``static/redaction_tool.js``).  docstore decides
who may redact and what the region takes from the text; the word boxes it
needs are read here, where the store is.  After a change the outbox is
drained, so the next external search already misses the redacted words.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import NotFound, UsageError
from docstore.models import User
from docstore.redaction_text import Box, hidden
from docstore.services import archive, redactions, roles
from docstore.services.roles import Capability
from ingest.index_sync import sync_index
from viewer.page_words import page_words

from .context import instance
from .iiif import local_files

bp = Blueprint("redaction", __name__)
log = logging.getLogger(__name__)
SIDES = ("left", "top", "width", "height")


@bp.route("/documents/<id:document_id>/pages/<id:number>/redactions", methods=["POST"])
@login_required
def add(document_id: int, number: int) -> Response:
    try:
        with instance().db.transaction() as s:
            me = s.get(User, current_user.user.id)
            page = archive.open_page(s, me, document_id, number)
            roles.require(me, Capability.REDACT)  # before the form says anything back
            box = Box.checked(*(_fraction(request.form.get(side, "")) for side in SIDES))
            words = _words(page)
            redactions.add(s, document_id, number, box, request.form.get("reason", ""), words,
                           actor=me)  # fmt: skip
            has_text = bool(page.text.strip())
        flash(_("Der Bereich ist geschwärzt: Wer nicht zur Behörde gehört, sieht ihn nicht mehr."),
              "info")  # fmt: skip
        _say_what_left_the_text(words, box, has_text)
    except archive.Hidden:
        raise
    except UsageError as exc:
        flash(_("Das geht nicht: %(reason)s", reason=str(exc)), "error")
    return _back(document_id, number)


@bp.route("/redactions/<id:redaction_id>/lift", methods=["POST"])
@login_required
def lift(redaction_id: int) -> Response:
    with instance().db.transaction() as s:
        me = s.get(User, current_user.user.id)
        page = redactions.page_of_redaction(s, redaction_id, actor=me)
        document_id, number = page.document_id, page.number
        try:
            redactions.lift(s, redaction_id, _words(page), actor=me)
        except NotFound as exc:
            flash(_("Das geht nicht: %(reason)s", reason=str(exc)), "error")
            return _back(document_id, number)
    flash(_("Die Schwärzung ist aufgehoben."), "info")
    return _back(document_id, number)


def _say_what_left_the_text(words: list[list], box: Box, has_text: bool) -> None:
    """The clerk checks the text as well as the image: which words the region took from it,
    or that it took none (a region over a picture, or a text layer placed elsewhere)."""
    taken = [str(w[0]) for w in words if hidden(w, [box])]
    if taken:
        shown = " ".join(taken[:30]) + (" …" if len(taken) > 30 else "")
        flash(_("Aus dem Text der Seite genommen: %(words)s", words=shown), "info")
    elif has_text:
        flash(_("Im Bereich steht kein Wort des Seitentextes; der Text bleibt, wie er ist. "
                "Bitte prüfen Sie den Text der Seite unten."), "error")  # fmt: skip


def _words(page) -> list[list]:
    doc = page.document
    return page_words(instance().store, local_files, doc.blob_sha256, doc.blob.mime_type,
                      page.number)  # fmt: skip


def _fraction(value: str) -> float:
    """A percentage as typed (a decimal comma too) as a fraction of the page."""
    try:
        return float(value.strip().replace(",", ".")) / 100
    except ValueError:
        raise UsageError("give the region as percentages of the page") from None


def _back(document_id: int, number: int) -> Response:
    if request.method == "POST":
        try:
            sync_index(instance())
        except Exception:
            log.exception("search index sync failed; the outbox keeps the change")
    target = url_for("archive.document", document_id=document_id, page=number)
    return redirect(target + "#redactions", 303)  # type: ignore[return-value]
