"""The audit trail in words: what each action means, and the names of its details."""

from __future__ import annotations

import json

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p

ACTION_LABELS = {
    "document.view": _p("audit", "Dokument angesehen"),
    "document.download": _p("audit", "Original heruntergeladen"),
    "document.view-refused": _p("audit", "Ansicht verweigert"),
    "document.download-refused": _p("audit", "Download verweigert"),
    "document.ingest": _p("audit", "Dokument erfasst"),
    "document.assign": _p("audit", "Dokument einer Bauakte zugeordnet"),
    "document.edit": _p("audit", "Angaben zum Dokument geändert"),
    "document.delete": _p("audit", "Dokument gelöscht"),
    "building_file.create": _p("audit", "Bauakte angelegt"),
    "building_file.edit": _p("audit", "Angaben zur Bauakte geändert"),
    "register.import": _p("audit", "Aktenverzeichnis eingelesen"),
    "upload": _p("audit", "Dateien hochgeladen"),
    "upload.correct": _p("audit", "Manifestzeile korrigiert, Datei erneut eingereicht"),
    "upload.discard": _p("audit", "Abgewiesene Datei verworfen"),
    "search": _p("audit", "Suche"),
    "redaction.add": _p("audit", "Bereich geschwärzt"),
    "redaction.lift": _p("audit", "Schwärzung aufgehoben"),
    "plan.consent": _p("audit", "Zustimmung zu Plan-Kopien erfasst"),
    "plan.consent_withdrawn": _p("audit", "Zustimmung zu Plan-Kopien widerrufen"),
    "grant.create": _p("audit", "Zugang eingerichtet"),
    "grant.revoke": _p("audit", "Zugang widerrufen"),
    "application.submit": _p("audit", "Antrag gestellt"),
    "application.answer": _p("audit", "Rückfrage beantwortet"),
    "application.assign": _p("audit", "Antrag übernommen"),
    "application.proof-view": _p("audit", "Nachweis angesehen"),
    "application.submitted": _p("audit", "Antrag: eingegangen"),
    "application.in_review": _p("audit", "Antrag: in Prüfung"),
    "application.query": _p("audit", "Antrag: Rückfrage gestellt"),
    "application.digitising": _p("audit", "Antrag: wird digitalisiert"),
    "application.approved": _p("audit", "Antrag genehmigt"),
    "application.rejected": _p("audit", "Antrag abgelehnt"),
    "application.no_file": _p("audit", "Antrag: Negativauskunft"),
    "application.withdrawn": _p("audit", "Antrag zurückgezogen"),
    "extract.order": _p("audit", "Auszug bestellt"),
    "extract.ready": _p("audit", "Auszug erstellt"),
    "extract.failed": _p("audit", "Auszug fehlgeschlagen"),
    "extract.remake": _p("audit", "Auszug neu erstellt"),
    "extract.download": _p("audit", "Auszug heruntergeladen"),
    "fee.notice": _p("audit", "Gebührenbescheid erlassen"),
    "fee.waived": _p("audit", "Gebühr erlassen"),
    "fee.paid": _p("audit", "Gebühr bezahlt"),
    "fee.cancel": _p("audit", "Gebührenbescheid aufgehoben"),
    "payment.receive": _p("audit", "Zahlung eingegangen"),
    "payment.assign": _p("audit", "Zahlung zugeordnet"),
    "payment.cancel": _p("audit", "Zahlung storniert"),
    "payment.statement": _p("audit", "Kontoauszug eingelesen"),
    "payment.online_start": _p("audit", "Online-Zahlung begonnen"),
    "payment.online_started": _p("audit", "Online-Zahlung begonnen"),
    "payment.online_paid": _p("audit", "Online-Zahlung bezahlt"),
    "payment.online_cancelled": _p("audit", "Online-Zahlung abgebrochen"),
    "payment.online_failed": _p("audit", "Online-Zahlung fehlgeschlagen"),
    "payment.online_disputed": _p("audit", "Online-Zahlung beanstandet"),
    "payment.notification_refused": _p("audit", "Zahlungsmeldung abgewiesen"),
    "sign-in": _p("audit", "Anmeldung"),
    "sign-in-failed": _p("audit", "Anmeldung fehlgeschlagen"),
    "sign-in-refused": _p("audit", "Anmeldung abgewiesen"),
    "sign-out": _p("audit", "Abmeldung"),
    "account-locked": _p("audit", "Konto vorübergehend gesperrt"),
    "sessions.end-all": _p("audit", "Überall abgemeldet"),
    "second-factor.enrol": _p("audit", "Zweiter Faktor eingerichtet"),
    "second-factor.reset": _p("audit", "Zweiter Faktor zurückgesetzt"),
    "token.create": _p("audit", "API-Schlüssel erstellt"),
    "token.revoke": _p("audit", "API-Schlüssel widerrufen"),
    "user.create": _p("audit", "Konto angelegt"),
    "user.register": _p("audit", "Registriert"),
    "user.register-known": _p("audit", "Registrierung mit bekannter Adresse"),
    "user.register-expired": _p("audit", "Unbestätigte Registrierung entfernt"),
    "user.register-saml": _p("audit", "Über BundID registriert"),
    "user.email-confirm": _p("audit", "E-Mail-Adresse bestätigt"),
    "user.email-change-request": _p("audit", "Änderung der E-Mail-Adresse beantragt"),
    "user.email-change": _p("audit", "E-Mail-Adresse geändert"),
    "user.identity-link": _p("audit", "BundID verknüpft"),
    "user.profile": _p("audit", "Persönliche Angaben geändert"),
    "user.reset-request": _p("audit", "Neues Passwort angefordert"),
    "user.password-change": _p("audit", "Passwort geändert"),
    "user.password-reset": _p("audit", "Passwort zurückgesetzt"),
    "user.password-reset-by-mail": _p("audit", "Passwort per E-Mail-Link neu gesetzt"),
    "user.role_change": _p("audit", "Rolle geändert"),
    "user.enable": _p("audit", "Konto entsperrt"),
    "user.disable": _p("audit", "Konto gesperrt"),
    "user.delete": _p("audit", "Konto gelöscht"),
    "audit.verify": _p("audit", "Protokollkette geprüft"),
    "audit.export": _p("audit", "Protokoll exportiert"),
}
DETAIL_LABELS = {
    "page": _p("audit", "Seite"),
    "pages": _p("audit", "Seiten"),
    "query": _p("audit", "Suche"),
    "upload": _p("audit", "Upload"),
    "user": _p("audit", "Person"),
    "username": _p("audit", "Benutzer"),
    "aktenzeichen": _p("audit", "Aktenzeichen"),
    "reason": _p("audit", "Grund"),
    "valid_from": _p("audit", "ab"),
    "valid_until": _p("audit", "bis"),
    "may_download": _p("audit", "Download"),
    "documents": _p("audit", "Dokumente"),
    "kinds": _p("audit", "Arten"),
    "role": _p("audit", "Rolle"),
    "hits": _p("audit", "Treffer"),
    "ok": _p("audit", "unversehrt"),
    "checked": _p("audit", "geprüft"),
    "address": _p("audit", "IP-Adresse"),
    "second_factor": _p("audit", "zweiter Faktor"),
    "adjusted": _p("audit", "angepasst"),
    "after": _p("audit", "nachher"),
    "before": _p("audit", "vorher"),
    "amount_cents": _p("audit", "Betrag (Cent)"),
    "application": _p("audit", "Antrag"),
    "attempt": _p("audit", "Versuch"),
    "attempts": _p("audit", "Versuche"),
    "completed": _p("audit", "abgeschlossen"),
    "computed_cents": _p("audit", "berechnet (Cent)"),
    "consent": _p("audit", "Zustimmung"),
    "created": _p("audit", "angelegt"),
    "declared": _p("audit", "erklärt"),
    "detail": _p("audit", "Angabe"),
    "everywhere": _p("audit", "überall"),
    "expires_at": _p("audit", "läuft ab"),
    "extract": _p("audit", "Auszug"),
    "failures": _p("audit", "Fehlversuche"),
    "fee_cents": _p("audit", "Gebühr (Cent)"),
    "fields": _p("audit", "Felder"),
    "file": _p("audit", "Datei"),
    "files": _p("audit", "Dateien"),
    "first_bad_seq": _p("audit", "erster beschädigter Eintrag"),
    "from": _p("audit", "von"),
    "to": _p("audit", "nach"),
    "held": _p("audit", "zurückgehalten"),
    "left_out": _p("audit", "ausgelassen"),
    "manifest": _p("audit", "Manifest"),
    "method": _p("audit", "Zahlweg"),
    "name": _p("audit", "Name"),
    "notice": _p("audit", "Bescheid"),
    "on": _p("audit", "am"),
    "opened_grant": _p("audit", "Zugang geöffnet"),
    "original_name": _p("audit", "Dateiname"),
    "problems": _p("audit", "Probleme"),
    "proof": _p("audit", "Nachweis"),
    "proofs": _p("audit", "Nachweise"),
    "redaction": _p("audit", "Schwärzung"),
    "sha256": _p("audit", "Prüfsumme (SHA-256)"),
    "size": _p("audit", "Größe"),
    "stamped": _p("audit", "mit Stempel"),
    "total_cents": _p("audit", "Summe (Cent)"),
    "unchanged": _p("audit", "unverändert"),
    "inbox": _p("audit", "im Eingang"),
    "source": _p("audit", "Quelle"),
    "legitimation": _p("audit", "Berechtigung"),
    "document": _p("audit", "Dokument"),
    "box": _p("audit", "Bereich"),
    "rows": _p("audit", "Zeilen"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def details_of(text: str) -> list[tuple[str, str]]:
    """An event's details as (label, value) pairs, in the order they were recorded."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return [("", text)]
    if not isinstance(data, dict):
        return [("", str(data))]
    pairs = []
    for key, value in data.items():
        if isinstance(value, bool):
            value = _l("ja") if value else _l("nein")
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        pairs.append((str(DETAIL_LABELS.get(key, key)), "" if value is None else str(value)))
    return pairs


def register(app: Flask) -> None:
    app.add_template_filter(action_label)
    app.add_template_filter(details_of)
