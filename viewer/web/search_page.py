"""The search page: query box with help, facets, grouped results with highlighted snippets."""

from __future__ import annotations

import math
import re

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from indexer.results import FACETS
from viewer.search_gate import SearchBusy
from viewer.search_service import SearchRefused, search_as

from .context import instance, state
from .extensions import limit_searches
from .search_filters import Filters
from .search_hits import query_arg

bp = Blueprint("searching", __name__)

PER_PAGE = 20
TRAILING_OR = re.compile(r"(?:\s+OR)+\s*$")


@bp.route("/search")
@login_required
@limit_searches
def search_page() -> str | tuple[str, int]:
    query = query_arg()
    filters = Filters.from_args()
    sort = "date" if request.args.get("sort") == "date" else "relevance"
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 500)
    results = refused = None
    kind_counts: dict[str, int] = {}
    if query or filters:
        text = TRAILING_OR.sub("", query)  # "Garage OR" must not swallow the first filter
        try:
            results = _search(f"{text} {filters.terms()}".strip(), page, sort)
            kind_counts = results.facets.get("kind", {})
            if filters.kinds:  # the other kinds one could add: counted without the kind filter
                kind_counts = _other_kinds(f"{text} {filters.without_kinds().terms()}", sort)
        except SearchRefused as exc:
            refused = refusal(exc.code, exc.limit)
    pages = math.ceil(results.total / PER_PAGE) if results else 0
    html = render_template(
        "searching/search.html",
        query=query,
        filters=filters,
        kind_counts=kind_counts,
        sort=sort,
        page=page,
        pages=pages,
        results=results,
        facets=FACETS,
        refused=refused,
    )
    return (html, 400) if refused else html


def _search(text: str, page: int, sort: str, recorded: bool = True):
    return search_as(instance(), current_user.user, text, page=page, per_page=PER_PAGE,
                     sort=sort, backend=state().index, gate=state().search_gate,
                     recorded=recorded)  # fmt: skip


def _other_kinds(wider: str, sort: str) -> dict[str, int]:
    """The counts beside the kind filter: a courtesy, left out when search is busy (the
    results the visitor asked for are already found and on record)."""
    if not wider.strip():
        return {}
    try:
        return _search(wider.strip(), 1, sort, recorded=False).facets.get("kind", {})
    except SearchBusy:
        return {}


def refusal(code: str, limit: float) -> str:
    """A refused search (a QueryRefused code) in the visitor's language."""
    if code == "too-many-words":
        return _("Die Suche hat zu viele Wörter. Bitte verwenden Sie höchstens %(num)s.", num=limit)
    return _("Diese Suche wäre zu aufwendig. Bitte suchen Sie mit weniger oder genaueren Wörtern.")
