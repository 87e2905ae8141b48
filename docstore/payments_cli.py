"""``bauakte payments import``: the fee account's CAMT.053 statement, for a scheduled job."""

from __future__ import annotations

import json
from pathlib import Path

import click

from . import camt
from .errors import UsageError
from .instance import Instance
from .services import bank_statements, mail
from .services.actors import CONSOLE


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
