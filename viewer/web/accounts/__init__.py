"""Accounts: signing in (password, then a one-time code for staff), signing out, language."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import (  # noqa: E402,F401 - views register on bp
    api_tokens,
    password,
    password_change,
    profile,
    registration,
    saml,
    second_factor,
)
from .password import SignedIn  # noqa: E402

__all__ = ["SignedIn", "bp"]
