"""A misspelt word finds the near spelling the user may see, however many near spellings
stand in files they may not see (the cluster proposes only so many at a time)."""

from __future__ import annotations

import itertools

from tests.indexer.test_search import SLOW_MACHINE, Scope, page

from .conftest import Source

HIDDEN = ["wintergart" + a + b for a, b in itertools.product("abcdefghijklmnop", repeat=2)]
"""256 spellings two edits from 'wintergartn', each on two pages of building file 1."""


def test_a_visible_spelling_is_not_crowded_out_by_hidden_ones(backend) -> None:
    source = Source()
    for n in range(2):
        source.put(10 + n, [page(10 + n, 1, " ".join(HIDDEN), 1)])
    source.put(20, [page(20, 1, "Der Wintergartzz am Haus", 2)])  # once, in file 2
    backend.sync(source)
    citizen = Scope(building_file_ids=frozenset({2}))
    results = backend.search("Wintergartn", citizen, limits=SLOW_MACHINE)
    assert [h.document_id for h in results.results] == [20]
    assert backend.search("Wintergartn", Scope(), limits=SLOW_MACHINE).total == 0
