"""Accounts: signing in (password, then a one-time code for staff), signing out, language."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import api_tokens, password, password_change, second_factor  # noqa: E402,F401 - views register on bp
from .password import SignedIn  # noqa: E402

__all__ = ["SignedIn", "bp"]
