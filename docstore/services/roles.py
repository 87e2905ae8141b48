"""What each role may do besides seeing documents (which :mod:`.access` decides).

The console operator (:data:`.actors.CONSOLE`) may do everything: whoever
runs the CLI on the server already holds the database.  Nobody (``None``)
may do anything.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import PermissionDenied
from ..models import Role
from .actors import Actor, Console, actor_name


class Capability(StrEnum):
    INGEST = "ingest"
    """Upload files and sort the inbox."""
    EDIT = "edit"
    """Change document and building-file metadata."""
    GRANT = "grant"
    """Give and revoke external users' access."""
    REVIEW = "review"
    """Work on applications and decide them."""
    AUDIT = "audit"
    """Read the audit trail and search the whole archive for an inquiry."""
    ADMINISTER = "administer"
    """Manage users and roles."""
    REDACT = "redact"
    """Black out regions of pages for people outside the authority."""


ALLOWED: dict[Capability, frozenset[Role]] = {
    Capability.INGEST: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.EDIT: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.GRANT: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.REVIEW: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.AUDIT: frozenset({Role.AUDITOR, Role.ADMIN}),
    Capability.ADMINISTER: frozenset({Role.ADMIN}),
    Capability.REDACT: frozenset({Role.CLERK, Role.ADMIN}),
}


def can(actor: Actor | None, capability: Capability) -> bool:
    if isinstance(actor, Console):
        return True
    if actor is None:
        return False
    return actor.active and actor.role in ALLOWED[capability]


def require(actor: Actor | None, capability: Capability) -> None:
    if not can(actor, capability):
        role = f" ({actor.role})" if actor is not None and not isinstance(actor, Console) else ""
        raise PermissionDenied(
            f"{actor_name(actor)}{role} may not {capability.value}",
            "role.may_not",
            capability=capability.value,
        )
