"""The clerk's redaction of a page: mark a region with a reason, lift it again.

The region comes as percentages of the page (typed, or filled in by dragging
over the deep-zoom image: ``static/redaction_tool.js``).  docstore decides
who may redact and what the region takes from the text; the word boxes it
needs are read here, where the store is.  After a change the outbox is
drained, so the next external search already misses the redacted words.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import NotFound, UsageError
from docstore.models import User
from docstore.redaction_text import Box, hidden
from docstore.services import archive, redactions, roles
from docstore.services.roles import Capability
from ingest.index_sync import sync_after_change
from viewer.page_words import page_words

from .context import instance, state
from .error_texts import error_text
from .iiif import local_files

bp = Blueprint("redaction", __name__)
SIDES = ("left", "top", "width", "height")


@bp.route("/documents/<id:document_id>/pages/<id:number>/redactions", methods=["POST"])
@login_required
def add(document_id: int, number: int) -> Response:
    user = current_user.user
    with instance().db.session() as s:  # read first: the write transaction stays short
        page = archive.open_page(s, user, document_id, number)
        roles.require(user, Capability.REDACT)  # before the form says anything back
        words, has_text = _words(page), bool(page.text.strip())
    try:
        box = Box.checked(*(_fraction(request.form.get(side, "")) for side in SIDES))
        with instance().db.transaction() as s:
            me = s.get(User, user.id)
            redactions.add(s, document_id, number, box, request.form.get("reason", ""), words,
                           actor=me)  # fmt: skip
    except archive.Hidden:
        raise
    except UsageError as exc:
        flash(error_text(exc), "error")
        return _back(document_id, number)
    flash(_("Der Bereich ist geschwärzt: Wer nicht zur Behörde gehört, sieht ihn nicht mehr."),
          "info")  # fmt: skip
    _say_what_left_the_text(words, box, has_text)
    return _back(document_id, number, changed=True)


@bp.route("/redactions/<id:redaction_id>/lift", methods=["POST"])
@login_required
def lift(redaction_id: int) -> Response:
    user = current_user.user
    with instance().db.session() as s:
        page = redactions.page_of_redaction(s, redaction_id, actor=user)
        document_id, number, words = page.document_id, page.number, _words(page)
    try:
        with instance().db.transaction() as s:
            redactions.lift(s, redaction_id, words, actor=s.get(User, user.id))
    except NotFound as exc:
        flash(error_text(exc), "error")
        return _back(document_id, number)
    flash(_("Die Schwärzung ist aufgehoben."), "info")
    return _back(document_id, number, changed=True)


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
        raise UsageError("give the region as percentages of the page", "redaction.box") from None


def _back(document_id: int, number: int, *, changed: bool = False) -> Response:
    """To the page's redactions; after a change, the search learns of it now (or says it
    has not: the outbox keeps the change for the next sync)."""
    if changed and not sync_after_change(instance(), state().index):
        flash(_("Die Suche kennt die Änderung noch nicht (ihr Index ist belegt); sie wird "
                    "beim nächsten Abgleich nachgetragen. Bis dahin kann die Suche den Text "
                    "noch finden."), "error")  # fmt: skip
    target = url_for("archive.document", document_id=document_id, page=number)
    return redirect(target + "#redactions", 303)  # type: ignore[return-value]
