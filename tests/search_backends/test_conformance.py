"""One suite, every backend: what search must answer, whatever engine holds the index.

Written against ``indexer.backend.SearchBackend`` only; no engine's objects appear here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from indexer.backend import IndexUnusable
from tests.indexer.test_search import SLOW_MACHINE, Scope, page

from .conftest import Source

STAFF = Scope(everything=True, unredacted=True)


ARCHIVE = {
    1: [page(1, 1, "Antrag auf Baugenehmigung für das Dachgeschoss", 1, kind="bauantrag",
             date=dt.date(1995, 3, 1), street="Venloer Straße", house_number="411",
             district="Ehrenfeld"),
        page(1, 2, "Die Fensterbrüstung im Obergeschoss ist zu niedrig.", 1, kind="bauantrag",
             date=dt.date(1995, 3, 1), street="Venloer Straße", house_number="411",
             district="Ehrenfeld")],
    2: [page(2, 1, "Baugenehmigung mit Auflagen zur Garage", 2, kind="baugenehmigung",
             date=dt.date(2004, 6, 1), district="Kalk")],
    3: [page(3, 1, "Die Thür zum Keller und die Centralheizung", 3, kind="abnahme",
             date=dt.date(1908, 5, 2), district="Kalk")],
    4: [page(4, 1, "Statische Berechnung der Stahlbetondecke", 4, kind="statik",
             date=dt.date(2012, 1, 9), district="Porz")],
    5: [page(5, 1, "Unzugeordneter Scan einer Baugenehmigung", None)],
    6: [page(6, 1, "Eigentümerin Waltraud Oberhausen, Antrag zum Wintergarten", 6,
             audience="staff"),
        page(6, 1, "Eigentümerin ████████ ██████████, Antrag zum Wintergarten", 6,
             audience="public")],  # a redacted page: whole for staff, redacted for others
}  # fmt: skip


@pytest.fixture
def source(backend) -> Source:
    filled = Source()
    for doc, pages in ARCHIVE.items():
        filled.put(doc, pages)
    assert backend.sync(filled) == len(ARCHIVE)
    assert filled.queued == []
    return filled


def found(backend, text: str, scope=STAFF, **kw) -> list[int]:
    results = backend.search(text, scope, limits=SLOW_MACHINE, **kw)
    return [hit.document_id for hit in results.results]


def test_german_analysis_inflections_compound_parts_old_spellings(backend, source) -> None:
    assert set(found(backend, "Baugenehmigungen")) == {1, 2, 5}
    assert found(backend, "Brüstung") == [1]  # a part of Fensterbrüstung
    assert found(backend, "Tür") == [3]  # Thür, an old spelling
    assert found(backend, "Zentralheizung") == [3]
    assert found(backend, "Venloer Str. 411") == [1]  # the address as people type it
    assert found(backend, "Statik")[0] == 4  # the kind's name


def test_a_scope_sees_only_its_files_and_documents(backend, source) -> None:
    citizen = Scope(building_file_ids=frozenset({2}))
    assert found(backend, "Baugenehmigung", citizen) == [2]
    listed = Scope(document_ids=frozenset({1}))
    assert found(backend, "Baugenehmigung", listed) == [1]
    nobody = Scope()
    results = backend.search("Baugenehmigung", nobody, limits=SLOW_MACHINE)
    assert results.total == 0 and results.results == []
    assert all(sum(counts.values()) == 0 for counts in results.facets.values())


def test_a_redacted_page_is_whole_for_staff_and_redacted_for_everyone_else(backend, source):
    granted = Scope(building_file_ids=frozenset({6}))
    assert found(backend, "Oberhausen") == [6]
    assert found(backend, "Oberhausen", granted) == []
    assert found(backend, "Wintergarten", granted) == [6]
    [hit] = backend.search("Wintergarten", granted, limits=SLOW_MACHINE).results
    assert "Oberhausen" not in hit.pages[0].snippet and len(hit.pages) == 1
    [whole] = backend.search("Wintergarten", STAFF, limits=SLOW_MACHINE).results
    assert "Oberhausen" in whole.pages[0].snippet and len(whole.pages) == 1


def test_totals_and_facets_count_only_what_the_scope_sees(backend, source) -> None:
    everything = backend.search("Baugenehmigung", STAFF, limits=SLOW_MACHINE)
    assert everything.total == 3
    assert everything.facets["kind"]["bauantrag"] == 1
    citizen = backend.search("Baugenehmigung", Scope(building_file_ids=frozenset({2})),
                             limits=SLOW_MACHINE)  # fmt: skip
    assert citizen.total == 1
    assert citizen.facets["kind"] == {"baugenehmigung": 1}
    assert "Ehrenfeld" not in citizen.facets.get("bezirk", {})


def test_a_grant_that_ended_sees_nothing_at_the_next_search(backend, source) -> None:
    granted = Scope(building_file_ids=frozenset({2}))
    assert found(backend, "Garage", granted) == [2]
    expired = Scope()  # docstore computes the scope at each search; a lapsed grant is gone
    assert found(backend, "Garage", expired) == []


def test_pages_of_results_are_exact_and_disjoint(backend, source) -> None:
    first = backend.search("Baugenehmigung", STAFF, per_page=2, page=1, limits=SLOW_MACHINE)
    second = backend.search("Baugenehmigung", STAFF, per_page=2, page=2, limits=SLOW_MACHINE)
    assert first.total == second.total == 3
    one = [h.document_id for h in first.results]
    two = [h.document_id for h in second.results]
    assert len(one) == 2 and len(two) == 1 and not set(one) & set(two)


def test_a_page_past_the_results_is_empty_with_the_true_total(backend, source) -> None:
    for sort in ("relevance", "date"):
        past = backend.search("Baugenehmigung", STAFF, per_page=2, page=50, sort=sort,
                              limits=SLOW_MACHINE)  # fmt: skip
        assert past.total == 3 and past.results == []


def test_every_matching_page_of_a_long_document(backend, source) -> None:
    """The viewer asks for all matching pages of the document it shows: more than an
    engine's default window of hits per document (OpenSearch: 100)."""
    source.put(7, [page(7, n, f"Bewehrungsplan Blatt {n}", 7) for n in range(1, 131)])
    backend.sync(source)
    inside = Scope(document_ids=frozenset({7}))
    [hit] = backend.search("Bewehrungsplan", inside, per_page=1, pages_per_document=130,
                           limits=SLOW_MACHINE).results  # fmt: skip
    assert sorted(p.number for p in hit.pages) == list(range(1, 131))


def test_snippets_mark_the_words_found(backend, source) -> None:
    [hit] = backend.search("Fensterbrüstung", STAFF, limits=SLOW_MACHINE).results
    assert hit.pages[0].number == 2
    assert "<mark>Fensterbrüstung</mark>" in hit.pages[0].snippet
    [plain] = backend.search("Garage", STAFF, snippets=False, limits=SLOW_MACHINE).results
    assert plain.pages[0].snippet == ""


def test_edits_and_deletes_through_the_outbox(backend, source) -> None:
    source.put(2, [page(2, 1, "Baugenehmigung für einen Carport", 2, kind="baugenehmigung")])
    source.put(4, None)
    assert backend.sync(source) == 2
    assert found(backend, "Garage") == []
    assert found(backend, "Carport") == [2]
    assert found(backend, "Stahlbetondecke") == []
    assert backend.sync(source) == 0  # nothing twice


def test_a_missing_index_is_unusable_until_rebuilt(backend, source, tmp_path, request) -> None:
    from .conftest import BACKENDS

    missing = BACKENDS[backend.name](tmp_path / "elsewhere", request)
    with pytest.raises(IndexUnusable):
        missing.check()
    with pytest.raises(IndexUnusable):
        missing.search("Garage", STAFF)
    with pytest.raises(IndexUnusable):
        missing.sync(source)  # not repaired unless asked
    assert missing.rebuild(source) == len(ARCHIVE)
    assert found(missing, "Garage") == [2]
    missing.close()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_damaged_index_says_so_and_a_rebuild_repairs_it(backend, source, damage) -> None:
    assert found(backend, "Garage") == [2]  # a searcher is open when the damage comes
    damage()
    with pytest.raises(IndexUnusable):
        backend.check()
    with pytest.raises(IndexUnusable):
        backend.search("Garage", STAFF)
    source.put(3, [page(3, 1, "Die Tür zum Keller", 3, kind="abnahme")])
    with pytest.raises(IndexUnusable):
        backend.sync(source)
    assert source.queued  # the change waits for the repair
    assert backend.sync(source, repair=True) == len(ARCHIVE)
    backend.check()
    assert found(backend, "Garage") == [2]
    assert source.queued == []


def test_a_slow_sync_never_writes_an_older_state_over_a_newer_one(backend, source) -> None:
    """A redaction made while another sync is running is what search ends up showing."""
    import threading

    claimed, go_on = threading.Event(), threading.Event()

    class Slow(Source):
        def claim(self, limit):
            batch = super().claim(limit)
            if threading.current_thread().name == "slow" and batch is not None:
                claimed.set()
                go_on.wait(10)  # read the old text, then dawdle before writing it
            return batch

    slow_source = Slow(documents=dict(source.documents))
    slow_source.put(6, [page(6, 1, "Eigentümerin Waltraud Oberhausen, Wintergarten", 6)])
    slow = threading.Thread(target=lambda: backend.sync(slow_source, wait=10), name="slow")
    slow.start()
    assert claimed.wait(10)
    slow_source.put(6, [page(6, 1, "Eigentümerin ████████, Wintergarten", 6)])  # redacted now
    fast = threading.Thread(target=lambda: backend.sync(slow_source, wait=10))
    fast.start()
    go_on.set()
    slow.join(20)
    fast.join(20)
    backend.sync(slow_source)
    assert found(backend, "Oberhausen") == []
    assert found(backend, "Wintergarten") == [6]


def test_a_change_made_during_a_rebuild_is_not_lost(backend, source) -> None:
    """A sync while a rebuild reads the documents must not write into the old index and
    acknowledge what the new one lacks: it waits, and its change stays queued."""
    import threading
    import time

    from indexer.backend import IndexBusy

    read, go_on = threading.Event(), threading.Event()

    class Slow(Source):
        def all_documents(self):
            snapshot = list(super().all_documents())  # the database as the rebuild read it
            read.set()
            go_on.wait(10)
            return iter(snapshot)

    slow = Slow(documents=dict(source.documents))
    rebuilding = threading.Thread(target=lambda: backend.rebuild(slow))
    rebuilding.start()
    assert read.wait(10)
    slow.put(2, [page(2, 1, "Baugenehmigung für einen Carport", 2, kind="baugenehmigung")])
    with pytest.raises(IndexBusy):
        backend.sync(slow, wait=0.3)
    patient = threading.Thread(target=lambda: backend.sync(slow, wait=180))
    patient.start()  # waits for the lock through the switch: must write the new index
    time.sleep(0.3)
    go_on.set()
    rebuilding.join(240)
    patient.join(240)
    assert found(backend, "Carport") == [2]
    assert slow.queued == []


def test_phrases_exclusions_fields_and_words_on_different_pages(backend, source) -> None:
    assert found(backend, '"Antrag auf Baugenehmigung"') == [1]
    assert found(backend, '"Baugenehmigung auf Antrag"') == []
    assert set(found(backend, "Baugenehmigung -Garage")) == {1, 5}
    assert found(backend, "art:statik") == [4]
    assert found(backend, "jahr:1900..1910 Keller") == [3]
    assert found(backend, "Baugenehmigung", sort="date") == [2, 1, 5]  # undated last
    [apart] = backend.search("Dachgeschoss Fensterbrüstung", STAFF, limits=SLOW_MACHINE).results
    assert apart.document_id == 1 and [p.number for p in apart.pages] == [1, 2]


def test_a_misspelt_word_is_matched_only_by_what_the_scope_may_see(backend, source) -> None:
    near = backend.search("Wintergartn", STAFF, limits=SLOW_MACHINE)
    assert [h.document_id for h in near.results] == [6] and near.approximate
    assert "<mark>Wintergarten</mark>" in near.results[0].pages[0].snippet
    citizen = Scope(building_file_ids=frozenset({2}))
    hidden = backend.search("Wintergartn", citizen, limits=SLOW_MACHINE)
    nowhere = backend.search("Quxwertzlingen", citizen, limits=SLOW_MACHINE)
    assert hidden.total == 0 and hidden.results == []
    assert hidden.approximate == nowhere.approximate  # nothing tells the word exists
