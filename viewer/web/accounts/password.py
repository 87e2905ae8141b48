"""Signing in with a password, signing out, and the language choice."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from docstore.models import User
from docstore.services import signin

from ..context import instance
from ..extensions import LANGUAGES, limiter, login_manager
from . import bp
from .identity import SignedIn, policy, safe_next
from .second_factor import start_second_factor

login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Bitte melden Sie sich an, um diese Seite zu sehen.")
login_manager.session_protection = "basic"


class SignInForm(FlaskForm):
    username = StringField(
        _l("E-Mail-Adresse oder Benutzername"),
        validators=[DataRequired(), Length(max=320)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Passwort"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


def signin_limit() -> str:
    return instance().config.signin_rate_limit


def _account_key() -> str:
    return "account:" + request.form.get("username", "").strip().casefold()[:320]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"], scope="signin-address")
@limiter.limit(signin_limit, methods=["POST"], key_func=_account_key, scope="signin-account")
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("archive.start"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    with instance().db.transaction() as s:
        result = signin.sign_in(
            s,
            form.username.data,
            form.password.data,
            address=request.remote_addr or "",
            policy=policy(),
        )
    if result.outcome is signin.Outcome.LOCKED:
        minutes = -(-result.retry_after // 60)
        message = _(
            "Zu viele fehlgeschlagene Anmeldungen: Dieses Konto ist für %(minutes)s Minuten "
            "gesperrt. Versuchen Sie es danach erneut oder wenden Sie sich an die Bauaufsicht.",
            minutes=minutes,
        )
        return render_template("accounts/login.html", form=form, error=message), 429
    if result.outcome is signin.Outcome.FAILED:
        message = _("E-Mail-Adresse, Benutzername oder Passwort ist falsch.")
        return render_template("accounts/login.html", form=form, error=message), 401
    if result.outcome is signin.Outcome.UNCONFIRMED:
        return render_template("accounts/login.html", form=form, unconfirmed=True), 403
    session.clear()  # a fresh session at sign-in: nothing from before carries over
    next_url = safe_next(request.args.get("next"))
    if result.outcome is signin.Outcome.SECOND_FACTOR:
        return start_second_factor(result.user, next_url)
    login_user(SignedIn(result.user, result.session_key))
    return redirect(next_url)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    everywhere = request.form.get("everywhere") == "1"
    with instance().db.transaction() as s:
        user = s.get(User, current_user.user.id)
        signin.sign_out(s, user, current_user.session_key or "", everywhere=everywhere)
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
def language() -> Response:
    chosen = request.form.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(safe_next(request.form.get("next")))
