"""The clerk's forms for fees: a payment at the desk, a cancellation, a bank statement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class DeskPaymentForm(FlaskForm):
    amount = StringField(_l("Betrag (Euro)"), validators=[DataRequired(), Length(max=20)])
    method = RadioField(
        _l("Zahlungsart"),
        choices=[SelectChoice("cash", _l("bar")), SelectChoice("card", _l("Karte"))],
        default="cash",
    )
    receipt = StringField(_l("Quittungsnummer"), validators=[DataRequired(), Length(max=100)])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Grund der Stornierung"),
        validators=[DataRequired(), Length(max=1000)],
        render_kw={"rows": 2},
    )


class AssignForm(FlaskForm):
    reference = StringField(
        _l("Zahlungsreferenz oder Bescheid-Nr."), validators=[DataRequired(), Length(max=60)]
    )


class StatementForm(FlaskForm):
    statement = FileField(
        _l("Kontoauszug (CAMT.053, XML)"),
        validators=[DataRequired()],
        render_kw={"accept": ".xml,application/xml,text/xml"},
    )
