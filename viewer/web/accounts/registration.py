"""A citizen's own account: register, confirm the address, ask again, reset a forgotten password.

Every form that takes an e-mail address answers the same whatever the
address is (known, unknown, waiting), so nobody learns from this site who
has an account; the mailbox owner learns the rest by mail.  Sending is
limited per address and per client, so the forms cannot bomb a mailbox.
"""

from __future__ import annotations

from urllib.parse import urljoin

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from docstore.errors import UsageError
from docstore.services import mail, registration, signin, users
from docstore.services.signed_links import LinkExpired, LinkInvalid

from ..context import instance
from ..error_texts import error_text
from ..extensions import limiter
from . import bp
from .identity import SignedIn, policy
from .password import signin_limit


class WebLinks:
    """Links for mail, on the configured ``public_url`` (never the Host a request named:
    a forged Host would otherwise put an attacker's site into a reset mail)."""

    def __init__(self, public_url: str) -> None:
        self.base = public_url.rstrip("/") + "/"

    def _at(self, endpoint: str, **values: str) -> str:
        return urljoin(self.base, url_for(endpoint, **values).lstrip("/"))

    def confirm_email(self, token: str) -> str:
        return self._at("accounts.confirm_email", token=token)

    def reset_password(self, token: str) -> str:
        return self._at("accounts.reset_password", token=token)

    def sign_in(self) -> str:
        return self._at("accounts.login")

    def change_email(self, token: str) -> str:
        return self._at("accounts.confirm_new_email", token=token)


def link_policy() -> registration.LinkPolicy:
    config = instance().config
    return registration.LinkPolicy(
        config.secret_key,
        config.confirm_link_hours,
        config.reset_link_minutes,
        mail.context_of(config),
    )


def _links() -> WebLinks:
    return WebLinks(instance().config.public_url)


def _mail_limit() -> str:
    return instance().config.mail_rate_limit


def _address_key() -> str:
    return "mail-to:" + request.form.get("email", "").strip().casefold()[:320]


def _mail_limits(view):
    """Per client and per address, counted only for a submitted form."""
    view = limiter.limit(_mail_limit, methods=["POST"], key_func=_address_key, scope="mail-to")(
        view
    )
    return limiter.limit(_mail_limit, methods=["POST"], scope="mail-from")(view)


class _Email(FlaskForm):
    email = EmailField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(), Length(max=320)],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )


class _Passwords(FlaskForm):
    password = PasswordField(
        _l("Passwort"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    repeated = PasswordField(
        _l("Passwort wiederholen"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Die beiden Passwörter sind verschieden.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(_Email, _Passwords):
    display_name = StringField(
        _l("Vor- und Nachname"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )


def _registration_open() -> None:
    if not instance().config.self_registration:
        abort(404)


@bp.route("/register", methods=["GET", "POST"])
@_mail_limits
def register() -> str | Response | tuple[str, int]:
    _registration_open()
    if current_user.is_authenticated:
        return redirect(url_for("archive.start"))
    form = RegisterForm()
    minimum = instance().config.password_min_length
    if not form.validate_on_submit():
        page = render_template("accounts/register.html", form=form, minimum=minimum)
        return (page, 400) if form.errors else page
    try:
        with instance().db.transaction() as s:
            registration.register(
                s,
                email=form.email.data,
                display_name=form.display_name.data,
                password=form.password.data,
                language=str(get_locale() or "de"),
                links=_links(),
                policy=link_policy(),
                min_password_length=minimum,
            )
    except users.BadEmail:
        form.email.errors = [_("Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de an.")]
    except users.WeakPassword as exc:
        form.password.errors = [error_text(exc)]
    except UsageError:
        form.display_name.errors = [_("Bitte geben Sie Ihren Namen an.")]
    else:
        return render_template("accounts/mail_sent.html", what="register")
    return render_template("accounts/register.html", form=form, minimum=minimum), 400


class ConfirmAddressForm(FlaskForm):
    password = PasswordField(
        _l("Passwort"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "current-password"},
    )


@bp.route("/register/confirm/<token>", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"], scope="signin-address")
def confirm_email(token: str) -> str | Response | tuple[str, int]:
    """The link proves the mailbox; the password typed here proves the registration."""
    form = ConfirmAddressForm()
    try:
        with instance().db.transaction() as s:
            user, how = registration.confirmation_state(s, token, link_policy())
            if how is registration.Confirmed.BEFORE:
                return render_template("accounts/confirmed.html", before=True)
            if not form.validate_on_submit():
                page = render_template("accounts/confirm_address.html", form=form)
                return (page, 400) if form.errors else page
            registration.confirm_email(s, token, link_policy(), form.password.data)
            result = signin.sign_in(s, user.email or "", form.password.data,
                                    address=request.remote_addr or "", policy=policy())  # fmt: skip
    except LinkExpired:
        return render_template("accounts/link_problem.html", problem="expired-confirm"), 410
    except LinkInvalid:
        return render_template("accounts/link_problem.html", problem="invalid"), 404
    except registration.WrongPassword:
        error = _("Das Passwort stimmt nicht. Bitte geben Sie das Passwort an, das Sie bei der "
                  "Registrierung gewählt haben.")  # fmt: skip
        return render_template("accounts/confirm_address.html", form=form, error=error), 401
    if result.outcome is not signin.Outcome.SIGNED_IN:
        return render_template("accounts/confirmed.html", before=False)
    session.clear()
    login_user(SignedIn(result.user, result.session_key))
    flash(_("Ihre E-Mail-Adresse ist bestätigt. Willkommen!"), "info")
    return redirect(url_for("archive.start"))


def _email_form(what: str, send) -> str | tuple[str, int]:
    """A form that asks only for an address and always answers the same."""
    form = _Email()
    if not form.validate_on_submit():
        page = render_template("accounts/email_form.html", form=form, what=what)
        return (page, 400) if form.errors else page
    with instance().db.transaction() as s:
        send(s, form.email.data, _links(), link_policy())
    return render_template("accounts/mail_sent.html", what=what)


@bp.route("/register/again", methods=["GET", "POST"])
@_mail_limits
def resend_confirmation() -> str | tuple[str, int]:
    _registration_open()
    return _email_form("resend", registration.resend_confirmation)


@bp.route("/password/forgotten", methods=["GET", "POST"])
@_mail_limits
def forgotten_password() -> str | tuple[str, int]:
    return _email_form("reset", registration.request_reset)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    minimum = instance().config.password_min_length
    form = _Passwords()
    try:
        with instance().db.transaction() as s:
            registration.account_for_reset(s, token, link_policy())
            if not form.validate_on_submit():
                page = render_template("accounts/reset.html", form=form, minimum=minimum)
                return (page, 400) if form.errors else page
            registration.reset_password(
                s, token, form.password.data, link_policy(), min_password_length=minimum
            )
    except LinkExpired:
        return render_template("accounts/link_problem.html", problem="expired-reset"), 410
    except LinkInvalid:
        return render_template("accounts/link_problem.html", problem="used"), 404
    except users.WeakPassword as exc:
        form.password.errors = [error_text(exc)]
        return render_template("accounts/reset.html", form=form, minimum=minimum), 400
    return render_template("accounts/reset_done.html")


@bp.app_context_processor
def _registration_flag() -> dict[str, bool]:
    return {"self_registration": bool(instance().config.self_registration)}
