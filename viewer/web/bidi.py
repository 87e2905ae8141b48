"""Bidirectional control characters kept out of every page and every JSON answer.

A title such as ``Rechnung\u202eFDP.exe`` would show as ``Rechnungexe.PDF``:
the right-to-left override makes a name lie about itself.  The characters
are removed where text leaves the app (each template expression, each JSON
string), so no page or client needs to remember it.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_bidi(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def _shown(value: Any) -> Any:
    """Jinja's finalize hook: every ``{{ … }}`` passes through here before escaping."""
    if isinstance(value, Markup):
        return Markup(strip_bidi(str(value)))
    if isinstance(value, str):
        return strip_bidi(value)
    return value


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_cleaned(v) for v in value]
    return value


class CleanJSONProvider(DefaultJSONProvider):
    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return super().dumps(_cleaned(obj), **kwargs)


def register(app: Flask) -> None:
    app.jinja_env.finalize = _shown
    app.json = CleanJSONProvider(app)
