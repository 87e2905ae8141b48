"""The account services' refusals, worded for the person in front of the browser."""

from __future__ import annotations

from flask_babel import gettext as _

from docstore.services.users import WeakPassword


def password_problem(exc: WeakPassword) -> str:
    if exc.reason == "short":
        return _("Das Passwort ist zu kurz: Bitte mindestens %(num)s Zeichen.", num=exc.minimum)
    if exc.reason == "monotonous":
        return _("Das Passwort hat zu wenige verschiedene Zeichen.")
    if exc.reason == "name":
        return _("Das Passwort darf Ihren Benutzernamen oder Ihre E-Mail-Adresse nicht enthalten.")
    return _("Bitte wählen Sie ein anderes Passwort als das bisherige.")
