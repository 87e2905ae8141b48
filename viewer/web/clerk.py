"""The clerk's desk: uploads with live status, the inbox, metadata.

Every action asks the docstore services, which check the role again; the
views only turn forms into calls and errors into messages.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import NotFound, UsageError
from docstore.models import Document
from docstore.services import (
    applications,
    archive,
    building_files,
    documents,
    plan_consents,
    review,
    roles,
    uploads,
)
from docstore.services.building_files import EDITABLE as FILE_FIELDS
from docstore.services.documents import EDITABLE as DOCUMENT_FIELDS
from docstore.services.roles import Capability
from ingest import spool
from ingest.index_sync import sync_index

from .clerk_forms import (
    AssignForm,
    BuildingFileForm,
    DocumentForm,
    UploadForm,
)
from .context import instance
from .error_texts import error_text
from .formatting import rejection

bp = Blueprint("clerk", __name__)
log = logging.getLogger(__name__)


@bp.before_request
@login_required
def _staff_only() -> None:
    """Every page here needs a clerk's rights (the services check again for each action)."""
    roles.require(current_user.user, Capability.INGEST)


@bp.after_request
def _sync_search(response: Response) -> Response:
    """After a change, drain the outbox so search shows it now (what fails stays queued)."""
    if request.method == "POST" and response.status_code < 400:
        try:
            sync_index(instance())
        except Exception:
            log.exception("search index sync failed; the outbox keeps the changes")
    return response


@bp.route("/upload", methods=["GET", "POST"])
def upload() -> str | Response | tuple[str, int]:
    form = UploadForm()
    if form.validate_on_submit():
        chosen = [f for f in request.files.getlist(form.files.name) if f.filename]
        manifest = request.files.get(form.manifest.name)
        try:
            batch_id = spool.receive(
                instance(),
                current_user.user,
                [(f.filename, f.stream) for f in chosen],
                (manifest.filename, manifest.stream) if manifest and manifest.filename else None,
            )
        except UsageError as exc:
            return render_template(
                "clerk/upload.html", form=form, error=error_text(exc), batches=_recent()
            ), 400
        return redirect(url_for("clerk.upload_status", batch_id=batch_id))
    return render_template("clerk/upload.html", form=form, batches=_recent())


def _recent():
    with instance().db.session() as s:
        return uploads.recent_batches(s, current_user.user)


@bp.route("/upload/<id:batch_id>")
def upload_status(batch_id: int) -> str:
    with instance().db.session() as s:
        batch = uploads.batch_for(s, current_user.user, batch_id)
        files = list(batch.files)
    return render_template("clerk/upload_status.html", batch=batch, files=files)


@bp.route("/upload/<id:batch_id>/status.json")
def upload_status_json(batch_id: int) -> Response:
    with instance().db.session() as s:
        batch = uploads.batch_for(s, current_user.user, batch_id)
        body = {
            "status": batch.status,
            "files": [
                {
                    "name": f.name,
                    "outcome": f.outcome,
                    "reason": rejection(f.reason),
                    "document_id": f.document_id,
                    "pages_done": f.pages_done,
                    "pages_total": f.pages_total,
                }
                for f in batch.files
            ],
        }
    return jsonify(body)


@bp.route("/inbox")
def inbox() -> str:
    with instance().db.session() as s:
        docs = archive.inbox(s, current_user.user)
    return render_template("clerk/inbox.html", documents=docs, form=AssignForm())


@bp.route("/documents/<id:document_id>/assign", methods=["POST"])
def assign(document_id: int) -> Response | tuple[str, int]:
    form = AssignForm()
    if not form.validate_on_submit():
        flash(_("Bitte ein Aktenzeichen angeben."), "error")
        return redirect(url_for("clerk.inbox"))
    with instance().db.transaction() as s:
        doc = archive.open_document(s, current_user.user, document_id).document
        try:
            bf = building_files.get_by_aktenzeichen(s, form.aktenzeichen.data)
        except NotFound:
            flash(
                _("Keine Bauakte mit dem Aktenzeichen %(az)s.", az=form.aktenzeichen.data), "error"
            )
            return redirect(url_for("clerk.inbox"))
        documents.assign_document(s, doc, bf, actor=current_user.user)
        review.documents_arrived(s, bf.id, applications.notice_of(instance().config))
        name, az = doc.title or doc.original_name, bf.aktenzeichen
    flash(_("„%(name)s“ liegt jetzt in der Bauakte %(az)s.", name=name, az=az), "info")
    return redirect(url_for("clerk.inbox"))


@bp.route("/documents/<id:document_id>/edit", methods=["GET", "POST"])
def edit_document(document_id: int) -> str | Response | tuple[str, int]:
    with instance().db.transaction() as s:
        doc: Document = archive.open_document(s, current_user.user, document_id).document
        form = DocumentForm(obj=doc)
        if form.validate_on_submit():
            if changed := _changes(form, doc, DOCUMENT_FIELDS):
                documents.update_document(s, doc, actor=current_user.user, **changed)
            flash(_("Gespeichert."), "info")
            return redirect(url_for("archive.document", document_id=doc.id))
        is_plan = doc.kind in plan_consents.plan_kinds(instance().config)
        consents = plan_consents.history(s, doc.id) if is_plan else []
        page = render_template("clerk/edit_document.html", form=form, doc=doc, is_plan=is_plan,
                               consents=consents)  # fmt: skip
    return (page, 400) if form.errors else page


@bp.route("/files/<id:building_file_id>/edit", methods=["GET", "POST"])
def edit_building_file(building_file_id: int) -> str | Response | tuple[str, int]:
    with instance().db.transaction() as s:
        bf, _docs = archive.open_building_file(s, current_user.user, building_file_id)
        form = BuildingFileForm(obj=bf)
        if form.validate_on_submit():
            if changed := _changes(form, bf, FILE_FIELDS):
                building_files.update_building_file(s, bf, actor=current_user.user, **changed)
            flash(_("Gespeichert."), "info")
            return redirect(url_for("archive.building_file", building_file_id=bf.id))
        page = render_template("clerk/edit_building_file.html", form=form, bf=bf)
    return (page, 400) if form.errors else page


def _changes(form, obj: object, fields: tuple[str, ...]) -> dict[str, object]:
    """The form's values that differ from the object's (an empty field means None)."""
    values = {name: getattr(form, name).data for name in fields}
    values = {name: None if value in ("", None) else value for name, value in values.items()}
    return {name: value for name, value in values.items() if getattr(obj, name) != value}
