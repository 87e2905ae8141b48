"""Search, with the same permission filter and audit event as the search page."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from viewer.search_service import SearchRefused, search_as

from ..web.context import instance, state
from ..web.extensions import limit_searches
from ..web.search_page import refusal
from .auth import before_api_request, me
from .schemas import SearchOut, SearchQuery

blp = Blueprint("api_search", __name__, description="Full-text search")
blp.before_request(before_api_request)


@blp.route("/search")
class Search(MethodView):
    decorators = (limit_searches,)

    @blp.arguments(SearchQuery, location="query")
    @blp.response(200, SearchOut)
    def get(self, args: dict) -> dict:
        """Search what you may see (query syntax as in the search page's help)."""
        try:
            results = search_as(
                instance(),
                me(),
                args["q"],
                page=args["page"],
                per_page=args["per_page"],
                sort=args["sort"],
                backend=state().index,
                gate=state().search_gate,
            )
        except SearchRefused as exc:
            abort(400, message=refusal(exc.code, exc.limit))
        return results.as_json()
