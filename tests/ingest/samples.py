"""Sample inputs for ingest tests, generated in code: good files and hostile ones."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core
LOREM = (
    "Die Baugenehmigung wird unter folgenden Auflagen erteilt. Der Bauherr hat die "
    "Standsicherheit nachzuweisen. Die Abstandsflächen sind einzuhalten."
)


def text_pdf(path: Path, pages: int = 2, marker: str = "") -> Path:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 8, f"Seite {n} {marker}\n{LOREM}")
    pdf.output(str(path))
    return path


def scan_image(text: str = "Baugenehmigung Lindenstrasse", size=(1240, 1754)) -> Image.Image:
    """A page that needs OCR: black text on white at about 150 dpi."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(DEJAVU, 48)
    for i, line in enumerate([text, "Bauaufsichtsamt der Stadt", "Aktenzeichen 63-BA-2019-0457"]):
        draw.text((100, 150 + i * 90), line, fill=0, font=font)
    return image


def save_image(path: Path, image: Image.Image, fmt: str, **kw) -> Path:
    image.save(path, fmt, dpi=(150, 150), **kw)
    return path


def multipage_tiff(path: Path, pages: int = 3) -> Path:
    frames = [scan_image(f"Bauzeichnung Blatt {n}") for n in range(1, pages + 1)]
    frames[0].save(
        path,
        "TIFF",
        save_all=True,
        append_images=frames[1:],
        compression="tiff_deflate",
        dpi=(150, 150),
    )
    return path


def bad_second_page_tiff(path: Path) -> Path:
    """A two-page TIFF whose second page has lost its width tag (Pillow raises TypeError)."""
    data = multipage_tiff(path, pages=2).read_bytes()
    width_tags = [m.start() for m in re.finditer(rb"\x00\x01[\x03\x04]\x00\x01\x00\x00\x00", data)]
    at = width_tags[1]
    path.write_bytes(data[:at] + b"\xfe\xfe" + data[at + 2 :])
    return path


def encrypted_pdf(path: Path, user_password: str, owner_password: str = "owner-secret") -> Path:
    writer = PdfWriter(clone_from=PdfReader(text_pdf(path.with_suffix(".plain.pdf"))))
    writer.encrypt(user_password=user_password, owner_password=owner_password, algorithm="AES-256")
    writer.write(path)
    path.with_suffix(".plain.pdf").unlink()
    return path


def javascript_pdf(path: Path) -> Path:
    writer = PdfWriter(clone_from=PdfReader(text_pdf(path.with_suffix(".plain.pdf"))))
    writer.add_open_action(JavaScript("app.alert('hello');"))
    writer.write(path)
    path.with_suffix(".plain.pdf").unlink()
    return path


def attachment_pdf(path: Path) -> Path:
    writer = PdfWriter(clone_from=PdfReader(text_pdf(path.with_suffix(".plain.pdf"))))
    writer.add_attachment("payload.exe", b"MZ\x90\x00not really")
    writer.write(path)
    path.with_suffix(".plain.pdf").unlink()
    return path


def broken_pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n" + b"\x00\xff" * 500)
    return path


def truncated_pdf(path: Path) -> Path:
    data = text_pdf(path.with_suffix(".full.pdf")).read_bytes()
    path.with_suffix(".full.pdf").unlink()
    path.write_bytes(data[: len(data) // 3])
    return path


def pixel_bomb_png(path: Path, width: int = 40_000, height: int = 40_000) -> Path:
    """A tiny PNG whose header claims 1.6 billion pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 16)
    ihdr = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([1, 0, 0, 0, 0])
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    )
    return path


def stream_bomb_pdf(path: Path, inflated_gb: float = 3.0) -> Path:
    """A valid-looking PDF whose page content inflates to gigabytes."""
    compressor = zlib.compressobj(9)
    block = b" " * (1 << 20)
    parts = [compressor.compress(block) for _ in range(int(inflated_gb * 1024))]
    parts.append(compressor.flush())
    return raw_pdf(path, b"".join(parts), b"/Filter /FlateDecode")


def nested_bomb_pdf(path: Path, inflated_mb: int = 600) -> Path:
    """A PDF of a few kilobytes whose content is deflated twice and inflates to ``inflated_mb``."""
    compressor = zlib.compressobj(9)
    block = b" " * (1 << 20)
    once = b"".join(compressor.compress(block) for _ in range(inflated_mb)) + compressor.flush()
    return raw_pdf(path, zlib.compress(once, 9), b"/Filter [/FlateDecode /FlateDecode]")


def compressible_pdf(path: Path, inflated_mb: int) -> Path:
    """Harmless text drawn again and again: a content stream that deflates very well."""
    line = b"BT /F1 10 Tf 72 700 Td (Baugenehmigung Lindenstrasse) Tj ET\n"
    content = line * (inflated_mb * (1 << 20) // len(line))
    return raw_pdf(path, zlib.compress(content, 9), b"/Filter /FlateDecode")


def huge_image_pdf(path: Path, width: int = 40_000, height: int = 40_000) -> Path:
    """A page whose image claims 1.6 billion pixels (its data is a few bytes)."""
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
    )
    data = zlib.compress(b"\xff" * 1024)
    return raw_pdf(
        path,
        b"q 500 0 0 500 0 0 cm /Im1 Do Q",
        resources=b"/XObject << /Im1 5 0 R >>",
        extra=[image % (width, height, len(data)) + data + b"\nendstream"],
    )


def type3_pdf(path: Path, text: str) -> Path:
    """Text in a Type3 font with glyph names but no /ToUnicode: pdfium reads control codes,
    pypdf reads the text (it maps the glyph names)."""
    letters = sorted(set(text) - {" "})
    codes = {ch: i + 1 for i, ch in enumerate(letters)}
    names = b" ".join(b"/" + ch.encode() for ch in letters)
    encoded = b"".join(b" " if ch == " " else b"\\%03o" % codes[ch] for ch in text)
    procs = b" ".join(b"/" + ch.encode() + b" 6 0 R" for ch in letters)
    font = (
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 600 700] "
        b"/FontMatrix [0.001 0 0 0.001 0 0] /CharProcs << %s >> "
        b"/Encoding << /Type /Encoding /Differences [1 %s] >> "
        b"/FirstChar 1 /LastChar %d /Widths [%s] /Resources << >> >>"
    ) % (procs, names, len(letters), b" ".join([b"600"] * len(letters)))
    glyph = b"600 0 0 0 600 700 d1 0 0 600 700 re f"
    return raw_pdf(
        path,
        b"BT /F1 12 Tf 72 700 Td (" + encoded + b") Tj ET",
        resources=b"/Font << /F1 5 0 R >>",
        extra=[font, b"<< /Length %d >>\nstream\n" % len(glyph) + glyph + b"\nendstream"],
    )


def raw_pdf(
    path: Path,
    content: bytes,
    filters: bytes = b"",
    resources: bytes = b"",
    extra: list[bytes] | None = None,
) -> Path:
    """One page drawn by ``content`` (objects 1-4); ``extra`` objects are numbered from 5."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << %s >> >>" % resources,
        b"<< /Length %d %s >>\nstream\n" % (len(content), filters) + content + b"\nendstream",
        *(extra or []),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    path.write_bytes(out.getvalue())
    return path


def elf_binary(path: Path) -> Path:
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x03\x00\x3e\x00" + b"\x00" * 200)
    return path


def zip_file(path: Path) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("inner.pdf", b"%PDF-1.4 nothing")
    return path
