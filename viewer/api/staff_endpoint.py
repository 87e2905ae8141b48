"""The clerk's work through the API, so scanner software and scripts need no browser:
upload (with a manifest or its fields), the per-file status, inbox assignment, metadata
edits, grants and their revocation.  The same services as the staff pages decide who may
do what; refusals carry the services' English message for the program's log."""

from __future__ import annotations

import csv
import io

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from docstore.errors import NotFound
from docstore.models import Document, DocumentKind, Grant
from docstore.services import (
    applications,
    archive,
    documents,
    file_finder,
    grants,
    mail,
    people,
    plan_consents,
    review,
    roles,
    uploads,
)
from docstore.services.roles import Capability
from ingest import spool
from ingest.index_sync import sync_after_change
from ingest.metadata import MANIFEST_COLUMNS

from ..web.context import instance, state
from .auth import before_api_request, me
from .files import document_json
from .schemas import DocumentOut
from .staff_schemas import (
    AssignmentIn,
    DocumentEdit,
    GrantIn,
    GrantList,
    GrantOut,
    RevocationIn,
    RevocationOut,
    UploadFields,
    UploadFiles,
    UploadOut,
)

blp = Blueprint("api_staff", __name__, description="The clerk's work: uploads, inbox, grants")
blp.before_request(before_api_request)
NEEDS = {
    "UploadCollection": Capability.INGEST,
    "UploadItem": Capability.INGEST,
    "DocumentAssignment": Capability.INGEST,
    "DocumentMetadata": Capability.EDIT,
    "GrantCollection": Capability.GRANT,
    "GrantRevocation": Capability.GRANT,
}


@blp.before_request
def _staff_only() -> None:
    """Refused before an upload is read or spooled (the services check again)."""
    view = (request.endpoint or "").rpartition(".")[2]
    roles.require(me(), NEEDS[view])


@blp.after_request
def _sync_search(response):
    """A change is searchable at once, as after the staff pages (what fails stays queued);
    reading and an upload still to be processed change nothing the index knows."""
    if request.method != "GET" and response.status_code < 400 and response.status_code != 202:
        sync_after_change(instance(), state().index)
    return response


def upload_json(batch) -> dict:
    return {
        "id": batch.id,
        "status": batch.status,
        "url": url_for("api_staff.UploadItem", batch_id=batch.id),
        "files": [{
            "name": f.name, "size": f.size, "outcome": f.outcome,
            "reason": f.reason, "reason_code": f.reason_code, "document_id": f.document_id,
            "document_url": url_for("api_files.DocumentItem", document_id=f.document_id)
            if f.document_id else None,
            "pages_done": f.pages_done, "pages_total": f.pages_total,
        } for f in batch.files],
    }  # fmt: skip


def _manifest_for(names: list[str], fields: dict) -> tuple[str, io.BytesIO] | None:
    """The fields given beside the files, as the manifest the pipeline reads (a row each)."""
    if not any(fields.values()):
        return None
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for name in names:
        writer.writerow([name, *(fields.get(c, "") for c in MANIFEST_COLUMNS[1:])])
    return "manifest.csv", io.BytesIO(text.getvalue().encode("utf-8"))


@blp.route("/uploads")
class UploadCollection(MethodView):
    @blp.arguments(UploadFields, location="form")
    @blp.arguments(UploadFiles, location="files")
    @blp.response(202, UploadOut)
    def post(self, fields: dict, files: dict) -> dict:
        """Upload files to be checked, recognised and registered; follow them at ``url``.

        Describe them with a manifest file, or with the manifest's columns as form fields
        (applied to every file).  Without either, file names that follow the convention
        assign them; the rest goes to the inbox.
        """
        chosen = [f for f in files["files"] if f.filename]
        manifest = files.get("manifest")
        if manifest is not None and manifest.filename and any(fields.values()):
            abort(422, message="give a manifest file or the manifest fields, not both")
        given = (manifest.filename, manifest.stream) if manifest and manifest.filename else None
        made = _manifest_for([spool.safe_name(f.filename) for f in chosen], fields)
        batch_id = spool.receive(
            instance(), me(), [(f.filename, f.stream) for f in chosen], given or made
        )
        with instance().db.session() as s:
            return upload_json(uploads.batch_for(s, me(), batch_id))


@blp.route("/uploads/<id:batch_id>")
class UploadItem(MethodView):
    @blp.response(200, UploadOut)
    def get(self, batch_id: int) -> dict:
        """An upload and what became of each file (accepted, duplicate, rejected, failed)."""
        with instance().db.session() as s:
            return upload_json(uploads.batch_for(s, me(), batch_id))


@blp.route("/documents/<id:document_id>/assignment")
class DocumentAssignment(MethodView):
    @blp.arguments(AssignmentIn)
    @blp.response(200, DocumentOut)
    def put(self, args: dict, document_id: int) -> dict:
        """Put a document into the building file with this Aktenzeichen (any case)."""
        with instance().db.transaction() as s:
            doc = archive.open_document(s, me(), document_id).document
            bf = file_finder.exact(s, args["aktenzeichen"], actor=me())
            if bf is None:
                found = file_finder.candidates(s, args["aktenzeichen"], actor=me(), limit=5)
                meant = ", ".join(f.aktenzeichen for f in found)
                abort(422, message=f"no building file {args['aktenzeichen']!r}"
                      + (f"; did you mean {meant}?" if meant else ""))  # fmt: skip
            documents.assign_document(s, doc, bf, actor=me())
            review.documents_arrived(s, bf.id, applications.notice_of(instance().config))
            return _document(s, doc)


@blp.route("/documents/<id:document_id>/metadata")
class DocumentMetadata(MethodView):
    @blp.arguments(DocumentEdit)
    @blp.response(200, DocumentOut)
    def patch(self, args: dict, document_id: int) -> dict:
        """Change a document's kind, title, dates or issuer (only the fields given)."""
        with instance().db.transaction() as s:
            doc: Document = archive.open_document(s, me(), document_id).document
            changed = {k: v for k, v in args.items() if getattr(doc, k) != v}
            if changed:
                documents.update_document(s, doc, actor=me(), **changed)
            return _document(s, doc)


def _document(s, doc: Document) -> dict:
    kinds = plan_consents.plan_kinds(instance().config)
    return document_json(doc, archive.original_downloads(s, me(), [doc], kinds)[doc.id])


def grant_json(g: Grant, zone) -> dict:
    term = grants.term_of(g, zone)
    return {
        "id": g.id, "user": g.user.username, "first_day": term.first_day,
        "last_day": term.last_day, "may_download": g.may_download,
        "whole_file": not g.documents and not g.kinds, "kinds": [k.kind for k in g.kinds],
        "document_ids": [d.document_id for d in g.documents], "state": term.state,
    }  # fmt: skip


@blp.route("/building-files/<id:building_file_id>/grants")
class GrantCollection(MethodView):
    @blp.response(200, GrantList)
    def get(self, building_file_id: int) -> dict:
        """Every grant on the file, newest first, with its days as entered."""
        with instance().db.session() as s:
            listed = archive.file_grants(s, me(), building_file_id)
            return {"items": [grant_json(g, instance().config.tz) for g in listed]}

    @blp.arguments(GrantIn)
    @blp.response(201, GrantOut)
    def post(self, args: dict, building_file_id: int) -> dict:
        """Give a person (user name or e-mail address) access: to the last day, or unlimited."""
        zone = instance().config.tz
        with instance().db.transaction() as s:
            bf, _docs = archive.open_building_file(s, me(), building_file_id)
            person = people.person(s, args["user"], actor=me())
            grant = grants.grant_for_days(
                s, person, bf, actor=me(), first_day=args["first_day"],
                last_day=None if args["unlimited"] else args["last_day"], zone=zone,
                may_download=args["may_download"], document_ids=args["document_ids"],
                kinds=[DocumentKind(k) for k in args["kinds"]],
            )  # fmt: skip
            s.flush()
            s.refresh(grant)
            return grant_json(grant, zone)


@blp.route("/building-files/<id:building_file_id>/grants/revocation")
class GrantRevocation(MethodView):
    @blp.arguments(RevocationIn)
    @blp.response(200, RevocationOut)
    def post(self, args: dict, building_file_id: int) -> dict:
        """End every running grant of a person on the file; the person is told by mail."""
        with instance().db.transaction() as s:
            bf, _docs = archive.open_building_file(s, me(), building_file_id)
            try:
                person = people.person(s, args["user"], actor=me(), active_only=False)
            except NotFound:
                abort(404, message=f"no user {args['user']!r}")
            notify = mail.context_of(instance().config) if args["notify"] else None
            count = grants.revoke_access(s, person, bf, actor=me(), reason=args["reason"],
                                         notify=notify)  # fmt: skip
        return {"revoked": count}
