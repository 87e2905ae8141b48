"""``bauakte serve``: the web app on gunicorn, threaded workers sharing nothing but the database.

Each worker process holds one search reader and one database pool; rate
limits and lockouts live in the database, so they hold across workers.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from docstore.instance import Instance
from indexer.lexicon import lexicon

from . import access_log


class _Gunicorn(BaseApplication):
    def __init__(self, instance: Instance, options: dict[str, Any]) -> None:
        self._instance = instance
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        from .web import create_app

        # a fresh instance per worker: database pools must not cross a fork
        return create_app(Instance(self._instance.config))


def serve(instance: Instance, host: str, port: int, workers: int, threads: int) -> None:
    """Run until interrupted; the app is built in each worker after the fork.

    The spool worker that ingests browser uploads runs beside the web
    workers as its own process (``bauakte spool``) and stops with them.
    """
    instance.require_schema()
    if instance.config.search_concurrency >= threads:
        print(
            f"warning: search_concurrency {instance.config.search_concurrency} is not below "
            f"--threads {threads}: searches can take every thread from the page views",
            file=sys.stderr,
        )
    instance.db.dispose()
    _few_malloc_arenas()
    lexicon()  # read once before the fork: the workers share its pages
    spool = subprocess.Popen([sys.executable, "-m", "viewer.cli", "spool"])
    try:
        _run(instance, host, port, workers, threads)
    finally:
        spool.terminate()
        try:
            spool.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spool.kill()


M_ARENA_MAX = -8
"""glibc's mallopt parameter (malloc.h)."""
ARENAS = "2"


def _few_malloc_arenas() -> None:
    """Two malloc arenas per process, unless the operator set MALLOC_ARENA_MAX. glibc
    gives each thread that allocates an arena of its own, up to 8 per core: a worker's
    threads then hold tens of MB each of freed memory. Set here, before the fork, so the
    web workers have it whatever starts ``bauakte serve`` (systemd, honcho, by hand); the
    environment variable carries it to the spool process."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    os.environ["MALLOC_ARENA_MAX"] = ARENAS
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to limit
        ctypes.CDLL("libc.so.6").mallopt(M_ARENA_MAX, int(ARENAS))


def _run(instance: Instance, host: str, port: int, workers: int, threads: int) -> None:
    _Gunicorn(
        instance,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "timeout": 120,
            "keepalive": 15,  # browsers reuse a connection for the next page's images
            "graceful_timeout": 10,
            "accesslog": "-",
            "access_log_format": access_log.FORMAT,
            "logger_class": access_log.RedactingLogger,
            "forwarded_allow_ips": "127.0.0.1",
        },
    ).run()
