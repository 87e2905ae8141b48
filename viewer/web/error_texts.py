"""Every service error's code worded for the person at the browser, in their language.

Services raise errors with a stable ``code`` and ``params`` and an English message with the
advice an operator at the command line needs. That message never reaches a web page: this
catalogue words each code (German msgids, English through the translations), and a code it
does not know gets a plain sentence instead of the English text, with a log line so the gap
is found. ``tests/web/test_error_texts.py`` finds every code the sources raise and renders it
in both languages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from docstore.errors import BauakteError

log = logging.getLogger(__name__)

CAPABILITIES = {
    "ingest": _l("Dateien hochladen und den Eingang sortieren"),
    "edit": _l("Angaben zu Dokumenten und Bauakten ändern"),
    "grant": _l("Freigaben erteilen und widerrufen"),
    "review": _l("Anträge bearbeiten und entscheiden"),
    "audit": _l("das Protokoll lesen"),
    "administer": _l("Benutzer und Rollen verwalten"),
    "redact": _l("Seiten schwärzen"),
}

TEXTS = {
    "unavailable": _l(
        "Das Archiv ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut."
    ),
    "busy": _l(
        "Gerade ist zu viel auf einmal zu tun. Bitte versuchen Sie es in einigen Sekunden "
        "erneut."
    ),
    "search.busy": _l(
        "Die Suche ist gerade ausgelastet. Bitte versuchen Sie es in einigen Sekunden erneut; "
        "alle anderen Seiten funktionieren."
    ),
    "search.index_unusable": _l(
        "Die Suche ist vorübergehend nicht verfügbar: ihr Index wird repariert. Alle anderen "
        "Seiten funktionieren; bitte suchen Sie später erneut."
    ),
    # accounts
    "email.invalid": _l("Das ist keine gültige E-Mail-Adresse."),
    "password.short": _l("Das Passwort ist zu kurz: Bitte mindestens %(minimum)s Zeichen."),
    "password.monotonous": _l("Das Passwort hat zu wenige verschiedene Zeichen."),
    "password.name": _l("Das Passwort darf Ihren Benutzernamen oder Ihre E-Mail-Adresse nicht "
                        "enthalten."),
    "password.unchanged": _l("Bitte wählen Sie ein anderes Passwort als das bisherige."),
    "password.wrong": _l("Das Passwort ist nicht das Passwort dieses Kontos."),
    "password.confirm_current": _l("Bitte bestätigen Sie die Änderung mit Ihrem jetzigen "
                                   "Passwort."),
    "password.confirm_first": _l("Bitte bestätigen Sie das zuerst mit Ihrem Passwort."),
    "user.unknown_role": _l("Diese Rolle gibt es nicht."),
    "user.bad_name": _l("Der Benutzername darf 2 bis 100 Zeichen lang sein: Buchstaben, Ziffern "
                        "und . _ @ -"),
    "user.exists": _l("Den Benutzer „%(username)s“ gibt es schon."),
    "user.email_taken": _l("Ein anderes Konto hat diese E-Mail-Adresse schon."),
    "user.unknown": _l("Einen Benutzer „%(username)s“ gibt es nicht. Bitte prüfen Sie die "
                       "Schreibweise oder suchen Sie nach Name oder E-Mail-Adresse."),
    "user.disable_self": _l("Ihr eigenes Konto können Sie nicht sperren."),
    "registration.name": _l("Bitte geben Sie Ihren Namen an (1 bis 200 Zeichen)."),
    "token.name": _l("Bitte geben Sie dem Schlüssel einen Namen (1 bis 100 Zeichen)."),
    "totp.not_started": _l("Es wird gerade kein zweiter Faktor eingerichtet."),
    "totp.other_key": _l("Der zweite Faktor wurde unter einem anderen Schlüssel eingerichtet. "
                         "Bitte lassen Sie ihn von der Verwaltung zurücksetzen."),
    "totp.exists": _l("Für dieses Konto ist schon ein zweiter Faktor eingerichtet."),
    "profile.name_empty": _l("Ihr Name darf nicht leer sein."),
    "profile.too_long": _l("Bitte höchstens %(limit)s Zeichen, ohne Steuerzeichen."),
    "profile.language": _l("Bitte wählen Sie Deutsch oder Englisch."),
    "profile.same_email": _l("Das ist schon Ihre Adresse."),
    "profile.staff_close": _l("Konten der Mitarbeitenden schließt die Verwaltung."),
    "link.invalid": _l("Dieser Link ist nicht gültig."),
    "link.expired": _l("Dieser Link ist abgelaufen."),
    "link.used": _l("Dieser Link wurde schon benutzt."),
    "link.address_changed": _l("Die Adresse des Kontos hat sich geändert, seit der Link "
                               "verschickt wurde."),
    "link.other_account": _l("Dieser Link ist für ein anderes Konto."),
    "link.replaced": _l("Ein neuerer Link hat diesen ersetzt, oder er wurde schon benutzt."),
    "identity.staff": _l("Mitarbeitende melden sich mit Passwort und Einmalcode an."),
    "identity.taken": _l("Diese Identität gehört zu einem anderen Konto."),
    "identity.closed": _l("Dieses Konto ist geschlossen."),
    "signin.refused": _l("Die Anmeldung über den Identitätsdienst wurde abgewiesen."),
    "role.may_not": _l("Ihre Rolle erlaubt das nicht (%(capability)s)."),
    # applications and their review
    "application.building": _l("Bitte nennen Sie das Gebäude: Straße und Hausnummer, ein "
                               "Flurstück oder das Aktenzeichen."),
    "application.house_number": _l("Bitte geben Sie auch die Hausnummer an."),
    "application.street": _l("Diese Straße gibt es in unserem Straßenverzeichnis nicht. Bitte "
                             "prüfen Sie die Schreibweise."),
    "application.purpose": _l("Bitte nennen Sie den Zweck."),
    "application.proofs": _l("Bitte laden Sie den Nachweis hoch, der Ihre Berechtigung zeigt."),
    "application.chamber_number": _l("Bitte geben Sie Ihre Kammer-Mitgliedsnummer an."),
    "application.interest": _l("Bitte beschreiben Sie Ihr berechtigtes Interesse."),
    "application.answer": _l("Bitte schreiben Sie eine Antwort oder fügen Sie ein Dokument an."),
    "application.too_long": _l("Bitte höchstens %(limit)s Zeichen, ohne Steuerzeichen."),
    "application.staff": _l("Anträge stellen Bürgerinnen, Bürger und Architekturbüros."),
    "application.decided": _l("Über diesen Antrag ist schon entschieden."),
    "application.no_question": _l("Es gibt keine Rückfrage zu beantworten."),
    "review.question": _l("Bitte schreiben Sie die Rückfrage (1 bis %(limit)s Zeichen)."),
    "review.no_building_file": _l("Bitte wählen Sie die Bauakte, um die es geht."),
    "review.days": _l("Die Einsicht muss mindestens einen Tag dauern."),
    "review.applicant_gone": _l("Das Konto der antragstellenden Person gibt es nicht mehr."),
    "review.reason": _l("Bitte wählen Sie einen Ablehnungsgrund."),
    "review.explain": _l("Bitte begründen Sie die Entscheidung in wenigen Worten."),
    # the archive, grants, consents
    "not_found": _l("Das gibt es nicht, oder es ist für Ihr Konto nicht freigegeben."),
    "building_file.unknown": _l("Eine Bauakte mit dem Aktenzeichen „%(aktenzeichen)s“ gibt es "
                                "nicht."),
    "building_file.exists": _l("Die Bauakte %(aktenzeichen)s gibt es schon."),
    "user.ambiguous": _l("„%(username)s“ passt zu mehreren Konten. Bitte geben Sie den "
                         "Benutzernamen genau an."),
    "user.inactive": _l("Das Konto „%(username)s“ ist gesperrt oder geschlossen."),
    "archive.staff_list": _l("Die Liste aller Bauakten sehen nur Mitarbeitende."),
    "archive.view_only": _l("Ihre Freigabe erlaubt nur das Ansehen, nicht das Herunterladen."),
    "archive.plan_copy": _l("Die Urheberin oder der Urheber dieses Plans hat Kopien nicht "
                            "zugestimmt. Bestellen Sie einen Auszug mit der Erklärung nach § 45 "
                            "UrhG, oder fragen Sie die Bauaufsicht."),
    "grant.staff": _l("%(username)s gehört zu den Mitarbeitenden und sieht jede Akte schon."),
    "grant.ends_first": _l("Die Freigabe würde enden, bevor sie beginnt: Bitte wählen Sie ein "
                           "späteres Enddatum."),
    "grant.foreign_document": _l("Die gewählten Dokumente gehören nicht zur Bauakte "
                                 "%(aktenzeichen)s."),
    "grant.reason": _l("Die Begründung hat höchstens %(limit)s Zeichen, ohne Steuerzeichen."),
    "date.range": _l("Bitte wählen Sie ein Datum zwischen den Jahren 2 und 9998."),
    "consent.date": _l("Bitte geben Sie das Datum der Zustimmung an."),
    "consent.note": _l("Bitte notieren Sie, wie zugestimmt wurde (bis zu 1000 Zeichen)."),
    "consent.future": _l("Das Datum der Zustimmung darf nicht in der Zukunft liegen."),
    "consent.reason": _l("Bitte begründen Sie den Widerruf der Zustimmung (bis zu 1000 "
                         "Zeichen)."),
    "consent.none": _l("Für dieses Dokument liegt keine Zustimmung vor."),
    "redaction.staff": _l("Was geschwärzt ist, sehen nur Mitarbeitende."),
    "redaction.reason": _l("Bitte geben Sie den Grund der Schwärzung an (ohne Steuerzeichen)."),
    "redaction.too_many": _l("Eine Seite hat höchstens %(limit)s Schwärzungen."),
    "redaction.box": _l("Bitte geben Sie den Bereich in Prozent der Seite an; er muss einen Teil "
                        "der Seite bedecken."),
    # extracts
    "extract.pages_text": _l("Bitte schreiben Sie die Seiten in höchstens %(limit)s Zeichen."),
    "extract.not_pages": _l("„%(part)s“ ist keine Seite und kein Seitenbereich wie 2-4."),
    "extract.page_range": _l("Bitte wählen Sie Seiten zwischen 1 und %(count)s."),
    "extract.unstamped": _l("Auszüge ohne Stempel sind nur für Mitarbeitende."),
    "extract.too_many_pages": _l("Ein Auszug hat höchstens %(limit)s Seiten: Bitte wählen Sie "
                                 "weniger."),
    "extract.only_plans": _l("Alle gewählten Seiten sind Pläne, deren Urheber Kopien nicht "
                             "zugestimmt haben. Erklären Sie, dass die Kopie für ein Verfahren "
                             "vor einer Behörde ist (§ 45 UrhG), oder bitten Sie die Bauaufsicht, "
                             "die Zustimmung einzuholen."),
    "extract.none": _l("Bitte wählen Sie mindestens ein Dokument für den Auszug."),
    "extract.too_many": _l("Bitte wählen Sie höchstens %(limit)s Dokumente."),
    "extract.unfiled": _l("Dieses Dokument gehört noch zu keiner Bauakte."),
    "extract.no_pages": _l("Dieses Dokument hat keine Seiten."),
    "extract.one_file": _l("Ein Auszug entsteht aus einer Bauakte: Bitte bestellen Sie einen je "
                           "Akte."),
    "extract.unregistered": _l("Seite %(page)s ist nicht erfasst: Bitte fragen Sie die "
                               "Bauaufsicht."),
    "extract.queued": _l("Der Auszug wird noch erstellt: Bitte versuchen Sie es in einigen "
                         "Minuten erneut."),
    "extract.unpaid": _l("Der Auszug kann heruntergeladen werden, sobald die Gebühr bezahlt ist."),
    "extract.expired": _l("Der Link zum Auszug ist abgelaufen: Bitte bestellen Sie ihn erneut."),
    "extract.access_ended": _l("Ihre Freigabe für diese Dokumente ist beendet, und damit auch "
                               "der Auszug."),
    # fees and payments
    "fee.reason": _l("Bitte begründen Sie die geänderte Gebühr (bis zu 1000 Zeichen)."),
    "fee.amount": _l("Bitte prüfen Sie Betrag und Minuten: Eine Gebühr liegt zwischen 0 und "
                     "100.000 Euro."),
    "fee.cancel_reason": _l("Bitte begründen Sie die Aufhebung des Bescheids."),
    "fee.not_open": _l("Nur ein offener Bescheid kann aufgehoben werden."),
    "payment.amount": _l("Eine Zahlung liegt zwischen 0,01 und 100.000 Euro."),
    "payment.method": _l("Am Schalter: bar oder mit Karte."),
    "payment.receipt": _l("Bitte geben Sie die Belegnummer an (bis zu 100 Zeichen)."),
    "payment.receipt_booked": _l("Der Beleg %(receipt)s ist schon gebucht."),
    "payment.assigned": _l("Diese Zahlung ist schon zugeordnet."),
    "payment.no_notice": _l("Einen Gebührenbescheid %(notice)s gibt es nicht."),
    "payment.notice_cancelled": _l("Dieser Bescheid ist aufgehoben."),
    "payment.cancel_reason": _l("Bitte begründen Sie die Stornierung der Zahlung."),
    "payment.cancelled": _l("Diese Zahlung ist schon storniert."),
    "payment.nothing_open": _l("Zu diesem Bescheid ist nichts mehr zu zahlen."),
    "statement.unreadable": _l("Die Datei ist kein lesbarer Kontoauszug im Format CAMT.053."),
    "statement.too_large": _l("Die Datei ist größer als %(limit)s MB und damit kein "
                              "Kontoauszug."),
    "statement.format": _l("Die Datei ist kein Kontoauszug im Format CAMT.053. Bitte fordern "
                           "Sie den Auszug bei der Bank in diesem Format an."),
    "statement.dtd": _l("Die Datei enthält eine DTD oder Entitäten und wird deshalb nicht "
                        "gelesen."),
    "statement.xml": _l("Die Datei ist kein gültiges XML (technische Angabe: %(detail)s)."),
    "statement.schema": _l("Der Auszug entspricht nicht dem Schema CAMT.053 (technische Angabe: "
                           "%(detail)s)."),
    "statement.several": _l("Bitte lesen Sie je Datei einen Kontoauszug ein."),
    "statement.account": _l("Der Auszug ist für das Konto %(account)s, nicht für das "
                            "Gebührenkonto %(wanted)s."),
    # uploads and the register
    "upload.no_files": _l("Es wurden keine Dateien hochgeladen: Bitte wählen Sie mindestens eine "
                          "Datei."),
    "upload.manifest_among_files": _l("Die Manifest-Datei gehört in das Feld „Manifest“, nicht "
                                      "zu den Dateien."),
    "upload.manifest_type": _l("Das Manifest muss eine CSV- oder JSON-Datei sein."),
    "upload.manifest_unreadable": _l("Das Manifest %(name)s kann nicht gelesen werden: Bitte "
                                     "speichern Sie es als CSV (UTF-8) mit der Spalte „file“."),
    "upload.not_correctable": _l("%(name)s wartet nicht auf eine korrigierte Manifestzeile."),
    "upload.not_held": _l("Die Datei %(name)s liegt nicht mehr zur Korrektur bereit. Bitte laden "
                          "Sie sie erneut hoch."),
    "register.columns": _l("Die Kopfzeile des Verzeichnisses passt nicht: Sie braucht die Spalte "
                           "„aktenzeichen“ und nur bekannte Spalten."),
    # rows of an upload's manifest
    "row.kind": _l("„%(value)s“ ist keine bekannte Dokumentart (Spalte kind)."),
    "row.date": _l("„%(value)s“ in der Spalte %(column)s ist kein Datum: bitte in der Form "
                   "JJJJ-MM-TT, z. B. 2019-03-14."),
    "row.aktenzeichen": _l("Das Aktenzeichen „%(value)s“ enthält unzulässige Zeichen."),
    "row.address_without_file": _l("Eine Adresse oder ein Flurstück braucht ein Aktenzeichen, "
                                   "das die Bauakte nennt."),
    "row.valid_before_issued": _l("„valid_until“ liegt vor „issued_on“."),
    # search
    "too-many-words": _l("Bitte suchen Sie mit höchstens %(limit)s Wörtern."),
    "too-costly": _l("Die Suche ist zu aufwendig: Bitte weniger oder genauere Wörter."),
    "failed": _l("Das ist so nicht möglich. Bitte prüfen Sie Ihre Angaben."),
}  # fmt: skip

FALLBACK = TEXTS["failed"]
FORMATTERS: dict[str, Callable[[object], str]] = {
    "capability": lambda value: str(CAPABILITIES.get(str(value), value)),
}


def error_text(exc: BauakteError) -> str:
    """The error in the user's language; an unknown code falls back to a plain sentence."""
    return worded(exc.code, exc.params, str(exc))


def worded(code: str, params: dict[str, object], english: str = "") -> str:
    """A code and its parameters in the user's language (also for codes stored with data,
    such as a manifest row's problem on an uploaded file)."""
    template = TEXTS.get(code)
    if template is None:
        log.warning("no wording for error code %r: %s", code, english)
        template = FALLBACK
    values = {k: FORMATTERS.get(k, str)(v) for k, v in params.items()}
    try:
        return str(template) % values
    except (KeyError, ValueError, TypeError):
        log.warning("error code %r lacks parameters for its wording: %s", code, english)
        return str(FALLBACK)
