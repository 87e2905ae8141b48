from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from docstore.db import Database
from docstore.migrate import alembic_config, current_revision, downgrade, head_revision, upgrade
from docstore.models import Base


def test_models_and_migrations_agree(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent_and_at_head(db: Database) -> None:
    upgrade(db.engine)
    assert current_revision(db.engine) == head_revision(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert {"building_files", "documents", "pages", "blobs", "users", "grants"} <= tables
    assert {"audit_events", "audit_chain_head", "index_outbox", "access_requests"} <= tables


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


def test_every_migration_goes_down_and_up_again(db: Database) -> None:
    """Step by step from the head to the first revision and back, on both databases."""
    script = ScriptDirectory.from_config(alembic_config(db.engine))
    revisions = [r.revision for r in script.walk_revisions()]  # head first
    for below in [*revisions[1:], "base"]:
        downgrade(db.engine, below)
        assert current_revision(db.engine) == (None if below == "base" else below)
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(db.engine)
    assert current_revision(db.engine) == head_revision(db.engine)
    test_models_and_migrations_agree(db)
