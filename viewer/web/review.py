"""The clerk's queue of applications and the decision on each.

Every action is a service call that checks the clerk's right again
(``docstore.services.review``); the views only word the outcome.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore import fees
from docstore.errors import UsageError
from docstore.models import OPEN_STATUSES, DocumentKind, RequestStatus, User
from docstore.services import applications, fee_notices, identities, review, roles
from docstore.services.archive import Hidden
from docstore.services.fee_notices import FeeDecision
from docstore.services.roles import Capability

from .application_forms import (
    ApproveForm,
    AskForm,
    DigitiseForm,
    NoFileForm,
    RejectForm,
)
from .applications import send_proof
from .context import form_id, instance
from .error_texts import error_text
from .fee_forms import CancelForm, DeskPaymentForm
from .fees import terms

bp = Blueprint("review", __name__)
QUEUES = {
    "open": OPEN_STATUSES,
    "new": frozenset({RequestStatus.SUBMITTED}),
    "query": frozenset({RequestStatus.QUERY}),
    "digitising": frozenset({RequestStatus.DIGITISING}),
    "decided": frozenset(RequestStatus) - OPEN_STATUSES,
}


@bp.before_request
@login_required
def _reviewers_only() -> None:
    roles.require(current_user.user, Capability.REVIEW)


def _notice() -> applications.Notice:
    return applications.notice_of(instance().config)


def _clerk(s) -> User:
    return s.get(User, current_user.user.id)


@bp.route("/review")
def queue() -> str:
    chosen = request.args.get("status", "open")
    statuses = QUEUES.get(chosen, OPEN_STATUSES)
    older = request.args.get("older", "")
    days = int(older) if older.isascii() and older.isdigit() and len(older) < 5 else None
    mine = request.args.get("mine") == "1"
    district = request.args.get("district", "")[:200]
    with instance().db.session() as s:
        entries = review.queue(s, _clerk(s), review.QueueFilter(statuses, days, mine, district))
        applicants = {e.user_id: s.get(User, e.user_id) for e in entries}
        return render_template(
            "review/queue.html", entries=entries, applicants=applicants, chosen=chosen,
            queues=list(QUEUES), older=days, mine=mine, district=district,
            districts=review.districts(s),
        )  # fmt: skip


def _forms(s, entry) -> dict:
    files = review.matching_files(s, entry)
    choices = [(str(f.id), f"{f.aktenzeichen} – {f.street or ''} {f.house_number or ''}".strip())
               for f in files]  # fmt: skip
    approve = ApproveForm(prefix="approve")
    approve.building_file.choices = choices
    if not approve.is_submitted():
        approve.days.data = instance().config.grant_days
        if entry.legitimation == "neighbour":
            approve.scope.data = "kinds"
            approve.kinds.data = [k.value for k in review.NEIGHBOUR_KINDS]
    if entry.building_file_id and not approve.is_submitted():
        approve.building_file.data = str(entry.building_file_id)
    documents = {f.id: list(f.documents) for f in files}
    approve.documents.choices = [
        (str(d.id), f"{f.aktenzeichen}: {d.title or d.original_name}")
        for f in files for d in documents[f.id]
    ]  # fmt: skip
    digitise = DigitiseForm(prefix="digitise")
    digitise.building_file.choices = choices
    counts = {f.id: review.document_count(s, f.id) for f in files}
    return {
        "files": files, "counts": counts, "approve": approve, "digitise": digitise,
        "ask": AskForm(prefix="ask"), "reject": RejectForm(prefix="reject"),
        "no_file": NoFileForm(prefix="nofile"),
    }  # fmt: skip


@bp.route("/review/<id:request_id>")
def show(request_id: int) -> str:
    with instance().db.session() as s:
        return _page(s, request_id)


def _page(s, request_id: int, status: int = 200):
    entry = review.for_review(s, _clerk(s), request_id)
    applicant = s.get(User, entry.user_id)
    assigned = s.get(User, entry.assigned_to_id) if entry.assigned_to_id else None
    schedule = fees.schedule_of(instance().config)
    page = render_template(
        "review/show.html", entry=entry, applicant=applicant, assigned=assigned,
        identity=identities.identity_of(s, entry.user_id), open=entry.status in OPEN_STATUSES,
        computed_fee=fee_notices.computed(schedule, entry, applicant) if applicant else [],
        schedule=schedule, notices=fee_notices.of_application(s, entry.id),
        desk_form=DeskPaymentForm(prefix="desk"), cancel_form=CancelForm(prefix="cancel"),
        **_forms(s, entry),
    )  # fmt: skip
    return page if status == 200 else (page, status)


def _done(request_id: int, message: str) -> Response:
    if message:
        flash(message, "info")
    return redirect(url_for("review.show", request_id=request_id))


def _refused(request_id: int, exc: UsageError) -> tuple[str, int]:
    flash(error_text(exc), "error")
    with instance().db.session() as s:
        return _page(s, request_id, 400)


def _act(request_id: int, act, done: str) -> Response | tuple[str, int]:
    """Run one decision in a transaction; a refusal shows the page again with its reason."""
    try:
        with instance().db.transaction() as s:
            act(s, _clerk(s))
    except Hidden:
        raise
    except (UsageError, ValueError) as exc:
        return _refused(request_id, exc if isinstance(exc, UsageError) else UsageError(str(exc)))
    return _done(request_id, done)


@bp.route("/review/<id:request_id>/assign", methods=["POST"])
def assign(request_id: int) -> Response | tuple[str, int]:
    return _act(
        request_id,
        lambda s, clerk: review.assign(s, clerk, request_id, _notice()),
        _("Sie bearbeiten diesen Antrag."),
    )


@bp.route("/review/<id:request_id>/ask", methods=["POST"])
def ask(request_id: int) -> Response | tuple[str, int]:
    form = AskForm(prefix="ask")
    if not form.validate_on_submit():
        return _refused(request_id, UsageError(_("Bitte schreiben Sie die Frage.")))
    return _act(
        request_id,
        lambda s, clerk: review.ask(s, clerk, request_id, form.question.data, _notice()),
        _("Die Rückfrage ist verschickt."),
    )


@bp.route("/review/<id:request_id>/approve", methods=["POST"])
def approve(request_id: int) -> Response | tuple[str, int]:
    form = ApproveForm(prefix="approve")
    form.building_file.choices = []
    form.documents.choices = []
    file_id = form_id(form.building_file.data)
    if not form.validate_on_submit() or file_id is None:
        return _refused(request_id, UsageError(_("Bitte Bauakte und Dauer angeben.")))
    scope = form.scope.data
    try:
        kinds = [DocumentKind(k) for k in form.kinds.data] if scope == "kinds" else []
    except ValueError:
        kinds = []
    chosen = [form_id(d) for d in form.documents.data] if scope == "documents" else []
    docs = [d for d in chosen if d is not None]
    if (scope == "kinds" and not kinds) or (scope == "documents" and not docs):
        return _refused(request_id, UsageError(_("Bitte wählen Sie aus, was freigegeben wird.")))
    approval = review.Approval(file_id, form.days.data,
                               bool(form.may_download.data), docs, kinds)  # fmt: skip
    try:
        own_fee = fees.parse_euro(form.fee.data) if (form.fee.data or "").strip() else None
    except ValueError:
        return _refused(request_id, UsageError(_("Bitte die Gebühr in Euro angeben, z. B. 16,50.")))
    decision = FeeDecision(form.minutes.data or 0, own_fee, form.fee_reason.data or "")
    zone = ZoneInfo(instance().config.timezone)

    def approve_with_fee(s, clerk) -> None:
        grant = review.approve(s, clerk, request_id, approval, _notice(), zone, terms(decision))
        done.append(grant.awaiting_payment)

    done: list[bool] = []
    outcome = _act(request_id, approve_with_fee, "")
    if done:
        flash(_("Genehmigt: Der Gebührenbescheid ist verschickt; die Freigabe gilt, sobald "
                "bezahlt ist.") if done[0] else _("Genehmigt: Die Freigabe gilt ab heute."),
              "info")  # fmt: skip
    return outcome


@bp.route("/review/<id:request_id>/reject", methods=["POST"])
def reject(request_id: int) -> Response | tuple[str, int]:
    form = RejectForm(prefix="reject")
    if not form.validate_on_submit():
        return _refused(request_id, UsageError(_("Bitte Grund und Begründung angeben.")))
    return _act(
        request_id,
        lambda s, clerk: review.reject(
            s, clerk, request_id, form.reason.data, form.text.data, _notice()
        ),
        _("Der Antrag ist abgelehnt."),
    )


@bp.route("/review/<id:request_id>/no-file", methods=["POST"])
def no_file(request_id: int) -> Response | tuple[str, int]:
    form = NoFileForm(prefix="nofile")
    if not form.validate_on_submit():
        return _refused(request_id, UsageError(_("Der Hinweis ist zu lang.")))
    return _act(
        request_id,
        lambda s, clerk: review.no_file(s, clerk, request_id, form.text.data or "", _notice()),
        _("Negativauskunft erteilt."),
    )


@bp.route("/review/<id:request_id>/digitise", methods=["POST"])
def digitise(request_id: int) -> Response | tuple[str, int]:
    form = DigitiseForm(prefix="digitise")
    form.building_file.choices = []
    file_id = form_id(form.building_file.data)
    if not form.validate_on_submit() or file_id is None:
        return _refused(request_id, UsageError(_("Bitte wählen Sie die Bauakte.")))
    return _act(
        request_id,
        lambda s, clerk: review.digitising(s, clerk, request_id, file_id, _notice()),
        _("Die Akte wird digitalisiert; ihre Scans bringen den Antrag zurück."),
    )


@bp.route("/review/<id:request_id>/proofs/<id:proof_id>")
def proof(request_id: int, proof_id: int) -> Response:
    with instance().db.transaction() as s:
        found = review.proof_for_review(s, _clerk(s), request_id, proof_id)
        s.flush()
        s.expunge(found)
    return send_proof(found)
