"""The portal on MinIO distributed over four nodes: one node lost while files are
ingested and pages viewed.  Ingest accepts every file, the viewer serves pages, and
after the node returns every original is there, whole, through that node too."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

import ingest
from docstore.services.fixity import count_originals, verify_originals
from ingest.runner import Outcome
from storage import open_store
from tests.conftest import new_bucket
from tests.ingest.samples import text_pdf
from tests.minio_cluster import MinioCluster
from viewer.web import create_app

from .conftest import GRANTED, Archive, build_archive, signin

pytestmark = [pytest.mark.minio, pytest.mark.slow]


@pytest.fixture(scope="module")
def on_cluster(tmp_path_factory, postgres_server) -> Iterator[tuple[MinioCluster, Archive, str]]:
    root = tmp_path_factory.mktemp("minio-node-loss")
    cluster = MinioCluster(root / "minio", 4)
    cluster.start()
    bucket = new_bucket()
    name = postgres_server.create_database()
    try:
        arc = build_archive(root / "instance", root / "batch",
                            database_url=postgres_server.url(name),
                            storage_url=cluster.url(bucket))  # fmt: skip
        yield cluster, arc, bucket
        arc.instance.close()
    finally:
        cluster.stop()
        postgres_server.drop_database(name)


def test_ingest_and_viewing_go_on_with_a_node_lost(on_cluster, tmp_path) -> None:
    cluster, arc, bucket = on_cluster
    client = create_app(arc.instance, TESTING=True).test_client()
    assert signin(client, "citizen.active").status_code == 302
    doc = arc.documents[GRANTED][0]
    more = tmp_path / "more"
    more.mkdir()
    for n in range(6):
        text_pdf(more / f"63-BA-2021-{n:04d}_statik_2021-02-01_Tragwerk.pdf", pages=2,
                 marker=f"Knoten {n}")  # fmt: skip
    with arc.instance.db.session() as session:
        before = count_originals(session)
    reports = []
    ingesting = threading.Thread(target=lambda: reports.append(ingest.run([more], arc.instance)))
    ingesting.start()
    time.sleep(0.5)
    lost = cluster.nodes[3]
    lost.stop()  # killed in the middle of the batch
    ingesting.join(300)
    assert reports[0].count(Outcome.ACCEPTED) == 6, reports[0].summary()
    image = client.get(f"/documents/{doc}/pages/2/image.jpg?w=400")
    assert image.status_code == 200 and image.data[:2] == b"\xff\xd8"  # viewing goes on
    lost.start()
    with arc.instance.db.session() as session:  # through the node the app talks to
        report = verify_originals(session, open_store(cluster.url(bucket)))
    assert report.ok and report.checked == before + 6  # with the 6 ingested meanwhile
    # The node that was away answers 404 for what was written without it until MinIO has
    # healed it onto its drive (about 15 s here): a proxy must send reads elsewhere
    # meanwhile.  Nothing is lost: it is whole through that node too afterwards.
    through_it = open_store(lost.url(bucket))
    deadline = time.monotonic() + 90
    while True:
        with arc.instance.db.session() as session:
            healed = verify_originals(session, through_it)
        if healed.ok or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert healed.ok and healed.checked == before + 6
