"""Forms of the audit trail filter and the user administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from docstore.models import Role

from .accounts.confirmation import ConfirmForm
from .bounds import date_range

ROLE_LABELS = {
    Role.CITIZEN: _l("Bürgerin/Bürger"),
    Role.ARCHITECT: _l("Architektin/Architekt"),
    Role.CLERK: _l("Sachbearbeitung"),
    Role.AUDITOR: _l("Prüfung"),
    Role.ADMIN: _l("Verwaltung"),
}


class TrailForm(FlaskForm):
    user = StringField(
        _l("Person"),
        validators=[Optional(), Length(max=100)],
        render_kw={
            "autocomplete": "off",
            "list": "people-suggestions",
            "data-suggest-status": "people-status",
        },
    )
    action = SelectField(_l("Aktion"), validate_choice=False, choices=[])
    aktenzeichen = StringField(_l("Aktenzeichen"), validators=[Optional(), Length(max=64)])
    since = DateField(_l("Von"), validators=[Optional(), date_range()])
    until = DateField(_l("Bis (einschließlich)"), validators=[Optional(), date_range()])
    document = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(1, 2**53)])


class NewUserForm(FlaskForm):
    username = StringField(_l("Benutzername"), validators=[DataRequired(), Length(max=100)])
    password = PasswordField(
        _l("Anfangspasswort"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
    role = SelectField(_l("Rolle"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role])


class ResetPasswordForm(ConfirmForm):
    temporary = PasswordField(
        _l("Vorläufiges Passwort (die Person ändert es bei der nächsten Anmeldung)"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"autocomplete": "new-password"},
    )
