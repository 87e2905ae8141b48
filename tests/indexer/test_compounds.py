"""Compound parts of any word, measured on lists of real building-file words.

``data/compounds_de.tsv`` holds compounds with the parts a reader sees in them;
``data/non_compounds_de.txt`` names, verbs and derived words a splitter must leave
whole.  The ``*_heldout_*`` lists were written after the rules and never used to tune
them: their figures say how the rules carry over to words nobody looked at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.analysis import index_terms, query_term, split_compound, stem
from indexer.folding import fold
from indexer.spelling import modern

DATA = Path(__file__).parent / "data"


def _compounds(name: str) -> list[tuple[str, list[str]]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()[1:]
    return [(word, parts.split()) for word, parts in (line.split("\t") for line in lines)]


def _words(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.startswith("#")]


def _terms(word: str) -> set[str]:
    return {term for term, *_ in index_terms(word)}


def _recall(rows: list[tuple[str, list[str]]]) -> tuple[float, list[str]]:
    """Share of expected parts a search for the part finds in the word's index terms."""
    found = total = 0
    missed = []
    for word, parts in rows:
        terms = _terms(word)
        hits = [p for p in parts if query_term(p) in terms]
        found, total = found + len(hits), total + len(parts)
        if len(hits) < len(parts):
            missed.append(word)
    return found / total, missed


def _false_splits(words: list[str]) -> list[str]:
    return [w for w in words if split_compound(fold(w))]


@pytest.mark.parametrize(
    ("compounds", "non_compounds", "recall", "false_rate"),
    [
        ("compounds_de.tsv", "non_compounds_de.txt", 0.98, 0.015),
        ("compounds_heldout_de.tsv", "non_compounds_heldout_de.txt", 0.92, 0.03),
    ],
)
def test_parts_are_found_and_non_compounds_stay_whole(
    compounds: str, non_compounds: str, recall: float, false_rate: float
) -> None:
    rows = _compounds(compounds)
    words = _words(non_compounds)
    assert len(rows) >= 200 and len(words) >= 200
    measured, missed = _recall(rows)
    false = _false_splits(words)
    print(f"{compounds}: recall of parts {measured:.3f} over {len(rows)} compounds; "
          f"{non_compounds}: {len(false)} false splits of {len(words)}")  # fmt: skip
    assert measured >= recall, missed
    assert len(false) / len(words) <= false_rate, false


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Fensterbrüstung", ("fenster", "brüstung")),
        ("Stahlbetonträgers", ("stahl", "beton", "träger")),
        ("Ingenieurbüros", ("ingenieur", "büro")),
        ("Dachgeschossausbau", ("dach", "geschoss", "ausbau", "dachgeschoss")),
        ("Ordnungsamt", ("ordnung", "amt")),
        ("Hauptstraße", ("haupt", "straße")),
        ("feuerhemmend", ("feuer", "hemmend")),
    ],
)
def test_inflected_compounds_split_like_their_base(word: str, parts: tuple[str, ...]) -> None:
    terms = _terms(word)
    assert all(query_term(p) in terms for p in parts), (word, sorted(terms))


@pytest.mark.parametrize(
    ("query", "text"),
    [("Land", "Wieland"), ("Träger", "Im Auftrag"), ("Bean", "beantrage"), ("Samt", "Ordnungsamt"),
     ("Trasse", "Hauptstraße"), ("Schaft", "Nachbarschaft"), ("Mut", "Hartmut")],
)  # fmt: skip
def test_a_word_that_only_spells_a_part_is_not_found(query: str, text: str) -> None:
    assert query_term(query) not in {t for t, *_ in index_terms(text)}


@pytest.mark.parametrize(
    ("old", "today"),
    [("Thür", "Tür"), ("Hausthür", "Haustür"), ("Centralheizung", "Zentralheizung"),
     ("Cementputz", "Zementputz"), ("Erlaubniß", "Erlaubnis"), ("Gebaeude", "Gebäude"),
     ("Thürschloß", "Türschloss"), ("Concession", "Konzession"), ("Theil", "Teil")],
)  # fmt: skip
def test_old_spellings_and_todays_find_each_other(old: str, today: str) -> None:
    assert query_term(today) in _terms(old)
    assert query_term(old) in _terms(today)


def test_todays_words_get_no_old_reading() -> None:
    words = ["Theater", "Thema", "Methode", "Café", "Chef", "Cello", "Apotheke", "Feuer", "neue",
             "Steuer", "Mauer", "Bauer", "Thüringen", "Theodor", "Clemens", "Ecke"]  # fmt: skip
    changed = {w: modern(fold(w)) for w in words if modern(fold(w))}
    assert changed == {}
    assert stem("theater") in _terms("Theater") and query_term("Teater") not in _terms("Theater")


def test_analysis_needs_no_whoosh() -> None:
    """A second search backend reuses the analysis: it must import without Whoosh."""
    code = (
        "import sys; sys.modules['whoosh'] = None\n"
        "from indexer.analysis import index_terms\n"
        "print(sorted(t for t, *_ in index_terms('Fensterbrüstung')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "brustung" in done.stdout


def test_a_missing_word_list_names_the_package(tmp_path) -> None:
    code = "from indexer.lexicon import lexicon; lexicon()"
    env = {**os.environ, "BAUAKTE_WORDLIST": str(tmp_path / "missing")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode != 0 and "install Debian's 'wngerman' package" in done.stderr


def test_a_run_of_letters_without_spaces_is_indexed_quickly_as_one_word() -> None:
    """A text layer without spaces must not recurse or stall indexing (or a rebuild)."""
    import time

    start = time.thread_time()  # its own work: a loaded machine's waits do not count
    for run in ("haus" * 1250, "ol" * 2500, "dachgeschoss" * 40):
        assert _terms(run) == {stem(fold(run))}
    assert time.thread_time() - start < 2
