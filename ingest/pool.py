"""Worker processes with a time and a memory limit per file.

Each file runs in a fresh process forked from a fork server (cheap, and safe
even though the main process has threads and database connections).  The
child sets an address-space limit on itself; the parent kills a child that
overruns its time.  A child that dies for any reason (out of memory, a crash
inside a C library) costs only its own file: the batch goes on.  A
``concurrent.futures`` pool cannot promise that: one dead worker breaks it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from .model import Processed, Rejected, TransientFailure, WorkerTask
from .ocr import MissingDependency

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["ingest.process"])


@dataclass(frozen=True)
class WorkerLimits:
    timeout: float
    memory_bytes: int


@dataclass
class WorkerResult:
    """Exactly one of processed / rejected / failed is set."""

    processed: Processed | None = None
    rejected: Rejected | None = None
    failed: str | None = None


def _child(conn: Connection, task: WorkerTask, memory_bytes: int) -> None:
    from .process import process_file

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        result = WorkerResult(processed=process_file(task))
    except Rejected as exc:
        result = WorkerResult(rejected=exc)
    except MemoryError:
        result = WorkerResult(rejected=Rejected("resource limit", "the file needs too much memory"))
    except TransientFailure as exc:
        result = WorkerResult(failed=str(exc))
    except MissingDependency as exc:
        result = WorkerResult(failed=str(exc))
    except Exception as exc:  # a parser choking on hostile input
        detail = "".join(traceback.format_exception_only(exc)).strip()[:300]
        result = WorkerResult(rejected=Rejected("broken", detail))
    try:
        conn.send(result)
    except MemoryError:
        conn.send(WorkerResult(rejected=Rejected("resource limit", "result too large")))
    conn.close()


@dataclass
class _Running:
    index: int
    process: multiprocessing.process.BaseProcess
    conn: Connection
    deadline: float
    result: WorkerResult | None = None


def run_tasks(
    tasks: Iterable[tuple[int, WorkerTask]],
    workers: int,
    limits: WorkerLimits,
    on_result: Callable[[int, WorkerResult], None],
) -> None:
    """Run every task in its own process, ``workers`` at a time, reporting as they finish."""
    pending = iter(tasks)
    running: list[_Running] = []
    exhausted = False
    try:
        while True:
            while not exhausted and len(running) < workers:
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                running.append(_start(*item, limits))
            if not running:
                return
            _wait_some(running, limits)
            for job in [j for j in running if not j.process.is_alive() or j.result is not None]:
                job.process.join(timeout=10)
                if job.process.is_alive():
                    continue
                running.remove(job)
                on_result(job.index, job.result or _died(job.process.exitcode))
    finally:
        for job in running:
            job.process.kill()
            job.process.join()


def _start(index: int, task: WorkerTask, limits: WorkerLimits) -> _Running:
    parent, child = _context.Pipe(duplex=False)
    process = _context.Process(target=_child, args=(child, task, limits.memory_bytes), daemon=True)
    process.start()
    child.close()
    return _Running(index, process, parent, time.monotonic() + limits.timeout)


def _wait_some(running: list[_Running], limits: WorkerLimits) -> None:
    now = time.monotonic()
    timeout = max(0.0, min(j.deadline for j in running) - now)
    handles = [j.conn for j in running if j.result is None] + [j.process.sentinel for j in running]
    ready = wait(handles, timeout=timeout)
    for job in running:
        if job.result is None and job.conn in ready:
            # a child that died before sending is reported from its exit code
            with contextlib.suppress(EOFError, OSError):
                job.result = job.conn.recv()
    now = time.monotonic()
    for job in running:
        if job.result is None and now >= job.deadline and job.process.is_alive():
            job.process.kill()
            job.process.join()
            job.result = WorkerResult(
                rejected=Rejected("resource limit", f"took longer than {limits.timeout:.0f} s")
            )


def _died(exitcode: int | None) -> WorkerResult:
    """Killed by a signal (the kernel, a C library's abort): the file's doing.
    A plain non-zero exit is Bauakte's own fault, not the file's: report it as failed."""
    if exitcode is not None and exitcode < 0:
        how = f"signal {signal.Signals(-exitcode).name}"
        return WorkerResult(
            rejected=Rejected("resource limit", f"the worker processing it died ({how})")
        )
    return WorkerResult(failed=f"internal error: the worker exited with code {exitcode}")
