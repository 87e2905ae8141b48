"""The one wrapper around the OCR engine: Debian's ``tesseract`` CLI.

Why the CLI: measured on this 2-core machine (see the ingest issue's note and
``bench/ingest_bench.py``), the bare CLI with ``OMP_THREAD_LIMIT=1`` was the
fastest way to get words with boxes and confidences; pytesseract only adds its
own overhead around the same CLI, and tesserocr bundles a different tesseract
build.  Parallelism comes from one page per worker process, never from
tesseract's own OpenMP threads, which fight each other on few cores.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image

from .model import MissingDependency, Rejected, ToolFailure

MAX_OCR_PIXELS = 40_000_000
"""Larger images (big plans) are scaled down to this before OCR: plans carry
little text and tesseract's time and memory grow with the pixel count."""


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    top: float
    width: float
    height: float
    """Box in fractions of the page's width and height (0..1), origin top left."""
    confidence: float


@dataclass(frozen=True)
class OcrResult:
    text: str
    words: list[Word]
    confidence: float | None
    """Mean word confidence, 0..100; None when no word was found."""
    languages: str = ""
    """The tesseract model(s) that read it."""


@dataclass(frozen=True)
class Tesseract:
    path: str
    """The program the probe found on ``PATH``: the one every page is then run with."""
    version: str


@functools.cache
def probe(languages: str, command: str = "tesseract") -> Tesseract:
    """Check the program and every language; a missing one names the package to install."""
    exe = shutil.which(command)
    if exe is None:
        raise MissingDependency(
            f"OCR program {command!r} not found: install Debian's 'tesseract-ocr' package"
        )
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    listed = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    available = {line.strip() for line in listed.stdout.splitlines()[1:]}
    for lang in languages.split("+"):
        if lang not in available:
            raise MissingDependency(
                f"tesseract language pack {lang!r} is missing: install Debian's "
                f"'tesseract-ocr-{lang}' package"
            )
    if listed.returncode != 0:
        raise ToolFailure(f"{exe} --list-langs exited with code {listed.returncode}")
    lines = (version.stdout or version.stderr).splitlines()
    return Tesseract(exe, lines[0] if lines else "tesseract (unknown version)")


def recognise(
    image: Image.Image, languages: str, dpi: int | None = None, timeout: float = 300
) -> OcrResult:
    """OCR one page image; word boxes are returned relative to its size.

    tesseract reads an image Bauakte wrote itself, so its failing is Bauakte's
    fault (``ToolFailure``: the file is retried), while running past ``timeout``
    is the page's (``Rejected('resource limit')``).
    """
    program = probe(languages).path
    image, scale = within_limit(image)
    if image.mode != "L":
        image = image.convert("L")
    with tempfile.TemporaryDirectory(prefix="bauakte-ocr-") as tmp:
        source = Path(tmp) / "page.pgm"  # uncompressed: nothing to encode or decode
        image.save(source)
        cmd = [program, str(source), "stdout", "-l", languages, "--psm", "3"]
        if dpi:
            cmd += ["--dpi", str(max(70, round(dpi * scale)))]
        cmd.append("tsv")
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Rejected(
                "resource limit", f"OCR of a page took longer than {timeout:g} s"
            ) from None
    if done.returncode < 0:  # killed: it shares the worker's memory limit, so the page's doing
        how = signal.Signals(-done.returncode).name
        raise Rejected("resource limit", f"OCR of a page was stopped ({how})")
    if done.returncode != 0:
        raise ToolFailure(
            f"{program} exited with code {done.returncode}: {done.stderr.strip()[:300]}"
        )
    return replace(parse_tsv(done.stdout, image.size), languages=languages)


def within_limit(image: Image.Image) -> tuple[Image.Image, float]:
    """The image scaled down to ``MAX_OCR_PIXELS`` if larger, and the factor used."""
    width, height = image.size
    if width * height <= MAX_OCR_PIXELS:
        return image, 1.0
    scale = (MAX_OCR_PIXELS / (width * height)) ** 0.5
    return image.resize((max(1, int(width * scale)), max(1, int(height * scale)))), scale


def parse_tsv(tsv: str, size: tuple[int, int]) -> OcrResult:
    width, height = size
    words: list[Word] = []
    lines: dict[tuple[int, int, int], list[str]] = {}
    reader = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        conf = float(row.get("conf") or -1)
        if not text or conf < 0:
            continue
        words.append(
            Word(
                text=text,
                left=int(row["left"]) / width,
                top=int(row["top"]) / height,
                width=int(row["width"]) / width,
                height=int(row["height"]) / height,
                confidence=conf,
            )
        )
        key = (int(row["block_num"]), int(row["par_num"]), int(row["line_num"]))
        lines.setdefault(key, []).append(text)
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for (block, par, _line), parts in lines.items():
        paragraphs.setdefault((block, par), []).append(" ".join(parts))
    text = "\n\n".join("\n".join(p) for p in paragraphs.values())
    confidence = sum(w.confidence for w in words) / len(words) if words else None
    return OcrResult(text=text, words=words, confidence=confidence)


def words_json(result: OcrResult) -> dict[str, object]:
    """The derived JSON kept for hit highlighting: compact, relative boxes."""
    return {
        "version": 1,
        "languages": result.languages,
        "words": [
            [
                w.text,
                round(w.left, 5),
                round(w.top, 5),
                round(w.width, 5),
                round(w.height, 5),
                round(w.confidence, 1),
            ]
            for w in result.words
        ],
        "fields": ["text", "left", "top", "width", "height", "confidence"],
    }
