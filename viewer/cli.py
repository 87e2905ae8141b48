"""The ``bauakte`` console script: the composition root of every package's commands.

Errors end here: a :class:`BauakteError` or a storage error becomes one line
on stderr with the error's exit code, never a traceback.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import click

from docstore import cli as docstore_cli
from docstore.cli import pass_instance
from docstore.config import load_config
from docstore.demo import write_street_list
from docstore.errors import BauakteError, ServiceUnavailable
from docstore.instance import Instance
from docstore.services.actors import CONSOLE
from indexer.errors import IndexBusy, IndexUnusable
from indexer.lexicon import WordListMissing
from ingest import cli as ingest_cli
from ingest.index_sync import ensure_index, reindex, sync_index
from storage import StorageError, StorageUnavailable
from viewer.doctor import findings
from viewer.search_service import search_as


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Bauakte: building-file archive and viewer."""
    instance = Instance(load_config())
    ctx.obj = instance
    ctx.call_on_close(instance.close)


@cli.command("init")
@pass_instance
def init_cmd(inst: Instance) -> None:
    """Create the instance: folder, config with secret key, database schema, bucket."""
    report = inst.initialise()
    ensure_index(inst)
    click.echo(f"instance:  {report.home}")
    click.echo(f"database:  {report.database} (schema {report.revision})")
    click.echo(f"objects:   {report.store}")
    click.echo(f"index:     {inst.config.index_dir}")
    if report.secret_generated:
        click.echo("secret key generated into config.toml")


@cli.command("demo")
@pass_instance
def demo_cmd(inst: Instance) -> None:
    """Generate the demo archive (users, grants, building files, documents) and ingest it."""
    from ingest.demo import run_demo  # its PDF writer is not for every command's process

    people, report = run_demo(inst)
    for line in people.building_files:
        click.echo(f"building file  {line}")
    for line in people.users:
        click.echo(f"user           {line}")
    for line in people.grants:
        click.echo(f"grant          {line}")
    for line in people.applications:
        click.echo(f"application    {line}")
    for line in people.redactions:
        click.echo(f"redaction      {line}")
    street_list = Path(inst.config.street_list)
    if write_street_list(street_list):
        click.echo(f"street list    {street_list} (suggestions in the application form)")
    s = report.summary()
    click.echo(
        f"demo archive {inst.config.home / 'demo-archive'}: {s['files']} files, "
        f"{s['accepted']} ingested, {s['duplicate']} already there, {s['rejected']} rejected, "
        f"{s['failed']} failed; {s['pages']} pages ({s['ocr_pages']} by OCR)"
    )
    if s["rejected"] or s["failed"]:
        raise BauakteError("the demo archive did not ingest completely; see above")


@cli.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Print the machine-readable result.")
@click.option("--limit", default=20, type=click.IntRange(1, 500), help="Documents per page.")
@click.option("--page", default=1, type=click.IntRange(min=1))
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--as", "as_user", default=None, help="Search with this user's permissions.")
@pass_instance
def search_cmd(
    inst: Instance, query: str, as_json: bool, limit: int, page: int, sort: str, as_user: str | None
):
    """Search the archive (as an auditor would, or --as USER)."""
    who = as_user if as_user is not None else CONSOLE
    results = search_as(inst, who, query, page=page, per_page=limit, sort=sort)
    if as_json:
        click.echo(json.dumps(results.as_json(), ensure_ascii=False, indent=2))
        return
    note = " (approximate: no exact hit, similar words shown)" if results.approximate else ""
    click.echo(f"{results.total} documents{note}")
    for hit in results.results:
        where = hit.aktenzeichen or "inbox"
        click.echo(f"[{hit.document_id}] {hit.title or hit.original_name} ({hit.kind}, {where})")
        for p in hit.pages:
            snippet = re.sub(r"</?mark[^>]*>", "*", p.snippet).replace("\n", " ")
            click.echo(f"    p. {p.number}: {html.unescape(snippet)}")


@cli.group("index")
def index_group() -> None:
    """The search index."""


@index_group.command("sync")
@pass_instance
def index_sync_cmd(inst: Instance) -> None:
    """Drain the index outbox into the search index."""
    inst.require_schema()
    click.echo(f"{sync_index(inst)} documents indexed")


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes (one per core is a good start).")  # fmt: skip
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads per worker.")  # fmt: skip
@pass_instance
def serve_cmd(inst: Instance, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web viewer and API on a production WSGI server (gunicorn)."""
    from viewer.serve import serve

    click.echo(f"Bauakte on http://{host}:{port}/  (Ctrl+C stops)")
    serve(inst, host, port, workers, threads)


@cli.command("spool")
@pass_instance
def spool_cmd(inst: Instance) -> None:
    """Ingest browser uploads and send mail as they arrive (started by 'bauakte serve')."""
    import contextlib
    import signal
    import threading

    from ingest.spool import work

    inst.require_schema()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        work(inst, stop)


@cli.command("doctor")
@pass_instance
def doctor_cmd(inst: Instance) -> None:
    """Check every configured service and program; one line each, with what to do."""
    found = list(findings(inst))
    for finding in found:
        click.echo(f"{'ok' if finding.ok else 'FAIL':4}  {finding.name:18} {finding.detail}")
    failed = [f.name for f in found if not f.ok]
    if failed:
        names = ", ".join(failed)
        raise ServiceUnavailable(f"{len(failed)} of {len(found)} checks failed: {names}")


@cli.command("reindex")
@pass_instance
def reindex_cmd(inst: Instance) -> None:
    """Rebuild the search index from the database; searches go on during the rebuild."""
    inst.require_schema()
    click.echo(f"search index rebuilt: {reindex(inst)} documents")


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
    except (WordListMissing, IndexUnusable, IndexBusy) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
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
