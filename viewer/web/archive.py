"""Start page, building files and the document viewer."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user, login_required

from docstore.services import (
    applications,
    archive,
    audit_trail,
    extracts,
    plan_consents,
    redactions,
    roles,
    work_waiting,
)
from docstore.services.roles import Capability
from viewer.renditions import served_widths
from viewer.search_gate import SearchBusy
from viewer.search_service import SearchRefused, SearchUnavailable, match_document

from .context import instance, state
from .error_texts import error_text
from .refusals import refusals_recorded
from .search_hits import query_arg
from .search_page import refusal
from .text_marks import marked

bp = Blueprint("archive", __name__)

DEEP_ZOOM_SCRIPT = "vendor/openseadragon/openseadragon.min.js"
ZOOM_WIDTHS = {1: 800, 2: 1200, 3: 1600}
"""Zoom steps of the viewer and the page-image width each one loads."""


@bp.route("/")
@login_required
def start() -> str:
    user = current_user.user
    with instance().db.session() as s:
        if user.is_staff:
            work = work_waiting.waiting(
                s, actor=user, processing_days=instance().config.processing_days
            )
            return render_template(
                "archive/start_staff.html",
                files=archive.recent_building_files(s, user),
                work=work,
                processing_days=instance().config.processing_days,
            )
        requests = applications.own_applications(s, user)
        unread = {r.id: applications.unread_messages(r) for r in requests}
        return render_template(
            "archive/start.html",
            grants=archive.my_grants(s, user),
            requests=requests,
            unread=unread,
            extracts=extracts.mine(s, user),
        )


@bp.route("/files/<id:building_file_id>")
@login_required
def building_file(building_file_id: int) -> str:
    with instance().db.session() as s:
        bf, documents = archive.open_building_file(s, current_user.user, building_file_id)
        parcels = list(bf.parcels)
        rights = archive.download_rights(s, current_user.user, documents)
        accesses = _accesses(s, audit_trail.TrailFilter(building_file_id=bf.id))
    order = "date" if request.args.get("sort") == "date" else "kind"
    groups: dict[str, list] = {}
    for doc in documents:
        groups.setdefault(doc.kind, []).append(doc)
    far = dt.date.max
    by_date = sorted(documents, key=lambda d: (d.date or far, d.title or d.original_name, d.id))
    may_extract = any(rights[d.id] and d.page_count for d in documents)
    trail_url = url_for("oversight.trail", aktenzeichen=bf.aktenzeichen)
    return render_template("archive/building_file.html", bf=bf, parcels=parcels, groups=groups,
                           may_extract=may_extract, accesses=accesses,
                           accesses_url=trail_url, order=order, by_date=by_date)  # fmt: skip


@bp.route("/documents/<id:document_id>")
@login_required
def document(document_id: int) -> str | tuple[str, int]:
    user = current_user.user
    with refusals_recorded(user, document_id, "view"), instance().db.transaction() as s:
        view = archive.open_document(s, user, document_id)
        doc = view.document
        count = max(doc.page_count, 1)
        number = min(max(request.args.get("page", 1, type=int) or 1, 1), count)
        page = archive.page_of(s, view, number) if doc.page_count else None
        text = redactions.text_for(page, actor=user) if page else ""
        redacted = (
            redactions.history(s, doc.id, number, actor=user) if page and user.is_staff else []
        )
        hidden_here = len(redactions.regions(s, page.id, actor=user)) if page else 0
        bf = doc.building_file
        archive.record_view(s, user, doc, number)
        accesses = _accesses(s, audit_trail.TrailFilter(document_id=doc.id))
        kinds = plan_consents.plan_kinds(instance().config)
        may_download = archive.original_downloads(s, user, [doc], kinds)[doc.id]
        plan_refused = view.may_download and not may_download
        srcset = _srcset(page, doc.blob.mime_type) if page else []
    zoom = request.args.get("zoom", 1, type=int)
    zoom = zoom if zoom in ZOOM_WIDTHS else 1
    query = query_arg()
    hits = refused = wanted = None
    status = 200
    if query:
        try:
            hits, wanted = match_document(
                instance(),
                user,
                doc.id,
                query,
                pages=count,
                backend=state().index,
                gate=state().search_gate,
            )
        except SearchRefused as exc:
            refused, status = refusal(exc.code, exc.limit), 400
        except (SearchUnavailable, SearchBusy) as exc:  # the page does not need search: 200
            refused = error_text(exc)
    html = render_template(
        "archive/document.html",
        doc=doc,
        bf=bf,
        page=page,
        text=marked(text, wanted),
        redacted=redacted,
        redacted_boxes=[
            [r.left, r.top, r.width, r.height] for r in redacted if r.removed_at is None
        ],
        hidden_here=hidden_here,
        number=number,
        count=count,
        may_download=may_download,
        plan_refused=plan_refused,
        zoom=zoom,
        zoom_steps=sorted(ZOOM_WIDTHS),
        width=ZOOM_WIDTHS[zoom],
        query=query,
        hits=hits,
        refused=refused,
        srcset=srcset,
        deep_zoom=deep_zoom_available(),
        accesses=accesses,
        accesses_url=url_for("oversight.trail", document=doc.id),
    )
    return (html, status) if status != 200 else html


def _accesses(s, wanted: audit_trail.TrailFilter) -> audit_trail.TrailPage | None:
    """The latest entries about a document or file, on its page, for those who audit."""
    if not roles.can(current_user.user, Capability.AUDIT):
        return None
    return audit_trail.events(s, current_user.user, wanted, 1, per_page=5)


def _srcset(page, mime_type: str) -> list[tuple[int, int]]:
    if not (page.width_px and page.height_px):
        return []
    return served_widths(page.width_px, page.height_px, enlarged=mime_type == "application/pdf")


def deep_zoom_available() -> bool:
    """OpenSeadragon is installed by ``make`` from npm; without it the plain images serve."""
    return _installed(current_app.static_folder or "")


@functools.cache
def _installed(static_folder: str) -> bool:
    """Looked up once per worker: installing it means a new release and a restart."""
    return (Path(static_folder) / DEEP_ZOOM_SCRIPT).is_file()
