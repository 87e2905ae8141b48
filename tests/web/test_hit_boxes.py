"""Search hits drawn on the page: the boxes of the words a search inside a document matched,
for stemmed, compound-part and fuzzy matches, as JSON for the viewer and as IIIF Content
Search 2.0; behind the page's permission check."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from docstore.models import Document
from indexer.analysis import fold
from ingest.process import page_prefix
from storage import derived_key

from .conftest import GRANTED, MARKER, OTHER


def _hits(client, document_id: int, query: str, page: int = 1):
    return client.get(f"/documents/{document_id}/pages/{page}/hits.json", query_string={"q": query})


@pytest.mark.parametrize(
    ("query", "word"),
    [
        (MARKER, MARKER),  # as written
        ("Dachgauben", MARKER),  # stemmed: the plural finds the singular
        ("Genehmigung", "Baugenehmigung"),  # a compound's part
        ("Dachgaupe", MARKER),  # a typing error: the fuzzy spelling
        ("abstandsflaechen", "Abstandsflächen"),  # umlauts folded
    ],
)
def test_the_boxes_of_the_matched_words(archive, client_as, query, word) -> None:
    response = _hits(client_as("citizen.active"), archive.documents[GRANTED][0], query)
    assert response.status_code == 200
    hits = response.json["hits"]
    assert hits and {fold(h["text"]) for h in hits} == {fold(word)}, hits
    for hit in hits:
        left, top, width, height = hit["box"]
        assert 0 <= left < 1 and 0 <= top < 1 and 0 < width < 0.5 and 0 < height < 0.1
        assert left + width <= 1 and top + height <= 1


def test_the_box_lies_where_the_word_is_printed(archive, client_as) -> None:
    """On every test page 'Seite N' stands first, at the top left margin."""
    [hit] = _hits(client_as("citizen.active"), archive.documents[GRANTED][0], "Seite", 2).json[
        "hits"
    ]
    left, top, _w, _h = hit["box"]
    assert 0.03 < left < 0.1 and 0.02 < top < 0.08


def test_no_boxes_without_the_page_or_a_match(archive, client_as) -> None:
    client = client_as("citizen.active")
    assert _hits(client, archive.documents[OTHER][0], MARKER).status_code == 404  # no grant
    unlisted = archive.documents[GRANTED][1]
    assert _hits(client_as("citizen.documents"), unlisted, MARKER).status_code == 404
    assert _hits(client_as("citizen.expired"), archive.documents[GRANTED][0], MARKER
                 ).status_code == 404  # fmt: skip
    assert _hits(client, archive.documents[GRANTED][0], "Zebrastreifen").json["hits"] == []
    assert _hits(client, archive.documents[GRANTED][0], "").json["hits"] == []
    refused = _hits(client, archive.documents[GRANTED][0], " ".join(["Wort"] * 60))
    assert refused.status_code == 400 and refused.json["code"] == "too-many-words"


def test_content_search_annotates_the_manifests_canvases(archive, client_as) -> None:
    client = client_as("citizen.active")
    doc = archive.documents[GRANTED][0]
    manifest = client.get(f"/iiif/presentation/3/documents/{doc}/manifest.json").json
    [service] = manifest["service"]
    assert service["type"] == "SearchService2"
    body = client.get(urlsplit(service["id"]).path, query_string={"q": MARKER}).json
    assert body["type"] == "AnnotationPage" and body["@context"].endswith("search/2/context.json")
    canvases = {c["id"]: c for c in manifest["items"]}
    assert len(body["items"]) == len(canvases)  # the marker once on each page
    for annotation in body["items"]:
        assert annotation["motivation"] == "highlighting"
        assert annotation["body"]["value"] == MARKER
        canvas_id, xywh = annotation["target"].split("#xywh=")
        x, y, w, h = map(int, xywh.split(","))
        canvas = canvases[canvas_id]
        assert 0 <= x < x + w <= canvas["width"] and 0 <= y < y + h <= canvas["height"]
    other = archive.documents[OTHER][0]
    assert (
        client.get(f"/iiif/presentation/3/documents/{other}/search?q={MARKER}").status_code == 404
    )


def test_a_pdf_stored_without_word_boxes_gets_them_on_first_use(archive, client_as) -> None:
    doc = archive.documents[GRANTED][1]
    with archive.instance.db.session() as s:
        sha = s.get(Document, doc).blob_sha256
    key = derived_key(sha, f"{page_prefix(2)}/words.json")
    archive.instance.store.delete(key)  # as stored before the boxes were kept
    hits = _hits(client_as("citizen.active"), doc, MARKER, 2).json["hits"]
    assert [h["text"] for h in hits] == [MARKER]
    assert archive.instance.store.exists(key)
