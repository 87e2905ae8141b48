"""Who is signed in: the Flask-Login user, its loader, and the sign-in policy."""

from __future__ import annotations

from flask import url_for
from flask_login import UserMixin
from sqlalchemy import select

from docstore.models import User
from docstore.services import signin

from ..context import instance
from ..extensions import login_manager


class SignedIn(UserMixin):
    """The signed-in user for Flask-Login; the id carries the session epoch."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_epoch}"

    @property
    def is_staff(self) -> bool:
        return self.user.is_staff

    @property
    def username(self) -> str:
        return self.user.username


@login_manager.user_loader
def load_user(user_id: str) -> SignedIn | None:
    """A session from before "sign out everywhere", or of a disabled account, is void."""
    ident, _sep, epoch = user_id.partition(":")
    if not ident.isdigit() or not epoch.isdigit():
        return None
    with instance().db.session() as s:
        user = s.scalar(select(User).where(User.id == int(ident)))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return SignedIn(user)


def policy() -> signin.SignInPolicy:
    config = instance().config
    return signin.SignInPolicy(
        config.secret_key, config.signin_max_failures, config.signin_lockout_minutes * 60
    )


def safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("archive.start")
