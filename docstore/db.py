"""Engines and transactions for SQLite (embedded default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on.  Writers open their transaction
with ``BEGIN IMMEDIATE`` so that two processes never deadlock upgrading a read
lock; readers use a plain deferred ``BEGIN`` and are not blocked by writers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from .errors import Busy, ConfigError, ServiceUnavailable

SQLITE_BUSY_TIMEOUT_MS = 60_000


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception:
        raise ConfigError(f"database URL {url!r} is not a valid SQLAlchemy URL") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    raise ConfigError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own
        # transaction handling would defer it and break BEGIN IMMEDIATE).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def describe(engine: Engine) -> str:
    """The database's location, safe to print."""
    return engine.url.render_as_string(hide_password=True)


class Database:
    """An engine plus the two kinds of session Bauakte uses."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(sqlite_immediate=True), expire_on_commit=False
        )

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read session; commit yourself if you must write."""
        with reachable(self.engine), self._read() as session:
            yield session

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with reachable(self.engine), self._write() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


@contextlib.contextmanager
def reachable(engine: Engine) -> Iterator[None]:
    """Turn 'cannot connect' into a one-line error that names the database, and a
    transaction rolled back for another's sake into Busy ("try again", not a 500)."""
    try:
        yield
    except OperationalError as exc:
        if exc.connection_invalidated or _is_connect_error(exc):
            raise ServiceUnavailable(
                f"database at {describe(engine)} is unreachable "
                f"({str(exc.orig).strip().splitlines()[0]}); check BAUAKTE_DATABASE_URL "
                "and that the server is running"
            ) from None
        if contention(exc.orig):
            raise Busy(
                f"the database rolled this back ({str(exc.orig).strip().splitlines()[0]}); "
                "nothing of it was kept: try again"
            ) from exc
        raise


CONTENTION_STATES = frozenset({"40P01", "40001", "55P03"})
"""PostgreSQL's deadlock detected, serialization failure and lock not available."""


def contention(error: BaseException | None) -> bool:
    """A driver's error that says two transactions were in each other's way: one was rolled
    back whole, and trying again later succeeds (on SQLite: a writer waited past the busy
    timeout)."""
    if getattr(error, "sqlstate", None) in CONTENTION_STATES:
        return True
    return "database is locked" in str(error).lower()


def _is_connect_error(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(
        marker in text
        for marker in (
            "connection refused",
            "could not connect",
            "connection failed",
            "unable to open database file",
            "timeout expired",
            "no such host",
            "name or service not known",
            "server closed the connection",
        )
    )
