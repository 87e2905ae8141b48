"""The auditor's audit trail and the admin's user list."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import BauakteError, NotFound, UsageError
from docstore.models import Role, User
from docstore.services import (
    audit_trail,
    building_files,
    days,
    people,
    roles,
    second_factor,
    users,
)
from docstore.services.roles import Capability

from . import suggestions, trail_export
from .accounts.confirmation import WRONG, ConfirmForm, confirm
from .audit_labels import action_label
from .bounds import page_number
from .context import instance
from .error_texts import error_text
from .oversight_forms import NewUserForm, ResetPasswordForm, TrailForm
from .suggestions import suggest_from

bp = Blueprint("oversight", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Signed in at least; the services decide who may read the trail or manage users."""


TRAIL_ARGS = ("user", "action", "aktenzeichen", "since", "until", "document")
"""The filter's own parameters: only these go into the page's links (never ``_scheme``)."""


@bp.route("/audit")
def trail() -> str | tuple[str, int]:
    roles.require(current_user.user, Capability.AUDIT)
    form = TrailForm(request.args, meta={"csrf": False})
    suggest_from(form.user, url_for("oversight.people_suggestions"))
    error = None
    page = audit_trail.NO_EVENTS
    subjects: dict[int, audit_trail.Subject] = {}
    with instance().db.session() as s:
        if form.validate():
            wanted, error = _filter(s, form)
            if wanted is not None:
                number = page_number(request.args.get("page", type=int))
                page = audit_trail.events(s, current_user.user, wanted, number)
                subjects = audit_trail.subjects(s, current_user.user, page.events)
        labelled = [(a, action_label(a)) for a in audit_trail.actions(s, current_user.user)]
        form.action.choices = [("", _("alle")), *sorted(labelled, key=lambda c: c[1].lower())]
    pages = max(1, -(-page.total // page.per_page))
    args = {k: v for k, v in request.args.items() if k in TRAIL_ARGS and v}
    html = render_template(
        "oversight/trail.html", form=form, page=page, pages=pages, args=args, error=error,
        subjects=subjects,
    )  # fmt: skip
    return (html, 400) if form.errors else html


@bp.route("/audit.csv")
def trail_csv() -> Response | tuple[str, int]:
    """The filtered trail as a CSV file (UTF-8 with BOM, semicolons: opens in a spreadsheet)."""
    roles.require(current_user.user, Capability.AUDIT)
    form = TrailForm(request.args, meta={"csrf": False})
    if not form.validate():
        return trail()
    with instance().db.session() as s:
        wanted, _why = _filter(s, form)
        table = trail_export.rows(s, current_user.user, wanted) if wanted else None
    if not table or wanted is None:
        return trail()
    with instance().db.transaction() as s:
        audit_trail.record_export(s, current_user.user, wanted, len(table) - 1)
    return trail_export.response(table)


@bp.route("/audit/people")
def people_suggestions() -> Response:
    """Accounts matching what the auditor typed into the person filter."""
    with instance().db.session() as s:
        found = people.anyone(s, request.args.get("q", "")[:200], actor=current_user.user)
        return suggestions.people(found)


def _filter(s, form: TrailForm) -> tuple[audit_trail.TrailFilter | None, str | None]:
    """The filter, or None and the reason when it names no building file."""
    file_id = None
    if form.aktenzeichen.data:
        found = building_files.find_by_aktenzeichen(s, form.aktenzeichen.data.strip())
        if found is None:
            return None, _("Keine Bauakte mit dem Aktenzeichen %(az)s.", az=form.aktenzeichen.data)
        file_id = found.id
    period = days.period(form.since.data, form.until.data, instance().config.tz)
    return audit_trail.TrailFilter(
        form.user.data or None, form.action.data or None, file_id, period.start, period.end,
        form.document.data,
    ), None  # fmt: skip


@bp.route("/audit/verify", methods=["POST"])
def verify() -> str:
    with instance().db.transaction() as s:
        report = audit_trail.verify(s, current_user.user)
    return render_template("oversight/verify.html", report=report)


@bp.route("/admin/users", methods=["GET", "POST"])
def user_list() -> str | Response | tuple[str, int]:
    form = NewUserForm()
    error = None
    with instance().db.transaction() as s:
        if form.validate_on_submit():
            try:
                minimum = instance().config.password_min_length
                name = form.username.data.strip()
                users.create_user(
                    s,
                    name,
                    form.password.data,
                    form.role.data,
                    actor=current_user.user,
                    min_password_length=minimum,
                )
                flash(_("Konto %(name)s angelegt.", name=form.username.data), "info")
                return redirect(url_for("oversight.user_list"))
            except BauakteError as exc:
                error = error_text(exc)
        people = users.all_users(s, current_user.user)
        page = render_template(
            "oversight/users.html",
            people=people,
            form=form,
            error=error,
            roles=list(Role),
            enrolled=second_factor.enrolled,
        )
    return (page, 400) if error or form.errors else page


CREDENTIAL_CHANGES = ("reset-second-factor", "reset-password")


@bp.route("/admin/users/<id:user_id>", methods=["POST"])
def change_user(user_id: int) -> Response:
    change = request.form.get("change", "")
    if change in CREDENTIAL_CHANGES:  # these ask for the admin's password and code first
        return redirect(url_for("oversight.credentials", user_id=user_id, change=change))
    with instance().db.transaction() as s:
        try:
            person = users.user_for_admin(s, current_user.user, user_id)
            _change(s, person, request.form.get("change", ""))
        except NotFound:
            return redirect(url_for("oversight.user_list"))
        except UsageError as exc:
            flash(error_text(exc), "error")
            return redirect(url_for("oversight.user_list"))
    flash(_("Konto %(name)s geändert.", name=person.username), "info")
    return redirect(url_for("oversight.user_list"))


def _change(s, person: User, change: str) -> None:
    me = current_user.user
    if change.startswith("role:"):
        users.set_role(s, person, change.removeprefix("role:"), actor=me)
    elif change in ("disable", "enable"):
        users.set_active(s, person, change == "enable", actor=me)


@bp.route("/admin/users/<id:user_id>/credentials", methods=["GET", "POST"])
def credentials(user_id: int) -> str | Response | tuple[str, int]:
    """Reset someone's second factor or password, confirmed with the admin's own."""
    change = request.args.get("change", "")
    if change not in CREDENTIAL_CHANGES:
        return redirect(url_for("oversight.user_list"))
    form = (ResetPasswordForm if change == "reset-password" else ConfirmForm)()
    error = None
    with instance().db.transaction() as s:
        me = s.get(User, current_user.user.id)
        try:
            person = users.user_for_admin(s, me, user_id)
        except NotFound:
            return redirect(url_for("oversight.user_list"))
        if form.validate_on_submit():
            error = _reset_credentials(s, me, person, change, form)
            if error is None:
                flash(_("Konto %(name)s geändert.", name=person.username), "info")
                return redirect(url_for("oversight.user_list"))
        page = render_template(
            "oversight/credentials.html", form=form, person=person, change=change, error=error
        )
    return (page, 400) if error or form.errors else page


def _reset_credentials(s, me: User, person: User, change: str, form) -> str | None:
    confirmed = confirm(s, me, form)
    if confirmed is None:
        return str(WRONG)
    try:
        if change == "reset-second-factor":
            second_factor.reset(s, person, actor=me, confirmed=confirmed)
        else:
            minimum = instance().config.password_min_length
            users.reset_password(
                s,
                person,
                form.temporary.data,
                actor=me,
                confirmed=confirmed,
                min_password_length=minimum,
            )
    except UsageError as exc:
        return error_text(exc)
    return None
