"""The IIIF community's validator (iiif-validator 1.0.5) against ``bauakte serve``, at level 2.

Three pages carry the validator's test image, one per source: a PNG served
from its preview, a TIFF served from its pyramid, and a PDF page sized to
1000 x 1000 pixels at the zoom resolution (rendered by pdfium).  The
validator cannot sign in, so it talks to the real server through a proxy on
loopback that adds a bearer token and changes nothing else.  Its exit code is
the number of failed tests.
"""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select, update

import ingest
from docstore.models import Document, Page, Role
from docstore.services import users
from docstore.services.actors import CONSOLE
from ingest import pyramid
from ingest.process import page_prefix
from ingest.runner import Outcome
from storage import derived_key
from tests.ingest.conftest import make_instance
from viewer.iiif.sources import PDF_DPI

from .conftest import PASSWORD, make_token

IDENTIFIER = "67352ccc-d1b0-11e1-89ae-279075081939"
TEST_IMAGE = Path(__file__).parents[1] / "data" / "iiif" / f"{IDENTIFIER}.png"
VALIDATOR = Path(sys.executable).parent / "iiif-validate.py"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _proxy(upstream_port: int, token: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Authorization"] = f"Bearer {token}"
            upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
            upstream.request("GET", self.path, headers=headers)
            answer = upstream.getresponse()
            body = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP | {"content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            upstream.close()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _pages(home: Path, batch: Path):
    inst = make_instance(home, ingest_workers=1)
    batch.mkdir()
    shutil.copy(TEST_IMAGE, batch / "63-BA-2024-0001_sonstiges_2024-01-01_Preview.png")
    image = Image.open(TEST_IMAGE).convert("RGB")
    image.save(batch / "63-BA-2024-0001_sonstiges_2024-01-01_Pyramid.tif", "TIFF")
    image.save(batch / "63-BA-2024-0001_sonstiges_2024-01-01_Pdf.pdf", "PDF", resolution=PDF_DPI)
    report = ingest.run([batch], inst)
    assert report.count(Outcome.ACCEPTED) == 3, report.summary()
    with inst.db.transaction() as s:
        users.create_user(s, "validator", PASSWORD, Role.AUDITOR, actor=CONSOLE)
        pages = {
            doc.original_name.rsplit("_", 1)[1].split(".")[0]: (doc.id, doc.blob_sha256)
            for doc in s.scalars(select(Document))
        }
    _, tiff_sha = pages["Pyramid"]
    out = home / "pyramid.tif"  # what ingest makes for a page larger than its preview
    pyramid.build(
        batch / "63-BA-2024-0001_sonstiges_2024-01-01_Pyramid.tif", "image/tiff", 1, out, 10**8
    )
    inst.store.put_file(derived_key(tiff_sha, f"{page_prefix(1)}/{pyramid.NAME}"), out)
    return inst, {name: doc_id for name, (doc_id, _) in pages.items()}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    root = tmp_path_factory.mktemp("iiif")
    inst, documents = _pages(root / "instance", root / "batch")
    token = make_token(inst, "validator")
    inst.db.dispose()
    port = _free_port()
    proxy = _proxy(port, token)
    proxy_address = f"127.0.0.1:{proxy.server_address[1]}"
    env = {
        **os.environ,
        "BAUAKTE_HOME": str(root / "instance"),
        "BAUAKTE_PUBLIC_URL": f"http://{proxy_address}",
        "BAUAKTE_INGEST_WORKERS": "1",
    }
    log = (root / "server.log").open("wb")
    command = [sys.executable, "-m", "viewer.cli", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2):
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("bauakte serve did not come up:\n" + (root / "server.log").read_text())
        time.sleep(0.3)
    yield inst, documents, proxy_address
    proc.terminate()
    proc.wait(timeout=30)
    proxy.shutdown()
    proxy.server_close()
    log.close()


@pytest.mark.parametrize("source", ["Preview", "Pyramid", "Pdf"])
def test_the_validator_passes_at_level_2(source: str, served) -> None:
    inst, documents, address = served
    with inst.db.transaction() as s:  # the validator's identifier names this source's page
        s.execute(update(Page).where(Page.iiif_id == IDENTIFIER).values(iiif_id=str(uuid.uuid4())))
        s.execute(
            update(Page).where(Page.document_id == documents[source]).values(iiif_id=IDENTIFIER)
        )
    run = subprocess.run(
        [sys.executable, str(VALIDATOR), "-s", address, "-p", "iiif/3", "-i", IDENTIFIER,
         "--version=3.0", "--level", "2"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FAIL" not in run.stdout + run.stderr
