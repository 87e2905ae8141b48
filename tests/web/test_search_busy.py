"""Load shedding: past its bound on searches at once, a server process answers "busy, try
again" (503 with Retry-After) for search, while pages and documents keep being served."""

from __future__ import annotations

import threading
import time

import pytest
from flask import Flask
from sqlalchemy import func, select

from docstore.models import AuditEvent, BuildingFile, Document
from viewer.search_gate import SearchBusy, SearchGate

from .conftest import GRANTED, MARKER


@pytest.fixture
def one_slot(app: Flask):
    """The app's gate narrowed to one slot and a short wait; the test holds the slot."""
    state = app.extensions["bauakte"]
    wide = state.search_gate
    state.search_gate = SearchGate(1, wait=0.2)
    try:
        yield state.search_gate
    finally:
        state.search_gate = wide


def _searches(archive) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == "search"))


def test_a_search_past_the_bound_is_told_to_come_back_and_pages_still_open(
    archive, client_as, one_slot: SearchGate
) -> None:
    client = client_as("citizen.active")
    with archive.instance.db.session() as s:
        doc = s.scalars(select(Document.id).join(Document.building_file)
                        .where(BuildingFile.aktenzeichen == GRANTED)).first()  # fmt: skip
    before = _searches(archive)
    with one_slot.admitted():  # another thread's search holds the only slot
        page = client.get(f"/search?q={MARKER}")
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "5"  # not the end of the rate-limit window
        assert "Die Suche ist gerade ausgelastet" in page.text
        assert "Gerade ausgelastet" in page.text
        api = client.get(f"/api/v1/search?q={MARKER}")
        assert api.status_code == 503 and api.headers["Retry-After"] == "5"
        assert api.get_json()["code"] == 503
        english = client.get(f"/search?q={MARKER}", headers={"Accept-Language": "en"})
        assert "Search is busy right now" in english.text
        hits = client.get(f"/documents/{doc}/pages/1/hits.json?q={MARKER}")  # the viewer's
        assert hits.status_code == 503 and hits.get_json()["code"] == "search.busy"
        iiif = client.get(f"/iiif/presentation/3/documents/{doc}/search?q={MARKER}")
        assert iiif.status_code == 503 and iiif.headers["Retry-After"] == "5"
        assert iiif.get_json()["code"] == "search.busy"
        opened = client.get(f"/documents/{doc}?q={MARKER}")  # the document itself needs no search
        assert opened.status_code == 200
        assert "Die Suche ist gerade ausgelastet" in opened.text
        assert client.get(f"/documents/{doc}").status_code == 200
        assert client.get("/").status_code == 200
    assert _searches(archive) == before  # nothing was searched: nothing on record
    assert client.get(f"/search?q={MARKER}").status_code == 200  # the slot is free again
    assert _searches(archive) == before + 1


def test_the_gate_admits_its_slots_at_once_and_refuses_past_them() -> None:
    gate = SearchGate(2, wait=0.05)
    inside = threading.Barrier(3)
    leave = threading.Event()

    def search() -> None:
        with gate.admitted():
            inside.wait(timeout=10)
            leave.wait(timeout=10)

    running = [threading.Thread(target=search) for _ in range(2)]
    for thread in running:
        thread.start()
    inside.wait(timeout=10)  # both slots taken at once
    with pytest.raises(SearchBusy), gate.admitted():
        pass
    leave.set()
    for thread in running:
        thread.join()
    with gate.admitted():  # and given back
        pass


def test_only_a_few_wait_for_a_slot_the_rest_are_refused_at_once() -> None:
    gate = SearchGate(2, wait=30)  # one may wait (half the slots)
    taken, leave = threading.Barrier(3), threading.Event()
    waited: list[bool] = []

    def hold() -> None:
        with gate.admitted():
            taken.wait(timeout=10)
            leave.wait(timeout=30)

    def wait_for_one() -> None:
        with gate.admitted():
            waited.append(True)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    taken.wait(timeout=10)
    waiter = threading.Thread(target=wait_for_one)
    waiter.start()
    deadline = time.monotonic() + 10
    while gate.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gate.waiting == 1
    started = time.monotonic()
    with pytest.raises(SearchBusy), gate.admitted():  # a second waiter: refused at once
        pass
    assert time.monotonic() - started < 5  # not after the 30 s wait
    leave.set()
    for thread in [*holders, waiter]:
        thread.join(timeout=30)
    assert waited == [True]  # the one that waited got its slot
