"""German stop words (the Snowball list in ``data/stopwords_de.txt``), folded."""

from __future__ import annotations

from pathlib import Path

from .folding import fold

_FILE = Path(__file__).with_name("data") / "stopwords_de.txt"
STOPWORDS = frozenset(
    fold(line.strip())
    for line in _FILE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
