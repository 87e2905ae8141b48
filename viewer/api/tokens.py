"""Your API tokens: create (the token is shown once), list, revoke."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from docstore.models import User
from docstore.services import signin, tokens

from ..web.accounts.identity import policy
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
            user = s.get(User, me().id)
            confirmed = signin.confirm_identity(
                s,
                user,
                args["password"],
                args["code"],
                address=request.remote_addr or "",
                policy=policy(),
            )
            if confirmed is not None:
                days = instance().config.api_token_days
                token, plain = tokens.create_token(
                    s, user, args["name"], confirmed=confirmed, valid_days=days
                )
                fields = ("id", "name", "created_at", "last_used_at", "revoked_at", "expires_at")
                return {**{f: getattr(token, f) for f in fields}, "token": plain}
        abort(403, message="wrong password or one-time code")


@blp.route("/tokens/<id:token_id>")
class TokenItem(MethodView):
    @blp.response(200, TokenOut)
    def delete(self, token_id: int):
        """Revoke a token; it stops working at once."""
        with instance().db.transaction() as s:
            return tokens.revoke_token(s, me(), token_id)
