"""Search as a user: visibility from docstore, the index search, and the audit event."""

from __future__ import annotations

from docstore.instance import Instance
from docstore.models import User
from docstore.services import access, audit, users
from indexer.search import IndexReader, SearchResults, search
from ingest.indexing import open_index


def search_as(
    instance: Instance,
    who: str | User | None,
    text: str,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    reader: IndexReader | None = None,
) -> SearchResults:
    """Search what ``who`` may see now (None: the console operator, who sees all).

    A web worker passes its long-lived ``reader``; the one-shot CLI opens
    (and checks) the index for this one search.
    """
    instance.require_schema()
    source = reader if reader is not None else open_index(instance)
    with instance.db.transaction() as session:
        user = users.get_user(session, who) if isinstance(who, str) else who
        scope = access.visibility(session, user) if user else access.EVERYTHING
        results = search(source, text, scope, page=page, per_page=per_page, sort=sort)
        audit.record(
            session,
            "search",
            actor=user,
            details={"query": text, "hits": results.total, "page": page},
        )
    return results
