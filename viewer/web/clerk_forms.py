"""The clerk's forms: upload, assignment, metadata (Flask-WTF, CSRF included)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from docstore.models import DocumentKind
from docstore.services.building_files import AKTENZEICHEN

from .bounds import date_range
from .formatting import KIND_LABELS


class UploadForm(FlaskForm):
    files = MultipleFileField(_l("Dateien (PDF, TIFF, JPEG, PNG)"), validators=[DataRequired()])
    manifest = FileField(_l("Manifest (CSV oder JSON, optional)"))


class AssignForm(FlaskForm):
    aktenzeichen = StringField(
        _l("Bauakte: Aktenzeichen, Adresse oder Flurstück"),
        validators=[DataRequired(), Length(max=200)],
    )


class NewFileForm(FlaskForm):
    aktenzeichen = StringField(
        _l("Aktenzeichen der neuen Bauakte"),
        validators=[DataRequired(), Length(max=64), Regexp(AKTENZEICHEN.pattern + "$")],
    )
    street = StringField(_l("Straße"), validators=[Optional(), Length(max=200)])
    house_number = StringField(_l("Hausnummer"), validators=[Optional(), Length(max=20)])
    postcode = StringField(_l("Postleitzahl"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Ort"), validators=[Optional(), Length(max=200)])


class DocumentForm(FlaskForm):
    kind = SelectField(
        _l("Dokumentart"),
        choices=[SelectChoice(k.value, KIND_LABELS[k.value]) for k in DocumentKind],
    )
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=500)])
    date = DateField(_l("Datum"), validators=[Optional(), date_range()])
    issuer = StringField(_l("Aussteller"), validators=[Optional(), Length(max=200)])
    issued_on = DateField(_l("Ausgestellt am"), validators=[Optional(), date_range()])
    valid_until = DateField(_l("Gültig bis"), validators=[Optional(), date_range()])


class BuildingFileForm(FlaskForm):
    street = StringField(_l("Straße"), validators=[Optional(), Length(max=200)])
    house_number = StringField(_l("Hausnummer"), validators=[Optional(), Length(max=20)])
    postcode = StringField(_l("Postleitzahl"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Ort"), validators=[Optional(), Length(max=200)])
    district = StringField(_l("Bezirk"), validators=[Optional(), Length(max=200)])
    year = IntegerField(_l("Jahr"), validators=[Optional(), NumberRange(1800, 2200)])
    notes = TextAreaField(_l("Notizen"), validators=[Optional(), Length(max=5000)])


class RowForm(FlaskForm):
    """A manifest row to correct: the columns the pipeline reads, as the clerk's form."""

    aktenzeichen = StringField(
        _l("Aktenzeichen"),
        validators=[Optional(), Length(max=64), Regexp(AKTENZEICHEN.pattern + "$")],
    )
    street = StringField(_l("Straße"), validators=[Optional(), Length(max=200)])
    house_number = StringField(_l("Hausnummer"), validators=[Optional(), Length(max=20)])
    postcode = StringField(_l("Postleitzahl"), validators=[Optional(), Length(max=10)])
    municipality = StringField(_l("Ort"), validators=[Optional(), Length(max=200)])
    gemarkung = StringField(_l("Gemarkung"), validators=[Optional(), Length(max=200)])
    flur = StringField(_l("Flur"), validators=[Optional(), Length(max=20)])
    flurstueck = StringField(_l("Flurstück"), validators=[Optional(), Length(max=40)])
    kind = SelectField(
        _l("Dokumentart"),
        choices=[SelectChoice("", _l("keine Angabe"))]
        + [SelectChoice(k.value, KIND_LABELS[k.value]) for k in DocumentKind],
    )
    title = StringField(_l("Titel"), validators=[Optional(), Length(max=500)])
    date = DateField(_l("Datum"), validators=[Optional(), date_range()])
    issuer = StringField(_l("Aussteller"), validators=[Optional(), Length(max=200)])
    issued_on = DateField(_l("Ausgestellt am"), validators=[Optional(), date_range()])
    valid_until = DateField(_l("Gültig bis"), validators=[Optional(), date_range()])
