"""Extracts on the web: choose pages and order, follow the order, pay, download; the clerk's
record of a plan author's consent.

Every rule (which pages, which plans, what it costs, when it may be had)
is a docstore service's; the views only word the outcome.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore import fees
from docstore.errors import UsageError
from docstore.models import Document, User
from docstore.services import archive, extracts, fee_notices, online_payments, plan_consents
from docstore.services.archive import Hidden
from docstore.services.extracts import Expired, NotReady, OrderTerms

from . import online_payments as online_payments_web
from .context import form_id, instance
from .downloads import attachment_response
from .error_texts import error_text
from .extensions import EXTRACT_LIMIT
from .fees import fee_printer

bp = Blueprint("extracts", __name__)


def _terms() -> OrderTerms:
    config, store = instance().config, instance().store
    return OrderTerms(
        schedule=fees.schedule_of(config), letterhead=fee_notices.letterhead_of(config),
        printer=fee_printer(store),
        plan_kinds=plan_consents.plan_kinds(config),
        max_pages=config.values["extract_max_pages"], zone=config.tz,
    )  # fmt: skip


def _pay_afterwards() -> bool:
    return instance().config.values["fee_pay_afterwards"]


@bp.route("/files/<id:building_file_id>/extract")
@login_required
def new(building_file_id: int) -> str:
    """The documents of the file the user may copy, with their pages and the plan rule."""
    user = current_user.user
    config = instance().config
    with instance().db.session() as s:
        offer = extracts.choices(s, user, building_file_id, plan_consents.plan_kinds(config))
        return render_template(
            "extracts/new.html", bf=offer.building_file, documents=offer.documents,
            needs_declaration=offer.needs_declaration, schedule=fees.schedule_of(config),
            staff=user.is_staff, max_pages=config.values["extract_max_pages"],
        )  # fmt: skip


@bp.route("/files/<id:building_file_id>/extract", methods=["POST"])
@login_required
@EXTRACT_LIMIT
def order(building_file_id: int) -> Response:
    chosen = [i for i in map(form_id, request.form.getlist("documents")) if i is not None]
    try:
        number = _place_order(building_file_id, chosen)
    except Hidden:
        raise
    except UsageError as exc:
        flash(_("Der Auszug kann so nicht bestellt werden: %(reason)s", reason=error_text(exc)),
              "error")  # fmt: skip
        return redirect(url_for("extracts.new", building_file_id=building_file_id), 303)
    flash(_("Ihr Auszug ist bestellt. Er wird jetzt erstellt; das dauert meist wenige Minuten."),
          "info")  # fmt: skip
    return redirect(url_for("extracts.show", order_id=number), 303)


def _place_order(building_file_id: int, chosen: list[int]) -> int:
    with instance().db.transaction() as s:
        me = s.get(User, current_user.user.id)
        _bf, documents = archive.open_building_file(s, me, building_file_id)
        selections = extracts.selections_of(
            documents, chosen, lambda d: request.form.get(f"pages-{d}", "")
        )
        extract = extracts.order(
            s, me, selections, _terms(),
            proceedings_declared=request.form.get("declared") == "yes",
            stamped=request.form.get("unstamped") != "yes",
        )  # fmt: skip
        return extract.id


@bp.route("/extracts/")
@login_required
def index() -> str:
    with instance().db.session() as s:
        orders = extracts.mine(s, s.get(User, current_user.user.id))
        return render_template("extracts/index.html", orders=orders)


@bp.route("/extracts/<id:order_id>")
@login_required
def show(order_id: int) -> str:
    with instance().db.session() as s:
        me = s.get(User, current_user.user.id)
        extract = extracts.readable(s, me, order_id)
        notice = fee_notices.readable(s, extract.fee_notice_id, actor=me) if (
            extract.fee_notice_id) else None  # fmt: skip
        attempts = {notice.id: online_payments.of_notice(s, notice)[-1:]} if notice else {}
        titles = {p.document_id: None for p in extract.pages}
        for doc_id in titles:
            doc = s.get(Document, doc_id)
            titles[doc_id] = (doc.title or doc.original_name) if doc else str(doc_id)
        now = dt.datetime.now(dt.UTC)
        unpaid = extracts.waits_for_payment(s, extract, _pay_afterwards())
        return render_template(
            "extracts/show.html", extract=extract, notices=[notice] if notice else [],
            attempts=attempts, titles=titles, unpaid=unpaid,  # kept until paid: never expired
            expired=not unpaid and extract.expires_at is not None and extract.expires_at <= now,
            pay_online=online_payments_web.provider() is not None,
            bank=bool(instance().config.bank_iban),
            last_day=(extract.expires_at.astimezone(instance().config.tz).date()
                      - dt.timedelta(days=1)) if extract.expires_at else None,
        )  # fmt: skip


@bp.route("/extracts/<id:order_id>.pdf")
@login_required
def download(order_id: int) -> Response:
    try:
        with instance().db.transaction() as s:
            me = s.get(User, current_user.user.id)
            extract = extracts.for_download(s, me, order_id, pay_afterwards=_pay_afterwards())
            key, size, number = extract.object_key, extract.size, extract.number
    except NotReady as exc:
        flash(_("Der Auszug ist noch nicht abrufbar.") + " " + _not_ready(exc), "error")
        return redirect(url_for("extracts.show", order_id=order_id), 303)
    except Expired:
        abort(410)
    return attachment_response(key, f"Auszug-{number}.pdf", "application/pdf", size, False)


def _not_ready(exc: NotReady) -> str:
    if exc.code == "extract.unpaid":
        return _("Er kann heruntergeladen werden, sobald die Gebühr bezahlt ist.")
    return _("Er wird noch erstellt; bitte laden Sie die Seite in einigen Minuten neu.")


@bp.route("/documents/<id:document_id>/plan-consent", methods=["POST"])
@login_required
def record_consent(document_id: int) -> Response:
    """The clerk records the author's consent to copies of a plan."""
    try:
        day = dt.date.fromisoformat(request.form.get("consented_on", ""))
    except ValueError:
        day = None
    try:
        with instance().db.transaction() as s:
            me = s.get(User, current_user.user.id)
            plan_consents.record(s, me, document_id, consented_on=day,
                                 note=request.form.get("note", ""))  # fmt: skip
        flash(_("Die Zustimmung des Urhebers ist eingetragen."), "info")
    except Hidden:
        raise
    except UsageError as exc:
        flash(error_text(exc), "error")
    return redirect(url_for("clerk.edit_document", document_id=document_id) + "#plan-consent", 303)


@bp.route("/documents/<id:document_id>/plan-consent/withdraw", methods=["POST"])
@login_required
def withdraw_consent(document_id: int) -> Response:
    try:
        with instance().db.transaction() as s:
            me = s.get(User, current_user.user.id)
            plan_consents.withdraw(s, me, document_id, request.form.get("reason", ""))
        flash(_("Die Zustimmung ist widerrufen; Auszüge enthalten den Plan nicht mehr."),
              "info")  # fmt: skip
    except Hidden:
        raise
    except UsageError as exc:
        flash(error_text(exc), "error")
    return redirect(url_for("clerk.edit_document", document_id=document_id) + "#plan-consent", 303)
