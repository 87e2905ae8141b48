"""The extract worker: makes the PDFs of waiting orders and deletes the ones that ran out.

Run by the spool worker beside uploads and mail (``bauakte spool``, started
by ``bauakte serve``), or once by ``bauakte extracts make``.  The PDF is
written to a temporary file, stored under the order's key and only then is
the order marked ready: a crash at any point leaves the order waiting, and
the next try writes the same key again.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from docstore.instance import Instance
from docstore.services import extract_jobs, mail
from docstore.services.extract_jobs import Job
from storage import extract_key

from .extract_pdf import Quality, write
from .model import Rejected

log = logging.getLogger(__name__)


def quality_of(config) -> Quality:
    v = config.values
    return Quality(dpi=v["extract_dpi"], max_pixels=v["extract_max_megapixels"] * 1_000_000,
                   image_limit=config.image_max_pixels)  # fmt: skip


def make_pending(instance: Instance, limit: int | None = None) -> int:
    """Make every waiting extract (at most ``limit``); returns how many were tried."""
    tried = 0
    zone = instance.config.tz
    while limit is None or tried < limit:
        with instance.db.transaction() as s:
            job = extract_jobs.claim_next(s, zone)
        if job is None:
            return tried
        tried += 1
        make(instance, job)
    return tried


def make(instance: Instance, job: Job) -> None:
    """One order: write, store, mark ready; a failure is recorded for another try."""
    config = instance.config
    try:
        key, size, sha256 = _store(instance, job)
    except Exception as exc:  # the original unreadable, the store down: try again later
        reason = str(exc) if isinstance(exc, Rejected) else f"{type(exc).__name__}: {exc}"
        log.exception("extract %s could not be made", job.order_id)
        with instance.db.transaction() as s:
            if extract_jobs.failed(s, job.order_id, reason):
                log.error("extract %s given up after %d tries: %s", job.order_id,
                          extract_jobs.MAX_ATTEMPTS, reason)  # fmt: skip
        return
    with instance.db.transaction() as s:
        extract_jobs.finished(
            s, job.order_id, key=key, size=size, sha256=sha256,
            days=config.values["extract_link_days"], zone=config.tz,
            context=mail.context_of(config), pay_afterwards=config.values["fee_pay_afterwards"],
            regions=job.regions,
        )  # fmt: skip


def _store(instance: Instance, job: Job) -> tuple[str, int, str]:
    with tempfile.TemporaryDirectory(prefix="bauakte-extract-") as tmp:
        out = Path(tmp) / "extract.pdf"
        write(instance.store, job, out, quality_of(instance.config))
        result = instance.store.put_file(extract_key(job.order_id), out)
        return result.key, result.size, result.sha256


def sweep(instance: Instance) -> int:
    """Delete the PDFs whose link ran out; returns how many orders expired."""
    with instance.db.session() as s:
        due = extract_jobs.expire_due(
            s, pay_afterwards=instance.config.values["fee_pay_afterwards"]
        )
    done = []
    for order_id, key in due:
        try:
            if key:
                instance.store.delete(key)
        except FileNotFoundError:
            pass
        done.append(order_id)
    if done:
        with instance.db.transaction() as s:
            extract_jobs.expired(s, done)
    return len(done)
