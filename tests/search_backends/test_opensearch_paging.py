"""OpenSearch lists matching documents and their pages request by request; with one per
request the answers are those of one request for all (the paging is exercised)."""

from __future__ import annotations

import pytest

from indexer import opensearch_search

from .test_conformance import SLOW_MACHINE, STAFF, source  # noqa: F401 - the fixture

QUERIES = ["Baugenehmigung", "Baugenehmigung -Garage", "Dachgeschoss Fensterbrüstung",
           "Antrag"]  # fmt: skip


def _answers(backend) -> list[tuple]:
    found = []
    for text in QUERIES:
        for sort in ("relevance", "date"):
            r = backend.search(text, STAFF, sort=sort, limits=SLOW_MACHINE)
            hits = [(h.document_id, [p.number for p in h.pages]) for h in r.results]
            found.append((text, sort, r.total, r.facets, hits))
    return found


@pytest.mark.parametrize("backend", ["opensearch"], indirect=True)
def test_one_document_per_request_answers_as_all_at_once(backend, source, monkeypatch) -> None:  # noqa: F811
    at_once = _answers(backend)
    monkeypatch.setattr(opensearch_search, "DOCS_PER_REQUEST", 1)
    monkeypatch.setattr(opensearch_search, "PAGES_PER_REQUEST", 1)
    assert _answers(backend) == at_once
    assert at_once[0][2] == 3 and at_once[4][4][0][1] == [1, 2]  # the words on two pages
