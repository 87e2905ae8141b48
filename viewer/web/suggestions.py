"""Fields that suggest as the user types (``static/suggest.js``), and the answers' shape."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, jsonify
from wtforms import Field

from docstore.models import BuildingFile, User


def suggest_from(field: Field, url: str) -> None:
    """Let ``field`` ask ``url`` for suggestions (a new dict: the class's stays untouched)."""
    field.render_kw = {**(field.render_kw or {}), "data-suggest": url}


def people(found: Iterable[User]) -> Response:
    return jsonify([
        {"value": u.username,
         "label": " · ".join(p for p in (u.display_name, u.email, u.username) if p)}
        for u in found
    ])  # fmt: skip


def building_files(found: Iterable[BuildingFile]) -> Response:
    return jsonify([
        {"value": bf.aktenzeichen,
         "label": " · ".join(p for p in (bf.aktenzeichen, bf.address) if p)}
        for bf in found
    ])  # fmt: skip
