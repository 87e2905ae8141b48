"""Who is signed in: the Flask-Login user, its loader, and the sign-in policy."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for
from flask_login import UserMixin

from docstore.models import User
from docstore.services import sessions, signin

from ..context import instance
from ..extensions import login_manager


class SignedIn(UserMixin):
    """The signed-in user for Flask-Login; the id is the server-side session's key."""

    def __init__(self, user: User, session_key: str | None = None) -> None:
        self.user = user
        self.session_key = session_key
        """None when the request came with an API token instead of a session."""

    def get_id(self) -> str | None:
        return self.session_key

    @property
    def is_staff(self) -> bool:
        return self.user.is_staff

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def label(self) -> str:
        """How the page header names the user: a citizen's user name is a pseudonym."""
        return self.user.display_name or self.user.username


@login_manager.user_loader
def load_user(session_key: str) -> SignedIn | None:
    """Only a live session row signs a browser in (see docstore.services.sessions)."""
    db = instance().db
    with db.session() as s:
        live = sessions.resolve(s, session_key, policy().lifetime)
    if live is None:
        return None
    if live.needs_touch:
        with db.transaction() as s:
            sessions.touch(s, live.session_id)
    return SignedIn(live.user, session_key)


def policy() -> signin.SignInPolicy:
    config = instance().config
    return signin.SignInPolicy(
        config.secret_key,
        config.signin_max_failures,
        config.signin_lockout_minutes * 60,
        sessions.Lifetime(config.session_hours, config.session_idle_minutes),
    )


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would help phishing.

    Browsers drop tabs and newlines from a URL and read a backslash as a
    slash, so a ``next`` of slash, tab, ``/evil.example`` or ``/\\evil.example`` would leave the
    site; any such character, or anything a URL parser reads as a scheme or
    a host, sends the user to the start page instead.
    """
    if target and _same_origin_path(target):
        return target
    return url_for("archive.start")


def _same_origin_path(target: str) -> bool:
    if len(target) > 2000 or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
