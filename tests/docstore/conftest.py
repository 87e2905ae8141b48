from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from docstore.db import Database
from docstore.migrate import upgrade
from docstore.models import BuildingFile, Role, User
from docstore.services import building_files, users
from docstore.services.actors import CONSOLE

PASSWORD = "correct-horse-battery"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database: SQLite and PostgreSQL in turn."""
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.transaction() as s:
        yield s


def make_user(session: Session, name: str, role: Role) -> User:
    return users.create_user(session, name, PASSWORD, role, actor=CONSOLE)


def make_file(session: Session, az: str) -> BuildingFile:
    return building_files.create_building_file(
        session,
        az,
        street="Hauptstraße",
        house_number="1",
        postcode="50667",
        municipality="Köln",
        actor=CONSOLE,
    )
