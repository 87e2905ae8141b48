"""A search the cluster stops at its timeout is refused as too costly (400), never a 500.

With aggregations or a collapse, OpenSearch 2.19 fails the whole request (HTTP 500,
``search_phase_execution_exception`` caused by ``time_exceeded_exception``) instead of
answering ``timed_out``; under load that was 40 of 318 searches of the stack bench.
The cluster cannot be made to time out on purpose here (a 1 ns timeout on an index of
4,000 pages still answers in time), so this test stands in for it: a client that answers
with the bodies the real cluster sent under load. The rest of the search's handling is
covered against the real cluster by the conformance suite.
"""

from __future__ import annotations

import pytest
from opensearchpy.exceptions import TransportError

from indexer.opensearch_backend import OpenSearchBackend
from indexer.results import QueryRefused

from .test_conformance import SLOW_MACHINE, STAFF

STOPPED = {
    "error": {
        "root_cause": [{"type": "time_exceeded_exception", "reason": "Time exceeded"}],
        "type": "search_phase_execution_exception",
        "reason": "all shards failed",
        "phase": "query",
        "grouped": True,
        "failed_shards": [{"shard": 0, "index": "bauakte-pages-1", "node": "n1",
                           "reason": {"type": "time_exceeded_exception",
                                      "reason": "Time exceeded"}}],
    },
    "status": 500,
}  # fmt: skip
SOME_SHARDS = {
    "took": 1001, "timed_out": False, "hits": {"hits": []},
    "_shards": {"total": 3, "successful": 2, "skipped": 0, "failed": 1, "failures": [
        {"shard": 1, "index": "bauakte-pages-1",
         "reason": {"type": "time_exceeded_exception", "reason": "Time exceeded"}}]},
}  # fmt: skip


class AnsweringClient:
    """Answers every search as ``answer`` says, and each search of an msearch as ``item``
    says (by default the same)."""

    def __init__(self, answer, item=None) -> None:
        self.answer, self.item = answer, item or answer

    def search(self, **kwargs):
        return self.answer()

    def msearch(self, body, **kwargs):
        return {"responses": [self.item() for _ in body[1::2]]}


def _raise(status: int, body: dict):
    def answer():
        raise TransportError(status, body["error"]["type"], body)

    return answer


@pytest.mark.parametrize(
    "client",
    [AnsweringClient(_raise(500, STOPPED)), AnsweringClient(lambda: SOME_SHARDS),
     AnsweringClient(_raise(500, STOPPED), item=lambda: STOPPED)],  # msearch answers 200
    ids=["whole-request-failed", "some-shards-stopped", "msearch-item-failed"],
)  # fmt: skip
def test_a_search_stopped_at_the_timeout_is_refused_as_too_costly(client) -> None:
    backend = OpenSearchBackend(["http://127.0.0.1:9"], client=client)
    with pytest.raises(QueryRefused) as refused:
        backend.search("Dachgeschoss Fenster", STAFF, limits=SLOW_MACHINE)
    assert refused.value.code == "too-costly"


def test_another_failure_is_not_taken_for_a_timeout() -> None:
    other = {"error": {"type": "illegal_argument_exception", "reason": "bad field"},
             "status": 400}  # fmt: skip
    backend = OpenSearchBackend(["http://127.0.0.1:9"], client=AnsweringClient(_raise(400, other)))
    with pytest.raises(TransportError):
        backend.search("Dachgeschoss", STAFF, limits=SLOW_MACHINE)
