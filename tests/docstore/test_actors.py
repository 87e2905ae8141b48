"""One explicit actor: a forgotten actor is an error, nobody may do nothing, the console all."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from sqlalchemy import select

import docstore.services
from docstore.errors import PermissionDenied
from docstore.models import AuditEvent, Role
from docstore.services import access, roles, users
from docstore.services.actors import CONSOLE, Console
from docstore.services.roles import Capability
from docstore.services.signin import SignInPolicy, sign_in

from .conftest import PASSWORD, make_file, make_user


def _service_functions():
    """Every public service function, but the checks that judge an actor they are given
    (``roles.can``, ``require*``) and the actor helpers themselves."""
    for info in pkgutil.iter_modules(docstore.services.__path__):
        if info.name == "actors":
            continue
        module = importlib.import_module(f"docstore.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith(("_", "can", "require")):
                continue
            yield f"{info.name}.{name}", inspect.signature(fn)


def test_every_service_takes_its_actor_as_a_required_keyword() -> None:
    with_actor = {name: sig.parameters["actor"] for name, sig in _service_functions()
                  if "actor" in sig.parameters}  # fmt: skip
    assert len(with_actor) >= 15  # the scan found the services
    for name, parameter in with_actor.items():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameter.default is inspect.Parameter.empty, f"{name} has a default actor"


def test_a_forgotten_actor_is_an_error_not_full_rights(session) -> None:
    with pytest.raises(TypeError, match="actor"):
        users.create_user(session, "mallory", PASSWORD, Role.ADMIN)  # type: ignore[call-arg]
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "user.create")) is None


def test_nobody_may_do_anything_and_the_console_everything(session) -> None:
    for capability in Capability:
        assert not roles.can(None, capability)
        assert roles.can(CONSOLE, capability)
    with pytest.raises(PermissionDenied, match="not signed in"):
        users.create_user(session, "mallory", PASSWORD, Role.ADMIN, actor=None)  # type: ignore[arg-type]
    citizen = make_user(session, "erika", Role.CITIZEN)
    with pytest.raises(PermissionDenied, match="erika"):
        users.set_role(session, citizen, Role.ADMIN, actor=citizen)
    assert access.visibility(session, None) == access.NOTHING
    assert access.visibility(session, CONSOLE) == access.EVERYTHING
    assert access.visible_building_file_ids(session, CONSOLE) is None


def test_the_trail_names_the_console_and_the_visitor_who_was_not_signed_in(session) -> None:
    make_file(session, "63-BA-2020-0001")  # by the console
    policy = SignInPolicy(secret_key="k" * 32)
    sign_in(session, "no.such.user", "guess", address="192.0.2.1", policy=policy)
    names = dict(session.execute(select(AuditEvent.action, AuditEvent.actor_name)).all())
    assert names["building_file.create"] == CONSOLE.name
    assert names["building_file.create"].startswith("console")
    assert names["sign-in-failed"] == "(not signed in)"
    assert isinstance(CONSOLE, Console)
