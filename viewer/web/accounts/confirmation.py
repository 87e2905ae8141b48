"""The password (and one-time code) asked again before a sensitive account change.

The check itself, with its lockout, is ``signin.confirm_identity``; the
services that change how an account signs in refuse to act without the
proof it returns.
"""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from docstore.models import User
from docstore.services import second_factor, sessions, signin

from .identity import policy

WRONG = _l("Passwort oder Einmalcode stimmt nicht.")


class ConfirmForm(FlaskForm):
    current_password = PasswordField(
        _l("Ihr Passwort"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Einmalcode"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "none"},
    )


def needs_code(user: User) -> bool:
    return second_factor.enrolled(user)


def confirm(s: Session, user: User, form: ConfirmForm) -> sessions.Confirmed | None:
    """The proof for ``user`` (the signed-in one, fresh from ``s``), or None; counts failures."""
    return signin.confirm_identity(
        s,
        user,
        form.current_password.data or "",
        form.code.data,
        address=request.remote_addr or "",
        policy=policy(),
    )
