"""The clerk's desk: uploads with live status, the inbox, metadata.

Every action asks the docstore services, which check the role again; the
views only turn forms into calls and errors into messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from docstore.errors import Conflict, UsageError
from docstore.models import Document
from docstore.services import (
    applications,
    archive,
    building_files,
    documents,
    file_finder,
    plan_consents,
    review,
    roles,
    uploads,
)
from docstore.services.building_files import EDITABLE as FILE_FIELDS
from docstore.services.documents import EDITABLE as DOCUMENT_FIELDS
from docstore.services.roles import Capability
from ingest import spool
from ingest.corrections import Keeper, keeper
from ingest.index_sync import sync_after_change
from ingest.metadata import MANIFEST_COLUMNS

from . import suggestions
from .clerk_forms import (
    AssignForm,
    BuildingFileForm,
    DocumentForm,
    NewFileForm,
    UploadForm,
)
from .context import instance, state
from .error_texts import error_text
from .formatting import file_reason

bp = Blueprint("clerk", __name__)
NEW_FILE_FIELDS = ("street", "house_number", "postcode", "municipality")


@dataclass(frozen=True)
class InboxProblem:
    """A refused assignment: for which document, what was typed, why, what may be meant."""

    document_id: int
    typed: str
    message: str
    choices: list[tuple[str, str]] = field(default_factory=list)
    """(Aktenzeichen, address) of the files that match what was typed."""
    new: bool = False
    """The refusal was of the new-file form (shown open again)."""


@bp.before_request
@login_required
def _staff_only() -> None:
    """Every page here needs a clerk's rights (the services check again for each action)."""
    roles.require(current_user.user, Capability.INGEST)


@bp.after_request
def _sync_search(response: Response) -> Response:
    """After a change, drain the outbox so search shows it now (what fails stays queued)."""
    if request.method == "POST" and response.status_code < 400:
        sync_after_change(instance(), state().index)
    return response


@bp.route("/upload/manifest-vorlage.csv")
def manifest_template() -> Response:
    """A manifest to fill in: every column the pipeline reads, and one example row."""
    example = {
        "file": "scan-0001.pdf", "aktenzeichen": "63-BA-2019-0457", "street": "Venloer Straße",
        "house_number": "411", "postcode": "50825", "municipality": "Köln",
        "gemarkung": "Ehrenfeld", "flur": "12", "flurstueck": "345/6", "kind": "baugenehmigung",
        "title": "Baugenehmigung Anbau", "date": "2019-03-14", "issuer": "Bauaufsichtsamt",
        "issued_on": "2019-03-14", "valid_until": "2022-03-14",
    }  # fmt: skip
    lines = [";".join(MANIFEST_COLUMNS), ";".join(example.get(c, "") for c in MANIFEST_COLUMNS)]
    body = "\ufeff" + "\r\n".join(lines) + "\r\n"
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="manifest-vorlage.csv"'})  # fmt: skip


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
    kept = keeper(instance())
    fixes = {f.id: _correct_url(kept, batch, f) for f in files}
    return render_template("clerk/upload_status.html", batch=batch, files=files, fixes=fixes)


def _correct_url(kept: Keeper, batch, upload_file) -> str | None:
    """Where a file refused for its manifest row can be put right, while it is held."""
    if not uploads.is_correctable(upload_file):
        return None
    if not kept.may_offer(batch, upload_file.name):
        return None
    return url_for("corrections.correct", batch_id=batch.id, file_id=upload_file.id)


@bp.route("/upload/<id:batch_id>/status.json")
def upload_status_json(batch_id: int) -> Response:
    kept = keeper(instance())
    with instance().db.session() as s:
        batch = uploads.batch_for(s, current_user.user, batch_id)
        body = {
            "status": batch.status,
            "files": [
                {
                    "name": f.name,
                    "outcome": f.outcome,
                    "reason": file_reason(f),
                    "document_id": f.document_id,
                    "pages_done": f.pages_done,
                    "pages_total": f.pages_total,
                    "correct_url": _correct_url(kept, batch, f),
                    "corrected_in": uploads.corrected_in(f),
                }
                for f in batch.files
            ],
        }
    return jsonify(body)


@bp.route("/inbox")
def inbox() -> str:
    return _inbox_page()


def _inbox_page(problem: InboxProblem | None = None) -> str:
    """The inbox; after a refused assignment, with the typed text kept and the files it
    may have meant, beside the document it was for."""
    with instance().db.session() as s:
        docs = archive.inbox(s, current_user.user)
        return render_template(
            "clerk/inbox.html", documents=docs, form=AssignForm(), new_file=NewFileForm(),
            problem=problem, suggest_url=url_for("clerk.file_suggestions"),
        )  # fmt: skip


@bp.route("/inbox/files")
def file_suggestions() -> Response:
    """Building files matching what the clerk typed: file number, address or parcel."""
    with instance().db.session() as s:
        text = request.args.get("q", "")[:200]
        return suggestions.building_files(file_finder.candidates(s, text, actor=current_user.user))


@bp.route("/documents/<id:document_id>/assign", methods=["POST"])
def assign(document_id: int) -> Response | tuple[str, int]:
    form = AssignForm()
    typed = (request.form.get("aktenzeichen") or "")[:200]
    if not form.validate_on_submit():
        problem = InboxProblem(document_id, typed, _("Bitte geben Sie ein Aktenzeichen, eine "
                                                     "Adresse oder ein Flurstück an."))  # fmt: skip
        return _inbox_page(problem), 400
    with instance().db.transaction() as s:
        doc = archive.open_document(s, current_user.user, document_id).document
        if (filed := _filed_in(doc)) is not None:
            return _inbox_page(InboxProblem(document_id, typed, filed)), 400
        bf = file_finder.exact(s, typed, actor=current_user.user)
        if bf is None:
            found = file_finder.candidates(s, typed, actor=current_user.user)
            message = (_("Welche Bauakte ist gemeint? Bitte wählen Sie:") if found else
                       _("Keine Bauakte passt zu „%(text)s“. Prüfen Sie die Angabe, oder legen "
                         "Sie eine neue Bauakte an.", text=typed))  # fmt: skip
            choices = [(f.aktenzeichen, f.address) for f in found]
            problem = InboxProblem(document_id, typed, message, choices)
        else:
            name, az = _assign(s, doc, bf)
    if bf is None:
        return _inbox_page(problem), 400
    flash(_("„%(name)s“ liegt jetzt in der Bauakte %(az)s.", name=name, az=az), "info")
    return redirect(url_for("clerk.inbox"))


def _filed_in(doc: Document) -> str | None:
    """Why an inbox form no longer applies: the document was filed meanwhile (a stale page,
    another clerk).  Moving a filed document is not the inbox's business."""
    if doc.building_file_id is None:
        return None
    return _("„%(name)s“ liegt schon in der Bauakte %(az)s.", name=doc.title or doc.original_name,
             az=doc.building_file.aktenzeichen)  # fmt: skip


def _assign(s, doc: Document, bf) -> tuple[str, str]:
    documents.assign_document(s, doc, bf, actor=current_user.user)
    review.documents_arrived(s, bf.id, applications.notice_of(instance().config))
    return doc.title or doc.original_name, bf.aktenzeichen


@bp.route("/documents/<id:document_id>/new-file", methods=["POST"])
def new_file(document_id: int) -> Response | tuple[str, int]:
    """Start a building file for an inbox document that belongs to none yet."""
    form = NewFileForm()
    typed = (request.form.get("aktenzeichen") or "")[:200]
    if not form.validate_on_submit():
        problem = InboxProblem(document_id, typed, _("Bitte prüfen Sie das Aktenzeichen der "
                                                     "neuen Bauakte."), new=True)  # fmt: skip
        return _inbox_page(problem), 400
    try:
        with instance().db.transaction() as s:
            doc = archive.open_document(s, current_user.user, document_id).document
            if (filed := _filed_in(doc)) is not None:
                return _inbox_page(InboxProblem(document_id, typed, filed, new=True)), 400
            existing = file_finder.exact(s, form.aktenzeichen.data, actor=current_user.user)
            if existing is None:
                fields = {k: getattr(form, k).data.strip() for k in NEW_FILE_FIELDS
                          if getattr(form, k).data and getattr(form, k).data.strip()}  # fmt: skip
                bf = building_files.create_building_file(
                    s, form.aktenzeichen.data, actor=current_user.user, **fields
                )
                name, az = _assign(s, doc, bf)
    except (IntegrityError, Conflict):  # another clerk created the same number a moment ago
        with instance().db.session() as s:
            existing = file_finder.exact(s, form.aktenzeichen.data, actor=current_user.user)
        if existing is None:
            raise
    if existing is not None:
        message = _("Die Bauakte %(az)s gibt es schon. Wollen Sie das Dokument ihr zuordnen?",
                    az=existing.aktenzeichen)  # fmt: skip
        choices = [(existing.aktenzeichen, existing.address)]
        return _inbox_page(InboxProblem(document_id, typed, message, choices)), 400
    flash(_("Die Bauakte %(az)s ist angelegt; „%(name)s“ liegt jetzt darin.", az=az, name=name),
          "info")  # fmt: skip
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
                               consents=consents, preview_width=800)  # fmt: skip
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
