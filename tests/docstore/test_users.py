from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from docstore.errors import Conflict, UsageError
from docstore.models import AuditEvent, Role, User
from docstore.services import users
from docstore.services.actors import CONSOLE
from tests.docstore.conftest import PASSWORD


def test_create_and_authenticate(session) -> None:
    user = users.create_user(session, "anna.k", PASSWORD, "clerk", actor=CONSOLE)
    assert user.role == "clerk"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert users.authenticate(session, "anna.k", PASSWORD) is user
    assert users.authenticate(session, "anna.k", PASSWORD + "x") is None
    assert users.authenticate(session, "nobody", PASSWORD) is None
    user.active = False
    assert users.authenticate(session, "anna.k", PASSWORD) is None


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("anna", "short", "at least 12"),
        ("anna", "aaaaaaaaaaaaaaa", "different characters"),
        ("anna", "anna-is-my-password", "user name"),
        ("../x", PASSWORD, "not allowed"),
    ],
)
def test_bad_input_is_refused(session, name, password, message) -> None:
    with pytest.raises(UsageError, match=message):
        users.create_user(session, name, password, "citizen", actor=CONSOLE)
    assert session.scalar(select(User).where(User.username == name)) is None


def test_unknown_role_and_duplicate(session) -> None:
    with pytest.raises(UsageError, match="unknown role 'boss'"):
        users.create_user(session, "bob", PASSWORD, "boss", actor=CONSOLE)
    users.create_user(session, "bob", PASSWORD, "citizen", actor=CONSOLE)
    with pytest.raises(Conflict):
        users.create_user(session, "bob", PASSWORD, "citizen", actor=CONSOLE)


def test_rehash_when_parameters_change(session) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    user = users.create_user(session, "old.account", PASSWORD, Role.CITIZEN, actor=CONSOLE)
    user.password_hash = old.hash(PASSWORD)
    weak_hash = user.password_hash
    assert users.authenticate(session, "old.account", PASSWORD) is user
    assert user.password_hash != weak_hash
    assert not PasswordHasher().check_needs_rehash(user.password_hash)
    assert users.authenticate(session, "old.account", PASSWORD) is user


def test_create_and_role_change_are_audited(session) -> None:
    admin = users.create_user(session, "admin1", PASSWORD, Role.ADMIN, actor=CONSOLE)
    user = users.create_user(session, "carl", PASSWORD, Role.CITIZEN, actor=admin)
    users.set_role(session, user, "architect", actor=admin)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    actions = [e.action for e in events]
    assert actions == ["user.create", "user.create", "user.role_change", "sessions.end-all"]
    assert events[1].actor_name == "admin1"
    assert events[0].actor_name.startswith("console")
    assert '"to":"architect"' in events[2].details
