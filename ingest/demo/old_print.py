"""Aged scans whose text is known: the ground truth for measuring OCR of old files.

A building authority's files go back to the 19th century: Fraktur print on old forms,
typewriter text from the 1930s to the 1980s, later printed letters.  These pages are drawn
in such a face from a seeded generator and then aged (yellowed, uneven paper, speckles,
a stain, blur, skew), so a run of OCR can be scored word by word against what was drawn.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
FACES: dict[str, tuple[Path, str]] = {
    "antiqua": (_DEJAVU / "DejaVuSerif.ttf", "fonts-dejavu-core"),
    "typewriter": (
        Path("/usr/share/fonts/truetype/gnutypewriter/GNUTypewriter.ttf"),
        "fonts-gnutypewriter",
    ),
    "fraktur": (
        Path(__file__).resolve().parents[2]
        / "fonts/node_modules/@fontsource/unifrakturmaguntia/files"
        / "unifrakturmaguntia-latin-400-normal.woff",
        "the npm package @fontsource/unifrakturmaguntia (make test installs it in fonts/)",
    ),
}
"""Face name -> (font file, where it comes from)."""

OLD_SENTENCES = [
    "Die Baupolizeibehörde ertheilt hiermit die Genehmigung zum Neubau eines Wohnhauses.",
    "Der Bauherr hat dafür zu sorgen, daß die Thür zum Treppenhaus feuersicher ausgeführt wird.",
    "Die Centralheizung ist im Kellergeschoß aufzustellen und mit einem Rauchrohr zu versehen.",
    "Der Abort im Hofe ist mit einer Grube aus Mauerwerk in Cementmörtel herzustellen.",
    "Die Umfassungsmauern sind in Ziegelsteinen von mindestens "
    "einundeinhalb Stein Stärke auszuführen.",
    "Vor Beginn der Arbeiten ist die Fluchtlinie durch den Stadtgeometer anzugeben.",
    "Das Dachgeschoß darf nur mit Genehmigung der Polizeiverwaltung zu "
    "Wohnzwecken ausgebaut werden.",
    "Die Balkenlage über dem Erdgeschoß ist nach der beigefügten "
    "statischen Berechnung auszuführen.",
    "Die Schornsteine sind bis über den First zu führen und vom "
    "Bezirksschornsteinfeger abzunehmen.",
    "Nach Vollendung des Rohbaues ist die Abnahme bei der Baupolizei schriftlich zu beantragen.",
    "Gegen diese Verfügung steht dem Bauherrn die Beschwerde bei dem Herrn "
    "Regierungspräsidenten zu.",
    "Die Gebühren für die Prüfung der Bauvorlagen betragen zwölf Mark und fünfzig Pfennig.",
]

MODERN_SENTENCES = [
    "Hiermit wird die Baugenehmigung für den Anbau einer Garage an das Wohnhaus erteilt.",
    "Die Standsicherheit des Dachstuhls ist durch einen Prüfingenieur nachzuweisen.",
    "Der Bauantrag vom 12. März ist mit allen Bauvorlagen vollständig eingegangen.",
    "Die Abstandsflächen zum Nachbargrundstück werden an allen Seiten eingehalten.",
    "Die Entwässerung des Grundstücks erfolgt über den vorhandenen Anschluss an den Kanal.",
    "Für die Fensterbrüstung im Obergeschoss ist eine Höhe von 0,90 m einzuhalten.",
    "Die Rohbauabnahme hat am 14. Juni stattgefunden; Mängel wurden nicht festgestellt.",
    "Die Gebühr für diese Genehmigung beträgt 245,00 Euro und ist binnen eines Monats zu zahlen.",
    "Der Einbau einer Heizungsanlage im Kellergeschoss ist dem Bezirksschornsteinfeger anzuzeigen.",
    "Gegen diesen Bescheid kann innerhalb eines Monats Klage beim "
    "Verwaltungsgericht erhoben werden.",
    "Die Stellplätze sind vor Bezug der Wohnungen herzustellen und dauerhaft zu unterhalten.",
    "Der Lageplan im Maßstab 1:500 und die Bauzeichnungen sind Bestandteil dieser Genehmigung.",
]

TITLES = {
    "fraktur": "Bauschein",
    "typewriter": "Bauschein",
    "antiqua": "Baugenehmigung",
}


@dataclass(frozen=True)
class AgedPage:
    face: str
    image: Image.Image
    truth: str
    """Every word drawn on the page, in reading order."""
    dpi: int
    skew: float
    """Degrees the page was turned counter-clockwise, as a scanner might."""


class FontMissing(RuntimeError):
    pass


def font(face: str, size: int) -> ImageFont.FreeTypeFont:
    path, source = FACES[face]
    if not path.is_file():
        raise FontMissing(f"the {face} font {path} is missing: install {source}")
    return ImageFont.truetype(str(path), size)


def aged_page(face: str, seed: int, *, dpi: int = 300, harsh: bool = True) -> AgedPage:
    """The upper half of an A4 page in ``face`` with five sentences, aged from ``seed``:
    ``harsh`` adds a dark stain, dense speckles, blur and a skew of 1-3 degrees."""
    rng = random.Random(f"{face}-{seed}")
    scale = dpi / 300
    width, height = round(2480 * scale), round(1754 * scale)  # the upper half of A4
    pool = MODERN_SENTENCES if face == "antiqua" else OLD_SENTENCES
    sentences = rng.sample(pool, 5)
    size = {"fraktur": 46, "typewriter": 40, "antiqua": 38}[face]
    body = font(face, round(size * scale))
    heading = font(face, round(size * 1.6 * scale))
    paper = 228 + rng.randrange(0, 20)
    page = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(page)
    margin, y = round(220 * scale), round(180 * scale)
    title = TITLES[face]
    truth = [title]
    draw.text((margin, y), title, fill=25, font=heading)
    y += round(size * 2.6 * scale)
    for sentence in sentences:
        for line in _wrap(sentence, draw, body, width - 2 * margin):
            ink = 20 + rng.randrange(0, 45) if face == "typewriter" else 25
            draw.text((margin, y), line, fill=ink, font=body)
            truth.extend(line.split())
            y += round(size * 1.55 * scale)
    page, skew = _age(page, rng, harsh)
    return AgedPage(face, page, " ".join(truth), dpi, skew)


def _wrap(text: str, draw: ImageDraw.ImageDraw, face: ImageFont.FreeTypeFont, room: int):
    line = ""
    for word in text.split():
        wider = f"{line} {word}".strip()
        if line and draw.textlength(wider, font=face) > room:
            yield line
            line = word
        else:
            line = wider
    if line:
        yield line


def _age(page: Image.Image, rng: random.Random, harsh: bool) -> tuple[Image.Image, float]:
    """Uneven yellowed paper, a stain, speckles, blur and skew: what decades do to paper."""
    width, height = page.size
    shade = Image.linear_gradient("L").resize((width, height)).point(lambda v: v // 6)
    if rng.random() < 0.5:
        shade = shade.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    page = Image.composite(Image.new("L", page.size, 0), page, shade.point(lambda v: v // 2))
    stain = Image.new("L", page.size, 0)
    cx, cy, r = rng.randrange(width), rng.randrange(height), rng.randrange(width // 10, width // 5)
    ImageDraw.Draw(stain).ellipse((cx - r, cy - r, cx + r, cy + r), fill=70 if harsh else 35)
    stain = stain.filter(ImageFilter.GaussianBlur(r // 3))
    page = Image.composite(Image.new("L", page.size, 120), page, stain)
    density = 0.004 if harsh else 0.001
    small = (width // 3, height // 3)
    noise = Image.frombytes("L", small, rng.randbytes(small[0] * small[1]))
    cut = round(255 * (1 - density))
    specks = noise.point(lambda v: 255 if v > cut else 0).resize(
        page.size, Image.Resampling.NEAREST
    )
    page = Image.composite(Image.new("L", page.size, 60), page, specks)
    page = page.filter(ImageFilter.GaussianBlur(1.0 if harsh else 0.5))
    angle = rng.uniform(1.0, 3.0) * rng.choice((-1, 1)) if harsh else rng.uniform(-0.8, 0.8)
    fill = paper_of(page)
    turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=fill)
    return turned, angle


def paper_of(page: Image.Image) -> int:
    """The paper's tone: the brightest common grey."""
    hist = page.histogram()
    return max(range(128, 256), key=lambda v: hist[v])


PUNCTUATION = ".,;:!?\"'„“”‚‘()[]-–—»«"


def words_of(text: str) -> list[str]:
    """Words as search sees them: case and surrounding punctuation do not count."""
    return [w for w in (part.strip(PUNCTUATION).casefold() for part in text.split()) if w]


def word_accuracy(truth: str, read: str) -> float:
    """1 - word error rate: word edits (substituted, missed, invented) per true word."""
    expected, got = words_of(truth), words_of(read)
    previous = list(range(len(got) + 1))
    for i, word in enumerate(expected, 1):
        current = [i] + [0] * len(got)
        for j, other in enumerate(got, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
        previous = current
    return max(0.0, 1 - previous[-1] / max(1, len(expected)))
