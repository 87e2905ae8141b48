"""IIIF Presentation API 3.0: one manifest per document, so any IIIF viewer can open it.

Written as plain JSON rather than with ``iiif-prezi3``: its releases up to
3.1.1 require ``Pillow<=12.0.0`` and cannot be installed beside the Pillow 13
Bauakte uses, and a manifest of canvases with one painted image each is a
few lines of the specification (https://iiif.io/api/presentation/3.0/).

Each page is a canvas in the page's own pixels (points for a PDF page),
painted with its image, whose IIIF Image service gives the real size; a
viewer scales the image to the canvas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
NOTICE = {
    "de": ["Nur zur Einsichtnahme. Kopien und Weitergabe nur im Rahmen des Urheberrechts."],
    "en": ["For inspection only. Copies and disclosure only as copyright law allows."],
}


@dataclass(frozen=True)
class ManifestPage:
    number: int
    width: int
    height: int
    service: str
    """The page's IIIF Image service (its info.json without the file name)."""
    thumbnail: str


@dataclass(frozen=True)
class ManifestDocument:
    id: str
    title: str
    aktenzeichen: str | None
    kind_label: dict[str, str]
    """The document kind's name in German and English."""
    date: str | None
    homepage: str
    pages: Sequence[ManifestPage]
    search: str | None = None
    """The document's IIIF Content Search 2.0 service."""


def manifest(doc: ManifestDocument, page_label: Callable[[str, int], str]) -> dict:
    """The manifest of ``doc``; ``page_label(language, number)`` names a page."""
    metadata = [_pair({"de": "Dokumentart", "en": "Kind"}, doc.kind_label)]
    if doc.aktenzeichen:
        metadata.insert(0, _pair({"de": "Aktenzeichen", "en": "File number"},
                                 {"none": doc.aktenzeichen}))  # fmt: skip
    if doc.date:
        metadata.append(_pair({"de": "Datum", "en": "Date"}, {"none": doc.date}))
    return {
        "@context": CONTEXT,
        "id": doc.id,
        "type": "Manifest",
        "label": {"none": [doc.title]},
        "metadata": metadata,
        "requiredStatement": {"label": {"de": ["Hinweis"], "en": ["Notice"]}, "value": NOTICE},
        "homepage": [
            {
                "id": doc.homepage,
                "type": "Text",
                "format": "text/html",
                "label": {"none": [doc.title]},
            }
        ],
        "items": [_canvas(doc.id, page, page_label) for page in doc.pages],
        **({"service": [{"id": doc.search, "type": "SearchService2"}]} if doc.search else {}),
    }


SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"


def search_page(
    request_id: str, base: str, sizes: dict[int, tuple[int, int]], hits: dict[int, Sequence]
) -> dict:
    """IIIF Content Search 2.0: one highlighting annotation per matched word, on the canvas
    of its page in the canvas's own coordinates (``hits``: page -> HitBox list)."""
    items = []
    for number, boxes in sorted(hits.items()):
        width, height = sizes[number]
        for n, hit in enumerate(boxes, 1):
            left, top, w, h = hit.box
            xywh = ",".join(str(max(0, round(v))) for v in
                            (left * width, top * height, w * width, h * height))  # fmt: skip
            items.append({
                "id": f"{base}/search/{number}/{n}",
                "type": "Annotation",
                "motivation": "highlighting",
                "body": {"type": "TextualBody", "value": hit.text, "format": "text/plain"},
                "target": f"{base}/canvas/{number}#xywh={xywh}",
            })  # fmt: skip
    return {"@context": SEARCH_CONTEXT, "id": request_id, "type": "AnnotationPage", "items": items}


def _canvas(base: str, page: ManifestPage, page_label: Callable[[str, int], str]) -> dict:
    canvas = f"{base}/canvas/{page.number}"
    return {
        "id": canvas,
        "type": "Canvas",
        "label": {lang: [page_label(lang, page.number)] for lang in ("de", "en")},
        "width": page.width,
        "height": page.height,
        "thumbnail": [{"id": page.thumbnail, "type": "Image", "format": "image/jpeg"}],
        "items": [
            {
                "id": f"{canvas}/page",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas}/page/image",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas,
                        "body": {
                            "id": f"{page.service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "service": [
                                {"id": page.service, "type": "ImageService3", "profile": "level2"}
                            ],
                        },
                    }
                ],
            }
        ],
    }


def _pair(label: dict[str, str], value: dict[str, str]) -> dict:
    return {
        "label": {lang: [text] for lang, text in label.items()},
        "value": {lang: [text] for lang, text in value.items()},
    }
