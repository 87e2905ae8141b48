"""Session-wide fixtures: the real servers and the stores and databases built on them."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.minio_cluster import MinioCluster
from tests.search_cluster import OpenSearchCluster
from tests.servers import KeycloakServer, MinioServer, PostgresServer, SmtpServer

# The console script installed beside the interpreter running the tests.
BAUAKTE = shutil.which("bauakte", path=str(Path(sys.executable).parent)) or "bauakte"


@pytest.fixture(scope="session")
def minio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MinioServer]:
    server = MinioServer([tmp_path_factory.mktemp("minio") / "data"])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def minio_set(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MinioServer]:
    """One server over four drive folders: an erasure-coded set."""
    base = tmp_path_factory.mktemp("minio4")
    server = MinioServer([base / f"d{i}" for i in range(1, 5)])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def minio_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MinioCluster]:
    """MinIO distributed over four server processes, one drive each."""
    cluster = MinioCluster(tmp_path_factory.mktemp("minio-cluster"), 4)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def opensearch_cluster() -> Iterator[OpenSearchCluster]:
    """Three real OpenSearch nodes on loopback; tests make indexes with names of their own."""
    cluster = OpenSearchCluster(3)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


KEYCLOAK_REALM = "bauakte"
KEYCLOAK_USER, KEYCLOAK_PASSWORD = "max", "max-password-1"


@pytest.fixture(scope="session")
def keycloak() -> Iterator[KeycloakServer]:
    """A real Keycloak with one realm and one citizen; clients are added per test app."""
    server = KeycloakServer()
    try:
        server.start()
        server.create_realm(KEYCLOAK_REALM)
        server.add_user(KEYCLOAK_REALM, KEYCLOAK_USER, KEYCLOAK_PASSWORD, email="max@example.de",
                        firstName="Max", lastName="Mustermann")  # fmt: skip
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailbox(smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    """The SMTP server, empty at the start of the test, accepting every address."""
    smtp_server.messages.clear()
    smtp_server.refuse.clear()
    yield smtp_server
    smtp_server.refuse.clear()


def new_bucket() -> str:
    return f"t-{uuid.uuid4().hex[:16]}"


def server_settings(request: pytest.FixtureRequest) -> dict[str, str]:
    """A fresh database, bucket and search index on the real servers: PostgreSQL, MinIO and
    the OpenSearch cluster (``database_url``, ``storage_url``, ``search_url``)."""
    pg: PostgresServer = request.getfixturevalue("postgres_server")
    name = pg.create_database()
    request.addfinalizer(lambda: pg.drop_database(name))
    minio: MinioServer = request.getfixturevalue("minio_server")
    cluster: OpenSearchCluster = request.getfixturevalue("opensearch_cluster")
    prefix = f"i-{uuid.uuid4().hex[:12]}"
    request.addfinalizer(lambda: cluster.drop_indexes(prefix))
    return {"database_url": pg.url(name), "storage_url": minio.url(new_bucket()),
            "search_url": ",".join(cluster.urls), "search_index": prefix}  # fmt: skip


def as_environment(settings: dict[str, str]) -> dict[str, str]:
    return {f"BAUAKTE_{name.upper()}": value for name, value in settings.items()}


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Every docstore test runs on the embedded SQLite and on a real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bauakte.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create_database()
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)
