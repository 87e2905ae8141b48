"""PostgreSQL restarted while people use the portal: the requests that meet the outage
get a clean 503, later ones succeed on the same app (it reconnects by itself), and the
signed-in user is still signed in."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.servers import PostgresServer
from viewer.web import create_app

from .conftest import GRANTED, Archive, build_archive, signin

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def restartable(tmp_path_factory) -> Iterator[tuple[PostgresServer, Archive]]:
    """A PostgreSQL of its own (the session's one serves the other tests meanwhile)."""
    server = PostgresServer()
    server.start()
    root = tmp_path_factory.mktemp("pg-restart")
    try:
        arc = build_archive(root / "instance", root / "batch",
                            database_url=server.url(server.create_database()))  # fmt: skip
        yield server, arc
        arc.instance.close()
    finally:
        server.stop()


def test_a_database_restart_costs_only_the_requests_during_it(restartable) -> None:
    server, arc = restartable
    app = create_app(arc.instance, TESTING=True)
    client = app.test_client()
    assert signin(client, "citizen.active").status_code == 302
    page = f"/documents/{arc.documents[GRANTED][0]}"
    assert client.get(page).status_code == 200
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    signed_in = threading.Barrier(4, timeout=120)  # the 3 browsers and this test

    def browse() -> None:
        own = app.test_client()
        assert signin(own, "citizen.active").status_code == 302
        signed_in.wait()  # signing in is slow (password hashing): all in before the outage
        while not stop.is_set():
            statuses[own.get(page).status_code] += 1
            time.sleep(0.01)

    browsing = [threading.Thread(target=browse) for _ in range(3)]
    for thread in browsing:
        thread.start()
    signed_in.wait()
    time.sleep(0.5)
    server.pause()
    time.sleep(1.0)
    during = client.get(page)
    assert during.status_code == 503
    assert "Vorübergehend nicht erreichbar" in during.get_data(as_text=True)
    server.resume()
    time.sleep(1.0)
    stop.set()
    for thread in browsing:
        thread.join(30)
    assert set(statuses) <= {200, 503}, statuses  # never a 500
    assert statuses[200] and statuses[503]
    after = client.get(page)  # the same session: the user is still signed in
    assert after.status_code == 200
    assert client.get("/search?q=Dachgaube").status_code == 200
