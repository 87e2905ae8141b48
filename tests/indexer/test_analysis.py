"""German analysis: folding, stemming, compounds, file numbers."""

from __future__ import annotations

import pytest

from indexer.analysis import exact_terms, fold, index_terms, query_term, split_compound


def tokens(text: str) -> set[str]:
    return {term for term, *_ in index_terms(text)}


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Strasse", "Straße"),
        ("Gebaude", "Gebäude"),
        ("gebäude", "GEBÄUDE"),
        ("Genehmigungen", "Genehmigung"),
        ("Genehmigung", "Baugenehmigung"),
        ("dach", "Dachgeschoss"),
        ("geschoss", "Dachgeschoss"),
        ("strasse", "Lindenstraße"),
        ("antrag", "Bauantrag"),
        ("sicherheit", "Standsicherheit"),
        ("63-BA-2019-0457", "Az. 63-BA-2019-0457 vom"),
        ("112/3", "Flurstück 112/3,"),
    ],
)
def test_query_finds_text(query: str, text: str) -> None:
    assert query_term(query) in tokens(text)


def test_stop_words_and_whole_compounds() -> None:
    assert query_term("die") is None
    assert "die" not in tokens("die Baugenehmigung")
    assert query_term("Baugenehmigung") in tokens("Baugenehmigung")
    assert query_term("Baugenehmigung") not in tokens(
        "Bau der Genehmigung"
    )  # no splitting of queries
    assert split_compound("gebaude") == ()
    assert split_compound("bauaufsichtsamt") == ("bau", "aufsicht", "amt")


def test_compound_parts_share_the_position() -> None:
    positions = {term: position for term, position, *_ in index_terms("neues Dachgeschoss")}
    assert positions["dach"] == positions["dachgeschoss"] == positions["geschoss"]


def test_exact_twin_is_folded_not_stemmed() -> None:
    assert {term for term, *_ in exact_terms("Genehmigungen Straße 63-BA-1")} >= {
        "genehmigungen", "strasse", "63-ba-1", "63", "ba", "1",
    }  # fmt: skip
    assert fold("Ärger Über Öl ß é") == "arger uber ol ss e"
