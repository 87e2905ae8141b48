"""Search as a user: visibility from docstore, the index search, and the audit event."""

from __future__ import annotations

from docstore.instance import Instance
from docstore.services import access, audit, users
from indexer.search import SearchResults, search
from ingest.indexing import open_index


def search_as(
    instance: Instance,
    username: str | None,
    text: str,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
) -> SearchResults:
    """Search what ``username`` may see now (None: the console operator, who sees all)."""
    instance.require_schema()
    with instance.db.transaction() as session:
        user = users.get_user(session, username) if username else None
        scope = access.visibility(session, user) if user else access.EVERYTHING
        results = search(open_index(instance), text, scope, page=page, per_page=per_page, sort=sort)
        audit.record(
            session,
            "search",
            actor=user,
            details={"query": text, "hits": results.total, "page": page},
        )
    return results
