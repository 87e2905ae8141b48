"""Commands of the metadata core: config, db, users, grants, audit, fixity, mail."""

from __future__ import annotations

import datetime as dt
import sys

import click
from rich.console import Console
from rich.progress import Progress

from .config import settings_markdown
from .errors import IntegrityFailure, ServiceUnavailable, UsageError
from .instance import Instance
from .services import (
    audit_trail,
    building_files,
    fixity,
    grants,
    mail,
    register,
    registration,
    throttle,
    users,
)
from .services.actors import CONSOLE

console = Console()


pass_instance = click.make_pass_decorator(Instance)
"""Hands a command the instance the ``bauakte`` group opened."""


# -- config -----------------------------------------------------------------
@click.group("config")
def config_group() -> None:
    """Show the effective configuration."""


@config_group.command("show")
@click.option("--markdown", is_flag=True, help="Print the README's table of settings instead.")
@pass_instance
def config_show(inst: Instance, markdown: bool) -> None:
    """Every setting with its value and where it came from (secrets masked)."""
    if markdown:
        click.echo(settings_markdown(), nl=False)
        return
    for setting, value, source in inst.config.shown():
        click.echo(f"{setting.name} = {value}")
        click.echo(f"    source: {source}; override with {setting.env}")
        click.echo(f"    {setting.help}")


# -- database ---------------------------------------------------------------
@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_instance
def db_upgrade(inst: Instance) -> None:
    """Run the Alembic migrations up to the newest schema."""
    inst.upgrade_schema()
    click.echo(f"database {inst.db.engine.url.render_as_string(hide_password=True)} is up to date")


# -- users ------------------------------------------------------------------
@click.group("user")
def user_group() -> None:
    """User accounts."""


@user_group.command("add")
@click.argument("name")
@click.option("--role", required=True, help="citizen, architect, clerk, auditor or admin")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--display-name", default=None)
@click.option("--email", default=None)
@pass_instance
def user_add(
    inst: Instance,
    name: str,
    role: str,
    password_stdin: bool,
    display_name: str | None,
    email: str | None,
) -> None:
    """Create a user; the password comes from a prompt or from stdin."""
    parsed = users.parse_role(role)  # fail before asking for a password
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    inst.require_schema()
    with inst.db.transaction() as session:
        user = users.create_user(
            session,
            name,
            password,
            parsed,
            actor=CONSOLE,
            display_name=display_name,
            email=email,
            min_password_length=inst.config.password_min_length,
        )
    click.echo(f"created user {user.username} ({user.role})")


@user_group.command("role")
@click.argument("name")
@click.argument("role")
@pass_instance
def user_role(inst: Instance, name: str, role: str) -> None:
    """Change a user's role."""
    inst.require_schema()
    with inst.db.transaction() as session:
        user = users.get_user(session, name)
        users.set_role(session, user, role, actor=CONSOLE)
        click.echo(f"{user.username} is now {user.role}")


# -- grants -----------------------------------------------------------------
def _parse_day(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date: use YYYY-MM-DD") from None


@click.command("grant")
@click.argument("username")
@click.argument("aktenzeichen")
@click.option("--from", "from_", default=None, help="First day of access (YYYY-MM-DD); today.")
@click.option("--until", default=None, help="Last day of access (YYYY-MM-DD), inclusive.")
@click.option("--download", is_flag=True, help="Also allow downloading the originals.")
@click.option("--document", "document_ids", multiple=True, type=int, help="Only these documents.")
@pass_instance
def grant_cmd(
    inst: Instance,
    username: str,
    aktenzeichen: str,
    from_: str | None,
    until: str | None,
    download: bool,
    document_ids: tuple[int, ...],
) -> None:
    """Give USERNAME access to the building file AKTENZEICHEN."""
    start_day, last_day = _parse_day(from_, "--from"), _parse_day(until, "--until")
    inst.require_schema()
    with inst.db.transaction() as session:
        user = users.get_user(session, username)
        bf = building_files.get_by_aktenzeichen(session, aktenzeichen)
        grant = grants.grant_for_days(
            session,
            user,
            bf,
            actor=CONSOLE,
            first_day=start_day,
            last_day=last_day,
            zone=inst.config.tz,
            may_download=download,
            document_ids=document_ids,
        )
        scope = f"documents {sorted(document_ids)} of" if document_ids else "the whole file"
        until_text = f"until {last_day.isoformat()}" if last_day else "without end date"
        click.echo(
            f"granted {user.username} {scope} {bf.aktenzeichen} {until_text}"
            f"{', with download' if download else ''} (grant {grant.id})"
        )


@click.command("revoke")
@click.argument("username")
@click.argument("aktenzeichen")
@pass_instance
def revoke_cmd(inst: Instance, username: str, aktenzeichen: str) -> None:
    """Take back USERNAME's access to the building file AKTENZEICHEN."""
    inst.require_schema()
    with inst.db.transaction() as session:
        user = users.get_user(session, username)
        bf = building_files.get_by_aktenzeichen(session, aktenzeichen)
        count = grants.revoke_access(session, user, bf, actor=CONSOLE)
    if count == 0:
        raise UsageError(f"{username} has no active grant on {aktenzeichen}")
    click.echo(f"revoked {count} grant(s) of {username} on {aktenzeichen}")


# -- register ---------------------------------------------------------------
@click.group("register")
def register_group() -> None:
    """The register of all building files, digitised or on paper."""


@register_group.command("import")
@click.argument("csv_file", type=click.Path(dir_okay=False))
@pass_instance
def register_import(inst: Instance, csv_file: str) -> None:
    """Create the building files a register CSV lists (one row per parcel); idempotent."""
    try:
        with open(csv_file, encoding="utf-8-sig") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {csv_file}: {exc}; give a UTF-8 CSV file") from None
    inst.require_schema()
    with inst.db.transaction() as session:
        report = register.import_register(session, text, actor=CONSOLE)
    for number, reason in report.problems:
        click.echo(f"row {number}: {reason}")
    click.echo(
        f"{len(report.created)} building files created, {len(report.completed)} completed, "
        f"{report.unchanged} unchanged, {len(report.problems)} rows with problems"
    )
    if report.problems:
        sys.exit(1)


# -- audit ------------------------------------------------------------------
@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@pass_instance
def audit_verify(inst: Instance) -> None:
    """Check the audit chain; exit 1 and name the first bad event on any break."""
    inst.require_schema()
    with inst.db.transaction() as session:  # the check is itself on record, as on the web
        report = audit_trail.verify(session, CONSOLE)
    if not report.ok:
        raise IntegrityFailure(
            f"audit chain broken at event {report.first_bad_seq}: {report.reason}"
        )
    click.echo(f"audit chain intact: {report.checked} events")


# -- fixity -----------------------------------------------------------------
@click.command("verify")
@pass_instance
def verify_cmd(inst: Instance) -> None:
    """Fixity check: re-hash every stored original against its SHA-256."""
    inst.require_schema()
    with inst.db.session() as session:
        total = fixity.count_originals(session)
        with Progress(console=Console(stderr=True), transient=True) as progress:
            task = progress.add_task("checking originals", total=total)
            report = fixity.verify_originals(
                session, inst.store, on_progress=lambda _b: progress.advance(task)
            )
    for sha in report.missing:
        click.echo(f"missing: {sha}")
    for sha in report.corrupt:
        click.echo(f"corrupt: {sha}")
    summary = (
        f"{report.checked} originals checked, {len(report.missing)} missing, "
        f"{len(report.corrupt)} corrupt"
    )
    if not report.ok:
        raise IntegrityFailure(summary)
    click.echo(summary)


# -- mail -------------------------------------------------------------------
@click.group("mail")
def mail_group() -> None:
    """The mail outbox (sent by the worker 'bauakte serve' starts)."""


@mail_group.command("send")
@pass_instance
def mail_send(inst: Instance) -> None:
    """Send the mail that is due now, and sweep as the worker does (for a cron job where no
    worker runs)."""
    inst.require_schema()
    with inst.db.transaction() as s:
        expired = registration.sweep_unconfirmed(s, inst.config.confirm_link_hours)
    with inst.db.transaction() as s:  # apart: it takes only rows no request holds
        ended = throttle.purge_expired(s)
    done = mail.deliver_due(inst.db, inst.mail_transport, inst.config.mail_from, limit=10_000)
    click.echo(f"{done.sent} sent, {done.deferred} to be tried again, {done.failed} refused; "
               f"{expired} unconfirmed registrations erased, {ended} ended rate-limit "
               "windows purged")  # fmt: skip
    if done.deferred:
        raise ServiceUnavailable(
            f"mail could not go out through {inst.mail_transport.location}; "
            "see 'bauakte mail status' and check BAUAKTE_SMTP_URL"
        )


@mail_group.command("status")
@pass_instance
def mail_status(inst: Instance) -> None:
    """What waits in the outbox and why."""
    inst.require_schema()
    state = mail.state(inst.db)
    click.echo(f"transport: {inst.mail_transport.location}")
    click.echo(f"waiting: {state.waiting}, refused for good: {state.failed}")
    if state.oldest:
        click.echo(f"oldest: {state.oldest.isoformat(timespec='seconds')}")
    if state.last_error:
        click.echo(f"last error: {state.last_error}")


from .payments_cli import payments_group  # noqa: E402 (a group of its own module)

COMMANDS = [
    config_group, db_group, user_group, grant_cmd, revoke_cmd, register_group, audit_group,
    verify_cmd, mail_group, payments_group,
]  # fmt: skip
