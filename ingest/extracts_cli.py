"""``bauakte extracts make``: the extract worker's work once, for a scheduled job or an
operator who does not run ``bauakte spool``."""

from __future__ import annotations

import click

from docstore.cli import pass_instance
from docstore.instance import Instance

from . import extracts


@click.group("extracts")
def extracts_group() -> None:
    """Extracts (Aktenauszüge) ordered in the portal."""


@extracts_group.command("make")
@pass_instance
def extracts_make(inst: Instance) -> None:
    """Make the PDFs of waiting orders and delete the ones whose link ran out."""
    inst.require_schema()
    made = extracts.make_pending(inst)
    expired = extracts.sweep(inst)
    click.echo(f"{made} extract(s) made or tried, {expired} expired")
