"""What a request needs from the instance: the database, the store, the search reader."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from werkzeug.routing import IntegerConverter

from docstore.instance import Instance
from indexer.backend import SearchBackend
from viewer.search_gate import SearchGate


@dataclass
class WebState:
    """Held once per server process (``app.extensions['bauakte']``)."""

    instance: Instance
    index: SearchBackend
    """One per process: its searcher is long-lived and shared by the threads."""
    search_gate: SearchGate
    """One per process: the bound on its searches at once."""


def state() -> WebState:
    return current_app.extensions["bauakte"]


def instance() -> Instance:
    return state().instance


class IdConverter(IntegerConverter):
    """``<id:...>``: a database id, 1 to 2**31-1; anything else is a plain 404.

    Without the bound, an id past the column's range reaches the database
    and fails there (a 500, found by the API's schemathesis run).
    """

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def form_id(text: str | None) -> int | None:
    """A database id as a form sends it: ASCII digits within the id range, else None
    ('²' and '١٢' pass ``str.isdigit`` but are no ids; ``int()`` of '²' raises)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    value = int(text)
    return value if 1 <= value <= 2**31 - 1 else None
