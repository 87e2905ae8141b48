"""Proof documents: checked like an ingest, stored apart from the originals, refused with reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ingest.proofs import MAX_PAGES, ProofRejected, accept_proof
from storage import proof_key
from tests.ingest.samples import text_pdf


def test_a_pdf_is_stored_under_proofs(instance, tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "vollmacht.pdf", pages=2, marker="Vollmacht")
    stored = accept_proof(instance, path, "Vollmacht.pdf")
    assert stored.media_type == "application/pdf" and stored.size == path.stat().st_size
    assert instance.store.exists(proof_key(stored.sha256))
    assert list(instance.store.list("blobs/")) == []  # not among the building files' originals


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"<html><script>alert(1)</script>", "unsupported type"), (b"", "empty file"),
     (b"%PDF-1.7\n garbage", "broken")],
)  # fmt: skip
def test_what_is_not_a_document_is_refused_and_quarantined(
    instance, tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(ProofRejected) as caught:
        accept_proof(instance, path, "grundbuch.pdf")
    assert caught.value.reason == reason
    assert any(instance.config.quarantine_dir.glob("*/reason.json"))
    assert list(instance.store.list("proofs/")) == []


def test_a_tiff_with_thousands_of_frames_is_refused_early(instance, tmp_path: Path) -> None:
    path = tmp_path / "many.tif"
    frames = [Image.new("1", (8, 8)) for _ in range(MAX_PAGES + 5)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    with pytest.raises(ProofRejected) as caught:
        accept_proof(instance, path, "scan.tif")
    assert caught.value.reason == "resource limit"


def test_a_proof_over_the_size_limit_is_refused_without_a_copy(instance, tmp_path: Path) -> None:
    """Quarantine keeps evidence of bad files; a merely large upload is no evidence and would
    fill the disk."""
    path = tmp_path / "big.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"0" * ((instance.config.proof_max_mb << 20) + 1))
    with pytest.raises(ProofRejected) as caught:
        accept_proof(instance, path, "grundbuch.pdf")
    assert caught.value.reason == "too large"
    assert not any(instance.config.quarantine_dir.glob("*/original*"))
