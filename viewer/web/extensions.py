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


def _search_limit() -> str:
    from .context import instance

    return instance().config.search_rate_limit


def _account_or_address() -> str:
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"account:{current_user.user.id}"
    return get_remote_address() or ""


SEARCH_LIMITS = (
    limiter.shared_limit(_search_limit, scope="search-address"),
    limiter.shared_limit(_search_limit, scope="search-account", key_func=_account_or_address),
)
"""Searches per address and per account, one count for the search page and the API."""


def limit_searches(view):
    for limit in SEARCH_LIMITS:
        view = limit(view)
    return view


def _application_limit() -> str:
    from .context import instance

    return instance().config.application_rate_limit


APPLICATION_LIMIT = limiter.shared_limit(
    _application_limit, scope="applications", key_func=_account_or_address, methods=["POST"]
)
"""New applications per account, one count for the form and the API (each sends a mail
and may store proofs)."""


def _extract_limit() -> str:
    from .context import instance

    return instance().config.values["extract_rate_limit"]


EXTRACT_LIMIT = limiter.shared_limit(
    _extract_limit, scope="extracts", key_func=_account_or_address, methods=["POST"]
)
"""Extract orders per account: each one keeps the worker busy for a while."""


def select_locale() -> str:
    """German unless the visitor chose English (or the browser prefers it and chose nothing)."""
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="de") or "de"
