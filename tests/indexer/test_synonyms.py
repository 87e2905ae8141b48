"""The synonym file: every group readable, every kind real, no word in two groups."""

from __future__ import annotations

from docstore.models import DocumentKind
from indexer.analysis import query_term
from indexer.synonyms import _FILE, group_of, parse


def test_the_synonym_file_is_sound() -> None:
    groups = parse(_FILE.read_text(encoding="utf-8"))
    assert len(groups) >= 20
    kinds = [g.kind for g in groups if g.kind]
    assert sorted(kinds) == sorted({k.value for k in DocumentKind} - {"sonstiges"})
    seen: dict[str, int] = {}
    for n, group in enumerate(groups):
        assert len(group.words) >= 2, group
        for word in group.words:
            if " " in word:
                continue
            stem = query_term(word)
            assert stem, f"{word!r} is a stop word"
            assert seen.setdefault(stem, n) == n, f"{word!r} is in two groups"


def test_a_word_finds_its_group_in_any_form() -> None:
    assert group_of("Bauscheine").kind == "baugenehmigung"
    assert group_of("Standsicherheitsnachweises").kind == "statik"
    assert "Parterre" in group_of("erdgeschoss").words
    assert group_of("Garage") is None
