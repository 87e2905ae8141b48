"""What a request needs from the instance: the database, the store, the search reader."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from docstore.instance import Instance
from indexer.search import IndexReader


@dataclass
class WebState:
    """Held once per server process (``app.extensions['bauakte']``)."""

    instance: Instance
    index: IndexReader


def state() -> WebState:
    return current_app.extensions["bauakte"]


def instance() -> Instance:
    return state().instance
