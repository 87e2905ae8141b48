"""``bauakte pyramids``: the deep-zoom pyramids that documents stored before they existed lack.

Idempotent: a page that has its pyramid is skipped, so the command can run
again after an interruption or on a schedule, and only ever adds derived
objects.  A page libvips cannot read is counted and left to its preview.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from sqlalchemy import select

from docstore.cli import pass_instance
from docstore.instance import Instance
from docstore.models import Blob, Document, Page
from storage import StorageError, derived_key

from . import pyramid
from .originals import local_copy
from .process import page_prefix

log = logging.getLogger(__name__)


@dataclass
class CatchUp:
    made: int = 0
    present: int = 0
    failed: int = 0


def catch_up(inst: Instance, report: Callable[[str], None] = lambda line: None) -> CatchUp:
    """Build every missing pyramid, one document (one copy of its original) at a time."""
    result = CatchUp()
    for sha, mime, numbers in _large_pages(inst):
        store = inst.store
        missing = [n for n in numbers if not store.exists(_key(sha, n))]
        result.present += len(numbers) - len(missing)
        if missing:
            _build(inst, sha, mime, missing, result, report)
    return result


def _large_pages(inst: Instance) -> list[tuple[str, str, list[int]]]:
    with inst.db.session() as s:
        rows = s.execute(
            select(Blob.sha256, Blob.mime_type, Page.number, Page.width_px, Page.height_px)
            .join(Document, Document.blob_sha256 == Blob.sha256)
            .join(Page, Page.document_id == Document.id)
            .where(Blob.mime_type.in_(pyramid.IMAGE_TYPES))
            .order_by(Blob.sha256, Page.number)
        ).all()
    pages: dict[tuple[str, str], list[int]] = {}
    for sha, mime, number, width, height in rows:
        if pyramid.needs_pyramid(mime, width, height):
            pages.setdefault((sha, mime), []).append(number)
    return [(sha, mime, numbers) for (sha, mime), numbers in pages.items()]


def _key(sha: str, number: int) -> str:
    return derived_key(sha, f"{page_prefix(number)}/{pyramid.NAME}")


def _build(
    inst: Instance,
    sha: str,
    mime: str,
    numbers: list[int],
    result: CatchUp,
    report: Callable[[str], None],
) -> None:
    limit = inst.config.image_max_pixels
    try:
        with local_copy(inst.store, sha) as original, tempfile.TemporaryDirectory() as tmp:
            for number in numbers:
                out = Path(tmp) / f"{number}.tif"
                try:
                    pyramid.build(original, mime, number, out, limit)
                except pyramid.PyramidError as exc:
                    result.failed += 1
                    report(f"{sha[:12]} {exc}")
                    continue
                inst.store.put_file(_key(sha, number), out)
                result.made += 1
    except FileNotFoundError:
        result.failed += len(numbers)
        report(f"{sha[:12]}: the original is missing from storage")


@click.command("pyramids")
@pass_instance
def pyramids_cmd(inst: Instance) -> None:
    """Make the deep-zoom pyramids that pages stored before they existed lack."""
    inst.require_schema()
    try:
        result = catch_up(inst, report=lambda line: click.echo(line, err=True))
    except StorageError as exc:
        raise click.ClickException(f"storage: {exc}; check the storage and run it again") from None
    click.echo(
        f"{result.made} pyramid(s) made, {result.present} already there, {result.failed} failed"
    )
