"""The grant desk: give a person access to a building file, and take it back with a word.

The person is found by name or address as the clerk types; the end is a day the clerk
chose or an explicit "unbefristet", never an empty field; documents are listed with kind,
date and pages; a revocation is confirmed on its own page and the person is told by mail.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import NotFound, UsageError
from docstore.models import BuildingFile, DocumentKind
from docstore.services import archive, grants, mail, people, roles
from docstore.services.roles import Capability

from . import suggestions as suggestions_of
from .context import instance
from .error_texts import error_text
from .grant_forms import OPEN, GrantForm, RevokeForm
from .suggestions import suggest_from

bp = Blueprint("grants", __name__)


@bp.before_request
@login_required
def _granting_staff_only() -> None:
    roles.require(current_user.user, Capability.GRANT)


@bp.route("/files/<id:building_file_id>/grants", methods=["GET", "POST"])
def file_grants(building_file_id: int) -> str | Response | tuple[str, int]:
    form = GrantForm()
    suggest_from(form.username, url_for("grants.suggestions"))
    if request.method == "GET":
        _defaults(form)
    error = None
    with instance().db.transaction() as s:
        bf, docs = archive.open_building_file(s, current_user.user, building_file_id)
        if form.validate_on_submit():
            try:
                person = _grant(s, bf, form)
                flash(_("Zugang für %(user)s eingerichtet.", user=_who(person)), "info")
                return redirect(url_for("grants.file_grants", building_file_id=bf.id))
            except (UsageError, NotFound) as exc:
                error = error_text(exc)
        page = render_template(
            "clerk/grants.html",
            bf=bf,
            docs=docs,
            chosen={str(v) for v in request.form.getlist("documents")},
            grants=_listed(s, bf),
            form=form,
            error=error,
        )
    return (page, 400) if error or form.errors else page


def _defaults(form: GrantForm) -> None:
    """A new grant ends after the configured days unless the clerk chooses otherwise."""
    config = instance().config
    today = dt.datetime.now(config.tz).date()
    form.valid_until.data = today + dt.timedelta(days=config.grant_days - 1)


def _grant(s, bf: BuildingFile, form: GrantForm):
    person = people.person(s, form.username.data, actor=current_user.user)
    grants.grant_for_days(
        s,
        person,
        bf,
        actor=current_user.user,
        first_day=form.valid_from.data,
        last_day=None if form.duration.data == OPEN else form.valid_until.data,
        zone=instance().config.tz,
        may_download=form.may_download.data,
        document_ids=request.form.getlist("documents"),
        kinds=[DocumentKind(k) for k in form.kinds.data or []],
    )
    return person


def _who(user) -> str:
    return f"{user.display_name} ({user.username})" if user.display_name else user.username


def _listed(s, bf: BuildingFile) -> list[dict[str, object]]:
    """The file's grants as the clerk reads them: days as entered, a state in words."""
    zone, now = instance().config.tz, dt.datetime.now(dt.UTC)
    rows = []
    for g in archive.file_grants(s, current_user.user, bf.id):
        term = grants.term_of(g, zone, now)
        rows.append({"grant": g, "who": _who(g.user), "email": g.user.email or "",
                     "first": term.first_day, "last": term.last_day,
                     "state": term.state})  # fmt: skip
    return rows


@bp.route("/files/<id:building_file_id>/grants/revoke", methods=["GET", "POST"])
def revoke(building_file_id: int) -> str | Response | tuple[str, int]:
    """GET asks for confirmation (what ends, whether a mail goes out); POST revokes."""
    form = RevokeForm(formdata=request.form if request.method == "POST" else request.args)
    with instance().db.transaction() as s:
        bf, _docs = archive.open_building_file(s, current_user.user, building_file_id)
        if request.method == "POST" and form.validate_on_submit():
            person = people.person(
                s, form.username.data, actor=current_user.user, active_only=False
            )
            count = grants.revoke_access(
                s, person, bf, actor=current_user.user, reason=form.reason.data or "",
                notify=mail.context_of(instance().config),
            )  # fmt: skip
            if count and person.email:
                message = _("Zugang von %(user)s widerrufen; die Person wird per E-Mail "
                            "benachrichtigt.", user=_who(person))  # fmt: skip
            elif count:
                message = _("Zugang von %(user)s widerrufen. Die Person hat keine E-Mail-Adresse: "
                            "Bitte benachrichtigen Sie sie auf anderem Weg.",
                            user=_who(person))  # fmt: skip
            else:
                message = _("%(user)s hatte keinen laufenden Zugang zu dieser Akte.",
                            user=_who(person))  # fmt: skip
            flash(message, "info")
            return redirect(url_for("grants.file_grants", building_file_id=bf.id))
        if not form.username.data:
            return redirect(url_for("grants.file_grants", building_file_id=bf.id))
        person = people.person(s, form.username.data, actor=current_user.user, active_only=False)
        ending = [row for row in _listed(s, bf)
                  if row["grant"].user_id == person.id and row["state"] in (
                      "active", "future", "awaiting_payment")]  # fmt: skip
        page = render_template(
            "clerk/revoke.html", bf=bf, form=form, person=person, who=_who(person), ending=ending
        )
    return (page, 400) if form.errors else page


@bp.route("/grants/people")
def suggestions() -> Response:
    """Accounts matching what the clerk typed, for the person field's list."""
    text = request.args.get("q", "")[:200]
    with instance().db.session() as s:
        return suggestions_of.people(people.suggestions(s, text, actor=current_user.user))
