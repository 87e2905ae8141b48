"""Worker processes with a time and a memory limit per file.

A few long-lived workers, started from a fork server (safe although the main
process has threads and database connections), take one file at a time over
a pipe.  Each worker limits its own address space and reports each page it
finishes; the parent kills a worker that overruns a file's time, which grows
with the file's pages once the worker has counted them.  A worker that dies
for any reason (out of memory, a crash inside a C library, the kill) costs
only the file it was on: it is replaced and the batch goes on.  Workers are
recycled after ``TASKS_PER_WORKER`` files and after a file that ran out of memory.

Why not a library pool.  A ``concurrent.futures`` pool breaks when one worker
dies.  ``pebble.ProcessPool`` survives that (``ProcessExpired``) and has a
per-task time-out, ``max_tasks`` and an initializer for the limits; compared
for this module, it lacks the two things this pool is for: a channel from a
running task to the parent (each page finished, for the progress bar and the
upload status page) and a time-out that moves once the task has counted its
pages (``schedule(timeout=)`` is fixed before the file is opened, so a
2,000-page scan would need a time-out fit for the longest file for every
file).  Both would have to be built around pebble with a second pipe and a
watchdog, which is most of this module again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from .model import (
    MissingDependency,
    PageProgress,
    Processed,
    Rejected,
    ToolFailure,
    TransientFailure,
    WorkerTask,
)

TASKS_PER_WORKER = 100

_context = multiprocessing.get_context("forkserver")
# "__main__" too: imported once in the fork server, so workers do not re-import
# the main script (the bauakte CLI and all it pulls in) each time they start.
_context.set_forkserver_preload(["__main__", "ingest.process"])


@dataclass(frozen=True)
class WorkerLimits:
    timeout: float
    memory_bytes: int
    page_seconds: float = 0.0
    """Added to ``timeout`` for each page of the file, as soon as the worker reports the count."""

    def seconds_for(self, pages: int) -> float:
        return self.timeout + self.page_seconds * pages


@dataclass
class WorkerResult:
    """Exactly one of processed / rejected / failed is set."""

    processed: Processed | None = None
    rejected: Rejected | None = None
    failed: str | None = None
    traceback: str | None = None
    """For a failure in Bauakte's own code: the whole traceback, for the runner's log."""
    peak_rss_mb: float | None = None
    """The worker's own peak resident memory so far."""


def _process(task: WorkerTask, conn: Connection) -> WorkerResult:
    """The file's faults are caught where the parsers are called and arrive as
    ``Rejected``; anything else is Bauakte's own fault: failed, logged, retried."""
    from .process import process_file

    try:
        return WorkerResult(processed=process_file(task, lambda p: conn.send(p)))
    except Rejected as exc:
        return WorkerResult(rejected=exc)
    except MemoryError:
        return WorkerResult(rejected=Rejected("resource limit", "the file needs too much memory"))
    except (TransientFailure, MissingDependency) as exc:
        return WorkerResult(failed=str(exc))
    except ToolFailure as exc:
        return WorkerResult(failed=f"internal error: {exc}", traceback=traceback.format_exc())
    except Exception as exc:
        return WorkerResult(
            failed=f"internal error: {type(exc).__name__}: {str(exc)[:200]}",
            traceback=traceback.format_exc(),
        )


def _worker_main(conn: Connection, memory_bytes: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _count_used_memory_only()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    for _ in range(TASKS_PER_WORKER):
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        result = _process(task, conn)
        result.peak_rss_mb = _peak_rss_mb()
        try:
            conn.send(result)
        except MemoryError:
            conn.send(WorkerResult(rejected=Rejected("resource limit", "result too large")))
            return
        if result.rejected is not None and result.rejected.reason == "resource limit":
            return  # start the next file in a fresh process


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the number of malloc arenas (malloc.h)."""


def _count_used_memory_only() -> None:
    """Make the address-space limit measure memory the file needs, not what threads reserve.

    glibc gives every thread that allocates an arena of its own and reserves
    64 MiB of address space for each; libvips' thread pool building one
    pyramid (88 MB resident) so reserved 630 MB and spent a 300 MB limit,
    and the next, small file in that worker failed as 'too much memory'.
    One arena for the whole worker keeps the reservation at what is used
    (160 MB for the same pyramid).  libvips gets one thread of work too:
    a worker is one core's worth, as tesseract's OMP_THREAD_LIMIT=1 says.
    """
    os.environ["VIPS_CONCURRENCY"] = "1"  # read when libvips starts, later in this process
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # numpy's, read when OCR cleaning loads it
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    mallopt = getattr(ctypes.CDLL(libc_name), "mallopt", None)
    if mallopt is not None:  # glibc; other C libraries do not reserve per-thread arenas
        mallopt(M_ARENA_MAX, 1)


def _peak_rss_mb() -> float:
    """This process's own high-water mark (VmHWM; ru_maxrss would count the fork server's)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    index: int | None = None
    started: float = 0.0
    deadline: float = 0.0
    pages: int = 0
    tasks: int = 0

    @property
    def busy(self) -> bool:
        return self.index is not None


def _spawn(limits: WorkerLimits) -> _Worker:
    parent, child = _context.Pipe(duplex=True)
    process = _context.Process(target=_worker_main, args=(child, limits.memory_bytes), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent)


def run_tasks(
    tasks: Iterable[tuple[int, WorkerTask]],
    workers: int,
    limits: WorkerLimits,
    on_result: Callable[[int, WorkerResult], None],
    on_progress: Callable[[int, PageProgress], None] | None = None,
) -> None:
    """Run every task in a worker, ``workers`` at a time, reporting each as it finishes
    (and, to ``on_progress``, each page as the worker finishes it)."""
    pending = iter(tasks)
    pool: list[_Worker] = []
    exhausted = False
    try:
        while True:
            for worker in [w for w in pool if not w.busy]:
                if not exhausted and worker.tasks < TASKS_PER_WORKER and worker.process.is_alive():
                    continue
                _retire(worker)
                pool.remove(worker)
            while not exhausted and any(not w.busy for w in pool) | (len(pool) < workers):
                item = next(pending, None)
                if item is None:
                    exhausted = True
                    break
                worker = next((w for w in pool if not w.busy), None)
                if worker is None:
                    worker = _spawn(limits)
                    pool.append(worker)
                _assign(worker, *item, limits)
            busy = [w for w in pool if w.busy]
            if not busy:
                return
            for index, message in _collect(busy, limits):
                if isinstance(message, PageProgress):
                    if on_progress is not None:
                        on_progress(index, message)
                else:
                    on_result(index, message)
            pool = [w for w in pool if w.busy or w.process.is_alive()]
    finally:
        for worker in pool:
            _retire(worker, kill=True)


def _assign(worker: _Worker, index: int, task: WorkerTask, limits: WorkerLimits) -> None:
    worker.conn.send(task)
    worker.index = index
    worker.started = time.monotonic()
    worker.pages = 0
    worker.deadline = worker.started + limits.timeout
    worker.tasks += 1


def _collect(
    busy: list[_Worker], limits: WorkerLimits
) -> list[tuple[int, WorkerResult | PageProgress]]:
    """Wait for the first results, page reports, deaths or time-outs; free the finished workers.

    A page report of a new page count moves the worker's deadline: the time
    limit is ``timeout`` plus ``page_seconds`` for each page of the file.
    """
    timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
    ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=timeout)
    done: list[tuple[int, WorkerResult | PageProgress]] = []
    now = time.monotonic()
    for worker in busy:
        message = None
        if worker.conn in ready:
            with contextlib.suppress(EOFError, OSError):
                message = worker.conn.recv()
        if isinstance(message, PageProgress):
            if message.total != worker.pages:
                worker.pages = message.total
                worker.deadline = worker.started + limits.seconds_for(message.total)
            done.append((worker.index, message))  # type: ignore[arg-type]
            continue
        result = message
        if result is None and worker.process.sentinel in ready:
            worker.process.join(timeout=10)
            result = _died(worker.process.exitcode)
        if result is None and now >= worker.deadline:
            _retire(worker, kill=True)
            result = WorkerResult(rejected=_overran(limits, worker.pages))
        if result is not None:
            done.append((worker.index, result))  # type: ignore[arg-type]
            worker.index = None
    return done


def _overran(limits: WorkerLimits, pages: int) -> Rejected:
    seconds = limits.seconds_for(pages)
    if pages and limits.page_seconds:
        return Rejected("resource limit", f"took longer than {seconds:.0f} s for {pages} pages")
    return Rejected("resource limit", f"took longer than {seconds:.0f} s")


def _retire(worker: _Worker, kill: bool = False) -> None:
    if worker.process.is_alive():
        if kill:
            worker.process.kill()
        else:
            with contextlib.suppress(OSError, BrokenPipeError):
                worker.conn.send(None)
    worker.process.join(timeout=10)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join()
    worker.conn.close()


def _died(exitcode: int | None) -> WorkerResult:
    """Killed by a signal (the kernel, a C library's abort): the file's doing.
    A plain non-zero exit is Bauakte's own fault, not the file's: report it as failed."""
    if exitcode is not None and exitcode < 0:
        how = f"signal {signal.Signals(-exitcode).name}"
        return WorkerResult(
            rejected=Rejected("resource limit", f"the worker processing it died ({how})")
        )
    return WorkerResult(failed=f"internal error: the worker exited with code {exitcode}")
