"""``bauakte demo``: a realistic demo archive, generated in code, then ingested.

Deterministic: the same files (byte for byte) on every run, so a second run
finds only duplicates.  The files and their manifest live in
``<home>/demo-archive``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from docstore.demo import DemoReport, seed
from docstore.instance import Instance

from ..fonts import require_fonts
from ..metadata import MANIFEST_COLUMNS
from ..runner import IngestReport, ProgressSink, run
from .catalogue import DemoDoc, catalogue
from .render import plan_drawing, scanned_pages, typed_pdf

EXTENSIONS = {"pdf": ".pdf", "scan-jpeg": ".jpg", "scan-tiff": ".tif", "plan": ".jpg"}


def build_archive(folder: Path, seed_value: int = 1962) -> Path:
    """Write the demo documents and their manifest.csv into ``folder``; returns the manifest."""
    require_fonts()
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed_value)
    rows = []
    for bf, doc in catalogue(seed_value):
        name = doc.file + EXTENSIONS[doc.form]
        target = folder / name
        if not target.exists():
            _render(doc, target, random.Random(rng.random()))
        else:
            rng.random()  # keep the sequence identical whether or not files exist
        gemarkung, flur, flurstueck = bf["parcels"][0]
        rows.append(
            {
                "file": name,
                "aktenzeichen": bf["aktenzeichen"],
                "street": bf["street"],
                "house_number": bf["house_number"],
                "postcode": bf["postcode"],
                "municipality": bf["municipality"],
                "gemarkung": gemarkung,
                "flur": flur,
                "flurstueck": flurstueck,
                "kind": doc.kind,
                "title": doc.title,
                "date": doc.date.isoformat(),
                "issuer": doc.issuer or "",
                "issued_on": doc.issued_on.isoformat() if doc.issued_on else "",
                "valid_until": doc.valid_until.isoformat() if doc.valid_until else "",
            }
        )
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, MANIFEST_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return manifest


def _render(doc: DemoDoc, target: Path, rng: random.Random) -> None:
    tmp = target.with_name(target.name + ".part")
    if doc.form == "pdf":
        typed_pdf(tmp, doc.title, doc.lines, doc.date, pages=doc.pages)
    elif doc.form == "plan":
        plan_drawing(doc.title, rng).save(tmp, "JPEG", quality=85, dpi=(200, 200))
    else:
        pages = scanned_pages(doc.title, doc.lines, doc.date, rng, pages=doc.pages)
        if doc.form == "scan-jpeg":
            pages[0].save(tmp, "JPEG", quality=80, dpi=(200, 200))
        else:
            pages[0].save(
                tmp,
                "TIFF",
                save_all=True,
                append_images=pages[1:],
                compression="tiff_deflate",
                dpi=(200, 200),
            )
    tmp.replace(target)


def run_demo(
    instance: Instance, progress: ProgressSink | None = None
) -> tuple[DemoReport, IngestReport]:
    instance.require_schema()
    with instance.db.transaction() as session:
        people = seed(session)
    folder = instance.config.home / "demo-archive"
    manifest = build_archive(folder)
    assert manifest.parent == folder  # found beside the files
    report = run([folder], instance, progress=progress, source_label="demo")
    from .fee_demo import demo_fee_notice  # here: printing itself imports demo's fonts

    fee_line = demo_fee_notice(instance)
    if fee_line:
        people.applications.append(fee_line)
    from .redaction_demo import demo_redaction

    redaction_line = demo_redaction(instance)
    if redaction_line:
        people.redactions.append(redaction_line)
    return people, report
