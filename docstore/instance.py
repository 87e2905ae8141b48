"""One Bauakte instance: its configuration, database and object store, opened lazily."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from storage import ObjectStore, StorageError, open_store

from .config import Config, ensure_config_file, load_config
from .db import Database, reachable
from .errors import ConfigError, ServiceUnavailable
from .mail_transport import MailTransport, open_transport
from .migrate import current_revision, head_revision, upgrade


@dataclass(frozen=True)
class InitReport:
    home: str
    database: str
    store: str
    secret_generated: bool
    revision: str | None


class Instance:
    def __init__(self, config: Config) -> None:
        self.config = config

    @cached_property
    def db(self) -> Database:
        return Database(self.config.database_url)

    @cached_property
    def store(self) -> ObjectStore:
        try:
            return open_store(self.config.storage_url)
        except StorageError as exc:
            raise ConfigError(f"{exc} (check BAUAKTE_STORAGE_URL)") from None

    @cached_property
    def mail_transport(self) -> MailTransport:
        return open_transport(self.config.smtp_url)

    def initialise(self) -> InitReport:
        """Create or bring up to date: folder, config with secret key, schema, bucket.

        Safe to run again on an existing instance.
        """
        home = self.config.home
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot create the instance folder {home}: {exc.strerror}") from None
        generated = ensure_config_file(self.config)
        if generated:
            self.config = load_config(
                {
                    k: v
                    for k, v in self.config.values.items()
                    if self.config.sources[k] == "override"
                }
            )
        self.upgrade_schema()
        self.store.ensure_ready()
        return InitReport(
            home=str(home),
            database=self.db.engine.url.render_as_string(hide_password=True),
            store=self.store.location,
            secret_generated=generated,
            revision=head_revision(self.db.engine),
        )

    def upgrade_schema(self) -> None:
        with reachable(self.db.engine):
            upgrade(self.db.engine)

    def require_schema(self) -> None:
        """Fail with advice when the database is not initialised or is behind the code."""
        url = self.db.engine.url
        if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
            raise ServiceUnavailable(
                f"no Bauakte database at {url.database}: run 'bauakte init' "
                "(or set BAUAKTE_HOME to an existing instance)"
            )
        with reachable(self.db.engine):
            current = current_revision(self.db.engine)
        head = head_revision(self.db.engine)
        if current is None:
            raise ServiceUnavailable("the database has no Bauakte schema yet: run 'bauakte init'")
        if current != head:
            raise ServiceUnavailable(
                f"the database schema is at {current}, this version needs {head}: "
                "run 'bauakte db upgrade'"
            )

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
