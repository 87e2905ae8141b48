"""``bauakte serve``: the web app on gunicorn, threaded workers sharing nothing but the database.

Each worker process holds one search reader and one database pool; rate
limits and lockouts live in the database, so they hold across workers.
"""

from __future__ import annotations

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
    instance.db.dispose()
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
