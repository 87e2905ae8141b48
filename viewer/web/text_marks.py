"""The recognised text of a page with the words a search matched marked, as on the image."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from indexer.results import Wanted

_WORD = re.compile(r"\w[\w/.-]*\w|\w", re.UNICODE)


def marked(text: str, wanted: Wanted | None) -> Markup:
    """``text`` escaped, each word the search matched in ``<mark>`` (the same judgement as
    the hit boxes and snippets: stems, compound parts, the fuzzy spellings chosen)."""
    if not wanted:
        return Markup(escape(text))
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        word = str(escape(match.group()))
        out.append(f"<mark>{word}</mark>" if wanted.matches(match.group()) else word)
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))
