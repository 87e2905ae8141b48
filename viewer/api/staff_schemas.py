"""Schemas of the clerk's work through the API: uploads, the inbox, metadata, grants."""

from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload

from docstore.models import DocumentKind
from ingest.metadata import MANIFEST_COLUMNS

from ..web import bounds
from .application_schemas import _Form

KINDS = [k.value for k in DocumentKind]


def _day() -> ma.fields.Date:
    return ma.fields.Date(
        load_default=None, allow_none=True,
        validate=ma.validate.Range(bounds.EARLIEST, bounds.LATEST),
    )  # fmt: skip


class UploadFiles(_Form):
    files = ma.fields.List(Upload(), required=True, validate=ma.validate.Length(1, 500))
    manifest = Upload(load_default=None)


class UploadFields(_Form):
    """The manifest's columns as form fields, for every file of an upload without a manifest
    (as paperless-ngx's ``post_document`` takes a document's fields beside the file)."""

    aktenzeichen = ma.fields.String(load_default="", validate=ma.validate.Length(max=64))
    street = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    house_number = ma.fields.String(load_default="", validate=ma.validate.Length(max=20))
    postcode = ma.fields.String(load_default="", validate=ma.validate.Length(max=10))
    municipality = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    gemarkung = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    flur = ma.fields.String(load_default="", validate=ma.validate.Length(max=20))
    flurstueck = ma.fields.String(load_default="", validate=ma.validate.Length(max=40))
    kind = ma.fields.String(load_default="", validate=ma.validate.OneOf(["", *KINDS]))
    title = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    date = ma.fields.String(load_default="", validate=ma.validate.Regexp(r"^(\d{4}-\d{2}-\d{2})?$"))
    issuer = ma.fields.String(load_default="", validate=ma.validate.Length(max=200))
    issued_on = ma.fields.String(
        load_default="", validate=ma.validate.Regexp(r"^(\d{4}-\d{2}-\d{2})?$")
    )
    valid_until = ma.fields.String(
        load_default="", validate=ma.validate.Regexp(r"^(\d{4}-\d{2}-\d{2})?$")
    )


assert set(UploadFields._declared_fields) == set(MANIFEST_COLUMNS[1:])


class UploadFileOut(ma.Schema):
    name = ma.fields.String()
    size = ma.fields.Integer()
    outcome = ma.fields.String(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    reason_code = ma.fields.String(
        allow_none=True, metadata={"description": "a manifest row's problem, e.g. row.date"}
    )
    document_id = ma.fields.Integer(allow_none=True)
    document_url = ma.fields.String(allow_none=True)
    pages_done = ma.fields.Integer(allow_none=True)
    pages_total = ma.fields.Integer(allow_none=True)


class UploadOut(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    url = ma.fields.String()
    files = ma.fields.List(ma.fields.Nested(UploadFileOut))


class AssignmentIn(ma.Schema):
    aktenzeichen = ma.fields.String(required=True, validate=ma.validate.Length(1, 64))


class DocumentEdit(ma.Schema):
    """Only the fields given change; ``null`` empties a field (never ``kind``)."""

    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    title = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))
    date = _day()
    issuer = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=200))
    issued_on = _day()
    valid_until = _day()

    class Meta:
        unknown = ma.RAISE


class GrantIn(ma.Schema):
    """Exactly one of ``last_day`` and ``unlimited: true``: an end is never left out by mistake."""

    user = ma.fields.String(
        required=True, validate=ma.validate.Length(1, 200),
        metadata={"description": "user name or e-mail address"},
    )  # fmt: skip
    first_day = _day()
    last_day = _day()
    unlimited = ma.fields.Boolean(load_default=False)
    may_download = ma.fields.Boolean(load_default=False)
    kinds = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(KINDS)), load_default=list,
        validate=ma.validate.Length(max=len(KINDS)),
    )  # fmt: skip
    document_ids = ma.fields.List(
        ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1)), load_default=list,
        validate=ma.validate.Length(max=500),
    )  # fmt: skip

    @ma.validates_schema
    def _one_end(self, data: dict, **_kwargs: object) -> None:
        if data.get("unlimited") == (data.get("last_day") is not None):
            raise ma.ValidationError("give either last_day or unlimited: true", "last_day")


class GrantOut(ma.Schema):
    id = ma.fields.Integer()
    user = ma.fields.String()
    first_day = ma.fields.Date()
    last_day = ma.fields.Date(allow_none=True)
    may_download = ma.fields.Boolean()
    whole_file = ma.fields.Boolean()
    kinds = ma.fields.List(ma.fields.String())
    document_ids = ma.fields.List(ma.fields.Integer())
    state = ma.fields.String()


class GrantList(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(GrantOut))


class RevocationIn(ma.Schema):
    user = ma.fields.String(required=True, validate=ma.validate.Length(1, 200))
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=1000))
    notify = ma.fields.Boolean(load_default=True)


class RevocationOut(ma.Schema):
    revoked = ma.fields.Integer()
