"""The search tells nothing of what a user may not see, and no search holds up the server."""

from __future__ import annotations

import threading

import pytest

import viewer.search_service
from docstore.models import Role
from docstore.services import access, audit, users
from docstore.services.actors import CONSOLE
from indexer.query import Limits, QueryRefused, parse
from indexer.retrieval import scope_filter, search
from indexer.whoosh_backend import WhooshBackend
from indexer.whoosh_lookup import WhooshLookup
from ingest.index_sync import search_backend
from viewer.web import create_app

from .conftest import MARKER, PASSWORD, PLANTED, build_archive, signin

PROBES = (PLANTED, PLANTED[:-1] + "x", "Quxwertzlingen")
"""A word only in a file the user may not see, the same one letter off, and nonsense."""


def _summary(page: str) -> str:
    start = page.index('class="summary"') if 'class="summary"' in page else page.index("<main")
    return page[start : start + 300].split("</p>", 1)[0]


@pytest.mark.parametrize("who", ["citizen.active", "citizen.none", "architect"])
def test_a_word_in_an_ungranted_file_answers_like_nonsense(who, client_as) -> None:
    client = client_as(who)
    api = [client.get("/api/v1/search", query_string={"q": w}).get_json() for w in PROBES]
    assert api[0] == api[1] == api[2]
    assert api[0]["total"] == 0
    pages = [client.get("/search", query_string={"q": w}).text for w in PROBES]
    summaries = {_summary(p) for p in pages}
    assert len(summaries) == 1, summaries


def test_staff_find_the_planted_word_exactly(client_as) -> None:
    found = client_as("clerk").get("/api/v1/search", query_string={"q": PLANTED}).get_json()
    assert found["total"] == 1 and found["approximate"] is False


def test_a_misspelling_of_a_visible_word_is_found_approximately(client_as) -> None:
    found = client_as("citizen.active").get("/api/v1/search", query_string={"q": "Dachgaupe"})
    body = found.get_json()
    assert body["total"] == 2 and body["approximate"] is True


def test_too_many_words_are_refused_with_a_message(archive, client_as) -> None:
    client = client_as("citizen.active")
    words = " ".join(f"{MARKER}{i}" for i in range(archive.instance.config.search_max_words + 1))
    page = client.get("/search", query_string={"q": words})
    assert page.status_code == 400 and "zu viele Wörter" in page.text
    api = client.get("/api/v1/search", query_string={"q": words})
    assert api.status_code == 400 and "16" in api.get_json()["message"]


def test_the_time_budget_ends_a_search(archive) -> None:
    index = search_backend(archive.instance).store.check()
    with pytest.raises(QueryRefused) as refused:
        search(index, "Dachgaupe Wohnhauss", access.EVERYTHING, limits=Limits(seconds=-1))
    assert refused.value.code == "too-costly"


def test_only_a_few_words_expand_fuzzily(archive) -> None:
    with search_backend(archive.instance).store.check().searcher() as searcher:
        parsed = parse("Dachgaupe " * 6, WhooshLookup(searcher, None))
        expanded = [  # the words past the bound match nothing (and walk no postings)
            sub for sub in parsed.query.subqueries
            if sub.all_terms() and all(t[0] == "exact" for t in sub.all_terms())
        ]  # fmt: skip
        assert parsed.approximate and len(expanded) == Limits().max_fuzzy_words


def test_a_search_holds_no_write_lock(archive, monkeypatch) -> None:
    """While a slow search runs, another writer gets through at once (SQLite: one writer)."""
    real = WhooshBackend.search
    entered, release = threading.Event(), threading.Event()

    def slow(*args, **kwargs):
        entered.set()
        release.wait(120)  # the search goes on until the write is through
        return real(*args, **kwargs)

    written: list[bool] = []

    def write() -> None:
        with archive.instance.db.transaction() as s:
            audit.record(s, "test.write-during-search", actor=CONSOLE)
        written.append(not release.is_set())  # through while the search still ran

    monkeypatch.setattr(WhooshBackend, "search", slow)
    searching = threading.Thread(
        target=viewer.search_service.search_as, args=(archive.instance, None, MARKER)
    )
    searching.start()
    try:
        assert entered.wait(60)
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(30)  # a write held up by the search would wait for it: for ever here
        assert written == [True]
    finally:
        release.set()
        searching.join()


def test_the_visible_part_decides_per_user(archive) -> None:
    """The same parse for a user who sees the planted word's page and one who does not."""
    with archive.instance.db.session() as s:
        scopes = {
            who: access.visibility(s, users.get_user(s, who)) for who in ("clerk", "citizen.active")
        }
    with search_backend(archive.instance).store.check().searcher() as searcher:
        seen = parse(PLANTED, WhooshLookup(searcher, scope_filter(searcher, scopes["clerk"])))
        unseen = parse(
            PLANTED, WhooshLookup(searcher, scope_filter(searcher, scopes["citizen.active"]))
        )
    assert not seen.approximate and unseen.approximate


def test_searches_are_rate_limited_per_account_and_address(tmp_path) -> None:
    arc = build_archive(
        tmp_path / "instance", tmp_path / "batch", search_rate_limit="3 per 10 minutes"
    )
    try:
        with arc.instance.db.transaction() as s:
            users.create_user(s, "citizen.busy", PASSWORD, Role.CITIZEN, actor=CONSOLE)
        app = create_app(arc.instance, TESTING=True)
        client = app.test_client()
        signin(client, "citizen.busy")
        statuses = [client.get(f"/search?q={MARKER}").status_code for _ in range(2)]
        statuses.append(client.get(f"/api/v1/search?q={MARKER}").status_code)  # one count
        statuses.append(client.get(f"/search?q={MARKER}").status_code)
        assert statuses == [200, 200, 200, 429]
        assert client.get("/").status_code == 200  # only searching waits
    finally:
        arc.instance.close()
