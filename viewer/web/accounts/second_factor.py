"""The second sign-in step: a one-time code, or enrolment with a QR code for new staff.

Between the password and the code the session holds only a pending user id
with its session epoch and a deadline; nothing is signed in until the code
is right.
"""

from __future__ import annotations

import io
import time

import qrcode
import qrcode.image.svg
from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from docstore.models import User
from docstore.services import second_factor, signin

from ..context import instance
from ..extensions import limiter
from . import bp
from .confirmation import WRONG, ConfirmForm, confirm
from .identity import SignedIn, policy, safe_next

PENDING_SECONDS = 300
WRONG_FIRST_CODE = _l(
    "Der Code stimmt nicht. Prüfen Sie die Uhrzeit des Geräts und versuchen Sie es erneut."
)


class CodeForm(FlaskForm):
    code = StringField(
        _l("Einmalcode oder Wiederherstellungscode"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"},
    )


def _key() -> str:
    return instance().config.secret_key


def start_second_factor(user: User, next_url: str) -> Response:
    session["pending"] = {
        "id": user.id,
        "epoch": user.session_epoch,
        "until": time.time() + PENDING_SECONDS,
        "next": next_url,
    }
    if second_factor.enrolled(user):
        return redirect(url_for("accounts.code"))
    return redirect(url_for("accounts.enrol"))


def _pending(s) -> User | None:
    pending = session.get("pending")
    if not pending or pending.get("until", 0) < time.time():
        return None
    user = s.get(User, pending["id"])
    if user is None or not user.active or user.session_epoch != pending["epoch"]:
        return None
    return user


def _finish(result: signin.SignInResult) -> str:
    """Sign in with a fresh session; returns where the user was going."""
    next_url = safe_next(session.get("pending", {}).get("next"))
    session.clear()
    login_user(SignedIn(result.user, result.session_key))
    return next_url


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: instance().config.signin_rate_limit, methods=["POST"], scope="code")
def code() -> str | Response | tuple[str, int]:
    form = CodeForm()
    with instance().db.transaction() as s:
        user = _pending(s)
        if user is None or not second_factor.enrolled(user):
            return redirect(url_for("accounts.login"))
        if not form.validate_on_submit():
            return render_template("accounts/code.html", form=form)
        result = signin.complete_with_code(
            s, user, form.code.data, address=request.remote_addr or "", policy=policy()
        )
    if result.outcome is signin.Outcome.SIGNED_IN:
        return redirect(_finish(result))
    if result.outcome is signin.Outcome.LOCKED:
        session.pop("pending", None)
        message = _("Zu viele falsche Codes: Das Konto ist vorübergehend gesperrt.")
        return render_template("accounts/code.html", form=form, error=message), 429
    return render_template("accounts/code.html", form=form, error=_("Der Code stimmt nicht.")), 401


@bp.route("/login/enrol", methods=["GET", "POST"])
@limiter.limit(lambda: instance().config.signin_rate_limit, methods=["POST"], scope="enrol")
def enrol() -> str | Response | tuple[str, int]:
    """Staff without a second factor set it up here before they are signed in."""
    form = CodeForm()
    with instance().db.transaction() as s:
        user = _pending(s)
        if user is None or second_factor.enrolled(user):
            return redirect(url_for("accounts.login"))
        if user.totp_secret is None:
            second_factor.begin_enrolment(s, user, _key())
        if not form.validate_on_submit():
            return _enrol_page(user, form)
        codes = second_factor.confirm_enrolment(s, user, form.code.data, _key())
        if codes is None:
            return _enrol_page(user, form, str(WRONG_FIRST_CODE)), 401
        result = signin.complete_with_enrolment(
            s, user, address=request.remote_addr or "", policy=policy()
        )
    return render_template("accounts/recovery_codes.html", codes=codes, next_url=_finish(result))


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def own_second_factor() -> str | Response | tuple[str, int]:
    """Optional for external users: set up a second factor from the account page.

    First the password again; only then a fresh secret and its QR code, and
    the code from the app confirms it.
    """
    with instance().db.transaction() as s:
        user = s.get(User, current_user.user.id)
        if second_factor.enrolled(user):
            left = second_factor.remaining_recovery_codes(s, user)
            return render_template("accounts/second_factor_status.html", remaining=left)
        if request.method == "POST" and "code" in request.form:
            return _confirm_own_enrolment(s, user)
        form = ConfirmForm()
        if not form.validate_on_submit():
            return render_template("accounts/second_factor_start.html", form=form)
        confirmed = confirm(s, user, form)
        if confirmed is None:
            page = render_template("accounts/second_factor_start.html", form=form, error=WRONG)
            return page, 401
        second_factor.restart_enrolment(s, user, _key(), confirmed=confirmed)
        return _enrol_page(user, CodeForm(formdata=None))


def _confirm_own_enrolment(s, user: User) -> str | Response | tuple[str, int]:
    form = CodeForm()
    if user.totp_secret is None or not form.validate_on_submit():
        return redirect(url_for("accounts.own_second_factor"))
    codes = second_factor.confirm_enrolment(s, user, form.code.data, _key())
    if codes is None:
        return _enrol_page(user, form, _("Der Code stimmt nicht.")), 401
    return render_template(
        "accounts/recovery_codes.html", codes=codes, next_url=url_for("archive.start")
    )


def _enrol_page(user: User, form: CodeForm, error: str | None = None) -> str:
    uri = second_factor.provisioning_uri(user, _key())
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = io.BytesIO()
    image.save(svg)
    markup = svg.getvalue().decode().split("?>", 1)[-1]  # drop the XML declaration
    return render_template(
        "accounts/enrol.html",
        form=form,
        error=error,
        qr=Markup(markup),
        secret=second_factor.secret_of(user, _key()),
    )
