"""The audit trail, for auditors and admins."""

from __future__ import annotations

import datetime as dt

from flask.views import MethodView
from flask_smorest import Blueprint

from docstore.services import audit_trail

from ..web.context import instance
from .auth import before_api_request, me
from .schemas import AuditList, AuditQuery

blp = Blueprint("api_audit", __name__, description="The audit trail (auditors)")
blp.before_request(before_api_request)


@blp.route("/audit")
class AuditTrail(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditList)
    def get(self, args: dict) -> dict:
        """Audit events, newest first, filtered by user, action, building file and time."""
        wanted = audit_trail.TrailFilter(
            args.get("user"),
            args.get("action"),
            args.get("building_file_id"),
            _utc(args.get("since")),
            _utc(args.get("until")),
        )
        with instance().db.session() as s:
            page = audit_trail.events(s, me(), wanted, args["page"], args["per_page"])
            return {
                "total": page.total,
                "page": page.page,
                "per_page": page.per_page,
                "items": page.events,
            }


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None
