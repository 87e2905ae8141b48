"""Three `bauakte serve` instances behind nginx, sharing PostgreSQL, MinIO and the
OpenSearch cluster: a session works on every instance, a rate limit counts across
them, and one instance killed under load costs at most the requests in flight."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import as_environment, server_settings
from tests.web_farm import ReverseProxy, WebInstance

from .conftest import GRANTED, OTHER, PASSWORD, Archive, build_archive

pytestmark = [pytest.mark.postgres, pytest.mark.minio, pytest.mark.slow]
SIGNIN_LIMIT = 6


@dataclass
class Farm:
    archive: Archive
    instances: list[WebInstance]
    proxy: ReverseProxy


@pytest.fixture(scope="module")
def farm(request, tmp_path_factory) -> Iterator[Farm]:
    root = tmp_path_factory.mktemp("farm")
    settings = {**server_settings(request), "trusted_proxies": "1"}
    arc = build_archive(root / "instance", root / "batch", **settings)
    arc.instance.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BAUAKTE_")}
    env |= as_environment({**settings, "home": str(root / "instance"), "ingest_workers": "1",
                           "signin_rate_limit": f"{SIGNIN_LIMIT} per minute",
                           "search_rate_limit": "10000 per minute"})  # fmt: skip
    instances = [WebInstance(root, env) for _ in range(3)]
    proxy = ReverseProxy(root / "nginx", [i.address for i in instances])
    try:
        for instance in instances:
            instance.start()
        proxy.start()
        yield Farm(arc, instances, proxy)
    finally:
        proxy.stop()
        for instance in instances:
            instance.stop()


def connect(farm: Farm, source: str = "127.0.0.1") -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", farm.proxy.port, timeout=60,
                                      source_address=(source, 0))  # fmt: skip


def sign_in(farm: Farm, username: str, password: str = PASSWORD, source: str = "127.0.0.1"
            ) -> tuple[int, str]:  # fmt: skip
    with contextlib.closing(connect(farm, source)) as conn:
        conn.request("GET", "/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)[1]
        body = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrf_token": token})  # fmt: skip
        conn.request("POST", "/login", body, {"Cookie": cookie,
                     "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        new = response.getheader("Set-Cookie")
    return response.status, (new.split(";", 1)[0] if new else cookie)


def get(conn: http.client.HTTPConnection, path: str, cookie: str) -> int:
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    response.read()
    return response.status


def test_a_session_holds_on_every_instance(farm) -> None:
    status, cookie = sign_in(farm, "citizen.active")
    assert status == 302
    doc = farm.archive.documents[GRANTED][0]
    path = f"/documents/{doc}/pages/1/image.jpg?w=400"
    before = [i.requests_served(f"/documents/{doc}/pages/1/image.jpg") for i in farm.instances]
    with contextlib.closing(connect(farm)) as conn:
        assert [get(conn, path, cookie) for _ in range(12)] == [200] * 12
        after = [i.requests_served(f"/documents/{doc}/pages/1/image.jpg") for i in farm.instances]
        assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
        other = farm.archive.documents[OTHER][0]  # no grant, on any instance
        assert {get(conn, f"/documents/{other}/pages/1/image.jpg?w=400", cookie)
                for _ in range(6)} == {404}  # fmt: skip


def test_a_rate_limit_counts_across_instances(farm) -> None:
    # another name each time: the address's limit, not an account's lockout, is what counts
    statuses = [sign_in(farm, f"guess.{n}", "wrong-password", source="127.0.0.9")[0]
                for n in range(SIGNIN_LIMIT + 1)]  # fmt: skip
    assert 429 not in statuses[:SIGNIN_LIMIT] and statuses[-1] == 429, statuses
    served = [i.requests_served('"POST /login') for i in farm.instances]
    assert all(n > 0 for n in served), served  # the attempts went to every instance


def test_an_instance_killed_under_load_costs_only_requests_in_flight(farm) -> None:
    status, cookie = sign_in(farm, "citizen.active", source="127.0.0.2")
    assert status == 302
    docs = farm.archive.documents[GRANTED]
    paths = [f"/documents/{d}/pages/1/image.jpg?w={w}" for d in docs for w in (400, 800, 1200)]
    results: list[tuple[float, int]] = []
    stop = threading.Event()
    clients = 6

    def client(n: int) -> None:
        conn = connect(farm)
        i = n
        while not stop.is_set():
            try:
                status = get(conn, paths[i % len(paths)], cookie)
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = connect(farm)
            results.append((time.monotonic(), status))
            i += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(3)
    killed_at = time.monotonic()
    farm.instances[1].kill()
    time.sleep(10)
    stop.set()
    for t in threads:
        t.join(60)
    failed = [(at, s) for at, s in results if s != 200]
    print(f"one of three instances killed: {len(failed)} of {len(results)} requests failed")
    assert len(failed) <= clients, failed  # at most one request in flight per client
    assert all(at < killed_at + 5 for at, _ in failed), failed  # the ones in flight
    after = [s for at, s in results if at > killed_at + 5]
    assert len(after) > 20 and set(after) == {200}
    farm.instances[1].start()  # back for the other tests: nginx takes it again
