"""The grant desk finds the person meant by name, address or user name, in any case."""

from __future__ import annotations

import pytest

from docstore.errors import PermissionDenied
from docstore.models import Role
from docstore.services import people
from docstore.services.actors import CONSOLE

from .conftest import make_user


@pytest.fixture
def persons(session):
    for name, display, role in (
        ("oe.citizen", "Ömer Özdemir", Role.CITIZEN),
        ("ue.citizen", "Ute Übel", Role.CITIZEN),
        ("oz.clerk", "Özlem Clerk", Role.CLERK),
        ("pct_user", "Hundert % Sicher", Role.CITIZEN),
    ):
        user = make_user(session, name, role)
        user.display_name = display
    session.flush()
    return session


def _names(session, text: str) -> list[str]:
    return [u.username for u in people.suggestions(session, text, actor=CONSOLE)]


def test_names_with_capital_umlauts_are_found_in_any_case(persons) -> None:
    assert _names(persons, "özdemir") == ["oe.citizen"]
    assert _names(persons, "ÜBEL") == ["ue.citizen"]
    assert _names(persons, "ömer ö") == ["oe.citizen"]


def test_staff_are_never_offered_and_wildcards_match_themselves(persons) -> None:
    assert _names(persons, "özlem") == []  # a clerk holds no grant
    assert _names(persons, "t_u") == ["pct_user"]
    assert _names(persons, "% s") == ["pct_user"]
    assert _names(persons, "__") == []


def test_only_those_who_grant_may_look(persons) -> None:
    citizen = make_user(persons, "people.citizen", Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        people.suggestions(persons, "özdemir", actor=citizen)
