"""Search hits on the page image: the boxes of the words a search inside a document matched.

``/documents/<id>/pages/<n>/hits.json?q=…`` for the viewer, which draws them over
the deep-zoom image and steps from hit to hit.  The same permission check as
the page (a page the user may not see is a 404), the search scoped and
recorded as every search.
"""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user, login_required

from docstore.services import archive
from viewer.search_gate import SearchBusy
from viewer.search_service import SearchRefused, SearchUnavailable

from .context import instance
from .error_texts import error_text
from .errors import unavailable_json
from .search_hits import DocumentFacts, hits_by_page, query_arg

bp = Blueprint("hits", __name__)


@bp.route("/documents/<id:document_id>/pages/<id:number>/hits.json")
@login_required
def page_hits(document_id: int, number: int):
    user = current_user.user
    with instance().db.session() as s:
        document = archive.open_page(s, user, document_id, number).document
        doc = DocumentFacts.of(s, document, user)
    try:
        found = hits_by_page(user, doc, query_arg(), only=number)
    except SearchRefused as exc:
        return jsonify(error=error_text(exc), code=exc.code), 400
    except (SearchUnavailable, SearchBusy) as exc:  # the viewer reads JSON, not the 503 page
        return unavailable_json(exc, error_text(exc))
    hits = [{"text": hit.text, "box": list(hit.box)} for hit in found.get(number, [])]
    return jsonify(page=number, hits=hits)
