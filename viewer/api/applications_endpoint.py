"""Applications through the API: the applicant applies, follows, answers, withdraws; the clerk
reads the queue and decides.  The same services as the web pages decide who may do what."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from docstore.errors import UsageError
from docstore.models import OPEN_STATUSES, AccessRequest, DocumentKind, Legitimation, RequestStatus
from docstore.models import User as UserModel
from docstore.services import applications, fee_notices, review
from docstore.services.applications import Application
from docstore.services.fee_notices import FeeDecision
from ingest.proofs import ProofRejected

from ..web.applications import chosen_files, store_proofs
from ..web.context import instance
from ..web.extensions import APPLICATION_LIMIT
from ..web.fees import terms
from .application_schemas import (
    AnswerIn,
    ApplicationDetail,
    ApplicationIn,
    ApplicationOut,
    DecisionIn,
    ProofFiles,
    QueueQuery,
    ReviewItemOut,
)
from .auth import before_api_request, me

blp = Blueprint("api_applications", __name__, description="Applications to inspect a file")
blp.before_request(before_api_request)


@blp.before_request
def _applicant_side_for_applicants() -> None:
    """Staff are refused before their request is even read (as on the web pages)."""
    if (request.endpoint or "").startswith("api_applications.Application") and me().is_staff:
        abort(403, message="applications are made by citizens and architects")


def _notice() -> applications.Notice:
    return applications.notice_of(instance().config)


def _applicant(s) -> UserModel:
    user = s.get(UserModel, me().id)
    if user.is_staff:
        abort(403, message="applications are made by citizens and architects")
    return user


def application_json(entry: AccessRequest, *, for_staff: bool = False) -> dict:
    fields = ("id", "number", "subject", "status", "legitimation", "purpose", "reason",
              "created_at", "updated_at")  # fmt: skip
    shown_file = for_staff or entry.status == RequestStatus.APPROVED
    return {
        **{f: getattr(entry, f) for f in fields},
        "building_file_id": entry.building_file_id if shown_file else None,
        "url": url_for("api_applications.ApplicationItem", request_id=entry.id),
    }


def _fee_json(notice) -> dict:
    shown = ("id", "reference", "total_cents", "paid_cents", "status", "issued_at", "due_on")
    return {
        **{f: getattr(notice, f) for f in shown},
        "url": url_for("fees.notice_pdf", notice_id=notice.id),
    }


def _detail(s, entry: AccessRequest) -> dict:
    return {
        **application_json(entry),
        "fee_notices": [_fee_json(n) for n in fee_notices.of_application(s, entry.id)],
        "access_held": applications.access_held(s, entry),
        "history": [{"status": e.status, "at": e.at, "note": e.note} for e in entry.history],
        "messages": [
            {"from_staff": m.from_staff, "body": m.body, "created_at": m.created_at}
            for m in entry.messages
        ],
        "proofs": [
            {
                "id": p.id,
                "name": p.name,
                "media_type": p.media_type,
                "size": p.size,
                "url": url_for("applications.proof", request_id=entry.id, proof_id=p.id),
            }
            for p in entry.proofs
        ],
    }


def _proofs(files: dict) -> list:
    try:
        return store_proofs(chosen_files(files.get("proofs") or []))
    except ProofRejected as exc:
        abort(400, message=f"{exc.name}: {exc.reason}" + (f" ({exc.detail})" if exc.detail else ""))


@blp.route("/applications")
class ApplicationCollection(MethodView):
    decorators = (APPLICATION_LIMIT,)

    @blp.response(200, ApplicationOut(many=True))
    def get(self) -> list:
        """Your applications, newest first."""
        with instance().db.session() as s:
            return [application_json(e) for e in applications.own_applications(s, _applicant(s))]

    @blp.arguments(ApplicationIn, location="form")
    @blp.arguments(ProofFiles, location="files")
    @blp.response(201, ApplicationDetail)
    def post(self, args: dict, files: dict) -> dict:
        """Apply to inspect a building file (multipart: the fields and the proof files)."""
        with instance().db.session() as s:
            _applicant(s)
        legitimation = Legitimation(args.pop("legitimation"))
        entry = Application(legitimation, args.pop("purpose"), **args)
        applications.check(entry, proofs_offered=len(chosen_files(files.get("proofs") or [])))
        proofs = _proofs(files)
        with instance().db.transaction() as s:
            entry = applications.submit(s, _applicant(s), replace(entry, proofs=proofs), _notice())
            s.flush()
            return _detail(s, entry)


@blp.route("/applications/<id:request_id>")
class ApplicationItem(MethodView):
    @blp.response(200, ApplicationDetail)
    def get(self, request_id: int) -> dict:
        """One of your applications with its history, messages and proofs."""
        with instance().db.transaction() as s:
            user = _applicant(s)
            entry = applications.own_application(s, user, request_id)
            body = _detail(s, entry)
            applications.mark_read(s, user, entry)
            return body


@blp.route("/applications/<id:request_id>/answer")
class ApplicationAnswer(MethodView):
    @blp.arguments(AnswerIn, location="form")
    @blp.arguments(ProofFiles, location="files")
    @blp.response(200, ApplicationDetail)
    def post(self, args: dict, files: dict, request_id: int) -> dict:
        """Answer the clerk's question (text and/or more proofs)."""
        with instance().db.session() as s:  # before any proof is stored
            applications.open_question(s, _applicant(s), request_id)
        proofs = _proofs(files)
        with instance().db.transaction() as s:
            user = _applicant(s)
            applications.answer(s, user, request_id, args["answer"], proofs, _notice())
            return _detail(s, applications.own_application(s, user, request_id))


@blp.route("/applications/<id:request_id>/withdraw")
class ApplicationWithdraw(MethodView):
    @blp.response(200, ApplicationDetail)
    def post(self, request_id: int) -> dict:
        """Withdraw an application that is not decided yet."""
        with instance().db.transaction() as s:
            user = _applicant(s)
            applications.withdraw(s, user, request_id, _notice())
            return _detail(s, applications.own_application(s, user, request_id))


def _review_json(s, entry: AccessRequest) -> dict:
    applicant = s.get(UserModel, entry.user_id)
    return {
        **application_json(entry, for_staff=True),
        "url": url_for("api_applications.ReviewItem", request_id=entry.id),
        "assigned_to_id": entry.assigned_to_id,
        "applicant": {
            "username": applicant.username,
            "display_name": applicant.display_name,
            "email": applicant.email,
        },
    }


@blp.route("/review")
class ReviewQueue(MethodView):
    @blp.arguments(QueueQuery, location="query")
    @blp.response(200, ReviewItemOut(many=True))
    def get(self, args: dict) -> list:
        """The clerk's queue, oldest first (default: every open application)."""
        statuses = frozenset(RequestStatus(x) for x in args["status"]) or OPEN_STATUSES
        wanted = review.QueueFilter(
            statuses, args.get("older_than_days"), args["mine"], args["district"]
        )
        with instance().db.session() as s:
            return [_review_json(s, e) for e in review.queue(s, me(), wanted)]


@blp.route("/review/<id:request_id>")
class ReviewItem(MethodView):
    @blp.response(200, ReviewItemOut)
    def get(self, request_id: int) -> dict:
        """One application, as the clerk sees it."""
        with instance().db.session() as s:
            return _review_json(s, review.for_review(s, me(), request_id))

    @blp.arguments(DecisionIn)
    @blp.response(200, ReviewItemOut)
    def post(self, args: dict, request_id: int) -> dict:
        """Act on the application: assign, ask, approve, reject, no_file or digitise."""
        tz = ZoneInfo(instance().config.timezone)
        with instance().db.transaction() as s:
            clerk = s.get(UserModel, me().id)
            review.for_review(s, clerk, request_id)  # 404 / 403 before anything else
            _decide(s, clerk, request_id, args, tz)
            return _review_json(s, review.for_review(s, clerk, request_id))


def _decide(s, clerk: UserModel, request_id: int, args: dict, tz: ZoneInfo) -> None:
    decision, notice, text = args["decision"], _notice(), args["text"]
    if decision == "assign":
        review.assign(s, clerk, request_id, notice)
    elif decision == "ask":
        review.ask(s, clerk, request_id, text, notice)
    elif decision == "reject":
        review.reject(s, clerk, request_id, args.get("reason", ""), text, notice)
    elif decision == "no_file":
        review.no_file(s, clerk, request_id, text, notice)
    else:
        if "building_file_id" not in args:
            raise UsageError(
                "building_file_id is required to approve or digitise", "review.no_building_file"
            )
        if decision == "digitise":
            review.digitising(s, clerk, request_id, args["building_file_id"], notice)
            return
        if "days" not in args:
            raise UsageError("days is required to approve", "review.days")
        approval = review.Approval(
            args["building_file_id"], args["days"], args["may_download"], args["document_ids"],
            [DocumentKind(k) for k in args["kinds"]],
        )  # fmt: skip
        decision = FeeDecision(args["minutes"], args.get("fee_cents"), args["fee_reason"])
        review.approve(s, clerk, request_id, approval, notice, tz, terms(decision))
