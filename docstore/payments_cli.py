"""``bauakte payments import`` (the fee account's CAMT.053 statement) and ``bauakte payments
check`` (online payments still open), for scheduled jobs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import camt, xbezahldienste
from .errors import ServiceUnavailable, UsageError
from .instance import Instance
from .services import bank_statements, mail, online_payments
from .services.actors import CONSOLE
from .services.online_payments import Booking


@click.group("payments")
def payments_group() -> None:
    """Payments on fee notices."""


@payments_group.command("import")
@click.argument("statement", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.make_pass_decorator(Instance)
def payments_import(inst: Instance, statement: Path, as_json: bool) -> None:
    """Book a CAMT.053 bank statement (the same file twice changes nothing)."""
    inst.require_schema()
    try:
        with statement.open("rb") as f:
            data = f.read(camt.MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {statement}: {exc.strerror}") from None
    config = inst.config
    with inst.db.transaction() as s:
        report = bank_statements.import_statement(
            s, data, actor=CONSOLE, account=config.bank_iban, zone=config.tz,
            context=mail.context_of(config),
        )  # fmt: skip
    if as_json:
        click.echo(json.dumps(report.__dict__))
    elif report.already_imported:
        click.echo(f"statement {report.statement_id} was imported before: nothing changed")
    else:
        click.echo(f"statement {report.statement_id}: {report.matched} matched, "
                   f"{report.unmatched} for a clerk to assign, {report.known} booked before, "
                   f"{report.skipped} entries not payments to us")  # fmt: skip


@payments_group.command("check")
@click.make_pass_decorator(Instance)
def payments_check(inst: Instance) -> None:
    """Ask the Bezahldienst about online payments still open (run every few minutes): a
    payer whose notification was lost still gets access."""
    inst.require_schema()
    paydienst = xbezahldienste.provider_of(inst.config)
    if paydienst is None:
        raise UsageError("no online payment configured: set payment_provider first")
    config = inst.config
    report = online_payments.check_pending(
        inst.db, provider=paydienst, booking=Booking(config.tz, mail.context_of(config))
    )
    click.echo(f"{report.checked} online payments checked: {report.paid} paid now, "
               f"{report.unreachable} not answered")  # fmt: skip
    if report.unreachable:
        raise ServiceUnavailable(
            f"the Bezahldienst did not answer for {report.unreachable} payments: check "
            "paydienst_url and run 'bauakte payments check' again"
        )
