"""The ``bauakte`` console script: the composition root of every package's commands.

Errors end here: a :class:`BauakteError` or a storage error becomes one line
on stderr with the error's exit code, never a traceback.
"""

from __future__ import annotations

import sys

import click

from docstore import cli as docstore_cli
from docstore.config import load_config
from docstore.errors import BauakteError
from docstore.instance import Instance
from ingest import cli as ingest_cli
from ingest.demo import run_demo
from storage import StorageError, StorageUnavailable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Bauakte: building-file archive and viewer."""
    instance = Instance(load_config())
    ctx.obj = instance
    ctx.call_on_close(instance.close)


@cli.command("init")
def init_cmd() -> None:
    """Create the instance: folder, config with secret key, database schema, bucket."""
    report = click.get_current_context().find_object(Instance).initialise()  # type: ignore[union-attr]
    click.echo(f"instance:  {report.home}")
    click.echo(f"database:  {report.database} (schema {report.revision})")
    click.echo(f"objects:   {report.store}")
    if report.secret_generated:
        click.echo("secret key generated into config.toml")


@cli.command("demo")
def demo_cmd() -> None:
    """Generate the demo archive (users, grants, building files, documents) and ingest it."""
    inst: Instance = click.get_current_context().find_object(Instance)  # type: ignore[assignment]
    people, report = run_demo(inst)
    for line in people.building_files:
        click.echo(f"building file  {line}")
    for line in people.users:
        click.echo(f"user           {line}")
    for line in people.grants:
        click.echo(f"grant          {line}")
    s = report.summary()
    click.echo(
        f"demo archive {inst.config.home / 'demo-archive'}: {s['files']} files, "
        f"{s['accepted']} ingested, {s['duplicate']} already there, {s['rejected']} rejected, "
        f"{s['failed']} failed; {s['pages']} pages ({s['ocr_pages']} by OCR)"
    )
    if s["rejected"] or s["failed"]:
        raise BauakteError("the demo archive did not ingest completely; see above")


for command in [*docstore_cli.COMMANDS, *ingest_cli.COMMANDS]:
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="bauakte", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        hint = " (see 'bauakte --help')" if isinstance(exc, click.UsageError) else ""
        click.echo(f"error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except BauakteError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except StorageUnavailable as exc:
        click.echo(
            f"error: {exc}; check BAUAKTE_STORAGE_URL and that the store is running", err=True
        )
        sys.exit(2)
    except StorageError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
