"""Who acts: a signed-in user, or the operator at the server's console, named explicitly.

Every service that changes or reveals something takes ``actor`` as a
required keyword, so a forgotten actor is a ``TypeError``, never full
rights.  ``None`` means nobody is signed in: no capability, nothing visible.
The console (``bauakte`` on the server) may do everything, because whoever
runs it already holds the database and the object store; only the services
in :mod:`.roles` and :mod:`.access` decide so.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TypeAlias

from ..models import User


@dataclass(frozen=True)
class Console:
    """The operator at the console: recorded in the audit trail by their system account."""

    @property
    def name(self) -> str:
        try:
            return f"console:{getpass.getuser()}"
        except (KeyError, OSError):
            return "console"


CONSOLE = Console()
Actor: TypeAlias = User | Console
ANONYMOUS_NAME = "(not signed in)"


def actor_name(actor: Actor | None) -> str:
    if isinstance(actor, Console):
        return actor.name
    return actor.username if actor is not None else ANONYMOUS_NAME


def user_of(actor: Actor | None) -> User | None:
    """The account behind the actor (None for the console and for nobody)."""
    return actor if isinstance(actor, User) else None


def user_id_of(actor: Actor | None) -> int | None:
    user = user_of(actor)
    return user.id if user is not None else None
