"""The account page for API tokens: create one (shown once), see when each was used, revoke."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from docstore.services import tokens

from ..context import instance
from . import bp


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name des Tokens (z. B. das Gerät)"), validators=[DataRequired(), Length(max=100)]
    )


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def api_tokens() -> str:
    form = TokenForm()
    created = None
    with instance().db.transaction() as s:
        if form.validate_on_submit():
            _token, created = tokens.create_token(s, current_user.user, form.name.data)
            form = TokenForm(formdata=None)
        listed = tokens.user_tokens(s, current_user.user)
    return render_template("accounts/api_tokens.html", form=form, tokens=listed, created=created)


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Response:
    with instance().db.transaction() as s:
        token = tokens.revoke_token(s, current_user.user, token_id)
        name = token.name
    flash(_("Token „%(name)s“ widerrufen.", name=name), "info")
    return redirect(url_for("accounts.api_tokens", _anchor="tokens"))
