"""The CPU stages for one file, as run inside a worker process.

inspect -> extract text (PDF layer or OCR) -> render -> store.  Renditions are
collected first and stored only when every page has passed, and the original
is stored last, so a file rejected half-way leaves nothing behind, and a
stored original always has its renditions.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from storage import StorageError, derived_key, open_store, original_key

from . import pyramid
from .failpoints import pause_at
from .images import count_frames, image_pages
from .model import (
    MIME_TYPES,
    FileKind,
    PageProgress,
    Processed,
    Rejected,
    TransientFailure,
    WorkerTask,
)
from .pdf import RenderedPage, pdf_pages
from .pdf_inspect import inspect_pdf

log = logging.getLogger(__name__)


def page_prefix(number: int) -> str:
    return f"p{number:04d}"


def process_file(
    task: WorkerTask, report: Callable[[PageProgress], None] | None = None
) -> Processed:
    """``report`` hears the page count before the first page and each page as it is done."""
    path = task.source.location
    active = False
    if task.kind is FileKind.PDF:
        inspection = inspect_pdf(path, task.limits)
        active, total = inspection.active_content, inspection.pages
        pages = pdf_pages(path, task.limits)
    else:
        total = count_frames(path, task.limits.image_max_pixels)
        pages = image_pages(path, task.limits)
    if total > task.limits.max_pages:
        raise Rejected(
            "resource limit", f"{total:,} pages, above the limit of {task.limits.max_pages:,}"
        )

    report = report or (lambda progress: None)
    report(PageProgress(0, total))
    rendered: list[RenderedPage] = []
    for page in pages:
        rendered.append(page)
        report(PageProgress(len(rendered), total))
    derived: dict[str, bytes] = {}
    for page in rendered:
        prefix = page_prefix(page.info.number)
        for name, data in page.renditions.items():
            derived[f"{prefix}/{name}"] = data
        if page.words is not None:
            derived[f"{prefix}/words.json"] = json.dumps(page.words, ensure_ascii=False).encode()
        page.renditions = {}

    with tempfile.TemporaryDirectory(prefix="bauakte-pyramids-") as tmp:
        pyramids = _pyramids(task, rendered, Path(tmp))
        try:
            store = open_store(task.storage_url)
            for name, data in derived.items():
                store.put_stream(derived_key(task.sha256, name), io.BytesIO(data))
            for name, file in pyramids.items():
                store.put_file(derived_key(task.sha256, name), file)
            pause_at("worker.storing")
            store.put_file(original_key(task.sha256), path)
            pause_at("worker.stored")
        except (StorageError, OSError) as exc:
            raise TransientFailure(f"storage: {exc}") from None
    return Processed(
        sha256=task.sha256,
        kind=task.kind,
        pages=[p.info for p in rendered],
        active_content=active,
        ocr_pages=sum(p.info.text_source == "ocr" for p in rendered),
    )


def _pyramids(task: WorkerTask, rendered: list[RenderedPage], tmp: Path) -> dict[str, Path]:
    """The deep-zoom pyramids of the large image pages, as files in ``tmp``.

    A page libvips cannot read (Pillow could) keeps its preview for zooming
    and is logged; ``bauakte pyramids`` tries it again.
    """
    mime = MIME_TYPES[task.kind]
    made: dict[str, Path] = {}
    for page in rendered:
        info = page.info
        if not pyramid.needs_pyramid(mime, info.width_px, info.height_px):
            continue
        out = tmp / f"{info.number}.tif"
        try:
            pyramid.build(
                task.source.location, mime, info.number, out, task.limits.image_max_pixels
            )
        except pyramid.PyramidError as exc:
            log.warning("%s: no deep-zoom pyramid: %s", task.source.path, exc)
            continue
        made[f"{page_prefix(info.number)}/{pyramid.NAME}"] = out
    return made
