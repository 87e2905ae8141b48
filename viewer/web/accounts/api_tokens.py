"""The account page for API tokens: create one (shown once), see when each was used, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from docstore.models import User, utcnow
from docstore.services import tokens

from ..context import instance
from . import bp
from .confirmation import WRONG, ConfirmForm, confirm, needs_code


class TokenForm(ConfirmForm):
    name = StringField(
        _l("Name des Tokens (z. B. das Gerät)"), validators=[DataRequired(), Length(max=100)]
    )


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens() -> str | tuple[str, int]:
    form = TokenForm()
    created = error = None
    with instance().db.transaction() as s:
        user = s.get(User, current_user.user.id)
        if form.validate_on_submit():
            confirmed = confirm(s, user, form)
            if confirmed is None:
                error = str(WRONG)
            else:
                days = instance().config.api_token_days
                _token, created = tokens.create_token(
                    s, user, form.name.data, confirmed=confirmed, valid_days=days
                )
                form = TokenForm(formdata=None)
        listed = tokens.user_tokens(s, user)
        page = render_template(
            "accounts/api_tokens.html",
            form=form,
            tokens=listed,
            created=created,
            error=error,
            with_code=needs_code(user),
            config_days=instance().config.api_token_days,
            now=utcnow(),
        )
    if error:
        return page, 401
    return (page, 400) if form.errors else page


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Response:
    with instance().db.transaction() as s:
        token = tokens.revoke_token(s, current_user.user, token_id)
        name = token.name
    flash(_("Token „%(name)s“ widerrufen.", name=name), "info")
    return redirect(url_for("accounts.api_tokens", _anchor="tokens"))
