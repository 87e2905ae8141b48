from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from docstore.config import load_config
from docstore.instance import Instance
from tests.conftest import server_settings
from tests.ingest import samples

GOOD = {
    "63-BA-2019-0457_baugenehmigung_2019-05-14_Neubau_Wohnhaus.pdf": "text",
    "scan.jpg": "ocr",
    "scan.png": "ocr",
    "plan.tif": "ocr",
    "owner-only.pdf": "text",
    "js.pdf": "active",
    "attach.pdf": "active",
}
BAD = {
    "locked.pdf": "encrypted",
    "broken.pdf": "broken",
    "truncated.pdf": "broken",
    "bomb.png": "too large / decompression bomb",
    "streambomb.pdf": "too large / decompression bomb",
    "invoice.pdf": "unsupported type",  # an ELF binary with a harmless name
    "archive.zip": "unsupported type",
    "notes.txt": "unsupported type",
}


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder with every good kind and every reject class, made once."""
    d = tmp_path_factory.mktemp("batch")
    samples.text_pdf(d / "63-BA-2019-0457_baugenehmigung_2019-05-14_Neubau_Wohnhaus.pdf")
    samples.save_image(d / "scan.jpg", samples.scan_image(), "JPEG")
    samples.save_image(d / "scan.png", samples.scan_image("Abnahmebescheinigung"), "PNG")
    samples.multipage_tiff(d / "plan.tif")
    samples.encrypted_pdf(d / "locked.pdf", "user-pw")
    samples.encrypted_pdf(d / "owner-only.pdf", "")
    samples.javascript_pdf(d / "js.pdf")
    samples.attachment_pdf(d / "attach.pdf")
    samples.broken_pdf(d / "broken.pdf")
    samples.truncated_pdf(d / "truncated.pdf")
    samples.pixel_bomb_png(d / "bomb.png")
    samples.stream_bomb_pdf(d / "streambomb.pdf")
    samples.elf_binary(d / "invoice.pdf")
    samples.zip_file(d / "archive.zip")
    (d / "notes.txt").write_text("hello")
    return d


def make_instance(home: Path, **overrides: object) -> Instance:
    """An initialised instance. Searches get 10 s (the cluster's timeout too): the suite runs
    beside three JVMs on two cores; tests of the budget give their own limits."""
    inst = Instance(load_config({"home": home, "search_seconds": 10.0, **overrides}, environ={}))
    inst.initialise()
    return inst


@pytest.fixture(params=["embedded", "servers"])
def instance(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Instance]:
    """An initialised instance on SQLite + files, or on PostgreSQL + MinIO."""
    overrides: dict[str, object] = {"ingest_workers": 2}
    if request.param == "servers":
        overrides.update(server_settings(request))
    inst = make_instance(tmp_path / "instance", **overrides)
    yield inst
    inst.close()


def copy_of(folder: Path, tmp_path: Path, *names: str) -> Path:
    out = tmp_path / "in"
    out.mkdir(exist_ok=True)
    for name in names or [p.name for p in folder.iterdir()]:
        shutil.copy(folder / name, out / name)
    return out
