"""The forms of the grant desk: who, from when, until when (or explicitly without end), what."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from docstore.models import DocumentKind

from .bounds import date_range
from .formatting import KIND_LABELS

UNTIL, OPEN = "until", "open"


class GrantForm(FlaskForm):
    username = StringField(
        _l("Person"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("Name, E-Mail-Adresse oder Benutzername; beim Tippen erscheinen "
                       "Vorschläge."),
        render_kw={"autocomplete": "off", "list": "people-suggestions",
                   "data-suggest-status": "people-status"},
    )  # fmt: skip
    valid_from = DateField(
        _l("Gültig ab"),
        validators=[Optional(), date_range()],
        description=_l("Leer lassen für heute."),
    )
    duration = RadioField(
        _l("Dauer"),
        choices=[
            SelectChoice(UNTIL, _l("befristet bis einschließlich")),
            SelectChoice(OPEN, _l("unbefristet")),
        ],
        default=UNTIL,
        validators=[InputRequired(message=_l("Bitte wählen Sie: befristet oder unbefristet."))],
    )
    valid_until = DateField(_l("Letzter Tag"), validators=[Optional(), date_range()])
    may_download = BooleanField(_l("Herunterladen erlauben"))
    kinds = SelectMultipleField(
        _l("Alle Dokumente dieser Arten (auch später gescannte)"),
        choices=[SelectChoice(k.value, KIND_LABELS[k.value]) for k in DocumentKind],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def validate(self, extra_validators=None) -> bool:
        """A limited grant needs its last day (``Optional`` ends the field's own checks)."""
        valid = super().validate(extra_validators)
        if self.duration.data == UNTIL and self.valid_until.data is None:
            if not self.valid_until.errors:
                self.valid_until.errors = [
                    _l("Bitte geben Sie den letzten Tag an, oder wählen Sie „unbefristet“.")
                ]
            valid = False
        return valid


class RevokeForm(FlaskForm):
    username = StringField(validators=[DataRequired(), Length(max=100)])
    reason = TextAreaField(
        _l("Begründung für die Person (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l("Steht in der E-Mail, die die Person über den Widerruf erhält."),
        render_kw={"rows": 3},
    )
