"""The README's settings table is the one ``SETTINGS`` makes: it cannot drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from docstore.config import SETTINGS, settings_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_lists_every_setting_as_declared() -> None:
    block = re.search(r"<!-- settings:.*?-->\n(.*?)<!-- /settings -->", README.read_text(), re.S)
    assert block is not None, "the README lost its settings markers"
    assert block.group(1) == settings_markdown(), "run: bauakte config show --markdown"
    assert all(f"`{s.env}`" in block.group(1) for s in SETTINGS)
