"""Search on an OpenSearch cluster, for deployments past one machine.

The index is a generation behind an alias (``<prefix>-pages``); ``rebuild`` fills a new
generation and moves the alias in one atomic request.  Changes go in through the bulk
API with page ids as document ids, so a batch sent again after a crash (before its
acknowledgement) does no harm.  One writer at a time across every host: a lease
document in ``<prefix>-lock``, taken with create-if-absent, under which a batch is
claimed, written and acknowledged (a slower sync can never write an older state of
a document after a newer one).
"""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from storage.url import redact_url

from .errors import IndexUnusable, SearchUnreachable
from .opensearch_lease import Lease
from .opensearch_mapping import document_id, index_body, page_document
from .opensearch_prepare import PREPARE_CHUNK, Counted, chunks, preparing
from .opensearch_search import Overrun
from .opensearch_search import search as search_pages
from .page_fields import as_record
from .records import Change, RecordSource
from .results import Scope, SearchResults

LOCK_WAIT_SECONDS = 60.0
BATCH = 200
REQUEST_SECONDS = 30.0


def _client_errors():
    from opensearchpy import exceptions

    return exceptions


class OpenSearchBackend:
    name = "opensearch"

    def __init__(
        self, hosts: Sequence[str], prefix: str = "bauakte", *, shards: int = 1,
        replicas: str = "0-1", client: Any = None,
    ) -> None:  # fmt: skip
        self.hosts = list(hosts)
        self.alias = f"{prefix}-pages"
        self.lock_index = f"{prefix}-lock"
        self.shards = shards
        self.replicas = replicas
        self._client = client
        self._errors = _client_errors()

    @property
    def client(self) -> Any:
        if self._client is None:
            from opensearchpy import OpenSearch

            self._client = OpenSearch(
                self.hosts, timeout=REQUEST_SECONDS, max_retries=3, retry_on_timeout=True,
                http_compress=False,
            )  # fmt: skip
        return self._client

    # -- reading ---------------------------------------------------------------------

    def check(self) -> None:
        self._guarded(lambda: self.client.count(index=self.alias))

    def generation(self) -> str:
        found = self._guarded(lambda: self.client.indices.get_alias(name=self.alias))
        return sorted(found)[-1]

    def count(self) -> int:
        return self._guarded(lambda: self.client.count(index=self.alias))["count"]

    def search(self, text: str, scope: Scope, **options: Any) -> SearchResults:
        def call(body: dict) -> dict:
            for _attempt in range(2):
                answer = self._guarded(lambda: self._stopped_or(body))
                answers = answer.get("responses", [answer])
                if any(_time_exceeded(one.get("_shards", {}).get("failures")) for one in answers):
                    raise Overrun  # some shards stopped at the budget: a retry has none left
                if all(_whole(one) for one in answers):
                    return answer
            # a shard failed on every copy (a generation removed under the request, or no
            # copy left): partial answers would be wrong totals, so none at all
            raise IndexUnusable(f"the search index '{self.alias}' lost shards; retry, or "
                                "run 'bauakte reindex'")  # fmt: skip

        return search_pages(call, text, scope, **options)

    def _stopped_or(self, body: dict) -> dict:
        """The answer, or Overrun when the cluster failed the request at its timeout."""
        try:
            return self._search_or_msearch(body)
        except self._errors.TransportError as exc:
            if _time_exceeded(getattr(exc, "info", None)) or _time_exceeded(str(exc)):
                raise Overrun from None
            raise

    def _search_or_msearch(self, body: dict) -> dict:
        """One search, or several in one round trip (``{"msearch": [bodies]}``)."""
        seconds = _request_seconds(body)
        if "msearch" not in body:
            return self.client.search(index=self.alias, body=body, request_timeout=seconds)
        lines: list[dict] = []
        for one in body["msearch"]:
            lines += [{"index": self.alias}, one]
        answer = self.client.msearch(body=lines, request_timeout=seconds)
        for one in answer["responses"]:
            if "error" in one:  # msearch answers 200 with the failure inside
                status, error = one.get("status", 500), one["error"]
                kind = self._errors.HTTP_EXCEPTIONS.get(status, self._errors.TransportError)
                reason = error.get("type", str(error)) if isinstance(error, dict) else str(error)
                raise kind(status, reason, {"error": error})
        return answer

    def _guarded(self, request: Callable[[], Any]) -> Any:
        """A request whose failure to reach a usable index is ``IndexUnusable``: no index
        (never made, or lost), a closed or red one, or no node answering."""
        from opensearchpy.helpers import BulkIndexError

        errors = self._errors
        try:
            return request()
        except errors.NotFoundError as exc:
            said = str(exc)
            if "index_not_found" not in said and not ("alias [" in said and "missing" in said):
                raise  # a missing document (the lock's), not a missing index
            problem = f"no search index '{self.alias}' on the cluster"
        except BulkIndexError as exc:
            first = (exc.errors or [{}])[0]
            raise IndexUnusable(
                f"the search cluster refused {len(exc.errors)} pages ({str(first)[:200]}); "
                "the changes stay queued: see the cluster's log, then 'bauakte index sync'"
            ) from None
        except errors.ConnectionError:
            nodes = ", ".join(redact_url(h) for h in self.hosts)
            raise SearchUnreachable(
                f"no search node answers at {nodes}: start the cluster or fix BAUAKTE_SEARCH_URL"
            ) from None
        except errors.TransportError as exc:
            if exc.status_code == 429:
                overloaded = "the search cluster is overloaded (429); try again"
                raise SearchUnreachable(overloaded) from None
            if exc.status_code not in (400, 500, 503) or not _unusable(exc):
                raise
            problem = f"the search index '{self.alias}' is not usable ({_reason(exc)})"
        raise IndexUnusable(f"{problem}; run 'bauakte reindex'")

    # -- writing ---------------------------------------------------------------------

    def ensure(self) -> None:
        with contextlib.suppress(IndexUnusable):
            self.check()
            return
        if not self._guarded(lambda: self.client.indices.exists_alias(name=self.alias)):
            self._switch(self._new_generation())

    def apply(self, changes: Iterable[Change], *, wait: float | None = None) -> int:
        self.check()
        with self._lock(wait):
            return self._write(self.alias, list(changes))

    def sync(
        self, source: RecordSource, *, repair: bool = False, wait: float | None = None,
        batches: int | None = None,
    ) -> int:  # fmt: skip
        try:
            self.check()
        except SearchUnreachable:
            raise  # the index may be whole; a rebuild would not reach it either
        except IndexUnusable:
            if not repair:
                raise
            return self.rebuild(source)
        done = 0
        while batches is None or batches > 0:
            with self._lock(wait) as renew:  # claimed, written, acknowledged under the lock
                batch = source.claim(BATCH)
                if batch is None:
                    break
                done += self._write(self.alias, batch.changes)
                renew()  # still ours: else the batch stays queued and is sent again
                source.acknowledge(batch)
            batches = None if batches is None else batches - 1
        return done

    def rebuild(self, source: RecordSource, procs: int | None = None) -> int:
        """A new generation from every document, then the alias moved to it.  The lock is
        held throughout: a sync meanwhile waits (its changes stay queued), so nothing it
        would write into the old generation is acknowledged and missing from the new.

        The pages are analysed in ``procs`` processes (default: one per core) while this
        one streams the finished ones to the cluster in bulk requests."""
        from opensearchpy import helpers

        with self._lock(LOCK_WAIT_SECONDS) as renew:
            mark = source.watermark()
            index = self._new_generation()
            counted = Counted(source.all_documents())

            def fill() -> None:
                with preparing(procs) as prepare:
                    actions = (
                        {"_op_type": "index", "_index": index, "_id": key, "_source": body}
                        for chunk in prepare(chunks(counted, PREPARE_CHUNK))
                        for key, body in chunk
                    )
                    sent = helpers.streaming_bulk(self.client, actions, chunk_size=500,
                                                  max_retries=3, request_timeout=120)  # fmt: skip
                    for n, _ in enumerate(sent):
                        if n % 20_000 == 0:
                            renew()

            self._guarded(fill)
            self._guarded(lambda: self.client.indices.refresh(index=index))
            self._guarded(lambda: self.client.cluster.health(
                index=index, wait_for_status="yellow", request_timeout=60))  # fmt: skip
            renew()  # still ours (else IndexBusy, and nothing is switched or acknowledged)
            self._switch(index)
            source.acknowledge_through(mark)
            return counted.count

    def _new_generation(self) -> str:
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
        body = index_body(self.shards, 0)
        settings = body["settings"]["index"]
        if "-" in self.replicas:  # "0-1": one replica once a second node is there
            del settings["number_of_replicas"]
            settings["auto_expand_replicas"] = self.replicas
        else:
            settings["number_of_replicas"] = int(self.replicas)
        settings["refresh_interval"] = "-1"  # refreshed after each whole batch, by _write
        self._guarded(lambda: self.client.indices.create(index=name, body=body))
        return name

    def _switch(self, index: str) -> None:
        """The alias to ``index`` in one request.  The generation it leaves is kept until
        the next switch (searches still reading it finish; as Whoosh keeps the one before);
        older ones, and a closed one nobody can read, are removed in the same request."""
        rows = self._guarded(lambda: self.client.cat.indices(
            index=f"{self.alias}-*", expand_wildcards="all", format="json"))  # fmt: skip
        live = self._live_generations()
        actions: list[dict] = [{"add": {"index": index, "alias": self.alias}}]
        for row in rows:
            name = row["index"]
            if name == index:
                continue
            if name in live and row.get("status") == "open":
                actions.append({"remove": {"index": name, "alias": self.alias}})
            else:
                actions.append({"remove_index": {"index": name}})
        self._guarded(lambda: self.client.indices.update_aliases(body={"actions": actions}))

    def _live_generations(self) -> set[str]:
        try:
            return set(self._guarded(lambda: self.client.indices.get_alias(name=self.alias)))
        except IndexUnusable:
            return set()

    def _write(self, index: str, changes: Sequence[Change], building: bool = False) -> int:
        """Each changed document's pages indexed (same ids: sent twice, stored once) and its
        pages that are gone deleted, in bulk; then refreshed, so the next search sees it.

        The minimal distribution has no delete-by-query: the pages a document had are
        read first (every earlier write was refreshed, under the same lock).  A
        generation being built has nothing to delete and is refreshed once at the end."""
        from opensearchpy import helpers

        actions = []
        kept = set()
        for change in changes:
            for page in change.pages or ():
                record = as_record(page)
                kept.add(document_id(record))
                actions.append({"_op_type": "index", "_index": index, "_id": document_id(record),
                                "_source": page_document(record)})  # fmt: skip
        if not building:
            had = self._page_ids(index, sorted({str(c.document_id) for c in changes}))
            actions += [{"_op_type": "delete", "_index": index, "_id": i} for i in had - kept]
        if actions:
            self._guarded(lambda: helpers.bulk(self.client, actions, chunk_size=500,
                                               max_retries=3, refresh=False))  # fmt: skip
        if not building:
            self._guarded(lambda: self.client.indices.refresh(index=index))
        return len(changes)

    def _page_ids(self, index: str, documents: list[str]) -> set[str]:
        """The index document ids of every page of ``documents``."""
        found: set[str] = set()
        after = None
        while documents:
            body: dict[str, Any] = {"query": {"terms": {"doc": documents}}, "size": 1000,
                                    "_source": False, "track_total_hits": False,
                                    "sort": [{"page_id": "asc"}, {"audience": "asc"}]}  # fmt: skip
            if after is not None:
                body["search_after"] = after
            hits = self._guarded(lambda body=body: self.client.search(index=index, body=body))
            hits = hits["hits"]["hits"]
            found.update(hit["_id"] for hit in hits)
            if len(hits) < 1000:
                break
            after = hits[-1]["sort"]
        return found

    @contextlib.contextmanager
    def _lock(self, wait: float | None) -> Iterator[Callable[[], None]]:
        """The one writer's lease, or ``IndexBusy`` after ``wait`` seconds."""
        lease = Lease(self.client, self.lock_index, self._guarded,
                      LOCK_WAIT_SECONDS if wait is None else wait)  # fmt: skip
        lease.take()
        try:
            yield lease.renew
        finally:
            lease.give_back()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _request_seconds(body: dict) -> float:
    """How long one request of a search may take: its budget ("timeout" of the body, as
    the search set it) and a little for the way back; never the client's 30 s."""
    first = body["msearch"][0] if "msearch" in body else body
    budget = str(first.get("timeout", "")).removesuffix("ms")
    return (int(budget) / 1000 if budget.isdigit() else REQUEST_SECONDS) + 2.0


def _whole(answer: dict) -> bool:
    """No shard failed to answer (a partial answer would give wrong totals)."""
    return not answer.get("_shards", {}).get("failed")


def _time_exceeded(error: object) -> bool:
    """Whether an error body (or a shard's failures) names the search timeout."""
    return error is not None and "time_exceeded_exception" in json.dumps(error, default=str)


def _unusable(exc: Exception) -> bool:
    text = str(exc)
    return any(sign in text for sign in ("index_closed", "all shards failed",
                                         "no_shard_available", "cluster_block"))  # fmt: skip


def _reason(exc: Exception) -> str:
    info = getattr(exc, "info", None)
    if isinstance(info, dict):
        error = info.get("error")
        if isinstance(error, dict):
            return str(error.get("type") or error.get("reason"))
    return exc.__class__.__name__
