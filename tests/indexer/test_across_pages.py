"""A document matches when all words of a query occur in it, on one page or several:
pages with all words rank first, and the result lists the page where each word stands."""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.retrieval import search
from indexer.store import IndexStore
from indexer.writer import apply

from .test_search import ALL, Change, Scope, ids, page


@pytest.fixture
def ix(tmp_path):
    ix = IndexStore(tmp_path / "index").create_empty()
    apply(ix, [
        Change(1, [page(1, 1, "Antrag auf eine Garage", 1, date=dt.date(2001, 1, 1)),
                   page(1, 2, "Lageplan", 1, date=dt.date(2001, 1, 1)),
                   page(1, 3, "Der Carport entfällt", 1, date=dt.date(2001, 1, 1))]),
        Change(2, [page(2, 1, "Garage und Carport nebeneinander", 2, date=dt.date(1990, 1, 1))]),
        Change(3, [page(3, 1, "Nur eine Garage", 3), page(3, 2, "Kein Wort dazu", 3)]),
        Change(4, [page(4, 1, "Garage", 4), page(4, 2, "Carport", 4), page(4, 3, "Abriss", 4)]),
    ])  # fmt: skip
    return ix


def test_words_on_pages_of_their_own_match_the_document_ranked_after_one_page(ix) -> None:
    found = search(ix, "Garage Carport", ALL)
    assert found.total == 3
    assert ids(found)[0] == 2 and sorted(ids(found)[1:]) == [1, 4]
    apart = next(r for r in found.results if r.document_id == 1)
    assert [p.number for p in apart.pages] == [1, 3]  # where each word stands
    assert all("<mark>" in p.snippet for p in apart.pages)


def test_exclusions_dates_and_facets_count_documents_matched_across_pages(ix) -> None:
    assert sorted(ids(search(ix, "Garage Carport -Abriss", ALL))) == [1, 2]
    assert ids(search(ix, "Garage Carport", ALL, sort="date")) == [1, 2, 4]
    assert search(ix, "Garage Carport", ALL).facets["kind"] == {"sonstiges": 3}
    assert ids(search(ix, "Garage Carport", ALL, per_page=1, page=3)) != []


def test_a_word_on_no_page_still_excludes_the_document(ix) -> None:
    assert ids(search(ix, "Garage Wintergarten", ALL)) == []
    assert ids(search(ix, '"Garage und Carport" Lageplan', ALL)) == []


def test_across_pages_only_within_what_the_user_may_see(ix) -> None:
    assert ids(search(ix, "Garage Carport", Scope(building_file_ids=frozenset({1})))) == [1]
    assert search(ix, "Garage Carport", Scope(document_ids=frozenset({3}))).total == 0


def test_field_filters_hold_for_the_whole_document(ix) -> None:
    assert sorted(ids(search(ix, "Garage Carport art:sonstiges", ALL))) == [1, 2, 4]
    assert ids(search(ix, "Garage Carport art:statik", ALL)) == []
    assert sorted(ids(search(ix, "Garage Carport jahr:2001", ALL))) == [1]
