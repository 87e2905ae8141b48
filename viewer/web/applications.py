"""The citizen's applications: apply, follow the status, answer a question, withdraw.

Only citizens and architects apply (staff see every file already); every
application and proof here is the signed-in applicant's own, and anyone
else's answers 404 (the services decide, see ``docstore.services.applications``).
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from docstore.errors import UsageError
from docstore.models import OPEN_STATUSES, ApplicationProof, Legitimation, User
from docstore.services import applications, fee_notices, online_payments, streets
from docstore.services.applications import Application, ApplicationProblem, StoredProof
from docstore.services.archive import Hidden
from ingest.proofs import ProofRejected, accept_proof
from storage import proof_key

from . import online_payments as online_payments_web
from .application_forms import AnswerForm, ApplicationForm
from .application_labels import LEGITIMATION_HINTS, proof_problem
from .context import instance
from .downloads import attachment_response
from .error_texts import error_text
from .extensions import APPLICATION_LIMIT

bp = Blueprint("applications", __name__)
MAX_PROOFS = 10


@bp.before_request
@login_required
def _applicants_only() -> None:
    if current_user.is_staff:
        abort(403, description=_("Anträge stellen Bürgerinnen, Bürger und Architekten."))


def _notice() -> applications.Notice:
    return applications.notice_of(instance().config)


def _street_list() -> streets.StreetList | None:
    return streets.street_list(Path(instance().config.street_list))


def chosen_files(files: list[FileStorage]) -> list[FileStorage]:
    """The file fields the applicant filled (a form sends empty ones too)."""
    return [f for f in files if f and f.filename]


def store_proofs(chosen: list[FileStorage]) -> list[StoredProof]:
    """Check and keep each uploaded proof; the first refused file stops the form."""
    if len(chosen) > MAX_PROOFS:
        raise ProofRejected("", "too many", str(MAX_PROOFS))
    stored = []
    with tempfile.TemporaryDirectory(dir=_scratch()) as folder:
        for index, upload in enumerate(chosen):
            path = Path(folder) / f"proof-{index}"
            upload.save(path)
            stored.append(accept_proof(instance(), path, upload.filename or "nachweis"))
    return stored


def _scratch() -> Path:
    """Beside the instance's data (not in the spool, whose folders are uploads to ingest)."""
    path = Path(instance().config.home) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _proof_error(exc: ProofRejected) -> str:
    if exc.reason == "too many":
        return _("Bitte höchstens %(num)s Dateien auf einmal.", num=MAX_PROOFS)
    return _("„%(name)s“: %(problem)s", name=exc.name, problem=proof_problem(exc.reason))


@bp.route("/applications/new", methods=["GET", "POST"])
@APPLICATION_LIMIT
def new_application() -> str | Response | tuple[str, int]:
    form = ApplicationForm()
    if not form.validate_on_submit():
        return _form_page(form, 400 if form.errors else 200)
    uploads = chosen_files(request.files.getlist(form.proofs.name))
    street_list = _street_list()
    known = street_list.known if street_list else None
    entry = Application(
        Legitimation(form.legitimation.data), form.purpose.data,
        street=form.street.data or "", house_number=form.house_number.data or "",
        postcode=form.postcode.data or "", gemarkung=form.gemarkung.data or "",
        flur=form.flur.data or "", flurstueck=form.flurstueck.data or "",
        aktenzeichen=form.aktenzeichen.data or "", interest=form.interest.data or "",
        chamber_number=form.chamber_number.data or "",
    )  # fmt: skip
    try:  # every field first: a wrong form stores no proof
        applications.check(entry, known, proofs_offered=len(uploads))
        proofs = store_proofs(uploads)
        with instance().db.transaction() as s:
            created = applications.submit(
                s, s.get(User, current_user.user.id), replace(entry, proofs=proofs), _notice(),
                known_street=known,
            )  # fmt: skip
            created_id = created.id
    except ApplicationProblem as exc:
        target = getattr(form, exc.field, None) if exc.field != "building" else form.street
        (target or form.purpose).errors = [error_text(exc)]
        return _form_page(form, 400)
    except ProofRejected as exc:
        form.proofs.errors = [_proof_error(exc)]
        return _form_page(form, 400)
    flash(_("Ihr Antrag ist eingegangen. Wir haben Ihnen eine Bestätigung per E-Mail geschickt."),
          "info")  # fmt: skip
    return redirect(url_for("applications.show", request_id=created_id))


def _form_page(form: ApplicationForm, status: int) -> tuple[str, int]:
    page = render_template(
        "applications/new.html",
        form=form,
        hints=LEGITIMATION_HINTS,
        max_mb=instance().config.proof_max_mb,
        days=instance().config.processing_days,
    )
    return page, status


@bp.route("/applications/streets")
def street_suggestions() -> Response:
    """Streets of the city's list that fit what was typed (never the archive's addresses)."""
    street_list = _street_list()
    typed = request.args.get("q", "")[:100]
    return jsonify(street_list.suggest(typed) if street_list else [])


@bp.route("/applications/<id:request_id>")
def show(request_id: int) -> str:
    with instance().db.transaction() as s:
        applicant = s.get(User, current_user.user.id)
        entry = applications.own_application(s, applicant, request_id)
        unread = {m.id for m in entry.messages if m.from_staff and m.read_at is None}
        applications.mark_read(s, applicant, entry)
        notices = fee_notices.of_application(s, entry.id)
        attempts = {n.id: online_payments.of_notice(s, n)[-1:] for n in notices}
        return render_template(
            "applications/show.html",
            entry=entry,
            notices=notices,
            attempts=attempts,
            pay_online=online_payments_web.provider() is not None,
            bank=bool(instance().config.bank_iban),
            held=applications.access_held(s, entry),
            unread=unread,
            open=entry.status in OPEN_STATUSES,
            answer_form=AnswerForm(),
            days=instance().config.processing_days,
        )


@bp.route("/applications/<id:request_id>/answer", methods=["POST"])
def answer(request_id: int) -> Response | tuple[str, int]:
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Ihre Antwort ist zu lang."), "error")
        return redirect(url_for("applications.show", request_id=request_id))
    try:  # 404, or no question open, before any file is stored
        with instance().db.session() as s:
            applications.open_question(s, s.get(User, current_user.user.id), request_id)
    except Hidden:
        raise
    except UsageError:
        flash(_("Zu diesem Antrag ist keine Frage offen."), "error")
        return redirect(url_for("applications.show", request_id=request_id))
    try:
        proofs = store_proofs(chosen_files(request.files.getlist(form.proofs.name)))
    except ProofRejected as exc:
        flash(_proof_error(exc), "error")
        return redirect(url_for("applications.show", request_id=request_id))
    try:
        with instance().db.transaction() as s:
            applicant = s.get(User, current_user.user.id)
            applications.answer(s, applicant, request_id, form.answer.data or "", proofs,
                                _notice())  # fmt: skip
    except ApplicationProblem:
        flash(_("Bitte schreiben Sie eine Antwort oder laden Sie ein Dokument hoch."), "error")
    except UsageError:
        flash(_("Zu diesem Antrag ist keine Frage offen."), "error")
    else:
        flash(_("Ihre Antwort ist bei der Bauaufsicht."), "info")
    return redirect(url_for("applications.show", request_id=request_id))


@bp.route("/applications/<id:request_id>/withdraw", methods=["POST"])
def withdraw(request_id: int) -> Response:
    try:
        with instance().db.transaction() as s:
            applications.withdraw(s, s.get(User, current_user.user.id), request_id, _notice())
    except Hidden:
        raise
    except UsageError:
        flash(_("Dieser Antrag ist bereits entschieden."), "error")
    else:
        flash(_("Ihr Antrag ist zurückgezogen."), "info")
    return redirect(url_for("applications.show", request_id=request_id))


@bp.route("/applications/<id:request_id>/proofs/<id:proof_id>")
def proof(request_id: int, proof_id: int) -> Response:
    with instance().db.session() as s:
        found = applications.own_proof(s, s.get(User, current_user.user.id), request_id, proof_id)
        s.expunge(found)
    return send_proof(found)


def send_proof(proof: ApplicationProof) -> Response:
    return attachment_response(
        proof_key(proof.sha256), proof.name, proof.media_type, proof.size, proof.active_content
    )
