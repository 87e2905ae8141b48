"""Deterministic document renderers for the demo archive: typed PDFs, scans, a plan."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..fonts import FONT, FONT_BOLD

FIXED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # same bytes on every run
AUTHORITY = "Stadt Köln · Der Oberbürgermeister · Bauaufsichtsamt"


def typed_pdf(path: Path, heading: str, lines: list[str], when: dt.date, pages: int = 1) -> None:
    """A born-digital letter or form with a real text layer."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.add_font("DejaVu", style="B", fname=str(FONT_BOLD))
    per_page = max(1, -(-len(lines) // pages))
    for n in range(pages):
        pdf.add_page()
        pdf.set_font("DejaVu", size=8)
        pdf.cell(0, 5, AUTHORITY, new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 5, f"Köln, den {when:%d.%m.%Y}", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("DejaVu", style="B", size=14)
        suffix = f" (Seite {n + 1} von {pages})" if pages > 1 else ""
        pdf.multi_cell(0, 8, heading + suffix, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("DejaVu", size=11)
        for line in lines[n * per_page : (n + 1) * per_page]:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    pdf.output(str(path))


def scanned_pages(
    heading: str, lines: list[str], when: dt.date, rng: random.Random, pages: int = 1
) -> list[Image.Image]:
    """Typewritten-looking pages at 200 dpi, yellowed, speckled and slightly skewed."""
    width, height = 1654, 2339  # A4 at 200 dpi
    title_font = ImageFont.truetype(str(FONT_BOLD), 44)
    font = ImageFont.truetype(str(FONT), 32)
    per_page = max(1, -(-len(lines) // pages))
    out = []
    for n in range(pages):
        paper = 236 - rng.randrange(0, 14)
        page = Image.new("L", (width, height), paper)
        draw = ImageDraw.Draw(page)
        draw.text((140, 120), AUTHORITY, fill=40, font=font)
        draw.text((width - 520, 190), f"Köln, {when:%d.%m.%Y}", fill=40, font=font)
        draw.text((140, 320), heading, fill=20, font=title_font)
        y = 430
        for line in lines[n * per_page : (n + 1) * per_page]:
            for chunk in _wrap(line, 70):
                draw.text((140, y), chunk, fill=30 + rng.randrange(0, 25), font=font)
                y += 48
            y += 24
        draw.text((width // 2 - 60, height - 150), f"- {n + 1} -", fill=40, font=font)
        page = _age(page, rng)
        out.append(page)
    return out


def _wrap(text: str, width: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current] if current else lines


def _age(page: Image.Image, rng: random.Random) -> Image.Image:
    """Speckle noise, a soft blur and a skew of up to 1.2 degrees, all from the seeded rng."""
    width, height = page.size
    small = (width // 2, height // 2)
    noise = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    speckle = noise.point(lambda v: 0 if v == 255 else 255).resize(
        page.size, Image.Resampling.NEAREST
    )
    page = Image.composite(page, Image.new("L", page.size, 70), speckle)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    angle = rng.uniform(-1.2, 1.2)
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=230)


def plan_drawing(
    title: str, rng: random.Random, size: tuple[int, int] = (9600, 6400)
) -> Image.Image:
    """A large floor plan at 'A0-ish' size: walls, grid, dimensions, title block."""
    width, height = size
    plan = Image.new("L", size, 255)
    draw = ImageDraw.Draw(plan)
    for x in range(0, width, 400):
        draw.line([(x, 0), (x, height)], fill=225, width=2)
    for y in range(0, height, 400):
        draw.line([(0, y), (width, y)], fill=225, width=2)
    x0, y0, x1, y1 = 800, 700, width - 2400, height - 900
    draw.rectangle([x0, y0, x1, y1], outline=0, width=36)
    for _ in range(7):
        x = rng.randrange(x0 + 600, x1 - 600)
        draw.line([(x, y0), (x, rng.randrange(y0 + 1500, y1))], fill=0, width=18)
    for _ in range(5):
        y = rng.randrange(y0 + 600, y1 - 600)
        draw.line([(rng.randrange(x0, x0 + 2000), y), (x1, y)], fill=0, width=18)
    label = ImageFont.truetype(str(FONT), 110)
    for room in ("Wohnen", "Küche", "Bad", "Schlafen", "Flur", "Arbeiten"):
        draw.text(
            (rng.randrange(x0 + 200, x1 - 800), rng.randrange(y0 + 200, y1 - 300)),
            room,
            fill=0,
            font=label,
        )
    block = ImageFont.truetype(str(FONT_BOLD), 120)
    bx = width - 2200
    draw.rectangle([bx, height - 1500, width - 200, height - 200], outline=0, width=12)
    draw.text((bx + 80, height - 1400), "Grundriss Erdgeschoss", fill=0, font=block)
    draw.text((bx + 80, height - 1150), title, fill=0, font=label)
    draw.text((bx + 80, height - 950), "Maßstab 1:50", fill=0, font=label)
    _dimension_chain(draw, x0, x1, y1 + 250, rng)
    small = ImageFont.truetype(str(FONT), 40)  # 2.5 mm at 1:50 and 400 dpi, as drawn by hand
    for row, line in enumerate(
        (
            "Bauherr: siehe Bauantrag",
            "Entwurf: Planungsbüro, Blatt 1 von 1",
            "Index a: Fenster geändert",
        )
    ):
        draw.text((bx + 80, height - 760 + row * 60), line, fill=0, font=small)
    return plan


def _dimension_chain(
    draw: ImageDraw.ImageDraw, x0: int, x1: int, y: int, rng: random.Random
) -> None:
    """Dimension lines under the outer wall with their figures in metres, 40 pixels high:
    what an architect zooms in for (6 pixels in the 1600-pixel preview)."""
    font = ImageFont.truetype(str(FONT), 40)
    draw.line([(x0, y), (x1, y)], fill=0, width=3)
    x = x0
    while x < x1:
        step = min(x1 - x, rng.randrange(700, 1500))
        draw.line([(x, y - 30), (x, y + 30)], fill=0, width=3)
        metres = f"{step * 0.00635:.2f}".replace(".", ",")  # 400 dpi at 1:50
        draw.text((x + step // 2 - 45, y - 60), metres, fill=0, font=font)
        x += step
    draw.line([(x1, y - 30), (x1, y + 30)], fill=0, width=3)
