"""The forms of an application: the citizen's (apply, answer) and the clerk's (decide)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from docstore.models import DocumentKind, Legitimation
from docstore.services.review import REJECTION_REASONS

from .application_labels import LEGITIMATION_LABELS, REASON_LABELS
from .formatting import KIND_LABELS


class ApplicationForm(FlaskForm):
    legitimation = RadioField(
        _l("Warum möchten Sie die Akte einsehen?"),
        choices=[SelectChoice(x.value, LEGITIMATION_LABELS[x.value]) for x in Legitimation],
        validators=[InputRequired(message=_l("Bitte wählen Sie aus, in welcher Rolle Sie die "
                                             "Akte einsehen möchten."))],
    )  # fmt: skip
    street = StringField(
        _l("Straße"),
        validators=[Length(max=200)],
        render_kw={"autocomplete": "off", "list": "street-suggestions"},
    )
    house_number = StringField(_l("Hausnummer"), validators=[Length(max=20)])
    postcode = StringField(
        _l("Postleitzahl"), validators=[Length(max=10)], render_kw={"inputmode": "numeric"}
    )
    gemarkung = StringField(_l("Gemarkung"), validators=[Length(max=100)])
    flur = StringField(_l("Flur"), validators=[Length(max=20)])
    flurstueck = StringField(_l("Flurstück"), validators=[Length(max=40)])
    aktenzeichen = StringField(_l("Aktenzeichen, falls bekannt"), validators=[Length(max=40)])
    purpose = TextAreaField(
        _l("Wofür brauchen Sie die Unterlagen?"),
        validators=[DataRequired(message=_l("Bitte nennen Sie den Zweck.")), Length(max=4000)],
        render_kw={"rows": 3},
    )
    interest = TextAreaField(
        _l("Ihr berechtigtes Interesse"), validators=[Length(max=4000)], render_kw={"rows": 3}
    )
    chamber_number = StringField(_l("Kammer-Mitgliedsnummer"), validators=[Length(max=50)])
    proofs = MultipleFileField(_l("Nachweise (PDF oder Bild)"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Ihre Antwort"), validators=[Length(max=4000)], render_kw={"rows": 4})
    proofs = MultipleFileField(_l("Weitere Nachweise (PDF oder Bild)"))


class AskForm(FlaskForm):
    question = TextAreaField(
        _l("Rückfrage an die antragstellende Person"),
        validators=[DataRequired(), Length(max=4000)],
        render_kw={"rows": 4},
    )


class ApproveForm(FlaskForm):
    building_file = SelectField(_l("Bauakte"), validate_choice=False, coerce=str)
    scope = RadioField(
        _l("Umfang"),
        choices=[
            SelectChoice("file", _l("die ganze Akte")),
            SelectChoice("kinds", _l("nur Dokumente dieser Arten")),
            SelectChoice("documents", _l("nur diese Dokumente")),
        ],
        default="file",
    )
    kinds = SelectMultipleField(
        _l("Dokumentarten"),
        choices=[SelectChoice(k.value, KIND_LABELS[k.value]) for k in DocumentKind],
    )
    documents = SelectMultipleField(_l("Dokumente"), validate_choice=False, coerce=str)
    days = IntegerField(
        _l("Einsicht für Tage"), validators=[InputRequired(), NumberRange(min=1, max=3650)]
    )
    may_download = BooleanField(_l("Herunterladen erlauben"))
    minutes = IntegerField(
        _l("Bearbeitungszeit in Minuten"),
        validators=[Optional(), NumberRange(min=0, max=24 * 60)],
        description=_l("Zählt nur, wo die Gebührenordnung nach Zeit abrechnet."),
    )
    fee = StringField(
        _l("Gebühr abweichend festsetzen (Euro)"),
        validators=[Optional(), Length(max=20)],
        description=_l("Leer lassen, um die berechnete Gebühr zu erheben; 0 für gebührenfrei."),
    )
    fee_reason = TextAreaField(
        _l("Begründung der abweichenden Gebühr"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 2},
    )


class RejectForm(FlaskForm):
    reason = SelectField(
        _l("Grund"), choices=[SelectChoice(r, REASON_LABELS[r]) for r in REJECTION_REASONS]
    )
    text = TextAreaField(
        _l("Begründung für die antragstellende Person"),
        validators=[DataRequired(), Length(max=4000)],
        render_kw={"rows": 3},
    )


class NoFileForm(FlaskForm):
    text = TextAreaField(
        _l("Hinweis für die antragstellende Person"),
        validators=[Optional(), Length(max=4000)],
        render_kw={"rows": 3},
    )


class DigitiseForm(FlaskForm):
    building_file = SelectField(_l("Bauakte (nur auf Papier)"), validate_choice=False, coerce=str)
