"""The fonts Bauakte draws text with (notices, extracts, stamps, watermarks, the demo).

Their own module, so that what only needs a font's path does not import fpdf2 (with
fontTools and numpy, about 30 MB in every web worker that never prints a PDF)."""

from __future__ import annotations

from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core
FONT_BOLD = FONT.with_name("DejaVuSans-Bold.ttf")


def require_fonts() -> None:
    if not FONT.exists():
        raise FileNotFoundError(
            f"{FONT} is missing: install Debian's 'fonts-dejavu-core' package (make demo does)"
        )
