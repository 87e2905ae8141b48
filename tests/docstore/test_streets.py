"""The street list: spellings people type, suggestions, and no list at all."""

from __future__ import annotations

import os
from pathlib import Path

from docstore.services.streets import StreetList, street_list

STREETS = StreetList(["Venloer Straße", "Aachener Straße", "Am Hof", "Hohe Straße", "Domkloster"])


def test_spellings_of_one_street_are_one_street() -> None:
    for typed in ("Venloer Str.", "venloer strasse", "VENLOER STRASSE ", "Venloer-Straße"):
        assert STREETS.known(typed), typed
    assert not STREETS.known("Venloer Weg")


def test_suggestions_start_with_what_was_typed_then_contain_it() -> None:
    assert STREETS.suggest("Ho") == ["Hohe Straße", "Am Hof"]
    assert STREETS.suggest("Str.") == ["Aachener Straße", "Hohe Straße", "Venloer Straße"]
    assert STREETS.suggest("a") == []  # too short to be useful


def test_the_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "streets.txt"
    assert street_list(path) is None
    path.write_text("# Straßenverzeichnis\nAm Hof\n", encoding="utf-8")
    assert street_list(path).known("am hof")
    path.write_text("Domkloster\n", encoding="utf-8")
    os.utime(path, ns=(1, 2_000_000_000_000_000_000))
    assert street_list(path).known("Domkloster") and not street_list(path).known("Am Hof")
