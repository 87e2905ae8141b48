"""Search hits on the page image: the boxes of the words a search inside a document matched.

``/documents/<id>/pages/<n>/hits.json?q=…`` for the viewer, which draws them over
the deep-zoom image and steps from hit to hit.  The same permission check as
the page (a page the user may not see is a 404), the search scoped and
recorded as every search.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from docstore.services import archive
from viewer.page_words import hit_boxes, page_words
from viewer.search_service import SearchRefused, match_document

from .context import instance, state
from .iiif import local_files

bp = Blueprint("hits", __name__)
MAX_QUERY = 500


@bp.route("/documents/<id:document_id>/pages/<id:number>/hits.json")
@login_required
def page_hits(document_id: int, number: int):
    user = current_user.user
    with instance().db.session() as s:
        page = archive.open_page(s, user, document_id, number)
        doc = page.document
        sha, mime, count = doc.blob_sha256, doc.blob.mime_type, doc.page_count
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    if not query:
        return jsonify(page=number, hits=[])
    try:
        pages, wanted = match_document(
            instance(), user, document_id, query, pages=count, reader=state().index
        )
    except SearchRefused as exc:
        return jsonify(error=str(exc), code=exc.code), 400
    if number not in {p.number for p in pages}:
        return jsonify(page=number, hits=[])
    words = page_words(instance().store, local_files, sha, mime, number)
    hits = [{"text": hit.text, "box": list(hit.box)} for hit in hit_boxes(words, wanted)]
    return jsonify(page=number, hits=hits)
