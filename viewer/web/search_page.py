"""The search page: query box with help, facets, grouped results with highlighted snippets."""

from __future__ import annotations

import math

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from indexer.retrieval import FACETS
from viewer.search_service import SearchRefused, search_as

from .context import instance, state
from .extensions import limit_searches
from .search_hits import query_arg

bp = Blueprint("searching", __name__)

PER_PAGE = 20
FACET_FIELDS = {"kind": "art", "decade": "jahr", "bezirk": "bezirk"}
"""Facet -> the query field that filters by it."""


@bp.route("/search")
@login_required
@limit_searches
def search_page() -> str | tuple[str, int]:
    query = query_arg()
    sort = "date" if request.args.get("sort") == "date" else "relevance"
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), 500)
    results = refused = None
    if query:
        try:
            results = search_as(
                instance(),
                current_user.user,
                query,
                page=page,
                per_page=PER_PAGE,
                sort=sort,
                reader=state().index,
            )
        except SearchRefused as exc:
            refused = refusal(exc.code, exc.limit)
    pages = math.ceil(results.total / PER_PAGE) if results else 0
    html = render_template(
        "searching/search.html",
        query=query,
        sort=sort,
        page=page,
        pages=pages,
        results=results,
        facets=FACETS,
        facet_filter=facet_filter,
        refused=refused,
    )
    return (html, 400) if refused else html


def refusal(code: str, limit: float) -> str:
    """A refused search (a QueryRefused code) in the visitor's language."""
    if code == "too-many-words":
        return _("Die Suche hat zu viele Wörter. Bitte verwenden Sie höchstens %(num)s.", num=limit)
    return _("Diese Suche wäre zu aufwendig. Bitte suchen Sie mit weniger oder genaueren Wörtern.")


def facet_filter(query: str, facet: str, value: str) -> str:
    """The query narrowed to one facet value (a decade "1990er" becomes jahr:1990..1999)."""
    if facet == "decade":
        start = value[:4]
        term = f"jahr:{start}..{int(start) + 9}" if start.isdigit() else ""
    else:
        term = f"{FACET_FIELDS[facet]}:{value}"
    return f"{query} {term}".strip() if term and term not in query.split() else query
