"""Building files, documents and pages: metadata, text and the URLs of images and downloads."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from docstore.models import BuildingFile, Document, Page
from docstore.services import archive, plan_consents, redactions
from viewer.renditions import WIDTHS

from ..web.context import instance
from .auth import before_api_request, me
from .schemas import (
    BuildingFileDetail,
    BuildingFileList,
    DocumentDetail,
    PageOut,
    PageQuery,
)

blp = Blueprint("api_files", __name__, description="Building files, documents and pages")
blp.before_request(before_api_request)


def file_json(bf: BuildingFile) -> dict:
    fields = (
        "id",
        "aktenzeichen",
        "street",
        "house_number",
        "postcode",
        "municipality",
        "district",
        "year",
    )
    return {
        **{f: getattr(bf, f) for f in fields},
        "url": url_for("api_files.BuildingFileItem", building_file_id=bf.id),
    }


def document_json(doc: Document, may_download: bool) -> dict:
    fields = (
        "id",
        "building_file_id",
        "kind",
        "title",
        "original_name",
        "date",
        "valid_until",
        "page_count",
        "active_content",
    )
    download = url_for("downloads.download", document_id=doc.id) if may_download else None
    return {
        **{f: getattr(doc, f) for f in fields},
        "url": url_for("api_files.DocumentItem", document_id=doc.id),
        "download_url": download,
    }


def page_urls(doc_id: int, number: int) -> dict:
    return {
        "thumbnail_url": url_for("images.page_thumbnail", document_id=doc_id, number=number),
        "image_urls": {
            str(w): url_for("images.page_image_jpeg", document_id=doc_id, number=number, w=w)
            for w in WIDTHS
        },
    }


@blp.route("/building-files")
class BuildingFileCollection(MethodView):
    @blp.arguments(PageQuery, location="query")
    @blp.response(200, BuildingFileList)
    def get(self, args: dict) -> dict:
        """The building files you may open."""
        with instance().db.session() as s:
            items, total = archive.visible_building_files(s, me(), args["page"], args["per_page"])
            return {
                "total": total,
                "page": args["page"],
                "per_page": args["per_page"],
                "items": [file_json(bf) for bf in items],
            }


@blp.route("/building-files/<id:building_file_id>")
class BuildingFileItem(MethodView):
    @blp.response(200, BuildingFileDetail)
    def get(self, building_file_id: int) -> dict:
        """One building file with its parcels and the documents you may see."""
        with instance().db.session() as s:
            bf, docs = archive.open_building_file(s, me(), building_file_id)
            vis = archive.original_downloads(
                s, me(), docs, plan_consents.plan_kinds(instance().config)
            )
            return {
                **file_json(bf),
                "parcels": [
                    {"gemarkung": p.gemarkung, "flur": p.flur, "flurstueck": p.flurstueck}
                    for p in bf.parcels
                ],
                "documents": [document_json(d, vis[d.id]) for d in docs],
            }


@blp.route("/documents/<id:document_id>")
class DocumentItem(MethodView):
    @blp.response(200, DocumentDetail)
    def get(self, document_id: int) -> dict:
        """One document and its pages."""
        with instance().db.session() as s:
            view = archive.open_document(s, me(), document_id)
            doc = view.document
            pages = [
                {
                    "number": p.number,
                    "text_source": p.text_source,
                    "url": url_for("api_files.PageItem", document_id=doc.id, number=p.number),
                    "thumbnail_url": page_urls(doc.id, p.number)["thumbnail_url"],
                }
                for p in doc.pages
            ]
            kinds = plan_consents.plan_kinds(instance().config)
            may_download = archive.original_downloads(s, me(), [doc], kinds)[doc.id]
            return {**document_json(doc, may_download), "pages": pages}


@blp.route("/documents/<id:document_id>/pages/<id:number>")
class PageItem(MethodView):
    @blp.response(200, PageOut)
    def get(self, document_id: int, number: int) -> dict:
        """One page: its text (text layer or OCR) and its image URLs."""
        with instance().db.session() as s:
            page: Page = archive.open_page(s, me(), document_id, number)
            text = redactions.text_for(page, actor=me())
            return {
                "number": page.number,
                "width_px": page.width_px,
                "height_px": page.height_px,
                "text_source": page.text_source,
                "text": text,
                **page_urls(document_id, number),
            }
