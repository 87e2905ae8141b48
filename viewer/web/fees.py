"""Fee notices and payments on the web: the notice as PDF (for its addressee and staff),
the desk's payment, cancellations, and the clerk's page of payments to resolve.

Every action is a docstore service call that checks the right again; the views
only word the outcome.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from docstore import camt, fees, payment_reference
from docstore.errors import UsageError
from docstore.fee_models import FeeNotice, PaymentMethod
from docstore.models import User
from docstore.services import (
    bank_statements,
    fee_notices,
    mail,
    online_payments,
    payments,
    roles,
)
from docstore.services.fee_notices import FeeDecision, FeeTerms
from docstore.services.roles import Capability
from storage import ObjectStore

from .context import instance
from .downloads import attachment_response
from .error_texts import error_text
from .fee_forms import AssignForm, CancelForm, DeskPaymentForm, StatementForm

bp = Blueprint("fees", __name__)


def terms(decision: FeeDecision) -> FeeTerms:
    """The instance's schedule and letterhead, printing into its object store."""
    config, store = instance().config, instance().store
    return FeeTerms(fees.schedule_of(config), fee_notices.letterhead_of(config),
                    fee_printer(store), decision)  # fmt: skip


def fee_printer(store: ObjectStore) -> fee_notices.Printer:
    """Prints a notice into ``store``; fpdf2 is imported by the worker that first prints
    one, not by every web worker at start."""

    def printer(letter: fee_notices.NoticeLetter) -> str:
        from ingest.printing import store_fee_notice

        return store_fee_notice(store, letter)

    return printer


def _mail() -> mail.MailContext:
    return mail.context_of(instance().config)


def _me(s) -> User:
    return s.get(User, current_user.user.id)


@bp.route("/fee-notices/<id:notice_id>.pdf")
@login_required
def notice_pdf(notice_id: int) -> Response:
    """The notice as it was sent; to anyone but its addressee and staff it does not exist."""
    with instance().db.session() as s:
        notice = fee_notices.readable(s, notice_id, actor=_me(s))
        key, reference = notice.pdf_key, notice.reference
    size = instance().store.stat(key).size
    return attachment_response(key, f"Gebuehrenbescheid-{reference}.pdf", "application/pdf",
                               size, False)  # fmt: skip


def _back(notice: FeeNotice) -> Response:
    if notice.request_id:
        return redirect(url_for("review.show", request_id=notice.request_id))
    return redirect(url_for("fees.payments_page"))


def _refused(exc: Exception, notice_id: int) -> Response:
    flash(error_text(exc), "error")
    with instance().db.session() as s:
        return _back(fee_notices.readable(s, notice_id, actor=_me(s)))


@bp.route("/fee-notices/<id:notice_id>/desk", methods=["POST"])
@login_required
def desk_payment(notice_id: int) -> Response:
    form = DeskPaymentForm(prefix="desk")
    with instance().db.session() as s:
        fee_notices.readable(s, notice_id, actor=_me(s))
        roles.require(_me(s), Capability.REVIEW)
    if not form.validate_on_submit():
        return _refused(UsageError(_("Bitte Betrag und Quittungsnummer angeben.")), notice_id)
    try:
        cents = fees.parse_euro(form.amount.data)
        with instance().db.transaction() as s:
            payments.at_desk(s, _me(s), notice_id, cents, PaymentMethod(form.method.data),
                             form.receipt.data, instance().config.tz, _mail())  # fmt: skip
            notice = s.get(FeeNotice, notice_id)
            flash(_("Die Zahlung ist gebucht."), "info")
            return _back(notice)
    except (UsageError, ValueError) as exc:
        return _refused(exc, notice_id)


@bp.route("/fee-notices/<id:notice_id>/cancel", methods=["POST"])
@login_required
def cancel_notice(notice_id: int) -> Response:
    form = CancelForm(prefix="cancel")
    with instance().db.session() as s:
        fee_notices.readable(s, notice_id, actor=_me(s))
        roles.require(_me(s), Capability.REVIEW)
    if not form.validate_on_submit():
        return _refused(UsageError(_("Bitte geben Sie den Grund an.")), notice_id)
    try:
        with instance().db.transaction() as s:
            notice = fee_notices.cancel(s, _me(s), notice_id, form.reason.data)
            flash(_("Der Bescheid ist storniert; die Freigabe gilt ohne Zahlung."), "info")
            return _back(notice)
    except UsageError as exc:
        return _refused(exc, notice_id)


@bp.route("/payments")
@login_required
def payments_page() -> str:
    with instance().db.session() as s:
        me = _me(s)
        return render_template(
            "fees/payments.html", unmatched=payments.unmatched(s, me),
            to_resolve=payments.to_resolve(s, me), statement_form=StatementForm(),
            statements=bank_statements.imported(s, me),
            disputed=online_payments.disputed(s, me),
            assign_form=AssignForm(prefix="assign"), cancel_form=CancelForm(prefix="cancel"),
        )  # fmt: skip


@bp.route("/payments/<id:payment_id>/assign", methods=["POST"])
@login_required
def assign_payment(payment_id: int) -> Response:
    """An unmatched transfer given to the notice the clerk names (reference or number)."""
    with instance().db.session() as s:
        roles.require(_me(s), Capability.REVIEW)
    form = AssignForm(prefix="assign")
    typed = (form.reference.data or "").strip() if form.validate_on_submit() else ""
    numbers = payment_reference.notice_numbers(typed) or (
        {int(typed)} if typed.isascii() and typed.isdigit() and len(typed) < 10 else set()
    )
    if len(numbers) != 1:
        flash(_("Bitte genau eine Zahlungsreferenz oder Bescheid-Nummer angeben."), "error")
        return redirect(url_for("fees.payments_page"))
    try:
        with instance().db.transaction() as s:
            payments.assign(s, _me(s), payment_id, numbers.pop(), instance().config.tz, _mail())
    except UsageError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("Die Zahlung ist zugeordnet."), "info")
    return redirect(url_for("fees.payments_page"))


@bp.route("/payments/statements", methods=["POST"])
@login_required
def import_statement() -> Response:
    """A CAMT.053 file from the bank: booked, or refused with the reason and nothing booked."""
    with instance().db.session() as s:
        roles.require(_me(s), Capability.REVIEW)
    form = StatementForm()
    upload = form.statement.data if form.validate_on_submit() else None
    if upload is None or not getattr(upload, "filename", ""):
        flash(_("Bitte wählen Sie die Datei des Kontoauszugs."), "error")
        return redirect(url_for("fees.payments_page"))
    data = upload.stream.read(camt.MAX_BYTES + 1)
    config = instance().config
    try:
        with instance().db.transaction() as s:
            report = bank_statements.import_statement(
                s, data, actor=_me(s), account=config.bank_iban, zone=config.tz, context=_mail()
            )
    except camt.StatementRejected as exc:
        flash(
            _("Der Kontoauszug ist nicht eingelesen: %(reason)s", reason=error_text(exc)), "error"
        )
        return redirect(url_for("fees.payments_page"))
    if report.already_imported:
        flash(_("Dieser Kontoauszug ist schon eingelesen; nichts wurde geändert."), "info")
    else:
        flash(_("Kontoauszug %(id)s eingelesen: %(matched)s zugeordnet, %(unmatched)s zu "
                "prüfen, %(known)s schon gebucht.", id=report.statement_id,
                matched=report.matched, unmatched=report.unmatched, known=report.known),
              "info")  # fmt: skip
    return redirect(url_for("fees.payments_page"))
