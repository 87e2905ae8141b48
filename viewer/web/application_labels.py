"""How applications' codes read in the interface: statuses, legitimations, reasons."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "submitted": _l("eingegangen"),
    "in_review": _l("in Prüfung"),
    "query": _l("Rückfrage"),
    "digitising": _l("wird digitalisiert"),
    "approved": _l("genehmigt"),
    "rejected": _l("abgelehnt"),
    "no_file": _l("Negativauskunft"),
    "withdrawn": _l("zurückgezogen"),
}
LEGITIMATION_LABELS = {
    "owner": _l("Ich bin Eigentümerin oder Eigentümer"),
    "authorized": _l("Ich bin vom Eigentümer bevollmächtigt"),
    "management": _l("Ich verwalte das Gebäude (Hausverwaltung, WEG-Verwaltung)"),
    "architect": _l("Ich bin vom Eigentümer beauftragte Architektin, Architekt oder Ingenieur"),
    "neighbour": _l("Ich bin Nachbarin oder Nachbar"),
    "legitimate_interest": _l("Ich habe ein anderes berechtigtes Interesse"),
}
LEGITIMATION_HINTS = {
    "owner": _l("Bitte laden Sie einen Grundbuchauszug hoch, nicht älter als sechs Monate."),
    "authorized": _l("Bitte laden Sie die unterschriebene Vollmacht des Eigentümers hoch."),
    "management": _l("Bitte laden Sie den Verwaltervertrag oder Ihre Bestellung hoch."),
    "architect": _l("Bitte geben Sie Ihre Kammer-Mitgliedsnummer an und laden Sie den Auftrag oder "
                    "die Vollmacht des Eigentümers hoch, wenn Sie sie haben."),
    "neighbour": _l("Nachbarn sehen in der Regel nur den Lageplan und die Bauzeichnungen."),
    "legitimate_interest": _l("Bitte beschreiben Sie Ihr Interesse; die Bauaufsicht prüft es."),
}  # fmt: skip
REASON_LABELS = {
    "no_legitimation": _l("Ein berechtigtes Interesse ist nicht erkennbar."),
    "proof_missing": _l("Der Nachweis fehlt."),
    "proof_invalid": _l("Der Nachweis reicht nicht aus."),
    "proof_outdated": _l("Der Nachweis ist zu alt."),
    "other": _l("Aus einem anderen Grund."),
}
TRUST_LABELS = {
    "basic": _l("über BundID angemeldet, Vertrauensniveau niedrig (Benutzername und Passwort)"),
    "substantial": _l("über BundID angemeldet, Vertrauensniveau substanziell "
                      "(z. B. ELSTER-Zertifikat)"),
    "high": _l("über BundID angemeldet, Vertrauensniveau hoch (Online-Ausweis)"),
}  # fmt: skip
PROOF_PROBLEMS = {
    "too large": _l("Die Datei ist zu groß."),
    "unsupported type": _l("Bitte laden Sie ein PDF oder ein Bild (JPEG, PNG, TIFF) hoch."),
    "empty file": _l("Die Datei ist leer."),
    "encrypted": _l("Das PDF ist mit einem Passwort geschützt."),
    "broken": _l("Die Datei ist beschädigt."),
}


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def legitimation_label(code: str) -> str:
    return str(LEGITIMATION_LABELS.get(code, code))


def reason_label(code: str | None) -> str:
    return str(REASON_LABELS.get(code, "")) if code else ""


def trust_label(level: str | None) -> str:
    """How sure anyone is of who applied; an own account proves only its e-mail address."""
    if not level:
        return str(_l("eigenes Konto: nur die E-Mail-Adresse ist bestätigt"))
    return str(TRUST_LABELS.get(level, level))


def proof_problem(reason: str) -> str:
    return str(PROOF_PROBLEMS.get(reason, _l("Die Datei kann nicht angenommen werden.")))


def register(app: Flask) -> None:
    app.add_template_filter(status_label)
    app.add_template_filter(legitimation_label)
    app.add_template_filter(reason_label)
    app.add_template_filter(trust_label)
