"""What the API returns, as marshmallow schemas (the OpenAPI file is made from these)."""

from __future__ import annotations

import marshmallow as ma

from ..web import bounds


class PageQuery(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 10_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(1, 200))


class ParcelOut(ma.Schema):
    gemarkung = ma.fields.String()
    flur = ma.fields.String(allow_none=True)
    flurstueck = ma.fields.String()


class BuildingFileOut(ma.Schema):
    id = ma.fields.Integer()
    aktenzeichen = ma.fields.String()
    street = ma.fields.String(allow_none=True)
    house_number = ma.fields.String(allow_none=True)
    postcode = ma.fields.String(allow_none=True)
    municipality = ma.fields.String(allow_none=True)
    district = ma.fields.String(allow_none=True)
    year = ma.fields.Integer(allow_none=True)
    url = ma.fields.String()


class Paged(ma.Schema):
    total = ma.fields.Integer()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


class BuildingFileList(Paged):
    items = ma.fields.List(ma.fields.Nested(BuildingFileOut))


class DocumentOut(ma.Schema):
    id = ma.fields.Integer()
    building_file_id = ma.fields.Integer(allow_none=True)
    kind = ma.fields.String()
    title = ma.fields.String(allow_none=True)
    original_name = ma.fields.String()
    date = ma.fields.Date(allow_none=True)
    valid_until = ma.fields.Date(allow_none=True)
    page_count = ma.fields.Integer()
    active_content = ma.fields.Boolean()
    url = ma.fields.String()
    download_url = ma.fields.String(allow_none=True)


class BuildingFileDetail(BuildingFileOut):
    parcels = ma.fields.List(ma.fields.Nested(ParcelOut))
    documents = ma.fields.List(ma.fields.Nested(DocumentOut))


class PageOut(ma.Schema):
    number = ma.fields.Integer()
    width_px = ma.fields.Integer(allow_none=True)
    height_px = ma.fields.Integer(allow_none=True)
    text_source = ma.fields.String()
    text = ma.fields.String()
    thumbnail_url = ma.fields.String()
    image_urls = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class PageSummary(ma.Schema):
    number = ma.fields.Integer()
    text_source = ma.fields.String()
    url = ma.fields.String()
    thumbnail_url = ma.fields.String()


class DocumentDetail(DocumentOut):
    pages = ma.fields.List(ma.fields.Nested(PageSummary))


class SearchQuery(ma.Schema):
    q = ma.fields.String(required=True, validate=ma.validate.Length(1, 500))
    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 500))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100))
    sort = ma.fields.String(
        load_default="relevance", validate=ma.validate.OneOf(["relevance", "date"])
    )


class HitPage(ma.Schema):
    number = ma.fields.Integer()
    snippet = ma.fields.String()


class HitFile(ma.Schema):
    aktenzeichen = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)


class Hit(ma.Schema):
    document_id = ma.fields.Integer()
    title = ma.fields.String(allow_none=True)
    original_name = ma.fields.String()
    kind = ma.fields.String()
    date = ma.fields.String(allow_none=True)
    building_file = ma.fields.Nested(HitFile)
    pages = ma.fields.List(ma.fields.Nested(HitPage))


class SearchOut(ma.Schema):
    total = ma.fields.Integer()
    results = ma.fields.List(ma.fields.Nested(Hit))
    facets = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer()),
    )
    approximate = ma.fields.Boolean()
    page = ma.fields.Integer()
    per_page = ma.fields.Integer()


_within_bounds = ma.validate.Range(bounds.EARLIEST_TIME, bounds.LATEST_TIME)


class AuditQuery(PageQuery):
    user = ma.fields.String(validate=ma.validate.Length(max=100))
    action = ma.fields.String(validate=ma.validate.Length(max=64))
    building_file_id = ma.fields.Integer(validate=ma.validate.Range(1, 2**31 - 1))
    since = ma.fields.AwareDateTime(default_timezone=None, validate=_within_bounds)
    until = ma.fields.AwareDateTime(default_timezone=None, validate=_within_bounds)


class AuditEventOut(ma.Schema):
    seq = ma.fields.Integer()
    occurred_at = ma.fields.DateTime()
    actor_name = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    target_type = ma.fields.String(allow_none=True)
    target_id = ma.fields.String(allow_none=True)
    building_file_id = ma.fields.Integer(allow_none=True)
    details = ma.fields.String()
    hash = ma.fields.String()


class AuditList(Paged):
    items = ma.fields.List(ma.fields.Nested(AuditEventOut))


class TokenIn(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(1, 100))
    password = ma.fields.String(
        required=True,
        load_only=True,
        validate=ma.validate.Length(1, 1000),
        metadata={"description": "your password again: a token acts with your rights"},
    )
    code = ma.fields.String(
        load_default=None,
        load_only=True,
        validate=ma.validate.Length(max=40),
        metadata={"description": "a one-time code, if your account has a second factor"},
    )


class TokenOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    created_at = ma.fields.DateTime()
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    expires_at = ma.fields.DateTime()


class NewTokenOut(TokenOut):
    token = ma.fields.String(metadata={"description": "shown only now; store it safely"})
