"""Changing one's password, and the change an admin's reset makes the first thing to do.

After a change every session and API token of the account has ended; this
browser is signed in again with a fresh session so the user carries on.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from docstore.errors import PermissionDenied, UsageError
from docstore.models import User
from docstore.services import sessions, users

from ..context import instance
from ..error_texts import error_text
from . import bp
from .confirmation import WRONG, ConfirmForm, confirm, needs_code
from .identity import SignedIn, policy

# What a user whose password was reset may still open before choosing a new one.
BEFORE_NEW_PASSWORD = frozenset(
    {"static", "accounts.change_password", "accounts.logout", "accounts.language"}
)


class _NewPassword(FlaskForm):
    new_password = PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    repeated = PasswordField(
        _l("Neues Passwort wiederholen"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("Die beiden Passwörter sind verschieden.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(ConfirmForm, _NewPassword):
    pass


@bp.before_app_request
def _new_password_first() -> Response | None:
    if request.endpoint in BEFORE_NEW_PASSWORD or not current_user.is_authenticated:
        return None
    if not current_user.user.must_change_password:
        return None
    if request.path.startswith("/api/"):
        abort(403, description="choose a new password in the browser first (/account/password)")
    return redirect(url_for("accounts.change_password"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> str | Response | tuple[str, int]:
    minimum = instance().config.password_min_length
    with instance().db.transaction() as s:
        user = s.get(User, current_user.user.id)
        forced = user.must_change_password
        form = _NewPassword() if forced else ChangePasswordForm()
        refused = _change(s, user, form, forced, minimum) if form.validate_on_submit() else None
        if form.is_submitted() and not refused and not form.errors:
            login_user(SignedIn(user, sessions.start(s, user, policy().lifetime)))
            flash(
                _("Ihr Passwort ist geändert. Andere Sitzungen und API-Tokens sind beendet."),
                "info",
            )
            return redirect(url_for("archive.start"))
        page = render_template(
            "accounts/change_password.html",
            form=form,
            forced=forced,
            error=refused[0] if refused else None,
            minimum=minimum,
            with_code=needs_code(user),
        )
    if refused:
        return page, refused[1]
    return (page, 400) if form.errors else page


def _change(s, user: User, form, forced: bool, minimum: int) -> tuple[str, int] | None:
    """Change the password; (message, status) if it was refused."""
    new = form.new_password.data
    try:
        if forced:
            users.replace_temporary_password(s, user, new, min_password_length=minimum)
            return None
        confirmed = confirm(s, user, form)
        if confirmed is None:
            return str(WRONG), 401
        users.change_password(s, user, new, confirmed=confirmed, min_password_length=minimum)
    except users.WeakPassword as exc:
        return error_text(exc), 400
    except (UsageError, PermissionDenied) as exc:
        return error_text(exc), 400
    return None
