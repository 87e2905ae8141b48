"""Paying a fee notice online: the "Online bezahlen" button, the payer's return, and the
provider's notification.

The return page and the notification both only make docstore ask the
provider; what they carry is never taken for the outcome (see
:mod:`docstore.services.online_payments`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore.errors import ConfigError, UsageError
from docstore.fee_models import FeeNotice, OnlineStatus
from docstore.models import User
from docstore.payment_provider import NotificationRefused, ProviderUnavailable
from docstore.services import extracts, mail, online_payments
from docstore.services.archive import Hidden
from docstore.services.online_payments import Booking
from docstore.xbezahldienste import MAX_NOTIFICATION_BYTES, XBezahldienst, provider_of

from .context import instance
from .error_texts import error_text
from .extensions import csrf, limiter

bp = Blueprint("online_payments", __name__)

RETURN_MESSAGES = {
    OnlineStatus.PAID.value: (
        "info", lambda: _("Vielen Dank, die Zahlung ist eingegangen.")),
    OnlineStatus.STARTED.value: (
        "info", lambda: _("Der Bezahldienst hat die Zahlung noch nicht bestätigt. Sobald er sie "
                          "meldet, bekommen Sie eine E-Mail.")),
    OnlineStatus.CANCELLED.value: (
        "error", lambda: _("Die Zahlung wurde abgebrochen. Sie können es erneut versuchen oder "
                           "den Betrag überweisen.")),
    OnlineStatus.FAILED.value: (
        "error", lambda: _("Der Bezahldienst hat die Zahlung nicht angenommen. Bitte versuchen "
                           "Sie es erneut oder überweisen Sie den Betrag.")),
    OnlineStatus.DISPUTED.value: (
        "error", lambda: _("Die Zahlung passt nicht zum Bescheid. Die Bauaufsicht prüft sie und "
                           "meldet sich bei Ihnen.")),
}  # fmt: skip


def provider() -> XBezahldienst | None:
    try:
        return provider_of(instance().config)
    except ConfigError:
        return None


def payorigin() -> str | None:
    """Where the pay page is, for the page's ``form-action`` (None: no online payment)."""
    config = instance().config
    if not config.payment_provider or not config.paydienst_url:
        return None
    return origin(config.paydienst_url)


def origin(url: str) -> str:
    """scheme://host:port of ``url``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _booking() -> Booking:
    config = instance().config
    return Booking(config.tz, mail.context_of(config))


def _return_url(request_id: str) -> str:
    base = instance().config.public_url.rstrip("/")
    return base + url_for("online_payments.back", request_id=request_id)


def _to_application(notice_id: int) -> Response:
    """Back to what the notice is for: the application, or the extract."""
    with instance().db.session() as s:
        notice = s.get(FeeNotice, notice_id)
        if notice is not None and notice.request_id:
            return redirect(url_for("applications.show", request_id=notice.request_id), 303)
        extract = extracts.of_notice(s, notice_id) if notice is not None else None
        if extract is not None:
            return redirect(url_for("extracts.show", order_id=extract.id), 303)
    return redirect(url_for("archive.start"), 303)


@bp.route("/fee-notices/<id:notice_id>/pay", methods=["POST"])
@login_required
def pay(notice_id: int) -> Response | str:
    """Off to the provider's pay page for the open amount."""
    paydienst = provider()
    if paydienst is None:
        abort(404)
    db = instance().db
    with db.session() as s:
        me = s.get(User, current_user.user.id)
        s.expunge(me)
    try:
        url = online_payments.start(db, notice_id, actor=me, provider=paydienst,
                                    return_url=_return_url, booking=_booking())  # fmt: skip
    except ProviderUnavailable:
        flash(_("Der Bezahldienst ist gerade nicht erreichbar. Bitte versuchen Sie es später "
                "erneut oder überweisen Sie den Betrag."), "error")  # fmt: skip
        return _to_application(notice_id)
    except Hidden:
        raise  # someone else's notice: it does not exist (404)
    except UsageError as exc:
        flash(error_text(exc), "error")
        return _to_application(notice_id)
    if url is None:
        flash(RETURN_MESSAGES[OnlineStatus.PAID.value][1](), "info")
        return _to_application(notice_id)
    if origin(url) == payorigin():
        return redirect(url, 303)
    return render_template("fees/continue.html", url=url)


@bp.route("/payments/online/<request_id>/return")
@login_required
def back(request_id: str) -> Response:
    """The payer is back from the provider (or typed the address): how the payment stands."""
    if len(request_id) > 36:
        abort(404)
    paydienst = provider()
    if paydienst is None:
        abort(404)
    db = instance().db
    with db.session() as s:
        me = s.get(User, current_user.user.id)
        s.expunge(me)
    try:
        attempt = online_payments.returned(db, request_id, actor=me, provider=paydienst,
                                           booking=_booking())  # fmt: skip
    except ProviderUnavailable:
        flash(RETURN_MESSAGES[OnlineStatus.STARTED.value][1](), "info")
        with db.session() as s:
            notice_id = online_payments.notice_of(s, request_id, actor=me)
        return _to_application(notice_id)
    category, message = RETURN_MESSAGES[attempt.status]
    flash(message(), category)
    return _to_application(attempt.notice_id)


@bp.route("/payments/online/notify", methods=["POST"])
@csrf.exempt  # the provider posts here; its signature is the proof, and it only makes us ask
@limiter.limit("120 per minute", scope="paydienst")
def notify() -> Response:
    paydienst = provider()
    if paydienst is None:
        abort(404)
    body = request.stream.read(MAX_NOTIFICATION_BYTES + 1)
    try:
        online_payments.notified(instance().db, body, request.headers, provider=paydienst,
                                 booking=_booking())  # fmt: skip
    except NotificationRefused as exc:
        return Response(f"refused: {exc}\n", 400, mimetype="text/plain")
    except ProviderUnavailable:
        return Response("state query failed; send again later\n", 503, mimetype="text/plain")
    return Response(status=204)
