"""Schemas of the applications API (the applicant's and the clerk's side)."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from docstore.fees import MAX_CENTS, MAX_MINUTES
from docstore.models import DocumentKind, Legitimation, RequestStatus
from docstore.services.review import REJECTION_REASONS

_text = ma.validate.Length(max=4000)


def _short(limit: int) -> ma.fields.String:
    return ma.fields.String(load_default="", validate=ma.validate.Length(max=limit))


class _Form(ma.Schema):
    """Multipart forms: fields a browser adds (a CSRF token) are left out, not refused."""

    class Meta:
        unknown = ma.EXCLUDE


class ApplicationIn(_Form):
    legitimation = ma.fields.String(
        required=True, validate=ma.validate.OneOf([x.value for x in Legitimation])
    )
    purpose = ma.fields.String(required=True, validate=ma.validate.Length(1, 4000))
    street = _short(200)
    house_number = _short(20)
    postcode = _short(10)
    gemarkung = _short(100)
    flur = _short(20)
    flurstueck = _short(40)
    aktenzeichen = _short(40)
    interest = ma.fields.String(load_default="", validate=_text)
    chamber_number = _short(50)


class ProofFiles(_Form):
    proofs = ma.fields.List(Upload(), load_default=list, validate=ma.validate.Length(max=10))


class AnswerIn(_Form):
    answer = ma.fields.String(load_default="", validate=_text)


class StepOut(ma.Schema):
    status = ma.fields.String()
    at = ma.fields.DateTime()
    note = ma.fields.String(allow_none=True)


class MessageOut(ma.Schema):
    from_staff = ma.fields.Boolean()
    body = ma.fields.String()
    created_at = ma.fields.DateTime()


class ProofOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    media_type = ma.fields.String()
    size = ma.fields.Integer()
    url = ma.fields.String()


class ApplicationOut(ma.Schema):
    id = ma.fields.Integer()
    number = ma.fields.String()
    subject = ma.fields.String()
    status = ma.fields.String(metadata={"enum": [s.value for s in RequestStatus]})
    legitimation = ma.fields.String()
    purpose = ma.fields.String()
    reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    building_file_id = ma.fields.Integer(allow_none=True)
    """Set once approved (the applicant's link to the file), or for the clerk."""
    url = ma.fields.String()


class FeeNoticeOut(ma.Schema):
    id = ma.fields.Integer()
    reference = ma.fields.String()
    """ISO 11649 creditor reference: the transfer's purpose line."""
    total_cents = ma.fields.Integer()
    paid_cents = ma.fields.Integer()
    status = ma.fields.String(metadata={"enum": ["open", "paid", "cancelled"]})
    issued_at = ma.fields.DateTime()
    due_on = ma.fields.Date()
    url = ma.fields.String()
    """The notice as PDF."""


class ApplicationDetail(ApplicationOut):
    history = ma.fields.List(ma.fields.Nested(StepOut))
    messages = ma.fields.List(ma.fields.Nested(MessageOut))
    proofs = ma.fields.List(ma.fields.Nested(ProofOut))
    fee_notices = ma.fields.List(ma.fields.Nested(FeeNoticeOut))
    access_held = ma.fields.Boolean()
    """Approved, but the access opens only once the fee is paid."""


class ApplicantOut(ma.Schema):
    username = ma.fields.String()
    display_name = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)


class ReviewItemOut(ApplicationOut):
    applicant = ma.fields.Nested(ApplicantOut)
    assigned_to_id = ma.fields.Integer(allow_none=True)


class QueueQuery(ma.Schema):
    status = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf([s.value for s in RequestStatus])),
        load_default=list,
    )
    older_than_days = ma.fields.Integer(validate=ma.validate.Range(1, 3650))
    mine = ma.fields.Boolean(load_default=False)
    district = ma.fields.String(validate=ma.validate.Length(max=200), load_default="")


class DecisionIn(ma.Schema):
    decision = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["assign", "ask", "approve", "reject", "no_file", "digitise"]),
    )
    text = ma.fields.String(load_default="", validate=_text)
    """The question (ask), the reasons (reject) or the note (no_file)."""
    reason = ma.fields.String(validate=ma.validate.OneOf(REJECTION_REASONS))
    building_file_id = ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1))
    days = ma.fields.Integer(validate=ma.validate.Range(1, 3650))
    may_download = ma.fields.Boolean(load_default=False)
    document_ids = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1)),
        load_default=list,
        validate=ma.validate.Length(max=1000),
    )
    kinds = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf([k.value for k in DocumentKind])),
        load_default=list,
    )
    minutes = ma.fields.Integer(load_default=0, validate=ma.validate.Range(0, MAX_MINUTES))
    """Clerk time the fee counts (approve), where the schedule charges by time."""
    fee_cents = ma.fields.Integer(validate=ma.validate.Range(0, MAX_CENTS))
    """The clerk's fee instead of the computed one (approve); needs ``fee_reason``."""
    fee_reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=1000))
