"""The job queue of server deployments: Procrastinate on the metadata database.

Why Procrastinate: the queue is a table in the PostgreSQL Bauakte already
needs, so a job is enqueued in the same transaction as its upload's rows (an
upload is never recorded without its jobs, nor a job without its upload), no
further server has to run, and workers on any host only need the database.
Each uploaded file is one job: files of a large upload spread over the
workers, and one file that keeps failing holds up nothing else.

This module is the one place that talks to Procrastinate; the job's work is
:mod:`ingest.queued_ingest`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

import procrastinate
import psycopg
from sqlalchemy import text
from sqlalchemy.orm import Session

from docstore.db import contention
from docstore.errors import Busy, ServiceUnavailable
from docstore.instance import Instance

log = logging.getLogger(__name__)

INGEST_FILE = "bauakte.ingest_file"
RETRY_STALLED = "bauakte.retry_stalled"
SWEEP_ORPHANS = "bauakte.sweep_orphans"
INGEST_QUEUE = "ingest"
RETRY_WAIT = 5
"""Waits between tries grow as RETRY_WAIT ** try: 5 s, 25 s, 2 min, 10 min, 52 min (a
server restarting, then an outage of an hour); the tries are ``job_attempts``."""
HEARTBEAT_SECONDS = 2.0
STALLED_SECONDS = 20.0
"""A worker silent this long is taken for dead and its jobs are tried again (the heartbeat
comes from the worker's event loop, which an ingest running in a thread does not block)."""
SCHEMA_LOCK = 0x62617561  # pg advisory lock id: one process applies the schema


def conninfo(database_url: str) -> str:
    """psycopg's connection string from the SQLAlchemy URL (``postgresql+psycopg://``)."""
    scheme, sep, rest = database_url.partition("://")
    return "postgresql://" + rest if sep and scheme.startswith("postgresql") else database_url


def make_app(instance: Instance) -> procrastinate.App:
    """A Procrastinate app with Bauakte's tasks; opened only by the worker (deferring uses
    the caller's own database connection)."""
    from . import queued_ingest

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(instance.config.database_url))
    )

    retry = procrastinate.RetryStrategy(
        max_attempts=max(0, instance.config.job_attempts - 1), exponential_wait=RETRY_WAIT
    )

    @app.task(name=INGEST_FILE, queue=INGEST_QUEUE, retry=retry, pass_context=True)
    def ingest_file(context: procrastinate.JobContext, batch_id: int, file_id: int) -> None:
        assert context.job is not None
        queued_ingest.ingest_file(
            context.additional_context["instance"], batch_id, file_id, context.job.attempts
        )

    @app.periodic(cron="* * * * * */10", periodic_id="stalled")
    @app.task(name=RETRY_STALLED, queueing_lock=RETRY_STALLED, pass_context=True)
    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
        """Jobs of a worker that died (killed, its host gone) are tried again."""
        manager = context.app.job_manager
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_SECONDS):
            log.warning("job %s (%s) was running on a worker that stopped: tried again",
                        job.id, job.task_name)  # fmt: skip
            await manager.retry_job(job)

    @app.periodic(cron="23 * * * *", periodic_id="orphans")
    @app.task(name=SWEEP_ORPHANS, queueing_lock=SWEEP_ORPHANS, pass_context=True)
    def sweep_orphans(context: procrastinate.JobContext, timestamp: int) -> None:
        """Hourly: staged files of uploads that were never recorded go."""
        queued_ingest.sweep_orphans(context.additional_context["instance"])

    return app


def defer_files(session: Session, batch_id: int, file_ids: Iterable[int]) -> None:
    """Enqueue one job per file in the session's own transaction."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)
    app = _deferring_app()
    try:
        for file_id in file_ids:
            app.configure_task(INGEST_FILE, queue=INGEST_QUEUE, connection=connection).defer(
                batch_id=batch_id, file_id=file_id
            )
    except procrastinate.exceptions.ConnectorException as exc:  # the database went away
        if contention(exc.__cause__):
            raise Busy(f"the job queue rolled this back ({exc.__cause__}): try again") from exc
        raise ServiceUnavailable(
            f"the job queue cannot be reached ({exc.__cause__ or exc}); check "
            "BAUAKTE_DATABASE_URL and that the server is running"
        ) from exc


_DEFERRER: procrastinate.App | None = None


def _deferring_app() -> procrastinate.App:
    """Deferring by task name on a caller's connection needs no pool and no task objects."""
    global _DEFERRER
    if _DEFERRER is None:
        _DEFERRER = procrastinate.App(connector=procrastinate.SyncPsycopgConnector())
    return _DEFERRER


_READY: set[str] = set()


def ensure_schema(instance: Instance) -> bool:
    """Create the queue's tables once (a worker's start, a process's first upload);
    returns True when they were created."""
    url = instance.config.database_url
    if url in _READY:
        return False
    with instance.db.transaction() as s:
        s.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": SCHEMA_LOCK})
        if s.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is not None:
            _READY.add(url)
            return False
        raw = s.connection().connection.driver_connection
        raw.execute(procrastinate.schema.SchemaManager.get_schema())  # type: ignore[union-attr]
    _READY.add(url)
    return True


def run_worker(instance: Instance, concurrency: int, name: str | None = None) -> None:
    """Run jobs until SIGINT/SIGTERM (a job in progress is finished first)."""
    ensure_schema(instance)
    app = make_app(instance)
    app.run_worker(
        concurrency=concurrency,
        name=name,
        additional_context={"instance": instance},
        update_heartbeat_interval=HEARTBEAT_SECONDS,
        stalled_worker_timeout=STALLED_SECONDS,
        delete_jobs="successful",
    )


def retry_failed(instance: Instance) -> int:
    """Jobs that failed for good (their last try raised) are tried again now."""
    app = make_app(instance)
    with app.open():
        failed = list(app.job_manager.list_jobs(status="failed"))
        for job in failed:
            assert job.id is not None
            app.job_manager.retry_job_by_id(job.id, dt.datetime.now(dt.UTC))
    return len(failed)


def status(instance: Instance) -> dict[str, Any]:
    """Waiting, running and failed jobs and live workers, for ``bauakte doctor``."""
    with instance.db.session() as s:
        if s.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
            return {"schema": False}
        by_status = ("SELECT status::text, count(*) FROM procrastinate_jobs "
                     "WHERE task_name = :task GROUP BY status")  # fmt: skip
        counts = dict(s.execute(text(by_status), {"task": INGEST_FILE}).all())
        workers = s.scalar(  # the database's clock on both sides
            text("SELECT count(*) FROM procrastinate_workers "
                 "WHERE last_heartbeat > NOW() - make_interval(secs => :s)"),
            {"s": STALLED_SECONDS},
        )  # fmt: skip
    return {"schema": True, "jobs": counts, "workers": workers or 0}
