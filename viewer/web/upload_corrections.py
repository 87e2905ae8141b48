"""Correcting a manifest row in place: the refused file goes again with the row put right.

The status page links each file refused for its row here; the form shows the
row as it was written (a date the browser cannot read is shown as the reason
says, the field empty), the field at fault marked, and sends the file again
as an upload of its own.  The pipeline's checks decide again; nothing here
decides what a row may hold.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import BauakteError
from docstore.services import roles, uploads
from docstore.services.roles import Capability
from ingest import held
from ingest.corrections import keeper
from ingest.metadata import DATE_COLUMNS, RowError, parse_kind

from .clerk_forms import RowForm
from .context import instance
from .error_texts import error_text

bp = Blueprint("corrections", __name__)

FIELD_OF_CODE = {
    "row.kind": "kind",
    "row.aktenzeichen": "aktenzeichen",
    "row.address_without_file": "aktenzeichen",
    "row.valid_before_issued": "valid_until",
}
"""The form field a row's problem is about (``row.date`` names its column itself)."""
_GERMAN_DATE = re.compile(r"\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*")


@bp.before_request
@login_required
def _staff_only() -> None:
    roles.require(current_user.user, Capability.INGEST)


@bp.route("/upload/<id:batch_id>/files/<id:file_id>/correct", methods=["GET", "POST"])
def correct(batch_id: int, file_id: int) -> str | Response | tuple[str, int]:
    kept = keeper(instance())
    with instance().db.session() as s:
        upload_file = uploads.correctable(s, current_user.user, batch_id, file_id)
        batch, name = upload_file.batch, upload_file.name
        problem = (upload_file.reason_code, uploads.reason_params(upload_file))
    if not kept.is_held(batch, name):
        flash(_("Die Datei %(name)s liegt nicht mehr zur Korrektur bereit. Bitte laden Sie sie "
                "erneut hoch.", name=name), "error")  # fmt: skip
        return redirect(url_for("clerk.upload_status", batch_id=batch_id))
    if request.method == "GET":
        form = RowForm(formdata=None, data=_prefilled(kept.row_of(batch, name)))
        _mark(form, *problem, message=None)
        return _page(form, batch_id, file_id, name, upload_file)
    form = RowForm()
    if not form.validate_on_submit():
        return _page(form, batch_id, file_id, name, upload_file), 400
    try:
        new_id = kept.resubmit(current_user.user, batch_id, file_id, _row(form))
    except BauakteError as exc:
        _mark(form, exc.code, exc.params, message=error_text(exc))
        return _page(form, batch_id, file_id, name, upload_file, error_text(exc)), 400
    flash(_("%(name)s wird mit der korrigierten Zeile erneut eingelesen.", name=name), "info")
    return redirect(url_for("clerk.upload_status", batch_id=new_id))


@bp.route("/upload/<id:batch_id>/files/<id:file_id>/discard", methods=["POST"])
def discard(batch_id: int, file_id: int) -> Response | tuple[str, int]:
    """CSRF is checked by the app-wide ``CSRFProtect`` before this runs."""
    try:
        keeper(instance()).discard(current_user.user, batch_id, file_id)
    except BauakteError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("clerk.upload_status", batch_id=batch_id))
    flash(_("Die Datei wurde verworfen."), "info")
    return redirect(url_for("clerk.upload_status", batch_id=batch_id))


def _page(form: RowForm, batch_id: int, file_id: int, name: str, upload_file,
          error: str | None = None) -> str:  # fmt: skip
    return render_template(
        "clerk/correct_row.html", form=form, batch_id=batch_id, file_id=file_id, name=name,
        upload_file=upload_file, error=error,
    )  # fmt: skip


def _mark(form: RowForm, code: str | None, params: dict, message: str | None) -> None:
    """Mark the field the problem is about (the reason itself stands above the form)."""
    column = params.get("column") if code == "row.date" else FIELD_OF_CODE.get(code or "")
    field = form._fields.get(str(column)) if column else None
    if field is not None:
        field.errors = [*field.errors, message or _("Bitte prüfen Sie diese Angabe.")]


def _prefilled(row: dict[str, str]) -> dict[str, object]:
    """The row as the form's data: kinds and dates the form can show, else left empty."""
    data: dict[str, object] = dict(row)
    try:
        data["kind"] = parse_kind(row["kind"]) if row.get("kind") else ""
    except RowError:
        data["kind"] = ""
    for column in DATE_COLUMNS:
        data[column] = _date_or_none(row.get(column, ""))
    return data


def _date_or_none(text: str) -> dt.date | None:
    """ISO as the manifest wants it, or the German day.month.year a spreadsheet writes."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        pass
    found = _GERMAN_DATE.fullmatch(text)
    try:
        return dt.date(int(found[3]), int(found[2]), int(found[1])) if found else None
    except ValueError:
        return None


def _row(form: RowForm) -> dict[str, str]:
    row: dict[str, str] = {}
    for name in held.ROW_COLUMNS:
        value = form._fields[name].data
        row[name] = value.isoformat() if isinstance(value, dt.date) else (value or "")
    return row
