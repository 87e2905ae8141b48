"""Addresses and file numbers as people type them, found from the building file's own
fields even where the page text names neither, and ranked above mentions in text."""

from __future__ import annotations

import pytest

from indexer.places import file_number_pieces, house_numbers, is_street, written_out
from indexer.records import PageRecord
from indexer.retrieval import search
from indexer.store import IndexStore
from indexer.writer import apply

from .test_search import ALL, Change, Scope, ids


def _page(doc: int, text: str, bf: int, az: str, street: str, number: str, **kw) -> PageRecord:
    return PageRecord(
        page_id=doc * 100 + 1, document_id=doc, page_number=1, text=text, text_source="pdf",
        original_name=f"{doc}.pdf", kind="schriftverkehr", building_file_id=bf, aktenzeichen=az,
        street=street, house_number=number, municipality="Köln", **kw,
    )  # fmt: skip


@pytest.fixture
def ix(tmp_path):
    ix = IndexStore(tmp_path / "index").create_empty()
    apply(ix, [
        Change(1, [_page(1, "Schreiben zur Garage", 1, "63-BA-2019-0457", "Venloer Straße",
                         "411 a", postcode="50825")]),
        Change(2, [_page(2, "Ortstermin in der Venloer Straße 411 gegenüber", 2,
                         "63-BA-2020-0012", "Aachener Straße", "12")]),
        Change(3, [_page(3, "Anbau Hinterhaus", 3, "63-BA-1988-0042", "Bahnhofstraße", "5")]),
    ])  # fmt: skip
    return ix


@pytest.mark.parametrize(
    "typed",
    ["Venloer Str. 411a", "venloer strasse 411 a", "Venloer Straße 411a", "VENLOER STR 411A",
     "63/BA/2019/457", "BA 457/2019", "63-ba-2019-457", "63-BA-2019-0457", "50825 Garage"],
)  # fmt: skip
def test_the_file_is_found_by_its_address_and_number_as_typed(ix, typed: str) -> None:
    assert ids(search(ix, typed, ALL))[0] == 1


def test_the_address_outranks_a_mention_in_a_letter(ix) -> None:
    assert ids(search(ix, "Venloer Str. 411", ALL)) == [1, 2]  # 411 a is at 411; 2 mentions it
    assert ids(search(ix, "Bahnhofstr. 5", ALL)) == [3]


def test_places_never_widen_what_a_user_may_see(ix) -> None:
    other = Scope(building_file_ids=frozenset({2}))
    assert ids(search(ix, "Venloer Str. 411a", other)) == []
    assert ids(search(ix, "63/BA/2019/457", other)) == []


def test_the_forms_people_type() -> None:
    assert written_out("Str.") == "straße" and written_out("Bahnhofstr.") == "Bahnhofstraße"
    assert written_out("Pl.") == "platz" and written_out("Garage") == "Garage"
    assert is_street("Venloer") is False and is_street("Lindenstr.") and is_street("Ring")
    assert house_numbers("411 a") == ["411a", "411"] and house_numbers("12") == ["12"]
    assert house_numbers("12-14") == [] and house_numbers(None) == []
    assert file_number_pieces("63-BA-2019-0457") == ["63", "ba", "2019", "457"]
    assert file_number_pieces("457/2019") == ["457", "2019"]
    assert file_number_pieces("411") == [] and file_number_pieces("Garage") == []
    assert file_number_pieces("a-፩") == [] and file_number_pieces("x/𐩀") == []
    assert written_out("Dipl.") == "Dipl." and is_street("gering") is False
