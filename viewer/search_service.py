"""Search as a user: visibility from docstore, the index search, and the audit event."""

from __future__ import annotations

from collections.abc import Callable

from docstore.errors import ServiceUnavailable, UsageError
from docstore.instance import Instance
from docstore.services import access, audit, users
from docstore.services.actors import Actor
from indexer.backend import IndexUnusable, SearchBackend
from indexer.results import Limits, PageHit, QueryRefused, SearchResults, Wanted
from ingest.index_sync import checked_backend

from .search_gate import SearchGate


class SearchRefused(UsageError):
    """A query past its bounds; ``code`` is 'too-many-words' or 'too-costly'."""

    def __init__(self, refused: QueryRefused) -> None:
        advice = {
            "too-many-words": f"use at most {refused.limit} words",
            "too-costly": "use fewer or more exact words",
        }[refused.code]
        super().__init__(f"the search was refused: {advice}", refused.code, limit=refused.limit)
        self.limit = refused.limit


class SearchUnavailable(ServiceUnavailable):
    """The index is missing or damaged: search alone is out until it is repaired."""


def search_limits(instance: Instance) -> Limits:
    """The bounds of every search a user starts, from the instance's settings."""
    config = instance.config
    return Limits(max_words=config.search_max_words, seconds=config.search_seconds)


def search_as(
    instance: Instance,
    who: str | Actor | None,
    text: str,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    backend: SearchBackend | None = None,
    gate: SearchGate | None = None,
    recorded: bool = True,
) -> SearchResults:
    """Search what ``who`` (a user name, a user, the console, or None: nobody) may see now.

    A web worker passes its long-lived ``backend`` (a damaged index: ServiceUnavailable,
    503); the one-shot CLI checks the index for this one search and repairs it first.
    ``recorded=False`` is only for a search derived from one just recorded (the search
    page's counts of the other kinds), so one question is one audit event.  A web worker's
    ``gate`` bounds its searches at once (past it: SearchBusy, 503, and no audit event:
    nothing was searched).
    """
    if backend is None:  # a web worker's app checked the schema when it was made
        instance.require_schema()
    source = backend if backend is not None else checked_backend(instance)
    with instance.db.session() as session:
        actor = users.get_user(session, who) if isinstance(who, str) else who
        scope = access.visibility(session, actor)

    def run() -> SearchResults:
        return source.search(text, scope, page=page, per_page=per_page, sort=sort,
                             limits=search_limits(instance))  # fmt: skip

    if not recorded:
        try:
            return _usable(run, gate)
        except QueryRefused as exc:
            raise SearchRefused(exc) from None
    return _audited(instance, actor, {"query": text[:500], "page": page}, run, gate)


def match_document(
    instance: Instance,
    actor: Actor | None,
    document_id: int,
    text: str,
    *,
    pages: int,
    backend: SearchBackend,
    gate: SearchGate | None = None,
) -> tuple[list[PageHit], Wanted | None]:
    """The pages of one document that match, for its viewer, and the terms the query
    matched (for hit boxes): bounded like every search, scoped by docstore to that
    document (if the actor may see it), and on record."""
    with instance.db.session() as session:
        scope = access.within_document(session, actor, document_id)
    results = _audited(
        instance,
        actor,
        {"query": text[:500], "document": document_id},
        lambda: backend.search(
            text, scope, per_page=1, pages_per_document=pages, limits=search_limits(instance)
        ),
        gate,
    )
    return (results.results[0].pages if results.results else []), results.wanted


def _audited(
    instance: Instance,
    actor: Actor | None,
    details: dict[str, object],
    run: Callable[[], SearchResults],
    gate: SearchGate | None = None,
) -> SearchResults:
    """Run a search and record it: every search is an audit event, a refused one too.

    The search reads outside any write transaction (on SQLite a write
    transaction locks the database for every other writer); its audit event
    has a short one of its own.  Past the bounds of a query: SearchRefused.
    """
    try:
        results = _usable(run, gate)
    except QueryRefused as exc:
        refused = SearchRefused(exc)
        details["refused"] = refused.code
    else:
        refused = None
        details["hits"] = results.total
    with instance.db.transaction() as session:
        audit.record(session, "search", actor=actor, details=details)
    if refused is not None:
        raise refused
    return results


def _usable(run: Callable[[], SearchResults], gate: SearchGate | None) -> SearchResults:
    """A damaged or missing index is an outage of search alone (503), repaired by
    ``bauakte reindex`` or the next sync outside any web request."""
    try:
        if gate is None:
            return run()
        with gate.admitted():
            return run()
    except IndexUnusable as exc:
        raise SearchUnavailable(
            "search is unavailable: its index needs repair (an operator runs 'bauakte reindex')",
            "search.index_unusable",
        ) from exc
