"""A person's own account: their details, a new e-mail address, and deleting the account.

Deleting removes every personal detail and keeps the row under its
pseudonymous user name: the audit trail (which must stay as it was written)
and the records of who decided or saw what still point to it, but nothing
leads from there to the person any more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import PermissionDenied, UsageError
from ..models import Grant, MailMessage, User, utcnow
from . import applications, audit, identities, mail, sessions, signed_links, users
from .registration import LinkPolicy, Links

CHANGE_EMAIL = "change-email"
LANGUAGES = mail.LANGUAGES


@dataclass(frozen=True)
class Details:
    """What a person may say about themselves; empty strings clear a field."""

    display_name: str
    street: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    language: str = "de"


_LIMITS = {"display_name": 200, "street": 200, "postcode": 16, "city": 100, "phone": 50}


class BadDetail(UsageError):
    def __init__(self, field: str, message: str, code: str, **params: object) -> None:
        super().__init__(message, code, **params)
        self.field = field


def update_details(session: Session, user: User, details: Details) -> list[str]:
    """Store the details; returns the names of the fields that changed (for the audit trail,
    which records which fields changed, never their values)."""
    changed = []
    for field, limit in _LIMITS.items():
        value = " ".join(getattr(details, field).split())
        if field == "display_name" and not value:
            raise BadDetail(field, "your name cannot be empty", "profile.name_empty")
        if len(value) > limit or not value.isprintable():
            raise BadDetail(
                field,
                f"{field}: at most {limit} printable characters",
                "profile.too_long",
                limit=limit,
            )
        if (getattr(user, field) or "") != value:
            setattr(user, field, value or None)
            changed.append(field)
    if details.language not in LANGUAGES:
        raise BadDetail("language", f"language: one of {', '.join(LANGUAGES)}", "profile.language")
    if user.language != details.language:
        user.language = details.language
        changed.append("language")
    if changed:
        audit.record(session, "user.profile", actor=user, target_type="user", target_id=user.id,
                     details={"fields": changed})  # fmt: skip
    return changed


def request_email_change(
    session: Session,
    user: User,
    new_email: str,
    links: Links,
    policy: LinkPolicy,
    *,
    confirmed: sessions.Confirmed,
) -> None:
    """Mail a confirmation link to the new address; the old one stays until it is followed.

    The address is how a password is reset, so a stolen session alone must not move
    it: the password is asked again (``confirmed``).  An address another account has
    gets no mail and the answer is the same, so this form does not reveal who is
    registered.
    """
    confirmed.require(user)
    address = users.normal_email(new_email)
    if address == user.email:
        raise BadDetail("email", "this is your address already", "profile.same_email")
    if registered(session, address):
        return
    user.pending_email = address
    token = signed_links.make(
        policy.secret_key, CHANGE_EMAIL, [user.id, signed_links.fingerprint(address)]
    )
    mail.queue(
        session,
        user,
        "change_email",
        policy.context,
        to=address,
        link=links.change_email(token),
        hours=policy.confirm_hours,
    )
    audit.record(session, "user.email-change-request", actor=user, target_type="user",
                 target_id=user.id)  # fmt: skip


def registered(session: Session, address: str) -> bool:
    return session.scalar(select(User.id).where(User.email == address)) is not None


def confirm_email_change(session: Session, user: User, token: str, policy: LinkPolicy) -> str:
    """Take the new address a link confirms (the signed-in owner must follow it).

    The link names the address only by a fingerprint (links end up in
    server logs), so the address itself waits in ``pending_email``.  The old
    address is told (its owner may not be the one who changed it), and every
    session and token of the account ends: the caller starts a new session.
    """
    payload = signed_links.read(policy.secret_key, CHANGE_EMAIL, token, policy.confirm_hours * 3600)
    if len(payload) != 2 or payload[0] != user.id:
        raise signed_links.LinkInvalid("this link is not for this account", "link.other_account")
    address = user.pending_email
    if address is None or signed_links.fingerprint(address) != payload[1]:
        raise signed_links.LinkInvalid(
            "a newer change replaced this link, or it was used", "link.replaced"
        )
    if registered(session, address):
        raise signed_links.LinkInvalid("another account has this address now", "user.email_taken")
    old = user.email
    user.email, user.pending_email = address, None
    user.email_confirmed_at = utcnow()
    audit.record(session, "user.email-change", actor=user, target_type="user", target_id=user.id)
    if old:
        mail.queue(session, user, "email_changed", policy.context, to=old,
                   new_address=masked(address))  # fmt: skip
    sessions.end_all(session, user, reason="e-mail address changed", actor=user)
    return address


def masked(address: str) -> str:
    """``e***@example.de``: enough for the owner to recognise, not a new address to harvest."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def delete_own_account(session: Session, user: User, *, confirmed: sessions.Confirmed) -> None:
    """The person's own deletion (staff accounts are closed by an admin instead).

    Grants end, open applications are withdrawn, sessions and tokens end, mail
    not yet sent is dropped; the row stays, emptied, under its pseudonym.
    """
    confirmed.require(user)
    if user.is_staff:
        raise PermissionDenied(
            "staff accounts are closed by an administrator", "profile.staff_close"
        )
    now = utcnow()
    for grant in session.scalars(
        select(Grant).where(Grant.user_id == user.id, Grant.revoked_at.is_(None))
    ):
        grant.revoked_at, grant.revoked_by_id = now, user.id
    applications.withdraw_all(session, user)
    identities.forget(session, user)
    session.execute(delete(MailMessage).where(MailMessage.user_id == user.id))
    audit.record(session, "user.delete", actor=user, target_type="user", target_id=user.id)
    sessions.end_all(session, user, reason="account deleted", actor=user)
    users.erase_personal_data(user)
