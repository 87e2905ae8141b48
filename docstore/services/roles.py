"""What each role may do besides seeing documents (which :mod:`.access` decides).

The console operator (actor None) may do everything: whoever runs the CLI
on the server already holds the database.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import PermissionDenied
from ..models import Role, User


class Capability(StrEnum):
    INGEST = "ingest"
    """Upload files and sort the inbox."""
    EDIT = "edit"
    """Change document and building-file metadata."""
    GRANT = "grant"
    """Give and revoke external users' access."""
    AUDIT = "audit"
    """Read the audit trail and search the whole archive for an inquiry."""
    ADMINISTER = "administer"
    """Manage users and roles."""


ALLOWED: dict[Capability, frozenset[Role]] = {
    Capability.INGEST: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.EDIT: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.GRANT: frozenset({Role.CLERK, Role.ADMIN}),
    Capability.AUDIT: frozenset({Role.AUDITOR, Role.ADMIN}),
    Capability.ADMINISTER: frozenset({Role.ADMIN}),
}


def can(user: User | None, capability: Capability) -> bool:
    if user is None:
        return True
    return user.active and user.role in ALLOWED[capability]


def require(user: User | None, capability: Capability) -> None:
    if not can(user, capability):
        who = user.username if user else "?"
        raise PermissionDenied(f"{who} ({user.role if user else '?'}) may not {capability.value}")
