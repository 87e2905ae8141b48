"""Your API tokens: create (the token is shown once), list, revoke."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from docstore.services import tokens

from ..web.context import instance
from .auth import before_api_request, me
from .schemas import NewTokenOut, TokenIn, TokenOut

blp = Blueprint("api_tokens", __name__, description="Your API tokens")
blp.before_request(before_api_request)


@blp.route("/tokens")
class TokenCollection(MethodView):
    @blp.response(200, TokenOut(many=True))
    def get(self) -> list:
        """Your tokens (never the secret itself)."""
        with instance().db.session() as s:
            return tokens.user_tokens(s, me())

    @blp.arguments(TokenIn)
    @blp.response(201, NewTokenOut)
    def post(self, args: dict) -> dict:
        """A new token; its secret is in this answer only."""
        with instance().db.transaction() as s:
            token, plain = tokens.create_token(s, me(), args["name"])
            fields = ("id", "name", "created_at", "last_used_at", "revoked_at")
            return {**{f: getattr(token, f) for f in fields}, "token": plain}


@blp.route("/tokens/<id:token_id>")
class TokenItem(MethodView):
    @blp.response(200, TokenOut)
    def delete(self, token_id: int):
        """Revoke a token; it stops working at once."""
        with instance().db.transaction() as s:
            return tokens.revoke_token(s, me(), token_id)
