"""A damaged search index is an outage of search alone: 503, never a rebuild in a request."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docstore.models import BuildingFile, Document
from ingest.index_sync import reindex, search_backend
from viewer.web import create_app

from .conftest import GRANTED, MARKER, build_archive, signin


# Whoosh keeps the handle of the segment it failed to read until it is collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_damaged_index_answers_503_for_search_until_reindex(tmp_path) -> None:
    arc = build_archive(tmp_path / "instance", tmp_path / "batch")
    try:
        app = create_app(arc.instance, TESTING=True)
        client = app.test_client()
        signin(client, "citizen.active")
        assert client.get(f"/search?q={MARKER}").status_code == 200
        store = search_backend(arc.instance).store
        live = store.current_path
        for segment in live.glob("*.seg"):
            with segment.open("r+b") as f:
                f.truncate(segment.stat().st_size // 3)
        app.extensions["bauakte"].index.close()  # as a worker started after the damage

        broken = client.get(f"/search?q={MARKER}")
        assert broken.status_code == 503
        assert "Die Suche ist vorübergehend nicht verfügbar" in broken.text
        api = client.get(f"/api/v1/search?q={MARKER}")
        assert api.status_code == 503
        assert store.current_path == live  # nothing rebuilt inside a request
        assert client.get("/").status_code == 200  # everything else keeps working
        assert client.get("/applications/new").status_code == 200
        with arc.instance.db.session() as s:
            doc_id = s.scalars(select(Document.id).join(Document.building_file)
                               .where(BuildingFile.aktenzeichen == GRANTED)).first()  # fmt: skip
        opened = client.get(f"/documents/{doc_id}?q={MARKER}")  # a link from the results
        assert opened.status_code == 200, opened.text[-1500:]
        assert "Die Suche ist vorübergehend nicht verfügbar" in opened.text

        reindex(arc.instance)  # the operator's repair, outside the web
        assert client.get(f"/search?q={MARKER}").status_code == 200
    finally:
        arc.instance.close()
