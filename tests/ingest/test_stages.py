"""Stages tested alone: sniff, inspect, OCR wrapper, limits in the worker pool."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

import ingest
from ingest import ocr, pyramid
from ingest.model import FileKind, MissingDependency, Outcome, Rejected
from ingest.pdf import usable_text
from ingest.pdf_inspect import inspect_pdf
from ingest.process import page_prefix
from ingest.sniff import sniff
from storage import derived_key
from tests.conftest import BAUAKTE
from tests.ingest import samples
from tests.ingest.conftest import make_instance


def test_sniff_reads_content_not_names(tmp_path, hostile_batch) -> None:
    mislabelled = tmp_path / "plan.pdf"
    mislabelled.write_bytes((hostile_batch / "scan.png").read_bytes())
    assert sniff(mislabelled) is FileKind.PNG
    assert sniff(hostile_batch / "plan.tif") is FileKind.TIFF
    assert sniff(hostile_batch / "scan.jpg") is FileKind.JPEG
    assert sniff(hostile_batch / "owner-only.pdf") is FileKind.PDF
    for name, mime in [
        ("invoice.pdf", "x-sharedlib"),
        ("archive.zip", "zip"),
        ("notes.txt", "text"),
    ]:
        with pytest.raises(Rejected, match=mime):
            sniff(hostile_batch / name)
    empty = tmp_path / "empty.pdf"
    empty.touch()
    with pytest.raises(Rejected, match="empty"):
        sniff(empty)


def test_inspect_pdf(hostile_batch) -> None:
    assert inspect_pdf(hostile_batch / "owner-only.pdf").active_content is False
    assert inspect_pdf(hostile_batch / "js.pdf").active_content is True
    assert inspect_pdf(hostile_batch / "attach.pdf").active_content is True
    for name, reason in [("locked.pdf", "encrypted"), ("broken.pdf", "broken")]:
        with pytest.raises(Rejected) as exc:
            inspect_pdf(hostile_batch / name)
        assert exc.value.reason == reason


def test_usable_text() -> None:
    assert usable_text("Die Baugenehmigung wird mit Auflagen erteilt.")
    assert not usable_text("   \n 12 ")
    assert not usable_text("\ufffd" * 40 + "abc")
    assert not usable_text("=-+*/%$§ 1234567890 ./.,;:" * 5 + "Statik")


def test_ocr_reads_german_with_boxes() -> None:
    result = ocr.recognise(samples.scan_image("Prüfbericht Straße Gebäude"), "deu+eng", dpi=150)
    assert "Prüfbericht" in result.text
    assert "Gebäude" in result.text
    word = next(w for w in result.words if w.text == "Prüfbericht")
    assert 0.05 < word.left < 0.2 and 0.05 < word.top < 0.15
    assert result.confidence and result.confidence > 60


def test_missing_ocr_program_or_language_names_the_package() -> None:
    with pytest.raises(MissingDependency, match="tesseract-ocr-tlh"):
        ocr.probe("deu+tlh")
    with pytest.raises(MissingDependency, match="install Debian's 'tesseract-ocr'"):
        ocr.probe("deu", command="no-such-tesseract")


def test_missing_language_is_a_one_line_cli_error(tmp_path) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i"), "BAUAKTE_OCR_LANGUAGES": "deu+tlh"}
    subprocess.run([BAUAKTE, "init"], env=env, check=True, capture_output=True)
    run = subprocess.run(
        [BAUAKTE, "ingest", str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "tesseract-ocr-tlh" in run.stderr


def test_time_and_memory_limits_reject_only_that_file(tmp_path, hostile_batch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "scan.png").write_bytes((hostile_batch / "scan.png").read_bytes())
    inst = make_instance(tmp_path / "slow", ingest_timeout=0, ingest_page_seconds=0)
    [report] = ingest.run([folder], inst).files
    assert report.outcome is Outcome.REJECTED
    assert report.reason == "resource limit: took longer than 0 s"
    inst.close()

    # the bomb check let through, so that the memory limit is what stops it; 600 MB, as
    # cleaning a scan loads OpenCV (420 MB was too little to map it: see ingest.ocr_read)
    inst = make_instance(
        tmp_path / "small", ingest_memory_limit_mb=600, pdf_inflation_max_ratio=10**9
    )
    (folder / "text.pdf").write_bytes((hostile_batch / "owner-only.pdf").read_bytes())
    (folder / "bomb.pdf").write_bytes((hostile_batch / "streambomb.pdf").read_bytes())
    files = {f.path.rsplit("/", 1)[-1]: f for f in ingest.run([folder], inst).files}
    assert files["bomb.pdf"].reason.startswith("resource limit")
    assert files["text.pdf"].outcome is Outcome.ACCEPTED
    # libvips' threads did not spend the limit on reserved address space: the scan's
    # pyramid was made, and the worker was fit for the next file (text.pdf) after it
    scan = files["scan.png"]
    assert scan.outcome is Outcome.ACCEPTED
    assert inst.store.exists(derived_key(scan.sha256, f"{page_prefix(1)}/{pyramid.NAME}"))
    inst.close()


def test_a_missing_libmagic_names_its_package(monkeypatch) -> None:
    from ingest import sniff as sniffing

    sniffing.probe.cache_clear()
    monkeypatch.setitem(sys.modules, "magic", None)  # what an absent libmagic1 makes of it
    try:
        with pytest.raises(MissingDependency, match="install Debian's 'libmagic1'"):
            sniffing.probe()
    finally:
        sniffing.probe.cache_clear()


def test_a_lost_image_rendition_is_rebuilt_from_the_original(tmp_path) -> None:
    from ingest.rebuild import rebuild_page
    from storage import derived_key, open_store, original_key

    store = open_store(f"file://{tmp_path / 'objects'}")
    store.ensure_ready()
    tiff = samples.multipage_tiff(tmp_path / "plan.tif", pages=2)
    sha = hashlib.sha256(tiff.read_bytes()).hexdigest()
    store.put_file(original_key(sha), tiff)
    rebuild_page(store, sha, "image/tiff", 2, 300_000_000)
    preview = store.read_bytes(derived_key(sha, "p0002/preview.jpg"))
    assert preview.startswith(b"\xff\xd8") and store.exists(derived_key(sha, "p0002/thumb.jpg"))
