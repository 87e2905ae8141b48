"""Cleaning an old scan before OCR: even paper, straight lines, no speckles.

Measured on generated aged pages (``bench/ocr_quality.py``): tesseract binarises a page
with one global threshold and reads lines only within about a degree of level, so a
stain, uneven yellowed paper, speckles of dust and a skew of 1-3 degrees cost it most of
a typewritten page.  Three steps, each kept because it measurably helped there:

1. **Even paper**: divide by a blurred copy of the page (its background), so a stain or a
   shadow becomes paper white without touching the ink.
2. **Deskew**: the angle (within ±5°) at which the rows of ink are sharpest, i.e. the row
   profile varies most, found on a quarter-size copy; the page is turned back by it.
3. **Despeckle**: specks of ink far from any letter are removed.  A speck near a letter is
   kept, so umlaut dots, i-dots, full stops and colons survive (removing every small
   speck, as a plain size filter does, read "Höhe" as "Hohe").

Debian's ``unpaper`` was measured as well and lost words (its filters wiped out light
text), so OpenCV does it in-process: no program to start per page.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

cv2.setNumThreads(1)  # one page per worker process: a worker is one core (as for tesseract)

MAX_SKEW = 5.0
SKEW_STEP = 0.1
MIN_TURN = 0.3
"""tesseract reads lines this close to level as well as level ones; turning would only
resample the page."""
MIN_SIDE = 64
"""Pixels; a narrower image is read as it is."""
MIN_LETTER_AREA = 30
"""Ink specks smaller than this many pixels (at 300 dpi) are dust unless near a letter."""


@dataclass(frozen=True)
class Prepared:
    image: Image.Image
    """Greyscale, the same size as the page it came from."""
    angle: float
    """Degrees the page was turned (counter-clockwise) to level its lines."""
    scanned: tuple[int, int] = (0, 0)
    """The page's size as scanned; a turned page is larger, so no corner is cut off."""


def prepare(image: Image.Image, dpi: int | None = None) -> Prepared:
    """The page cleaned for OCR; word boxes found on it map back with ``unturn``."""
    if min(image.size) < MIN_SIDE:
        return Prepared(image.convert("L"), 0.0, image.size)  # a strip or a stamp
    even = _even_paper(np.asarray(image.convert("L")))
    angle = _skew(_ink(even))
    level = _turn(even, angle) if angle else even
    del even  # a 40-megapixel page: each copy is 40 MB, and labels below take 160 MB
    scale = ((dpi or 300) / 300) ** 2
    keep = _without_specks(_ink(level), max(4, round(MIN_LETTER_AREA * scale)))
    level[~keep] = 255
    return Prepared(Image.fromarray(level), angle, image.size)


def _even_paper(grey: np.ndarray) -> np.ndarray:
    """The page divided by its background: stains and shadows turn paper white."""
    height, width = grey.shape
    small = cv2.resize(
        grey, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_AREA
    )
    background = cv2.medianBlur(small, 15)  # wider than any stroke at 1/8 scale
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(grey, background, scale=255)


def _ink(grey: np.ndarray) -> np.ndarray:
    """True where there is ink (Otsu's threshold)."""
    _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return binary > 0


def _skew(ink: np.ndarray) -> float:
    small = cv2.resize(
        ink.astype(np.uint8) * 255, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA
    )
    height, width = small.shape
    if not small.any() or ink.mean() > 0.5:
        return 0.0  # blank, or more ink than paper (a photo, a negative): no lines to level
    sharpness = {}
    for step in range(round(-MAX_SKEW / SKEW_STEP), round(MAX_SKEW / SKEW_STEP) + 1):
        candidate = round(step * SKEW_STEP, 2)
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), candidate, 1.0)
        turned = cv2.warpAffine(small, turn, (width, height), flags=cv2.INTER_NEAREST)
        sharpness[candidate] = float(turned.sum(axis=1, dtype=np.float64).var())
    angle = max(sharpness, key=lambda a: (sharpness[a], -abs(a)))
    # a line or two of text is about as sharp at ±0.2° as level on the quarter-size copy
    return angle if abs(angle) >= MIN_TURN else 0.0


def _turn(grey: np.ndarray, angle: float) -> np.ndarray:
    """Turned about its centre onto a canvas large enough for all of it."""
    height, width = grey.shape
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    cos, sin = abs(turn[0, 0]), abs(turn[0, 1])
    wide, high = round(width * cos + height * sin), round(width * sin + height * cos)
    turn[0, 2] += (wide - width) / 2
    turn[1, 2] += (high - height) / 2
    return cv2.warpAffine(grey, turn, (wide, high), flags=cv2.INTER_CUBIC, borderValue=255)


def _without_specks(ink: np.ndarray, min_area: int) -> np.ndarray:
    """The ink with isolated small specks removed; small marks near a letter stay."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    letters = area >= min_area
    letters[0] = False  # the background
    if not letters.any():
        return np.zeros_like(ink)
    heights = stats[letters, cv2.CC_STAT_HEIGHT]
    reach = int(np.clip(np.median(heights), 3, 200))  # about a letter's height
    near = cv2.dilate(letters[labels].astype(np.uint8), np.ones((reach, reach), np.uint8)) > 0
    kept = letters | (np.bincount(labels[near & ink], minlength=len(letters)) > 0)
    kept[0] = False
    return kept[labels]


def unturn(
    box: tuple[float, float, float, float],
    angle: float,
    turned: tuple[int, int],
    scanned: tuple[int, int],
) -> tuple[float, float, float, float]:
    """A box (relative left, top, width, height) found on the turned page of ``turned``
    pixels, on the page as scanned (``scanned`` pixels): its corners turned back about
    the centres, then their bounding box, clipped to the page."""
    if not angle:
        return box
    width, height = turned
    left, top, wide, high = box[0] * width, box[1] * height, box[2] * width, box[3] * height
    rad = np.deg2rad(angle)  # cv2 turns counter-clockwise (y down) for a positive angle
    cos, sin = float(np.cos(rad)), float(np.sin(rad))
    out_w, out_h = scanned
    xs, ys = [], []
    for x, y in ((left, top), (left + wide, top), (left, top + high), (left + wide, top + high)):
        dx, dy = x - width / 2, y - height / 2
        xs.append(out_w / 2 + dx * cos - dy * sin)
        ys.append(out_h / 2 + dx * sin + dy * cos)
    x0, y0 = max(0.0, min(xs)) / out_w, max(0.0, min(ys)) / out_h
    return x0, y0, min(1.0, max(xs) / out_w) - x0, min(1.0, max(ys) / out_h) - y0
