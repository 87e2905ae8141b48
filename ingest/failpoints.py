"""Named points where a test can freeze a real ingest process, to kill it exactly there.

With ``BAUAKTE_PAUSE_AT=<name>`` set, the process that reaches ``<name>``
stops itself (SIGSTOP); the kill-and-rerun test then SIGKILLs the whole
process group.  Without the variable this is a dictionary lookup: nothing.
"""

from __future__ import annotations

import os
import signal

POINTS = (
    "worker.storing",  # renditions stored, original not yet
    "worker.stored",  # original stored, result not yet reported
    "register.flushed",  # document rows written, transaction not committed
    "register.committed",  # committed, not yet reported
)


def pause_at(name: str) -> None:
    if os.environ.get("BAUAKTE_PAUSE_AT") == name:
        os.kill(os.getpid(), signal.SIGSTOP)


def crash_on(file_name: str) -> None:
    """With ``BAUAKTE_CRASH_ON=<name>``, a queue worker dies (exit 70, nothing cleaned up)
    when it takes that file: a poison file as the queue sees it."""
    if os.environ.get("BAUAKTE_CRASH_ON") == file_name:
        os._exit(70)
