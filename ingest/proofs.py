"""An applicant's proof documents: checked like every file that enters Bauakte, kept apart.

A land-register extract or a power of attorney passes the same content
sniffing (PDF, TIFF, JPEG, PNG only), the same PDF inspection (password,
broken structure, decompression bombs) and image limits as an ingest; a
rejected file is quarantined with its reason and the form says why.  An
accepted one is stored under ``proofs/`` (never among the building files'
originals) and never indexed.

The check runs in the web request, without the ingest workers' memory and
time limits; the size limit (``proof_max_mb``) and the inspection's own
budgets bound it.
"""

from __future__ import annotations

from pathlib import Path

from docstore.instance import Instance
from docstore.services.applications import StoredProof
from storage import proof_key

from .discover import sha256_of
from .images import check_pixels, open_image, reading
from .model import MIME_TYPES, FileKind, Rejected, SourceFile, limits_of
from .pdf_inspect import inspect_pdf
from .quarantine import quarantine
from .sniff import sniff

MAX_PAGES = 100
"""A land-register extract or a power of attorney has a few pages; a proof with more is refused
before its pages are counted to the end (a 2 MB TIFF can hold 20,000 frames)."""


def _check_frames(path: Path, pixel_limit: int) -> None:
    with open_image(path, pixel_limit) as image, reading("the image cannot be read"):
        for number in range(MAX_PAGES + 1):
            try:
                image.seek(number)
            except EOFError:
                return
            check_pixels(image.size, pixel_limit, number + 1)
    raise Rejected("resource limit", f"more than {MAX_PAGES} pages")


class ProofRejected(Exception):
    """The file is not taken; ``reason`` is the ingest's stable code."""

    def __init__(self, name: str, reason: str, detail: str) -> None:
        super().__init__(f"{name}: {reason}" + (f": {detail}" if detail else ""))
        self.name, self.reason, self.detail = name, reason, detail


def accept_proof(instance: Instance, path: Path, name: str) -> StoredProof:
    """Check the uploaded file at ``path`` and store it; :class:`ProofRejected` otherwise."""
    config = instance.config
    if path.stat().st_size > config.proof_max_mb << 20:  # not copied: quarantine is no store
        raise ProofRejected(name, "too large", f"larger than {config.proof_max_mb} MiB")
    sha256, size = sha256_of(path)
    try:
        kind = sniff(path)
        active = False
        limits = limits_of(config)
        if kind is FileKind.PDF:
            inspection = inspect_pdf(path, limits)
            active = inspection.active_content
            if inspection.pages > MAX_PAGES:
                raise Rejected("resource limit", f"more than {MAX_PAGES} pages")
        else:
            _check_frames(path, limits.image_max_pixels)
    except Rejected as exc:
        quarantine(SourceFile(name, path), exc.reason, exc.detail, sha256, config.quarantine_dir)
        raise ProofRejected(name, exc.reason, exc.detail) from None
    instance.store.put_file(proof_key(sha256), path)
    return StoredProof(sha256, name[:255], MIME_TYPES[kind], size, active)
