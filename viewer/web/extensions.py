"""The Flask extensions, created unbound and initialised by the app factory."""

from __future__ import annotations

from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

LANGUAGES = ("de", "en")

csrf = CSRFProtect()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
babel = Babel()


def select_locale() -> str:
    """German unless the visitor chose English (or the browser prefers it and chose nothing)."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="de") or "de"
