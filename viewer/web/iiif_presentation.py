"""IIIF Presentation 3.0 manifests (``/iiif/presentation/3/documents/<id>/manifest.json``)
and IIIF Content Search 2.0 inside a document (``…/documents/<id>/search?q=``).

The same permission check as the document page (a document the user may not
see does not exist: 404).  Opening the manifest is opening the document, so
it records the visit (one view event), and the tiles an IIIF viewer then
fetches record nothing more.  ``Access-Control-Allow-Origin: *`` as for the
image service: another site's viewer gets the manifest only with a bearer
token, as a browser sends no cookie with a cross-origin request answered
with ``*``.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request, url_for
from flask_babel import force_locale, gettext
from flask_login import current_user, login_required

from docstore.services import archive
from viewer.iiif.manifest import ManifestDocument, ManifestPage, manifest, search_page
from viewer.search_gate import SearchBusy
from viewer.search_service import SearchRefused, SearchUnavailable

from .context import instance
from .errors import unavailable_json
from .formatting import kind_label
from .search_hits import DocumentFacts, hits_by_page, query_arg

bp = Blueprint("iiif_presentation", __name__, url_prefix="/iiif/presentation/3")


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/documents/<id:document_id>/manifest.json")
@login_required
def document_manifest(document_id: int) -> Response:
    user = current_user.user
    with instance().db.transaction() as s:
        doc = archive.open_document(s, user, document_id).document
        if not doc.pages:
            abort(404)  # nothing to show: an IIIF manifest needs at least one canvas
        archive.record_view(s, user, doc, 1)
        described = ManifestDocument(
            id=url_for(".document_manifest", document_id=doc.id, _external=True).removesuffix(
                "/manifest.json"
            ),
            title=doc.title or doc.original_name,
            aktenzeichen=doc.building_file.aktenzeichen if doc.building_file else None,
            kind_label=_in_both(lambda: kind_label(doc.kind)),
            date=doc.date.isoformat() if doc.date else None,
            homepage=url_for("archive.document", document_id=doc.id, _external=True),
            pages=[_page(doc.id, p) for p in doc.pages],
            search=url_for(".document_search", document_id=doc.id, _external=True),
        )
    labels = _in_both(lambda: gettext("Seite %(number)s"))
    body = manifest(described, lambda lang, n: labels[lang] % {"number": n})
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/ld+json")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/documents/<id:document_id>/search")
@login_required
def document_search(document_id: int) -> Response:
    """IIIF Content Search 2.0: the words the query matched, as highlighting annotations
    on the manifest's canvases (recorded as every search)."""
    user = current_user.user
    with instance().db.session() as s:
        found = archive.open_document(s, user, document_id).document
        sizes = {p.number: (p.width_px or 1, p.height_px or 1) for p in found.pages}
        doc = DocumentFacts.of(s, found, user)
    try:
        hits = hits_by_page(user, doc, query_arg())
    except SearchRefused as exc:
        return jsonify(error=str(exc), code=exc.code), 400  # type: ignore[return-value]
    except (SearchUnavailable, SearchBusy) as exc:  # an IIIF client reads JSON
        return unavailable_json(exc, str(exc))  # type: ignore[return-value]
    base = url_for(".document_manifest", document_id=document_id, _external=True)
    body = search_page(request.url, base.removesuffix("/manifest.json"), sizes, hits)
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/ld+json")
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _page(document_id: int, page) -> ManifestPage:
    return ManifestPage(
        number=page.number,
        width=page.width_px or 1,
        height=page.height_px or 1,
        service=url_for("iiif.base", identifier=page.iiif_id, _external=True),
        thumbnail=url_for(
            "images.page_thumbnail", document_id=document_id, number=page.number, _external=True
        ),
    )


def _in_both(text) -> dict[str, str]:
    """A UI text in German and in English (labels of a manifest carry both)."""
    out = {}
    for lang in ("de", "en"):
        with force_locale(lang):
            out[lang] = str(text())
    return out
