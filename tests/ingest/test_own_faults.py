"""The pipeline tells its own faults from bad files: a broken tool on PATH fails the file
(kept, logged, retried) instead of quarantining it; a tool that hangs on a page is a
resource limit; a PDF that inflates far past its size is rejected before it renders;
every file of a batch folder is in the report, and only system litter is skipped."""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import stat
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.model import Rejected
from ingest.pdf_inspect import inspect_pdf
from tests.conftest import BAUAKTE, as_environment, server_settings
from tests.ingest import samples

REAL_TESSERACT = shutil.which("tesseract")
BROKEN_TOOLS = {
    "exits": 'echo "Error: simulated crash in libtesseract" >&2; exit 1',
    "hangs": "sleep 60",
    "garbles": 'printf "level\\tleft\\tconf\\ttext\\n5\\tx\\t90\\tWort\\n"',
}


@pytest.fixture(params=["embedded", "servers"])
def cli_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The environment of a ``bauakte`` CLI on SQLite + files or on PostgreSQL + MinIO."""
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "home"), "BAUAKTE_INGEST_WORKERS": "1"}
    if request.param == "servers":
        env.update(as_environment(server_settings(request)))
    subprocess.run([BAUAKTE, "init"], env=env, check=True, capture_output=True)
    yield env


def _with_broken_tesseract(env: dict[str, str], tmp_path: Path, how: str) -> dict[str, str]:
    """A ``tesseract`` first on PATH that answers the probe like the real one, then fails."""
    bin_dir = tmp_path / f"bin-{how}"
    bin_dir.mkdir()
    tool = bin_dir / "tesseract"
    tool.write_text(
        "#!/bin/sh\n"
        f'case "$1" in --version|--list-langs) exec {REAL_TESSERACT} "$@";; esac\n'
        f"{BROKEN_TOOLS[how]}\n"
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return {**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}


def _ingest(env: dict[str, str], *paths: Path) -> tuple[dict[str, dict], str]:
    done = subprocess.run(
        [BAUAKTE, "ingest", "--json", *map(str, paths)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    return {Path(f["path"]).name: f for f in report["files"]}, done.stderr


def _quarantined(env: dict[str, str]) -> list[str]:
    folder = Path(env["BAUAKTE_HOME"]) / "quarantine"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("how", ["exits", "garbles"])
def test_a_broken_tool_fails_the_file_and_the_next_run_takes_it(
    cli_env, tmp_path, how: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    samples.save_image(folder / "scan.png", samples.scan_image("Abnahmebescheinigung"), "PNG")
    samples.text_pdf(folder / "letter.pdf")

    files, log = _ingest(_with_broken_tesseract(cli_env, tmp_path, how), folder)
    scan = files["scan.png"]
    assert scan["outcome"] == "failed"
    assert scan["reason"].startswith("internal error: ")
    assert files["letter.pdf"]["outcome"] == "accepted"  # the batch went on
    assert _quarantined(cli_env) == []
    assert (folder / "scan.png").exists()
    assert "Traceback (most recent call last)" in log and "scan.png" in log

    files, _ = _ingest(cli_env, folder)  # the tool mended: the rerun completes the work
    assert files["scan.png"]["outcome"] == "accepted"
    assert files["letter.pdf"]["outcome"] == "duplicate"


def test_a_tool_that_hangs_on_a_page_is_a_resource_limit(cli_env, tmp_path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    samples.save_image(folder / "scan.png", samples.scan_image(), "PNG")
    env = {**_with_broken_tesseract(cli_env, tmp_path, "hangs"), "BAUAKTE_OCR_PAGE_SECONDS": "1"}
    files, _ = _ingest(env, folder)
    assert files["scan.png"]["outcome"] == "rejected"
    assert files["scan.png"]["reason"] == "resource limit: OCR of a page took longer than 1 s"


def test_a_pdf_that_inflates_far_past_its_size_is_rejected_before_it_renders(
    cli_env, tmp_path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    samples.nested_bomb_pdf(folder / "bomb.pdf", inflated_mb=600)
    samples.huge_image_pdf(folder / "pixels.pdf")
    samples.compressible_pdf(folder / "dense.pdf", inflated_mb=20)
    samples.text_pdf(folder / "letter.pdf")
    assert (folder / "bomb.pdf").stat().st_size < 4096

    files, _ = _ingest(cli_env, folder)
    for name in ("bomb.pdf", "pixels.pdf"):
        assert files[name]["outcome"] == "rejected", files[name]
        assert files[name]["reason"].startswith("too large / decompression bomb: ")
    assert files["dense.pdf"]["outcome"] == "accepted"  # 20 MB: under the size floor
    assert files["letter.pdf"]["outcome"] == "accepted"
    assert len(_quarantined(cli_env)) == 2

    denser = samples.compressible_pdf(tmp_path / "denser.pdf", inflated_mb=21)
    files, _ = _ingest({**cli_env, "BAUAKTE_PDF_INFLATION_MIN_MB": "1"}, denser)
    assert files["denser.pdf"]["reason"].startswith("too large / decompression bomb: ")


def test_every_file_of_a_folder_is_reported_and_only_litter_skipped(cli_env, tmp_path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "__MACOSX").mkdir()
    samples.text_pdf(folder / "..%2F..%2Fsomething.pdf", marker="dotted")
    samples.text_pdf(folder / "sub" / ".hidden.pdf", marker="hidden")
    (folder / "__MACOSX" / "._x.pdf").write_bytes(b"\x00\x05\x16\x07")
    for litter in (".DS_Store", "._letter.pdf", "Thumbs.db", "sub/desktop.ini"):
        (folder / litter).write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / ".notes").write_text("a hidden text file, not litter")

    files, _ = _ingest(cli_env, folder)
    assert files["..%2F..%2Fsomething.pdf"]["outcome"] == "accepted"
    assert files[".hidden.pdf"]["outcome"] == "accepted"
    assert files[".notes"]["outcome"] == "rejected"
    assert files[".notes"]["reason"].startswith("unsupported type")
    for name in (".DS_Store", "._letter.pdf", "Thumbs.db", "desktop.ini", "__MACOSX"):
        assert files[name]["outcome"] == "skipped", files[name]
        assert files[name]["reason"].startswith("operating-system")
    assert len(files) == 8


def _run_length(data: bytes) -> bytes:
    out = bytearray()
    for at in range(0, len(data), 128):
        part = data[at : at + 128]
        out += bytes([len(part) - 1]) + part
    return bytes(out + b"\x80")


@pytest.mark.parametrize(
    ("encode", "filters"),
    [
        (_run_length, b"/Filter [/RL /Fl]"),
        (lambda d: binascii.hexlify(d) + b" z>", b"/Filter [/AHx /Fl]"),  # a stray letter
        (lambda d: b"<~" + base64.a85encode(d) + b"~>", b"/Filter [/A85 /Fl]"),
        (lambda d: d, b"/Filter [/LZW /Fl]"),  # a Flate stage the count cannot reach
    ],
)
def test_a_bomb_behind_another_filter_is_still_a_bomb(tmp_path, encode, filters) -> None:
    deflated = zlib.compress(b" " * (200 << 20), 9)
    path = samples.raw_pdf(tmp_path / "chained.pdf", encode(deflated), filters)
    with pytest.raises(Rejected) as refused:
        inspect_pdf(path)
    assert refused.value.reason == "too large / decompression bomb"


def test_an_image_size_given_as_a_real_number_counts_too(tmp_path) -> None:
    path = samples.huge_image_pdf(tmp_path / "real.pdf", width=30000, height=30000)
    path.write_bytes(path.read_bytes().replace(b"/Width 30000", b"/Width 30000.0"))
    with pytest.raises(Rejected, match="30000 x 30000 pixels"):
        inspect_pdf(path)


def test_a_corrupt_page_is_the_files_fault_not_ours(tmp_path) -> None:
    from ingest.images import count_frames

    path = samples.bad_second_page_tiff(tmp_path / "two.tif")
    with pytest.raises(Rejected) as refused:
        count_frames(path, 300_000_000)
    assert refused.value.reason == "broken"
