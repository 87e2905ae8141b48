"""Flask-Limiter's counters kept in Bauakte's database, shared by every server process.

The ``limits`` library finds storage classes by URI scheme; this one is
``bauakte-db://``.  It asks the app handling the request for its database
(the limiter object is shared by every app built in a process, as in the
tests, and must not keep the first app's database).  Only the fixed-window
strategy is offered.
"""

from __future__ import annotations

from typing import Any, ClassVar

from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError

from docstore.db import Database
from docstore.services import throttle


class DatabaseStorage(Storage):
    STORAGE_SCHEME: ClassVar[list[str]] = ["bauakte-db"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def db(self) -> Database:
        from .context import instance

        return instance().db

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self.db.transaction() as session:
            return throttle.hit(session, key, expiry, amount)

    def get(self, key: str) -> int:
        with self.db.session() as session:
            return throttle.count(session, key)

    def get_expiry(self, key: str) -> float:
        with self.db.session() as session:
            return throttle.expires_at(session, key)

    def check(self) -> bool:
        try:
            with self.db.session() as session:
                throttle.count(session, "health")
            return True
        except Exception:
            return False

    def reset(self) -> int | None:
        with self.db.transaction() as session:
            return throttle.clear_all(session)

    def clear(self, key: str) -> None:
        with self.db.transaction() as session:
            throttle.clear(session, key)
