"""Sign-in through the SAML identity provider ("Mit BundID anmelden").

These views only carry messages; :mod:`docstore.saml` checks the provider's
answer and :mod:`docstore.services.identities` decides whose account it opens.
The provider posts its answer cross-site, where the browser sends no session
cookie; so the answer is parked and the browser collects it with a same-site
redirect (``/saml/finish/<token>``) that must show the nonce its session got
when it set out.
"""

from __future__ import annotations

import secrets
from functools import cache

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from docstore.errors import PermissionDenied
from docstore.models import User
from docstore.saml import SamlRejected, ServiceProvider, in_response_to
from docstore.services import audit, identities, mail, signin

from ..context import instance
from ..error_texts import error_text
from ..extensions import csrf, limiter
from . import bp
from .confirmation import WRONG, ConfirmForm, confirm
from .identity import SignedIn, policy, safe_next
from .password import signin_limit

NONCE = "saml_nonce"
LINK = "saml_link"


def enabled() -> bool:
    return bool(instance().config.saml_idp_metadata)


def service_provider() -> ServiceProvider:
    config = instance().config
    public = config.public_url.rstrip("/")
    entity_id = config.saml_entity_id or f"{public}/saml/metadata"
    return _provider(entity_id, f"{public}/saml/acs", config.saml_idp_metadata)


@cache
def _provider(entity_id: str, acs_url: str, metadata: str) -> ServiceProvider:
    from pathlib import Path

    return ServiceProvider(entity_id, acs_url, Path(metadata))


@bp.before_app_request
def _only_when_configured() -> None:
    if (request.endpoint or "").startswith("accounts.saml_") and not enabled():
        abort(404)


@bp.route("/saml/login", methods=["POST"])
@limiter.limit(signin_limit, scope="saml")
def saml_login() -> Response:
    """Off to the provider; a signed-in citizen comes back with the identity linked.

    Linking asks for the password (and code) again: a stolen session alone must not
    plant the thief's own identity as a second way into the account.
    """
    link = current_user.is_authenticated
    if link and current_user.is_staff:
        abort(
            403, description=_("Konten der Verwaltung melden sich mit Passwort und Einmalcode an.")
        )
    if link and not _confirmed():
        flash(str(WRONG), "error")
        return redirect(url_for("accounts.profile_page"))
    nonce = secrets.token_urlsafe(32)
    next_url = safe_next(request.form.get("next") or request.args.get("next"))
    request_id, location = service_provider().login_request(relay_state="")
    with instance().db.transaction() as s:
        identities.begin(s, request_id, nonce, next_url)
    session[NONCE], session[LINK] = nonce, link
    return redirect(location)


def _confirmed() -> bool:
    form = ConfirmForm(prefix="link")  # the profile page's link form
    if not form.validate_on_submit():
        return False
    with instance().db.transaction() as s:  # a failure counts toward the lockout
        return confirm(s, s.get(User, current_user.user.id), form) is not None


@bp.route("/saml/acs", methods=["POST"])
@csrf.exempt  # the provider posts here; its signature and our request id are the proof
@limiter.limit(signin_limit, scope="saml")
def saml_acs() -> Response | tuple[str, int]:
    answer = request.form.get("SAMLResponse", "")
    try:
        request_id = in_response_to(answer)
        with instance().db.session() as s:
            if not request_id or not identities.waiting(s, request_id):
                raise SamlRejected(identities.NOT_WAITING)
        try:
            assertion = service_provider().read(answer, request_id)
        except SamlRejected:
            with instance().db.transaction() as s:
                identities.spoil(s, request_id)
            raise
        with instance().db.transaction() as s:
            token = identities.receive(s, request_id, assertion)
    except SamlRejected as exc:
        return _refused(exc.reason)
    return redirect(url_for("accounts.saml_finish", token=token))


@bp.route("/saml/finish/<token>")
def saml_finish(token: str) -> Response | tuple[str, int]:
    nonce, link = session.get(NONCE, ""), session.get(LINK, False)
    try:
        with instance().db.transaction() as s:
            collected = identities.collect(s, token[:100], nonce)
        # only now: a stray link to /saml/finish/… must not spoil a sign-in under way
        session.pop(NONCE, None), session.pop(LINK, None)
        if collected is None:
            raise SamlRejected("this sign-in was started in another browser")
        assertion, next_url = collected
        with instance().db.transaction() as s:
            own = (
                s.get(User, current_user.user.id)
                if link and current_user.is_authenticated
                else None
            )
            user = identities.account_for(s, assertion, link_to=own)
            if own is not None and own.email:
                mail.queue(s, own, "identity_linked", mail.context_of(instance().config))
            result = signin.signed_in_by_provider(
                s, user, address=request.remote_addr or "",
                trust_level=assertion.trust_level.value, policy=policy(),
            )  # fmt: skip
    except SamlRejected as exc:
        return _refused(exc.reason)
    except PermissionDenied as exc:
        return _refused(error_text(exc), status=403)
    except IntegrityError:  # the same person's first sign-in twice at once, or an address race
        return _refused("a concurrent sign-in made this account first; try again", status=409)
    session.clear()  # a fresh session at sign-in, as with a password
    login_user(SignedIn(result.user, result.session_key))
    if own is not None:
        flash(_("Ihre BundID ist mit Ihrem Konto verknüpft."), "info")
    return redirect(safe_next(next_url))


def _refused(reason: str, status: int = 400) -> tuple[str, int]:
    """Told plainly; the reason goes to the audit trail, not to the page."""
    with instance().db.transaction() as s:
        audit.record(s, "sign-in-refused", actor=None,
                     details={"method": "saml", "reason": reason[:300],
                              "address": request.remote_addr or ""})  # fmt: skip
    current_app.logger.info("SAML sign-in refused: %s", reason)
    return render_template("accounts/saml_refused.html"), status


@bp.route("/saml/metadata")
def saml_metadata() -> Response:
    """The service provider's metadata, for the identity provider's administrators."""
    return Response(service_provider().metadata(), mimetype="application/samlmetadata+xml")


@bp.app_context_processor
def _saml_button() -> dict[str, object]:
    return {"saml_label": instance().config.saml_label if enabled() else ""}
