"""The searcher on a small index built from plain records (no database)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pytest
import whoosh.writing

from indexer.query import Limits
from indexer.records import PageRecord
from indexer.retrieval import search
from indexer.store import IndexStore
from indexer.writer import apply


@dataclass
class Change:
    document_id: int
    pages: list | None


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    building_file_ids: frozenset[int] = field(default_factory=frozenset)
    document_ids: frozenset[int] = field(default_factory=frozenset)
    unredacted: bool = False


ALL = Scope(everything=True, unredacted=True)
SLOW_MACHINE = Limits(seconds=60)


def page(doc: int, number: int, text: str, bf: int | None, **kw) -> PageRecord:
    return PageRecord(
        page_id=doc * 100 + number, document_id=doc, page_number=number, text=text,
        text_source="pdf", original_name=f"{doc}.pdf", kind=kw.pop("kind", "sonstiges"),
        building_file_id=bf, aktenzeichen=f"63-BA-2019-{bf:04d}" if bf else None, **kw,
    )  # fmt: skip


@pytest.fixture
def ix(tmp_path):
    store = IndexStore(tmp_path / "index")
    ix = store.create_empty()
    docs = [
        Change(1, [
            page(1, 1, "Antrag auf Baugenehmigung für das Dachgeschoss", 1, kind="bauantrag",
                 date=dt.date(1995, 3, 1), street="Lindenstraße", district="Innenstadt"),
            page(1, 2, "Die Standsicherheit ist nachgewiesen. Garage mit Flachdach.", 1,
                 kind="bauantrag", date=dt.date(1995, 3, 1), district="Innenstadt"),
        ]),
        Change(2, [page(2, 1, "Baugenehmigung mit Auflagen zur Garage", 2, kind="baugenehmigung",
                        date=dt.date(2004, 6, 1), flurstueck=["112/3"], district="Kalk")]),
        Change(3, [page(3, 1, "Schreiben zur Genehmigung des Carports", 3,
                        kind="schriftverkehr", date=dt.date(2021, 1, 5), district="Kalk")]),
        Change(4, [page(4, 1, "Unzugeordneter Scan einer Genehmigung", None)]),
    ]  # fmt: skip
    apply(ix, docs)
    return ix


def ids(results) -> list[int]:
    return [r.document_id for r in results.results]


def test_words_phrases_or_not_fields(ix) -> None:
    assert sorted(ids(search(ix, "genehmigung", ALL))) == [1, 2, 3, 4]
    # all words on one page first, then a document with the words on pages of their own
    assert ids(search(ix, "genehmigung garage", ALL)) == [2, 1]
    assert ids(search(ix, "garage flachdach", ALL)) == [1]
    assert ids(search(ix, '"Standsicherheit ist nachgewiesen"', ALL)) == [1]
    assert ids(search(ix, '"nachgewiesen Standsicherheit"', ALL)) == []
    assert sorted(ids(search(ix, "carport OR flachdach", ALL))) == [1, 3]
    assert sorted(ids(search(ix, "genehmigung -garage", ALL))) == [3, 4]
    assert ids(search(ix, "flurstueck:112/3", ALL)) == [2]
    assert ids(search(ix, "az:63-BA-2019-0003", ALL)) == [3]
    assert ids(search(ix, "63-BA-2019-0003", ALL)) == [3]
    assert sorted(ids(search(ix, "genehmigung jahr:1990..2005", ALL))) == [1, 2]
    assert ids(search(ix, "art:baugenehmigung", ALL)) == [2]
    assert ids(search(ix, "strasse:Lindenstrasse", ALL)) == [1]
    assert ids(search(ix, "genehmigung", ALL, sort="date"))[:3] == [3, 2, 1]


def test_grouped_per_document_with_pages_and_snippets(ix) -> None:
    res = search(ix, "dach", ALL)
    assert res.total == 1
    [doc] = res.results
    assert [p.number for p in doc.pages] == [1, 2]
    assert "<mark" in doc.pages[0].snippet
    assert doc.aktenzeichen == "63-BA-2019-0001"


@pytest.mark.parametrize("text", ["OR", "az:", ":::", "-", "(((", "", "OR OR -", "jahr:"])
def test_malformed_queries_are_read_as_words(ix, text) -> None:
    assert search(ix, text, ALL).total == 0
    assert ids(search(ix, f"{text} garage", ALL)) == [1, 2] or ids(
        search(ix, f"{text} garage", ALL)
    ) == [2, 1]


def test_odd_input_never_fails(ix) -> None:
    for text in ['"unclosed quote', "jahr:abc", "jahr:2020..", 'a"b"c', "\x00", "ä" * 300]:
        search(ix, text, ALL)


def test_fuzzy_fallback_is_approximate(ix) -> None:
    exact = search(ix, "Standsicherheit", ALL)
    assert not exact.approximate
    res = search(ix, "Standsicherbeit", ALL)  # an OCR error
    assert res.approximate and ids(res) == [1]


def test_permission_filter_inside_the_query(ix) -> None:
    one = Scope(building_file_ids=frozenset({2}))
    res = search(ix, "genehmigung", one)
    assert (res.total, ids(res)) == (1, [2])
    assert res.facets["kind"] == {"baugenehmigung": 1}
    assert res.facets["bezirk"] == {"Kalk": 1}
    listed = Scope(document_ids=frozenset({3}))
    assert ids(search(ix, "genehmigung", listed)) == [3]
    assert search(ix, "genehmigung", Scope()).total == 0
    assert 4 in ids(search(ix, "genehmigung", ALL))  # staff see the inbox


def test_a_redacted_page_is_found_whole_by_staff_and_redacted_by_everyone_else(ix) -> None:
    whole = page(5, 1, "Nachbar Edeltraut Quenzel wohnt nebenan", 1, audience="staff")
    redacted = page(5, 1, "Nachbar ███ wohnt nebenan", 1, audience="public")
    apply(ix, [Change(5, [whole, redacted])])
    citizen = Scope(building_file_ids=frozenset({1}))
    assert search(ix, "Quenzel", citizen).total == 0  # no hit, no count, no facet
    assert search(ix, "Quenzal", citizen).total == 0  # no fuzzy spelling from it either
    assert ids(search(ix, "Quenzal", ALL)) == [5]
    assert ids(search(ix, "Quenzel", ALL)) == [5]
    for scope in (citizen, ALL):  # one page either way, with its own text in the snippet
        [hit] = [r for r in search(ix, "Nachbar", scope).results if r.document_id == 5]
        assert len(hit.pages) == 1
        assert ("Quenzel" in hit.pages[0].snippet) is scope.unredacted
    inside = Scope(document_ids=frozenset({5}), unredacted=True)  # staff within the document
    assert search(ix, "Quenzel", inside).total == 1


def test_paging_and_facets(ix) -> None:
    first = search(ix, "genehmigung", ALL, per_page=3)
    second = search(ix, "genehmigung", ALL, per_page=3, page=2)
    assert first.total == second.total == 4
    assert len(first.results) == 3 and len(second.results) == 1
    assert set(ids(first)) | set(ids(second)) == {1, 2, 3, 4}
    assert first.facets["decade"] == {"1990er": 1, "2000er": 1, "2020er": 1}


NARROW_QUERIES = [
    "genehmigung", "Garage", "Garage OR Carport", "-Carport genehmigung", "Standsicherbeit",
    '"Baugenehmigung mit Auflagen"', "dach", "art:baugenehmigung jahr:2000..2010",
    "genehmigung garage", "Flachdach Lindenstraße",
]  # fmt: skip


@pytest.mark.parametrize("text", NARROW_QUERIES)
def test_narrow_permission_path_agrees_with_the_filtered_search(ix, monkeypatch, text) -> None:
    """A small permission filter is walked page by page: the same hits, totals, facets, order."""
    import indexer.retrieval as searching

    scope = Scope(building_file_ids=frozenset({1, 2}), document_ids=frozenset({3}))
    monkeypatch.setattr(searching, "NARROW", 1)  # always walk the allowed pages
    narrow = search(ix, text, scope)
    monkeypatch.setattr(searching, "NARROW", 10**9)  # never: Whoosh's filtered search
    wide = search(ix, text, scope)
    assert narrow.as_json() == wide.as_json()
    assert narrow.total == len(narrow.results)


def test_a_failed_commit_releases_the_index_lock(ix, monkeypatch) -> None:
    """A commit that fails (a full disk, say) must not keep the lock: the next writer waits 60 s."""
    real = whoosh.writing.SegmentWriter._commit_toc

    def full_disk(self, segments):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(whoosh.writing.SegmentWriter, "_commit_toc", full_disk)
    with pytest.raises(OSError) as failed:  # kept: its traceback keeps the writer alive,
        apply(ix, [Change(5, [page(5, 1, "Kellerfenster", 5)])])  # as a logger's record would
    monkeypatch.setattr(whoosh.writing.SegmentWriter, "_commit_toc", real)
    started = time.monotonic()
    assert apply(ix, [Change(5, [page(5, 1, "Kellerfenster", 5)])]) == 1
    assert time.monotonic() - started < 30  # a writer left locked would wait 60 s
    assert failed.value.errno == 28


def test_searches_in_threads_survive_commits_that_merge_segments(tmp_path) -> None:
    """One shared reader, many threads, a writer committing (and merging) all the while:
    a refresh must never close a segment another thread is still searching."""
    import threading

    from indexer.reader import IndexReader

    store = IndexStore(tmp_path / "index")
    ix = store.create_empty()
    reader = IndexReader(store.open)
    errors: list[BaseException] = []
    totals: list[int] = []
    stop = threading.Event()

    def searching() -> None:
        while not stop.is_set():
            try:
                # a deadline no loaded machine reaches: this test is about the segments
                totals.append(search(reader, "Dachgeschoss", ALL, limits=SLOW_MACHINE).total)
            except BaseException as exc:  # any failure fails the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=searching) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(1, 41):
            apply(ix, [Change(n, [page(n, 1, f"Dachgeschoss Ausbau {n}", 1)])])
    finally:
        stop.set()
        for t in threads:
            t.join()
    reader.close()
    assert errors == []
    assert totals and max(totals) <= 40
    assert search(store.open(), "Dachgeschoss", ALL).total == 40


def test_a_fresh_empty_index_finds_nothing_without_failing(tmp_path) -> None:
    ix = IndexStore(tmp_path / "index").create_empty()
    results = search(ix, "Dachgeschoss", ALL)
    assert results.total == 0 and results.results == []


def test_the_time_budget_ends_the_whoosh_search_itself_and_keeps_the_filter(tmp_path) -> None:
    """The deadline is checked while Whoosh collects matches, not only between phases;
    and the permission filter still applies with the deadline in the collector chain."""
    from indexer.query import Budget, QueryRefused, parse
    from indexer.retrieval import _bounded
    from indexer.whoosh_lookup import WhooshLookup

    ix = IndexStore(tmp_path / "index").create_empty()
    apply(ix, [Change(n, [page(n, 1, f"Garage Nummer {n}", n % 7 + 1)]) for n in range(1, 701)])
    with ix.searcher() as searcher:
        query = parse("Garage", WhooshLookup(searcher, None), Budget()).query
        assert len(searcher.search(query, limit=None)) == 700
        for allowed in (None, {0, 5, 699}, set(range(0, 700, 3))):
            for mask in (None, {5, 6}):
                expected = searcher.search(query, filter=allowed, mask=mask, limit=None)
                got = _bounded(searcher, Budget(), query, allowed, mask, limit=None)
                assert sorted(got.docs()) == sorted(expected.docs())
        spent = Budget(Limits(seconds=-1))
        with pytest.raises(QueryRefused) as refused:
            _bounded(searcher, spent, query, None, limit=None, scored=False)
        assert refused.value.code == "too-costly"


def test_the_budget_counts_the_searchs_own_work_not_its_waiting() -> None:
    """A busy machine or another thread's turn on the shared searcher makes a search wait;
    only its own work counts, so a cheap search is not refused as too costly under load."""
    from indexer.query import Budget, QueryRefused

    budget = Budget(Limits(seconds=1.0), wall_deadline=time.monotonic() + 3600)  # CPU only
    time.sleep(1.2)
    budget.check()  # waited, spent next to nothing
    working_until = time.monotonic() + 60
    with pytest.raises(QueryRefused) as refused:
        while time.monotonic() < working_until:
            budget.check()
    assert refused.value.code == "too-costly"
    wedged = Budget(Limits(seconds=0.05))  # waiting ten times its budget ends a search too
    time.sleep(0.6)
    with pytest.raises(QueryRefused):
        wedged.check()


def test_the_shared_reader_follows_a_rebuild_into_a_new_generation(tmp_path) -> None:
    """A rebuild in another process switches CURRENT; the web worker's reader must follow,
    or it would search the old generation (and never see a later ingest) for good."""
    from indexer.reader import IndexReader

    store = IndexStore(tmp_path / "index")
    apply(store.create_empty(), [Change(1, [page(1, 1, "Dachgeschoss alt", 1)])])
    reader = IndexReader(store.open, live=lambda: store.current_path)
    assert search(reader, "Dachgeschoss", ALL).total == 1
    path, rebuilt = store.new_generation()
    apply(rebuilt, [Change(n, [page(n, 1, f"Dachgeschoss {n}", 1)]) for n in (1, 2, 3)])
    store.switch_to(path)
    assert search(reader, "Dachgeschoss", ALL).total == 3
    apply(store.open(), [Change(4, [page(4, 1, "Dachgeschoss neu", 1)])])  # a later ingest
    assert search(reader, "Dachgeschoss", ALL).total == 4
    reader.close()


class _MergedAway:
    """An index whose first searchers hit a segment file a concurrent commit removed."""

    def __init__(self, ix, failures: int) -> None:
        self.ix, self.failures = ix, failures

    def searcher(self):
        if self.failures:
            self.failures -= 1
            raise FileNotFoundError(2, "No such file or directory", "_MAIN_7.seg")
        return self.ix.searcher()


def test_a_segment_merged_away_under_a_search_is_searched_again(ix) -> None:
    assert sorted(ids(search(_MergedAway(ix, 2), "genehmigung", ALL))) == [1, 2, 3, 4]
    with pytest.raises(FileNotFoundError):  # not for ever: a vanished index is an error
        search(_MergedAway(ix, 10), "genehmigung", ALL)
