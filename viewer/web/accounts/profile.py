"""My account: details, a new e-mail address, links to the sign-in settings, deletion."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from docstore.models import User
from docstore.services import identities, profile, sessions, users
from docstore.services.signed_links import LinkExpired, LinkInvalid

from ..context import instance
from . import bp
from .confirmation import WRONG, ConfirmForm, confirm, needs_code
from .identity import SignedIn, policy
from .registration import WebLinks, link_policy

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


class DetailsForm(FlaskForm):
    display_name = StringField(
        _l("Vor- und Nachname"),
        validators=[DataRequired(), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    street = StringField(
        _l("Straße und Hausnummer"),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Postleitzahl"),
        validators=[Length(max=16)],
        render_kw={"autocomplete": "postal-code", "inputmode": "numeric"},
    )
    city = StringField(
        _l("Ort"), validators=[Length(max=100)], render_kw={"autocomplete": "address-level2"}
    )
    phone = StringField(
        _l("Telefon (für Rückfragen)"),
        validators=[Length(max=50)],
        render_kw={"autocomplete": "tel", "type": "tel"},
    )
    language = SelectField(
        _l("Sprache der E-Mails"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()],
        default="de",
    )


class EmailForm(ConfirmForm):
    email = EmailField(
        _l("Neue E-Mail-Adresse"),
        validators=[DataRequired(), Length(max=320)],
        render_kw={"autocomplete": "email", "autocapitalize": "none"},
    )


def _own(s) -> User:
    return s.get(User, current_user.user.id)


def _page(user: User, details: DetailsForm, email: EmailForm, status: int = 200, error=None):
    with instance().db.session() as s:
        trust = identities.trust_of(s, user.id)
    page = render_template("accounts/profile.html", user=user, details=details, email_form=email,
                           with_code=needs_code(user), email_error=error, trust=trust,
                           link_form=ConfirmForm(prefix="link"))  # fmt: skip
    return page, status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile_page() -> tuple[str, int] | Response:
    with instance().db.transaction() as s:
        user = _own(s)
        details = DetailsForm(obj=user)
        if not details.validate_on_submit():
            return _page(user, details, EmailForm(), 400 if details.errors else 200)
        try:
            profile.update_details(s, user, profile.Details(
                details.display_name.data, details.street.data, details.postcode.data,
                details.city.data, details.phone.data, details.language.data,
            ))  # fmt: skip
        except profile.BadDetail as exc:
            getattr(details, exc.field).errors = [_("Bitte prüfen Sie diese Angabe.")]
            return _page(user, details, EmailForm(), 400)
    flash(_("Ihre Angaben sind gespeichert."), "info")
    return redirect(url_for("accounts.profile_page"))


@bp.route("/account/email", methods=["POST"])
@login_required
def change_email() -> tuple[str, int] | Response:
    form = EmailForm()
    with instance().db.transaction() as s:
        user = _own(s)
        if not form.validate_on_submit():
            return _page(user, DetailsForm(obj=user, formdata=None), form, 400)
        confirmed = confirm(s, user, form)
        if confirmed is not None:
            try:
                profile.request_email_change(
                    s, user, form.email.data, WebLinks(instance().config.public_url),
                    link_policy(), confirmed=confirmed,
                )  # fmt: skip
            except (users.BadEmail, profile.BadDetail):
                form.email.errors = [_("Bitte geben Sie eine neue E-Mail-Adresse an.")]
                return _page(user, DetailsForm(obj=user, formdata=None), form, 400)
    if confirmed is None:  # after the transaction: the failure it counted is kept
        with instance().db.session() as s:
            return _page(_own(s), DetailsForm(obj=_own(s), formdata=None), form, 401, str(WRONG))
    flash(
        _("Wir haben einen Bestätigungslink an die neue Adresse geschickt. Bis Sie ihm folgen, "
          "bleibt die bisherige Adresse gültig."),
        "info",
    )  # fmt: skip
    return redirect(url_for("accounts.profile_page"))


@bp.route("/account/email/<token>")
@login_required
def confirm_new_email(token: str) -> str | Response | tuple[str, int]:
    try:
        with instance().db.transaction() as s:
            user = _own(s)
            profile.confirm_email_change(s, user, token, link_policy())
            login_user(SignedIn(user, sessions.start(s, user, policy().lifetime)))
    except LinkExpired:
        return render_template("accounts/link_problem.html", problem="expired"), 410
    except LinkInvalid:
        return render_template("accounts/link_problem.html", problem="invalid"), 404
    flash(_("Ihre neue E-Mail-Adresse ist bestätigt. Andere Sitzungen und API-Tokens sind "
            "beendet."), "info")  # fmt: skip
    return redirect(url_for("accounts.profile_page"))


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account() -> str | Response | tuple[str, int]:
    if current_user.is_staff:
        abort(403, description=_("Konten der Verwaltung schließt die Administration."))
    form = ConfirmForm()
    with instance().db.transaction() as s:
        user = _own(s)
        with_code = needs_code(user)
        if not form.validate_on_submit():
            page = render_template("accounts/delete.html", form=form, with_code=with_code)
            return (page, 400) if form.errors else page
        confirmed = confirm(s, user, form)
        if confirmed is not None:
            profile.delete_own_account(s, user, confirmed=confirmed)
    if confirmed is None:
        page = render_template(
            "accounts/delete.html", form=form, with_code=with_code, error=str(WRONG)
        )
        return page, 401
    logout_user()
    session.clear()
    return render_template("accounts/deleted.html")
