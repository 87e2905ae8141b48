"""Search finds what people mean: kinds and synonyms by name, compounds written apart,
old spellings; each ranked below pages that hold the word as typed."""

from __future__ import annotations

import pytest

from indexer.retrieval import search
from indexer.store import IndexStore
from indexer.synonyms import parse
from indexer.writer import apply

from .test_search import ALL, Change, Scope, ids, page


@pytest.fixture
def ix(tmp_path):
    ix = IndexStore(tmp_path / "index").create_empty()
    docs = [
        Change(1, [page(1, 1, "Berechnung der Lasten für das Tragwerk", 1, kind="statik")]),
        Change(2, [page(2, 1, "Die Statik wurde geprüft.", 2, kind="schriftverkehr")]),
        Change(3, [page(3, 1, "Bauschein Nr. 412 für den Neubau", 3, kind="baugenehmigung")]),
        Change(4, [page(4, 1, "Antrag auf Ausbau des Dachgeschosses", 4, kind="bauantrag")]),
        Change(5, [page(5, 1, "Dachgeschossausbau genehmigt", 5, kind="baugenehmigung")]),
        Change(6, [page(6, 1, "Die Hausthür ist zu verbreitern.", 6, kind="schriftverkehr")]),
        Change(7, [page(7, 1, "Neue Tür zum Hof", 7, kind="schriftverkehr")]),
        Change(8, [page(8, 1, "Schnitt A-A und Ansichten", 8, kind="bauzeichnung")]),
    ]  # fmt: skip
    apply(ix, docs)
    return ix


def test_a_kinds_name_finds_its_documents_below_those_that_say_it(ix) -> None:
    found = ids(search(ix, "Statik", ALL))
    assert found == [2, 1]  # the word on the page first, then the document of that kind
    assert sorted(ids(search(ix, "Standsicherheitsnachweis", ALL))) == [1, 2]  # its synonyms
    assert 8 in ids(search(ix, "Plan", ALL))  # Bauzeichnung <-> Plan


def test_a_synonym_finds_the_other_word(ix) -> None:
    assert ids(search(ix, "Baugenehmigung", ALL))[0] in (3, 5)
    assert 3 in ids(search(ix, "Baugenehmigung", ALL))  # Bauschein
    assert 3 in ids(search(ix, "Bauerlaubnis", ALL))


def test_a_compound_finds_its_parts_written_apart_ranked_below(ix) -> None:
    assert ids(search(ix, "Dachgeschossausbau", ALL)) == [5, 4]
    assert sorted(ids(search(ix, "Ausbau Dachgeschoss", ALL))) == [4, 5]


def test_old_and_new_spellings_find_each_other(ix) -> None:
    assert sorted(ids(search(ix, "Tür", ALL))) == [6, 7]
    assert sorted(ids(search(ix, "Thür", ALL))) == [6, 7]


def test_meaning_never_widens_what_a_user_may_see(ix) -> None:
    only_one = Scope(building_file_ids=frozenset({2}))
    assert ids(search(ix, "Statik", only_one)) == [2]
    assert search(ix, "Standsicherheitsnachweis", only_one).total == 1
    assert search(ix, "Dachgeschossausbau", only_one).total == 0


def test_the_synonym_file_reads_kinds_groups_and_phrases() -> None:
    groups = parse("# note\nkind=statik: Statik, statische Berechnung\nAbort, WC\n\n")
    assert [(g.kind, g.words) for g in groups] == [
        ("statik", ("Statik", "statische Berechnung")), (None, ("Abort", "WC")),
    ]  # fmt: skip


def test_misread_forms_are_found_beside_the_correct_one_ranked_below(tmp_path) -> None:
    ix = IndexStore(tmp_path / "index").create_empty()
    apply(ix, [
        Change(1, [page(1, 1, "Die Waschküche im Keller", 1)]),
        Change(2, [page(2, 1, "Die Waschkiiche im Keller", 2)]),
        Change(3, [page(3, 1, "Die Waschkäche im Keller", 3)]),
    ])  # fmt: skip
    found = search(ix, "Waschküche", ALL)
    assert ids(found)[0] == 1 and sorted(ids(found)) == [1, 2, 3]
    assert found.approximate is False  # the word itself stands on a page
    hidden = search(ix, "Waschküche", Scope(building_file_ids=frozenset({1, 3})))
    assert sorted(ids(hidden)) == [1, 3]  # a misread form the user may not see adds nothing


def test_a_left_out_word_leaves_out_only_itself_not_what_it_may_mean(ix) -> None:
    assert 1 in ids(search(ix, "Lasten -Statik", ALL))  # a Statik by kind, without the word
    assert 8 in ids(search(ix, "Schnitt -Plan", ALL))  # a Bauzeichnung, the word not on it
