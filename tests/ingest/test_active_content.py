"""Active content found wherever a PDF puts it, also when named through a reference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from ingest.pdf_inspect import inspect_pdf

from .samples import text_pdf


def _d(**items: object) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{k}"): v for k, v in items.items()})


def _n(name: str) -> NameObject:
    return NameObject(f"/{name}")


def _action(writer: PdfWriter, kind: str, *, by_reference: bool) -> DictionaryObject:
    """An action dictionary whose /S is the name itself or a reference to it."""
    name = _n(kind)
    subtype = writer._add_object(name) if by_reference else name
    if kind == "JavaScript":
        return _d(S=subtype, JS=TextStringObject("app.alert(1)"))
    return _d(S=subtype, F=TextStringObject("cmd.exe"))


def _rect() -> ArrayObject:
    return ArrayObject([FloatObject(0), FloatObject(0), FloatObject(50), FloatObject(50)])


def _open_action(writer: PdfWriter, kind: str, ref: bool) -> None:
    writer._root_object[_n("OpenAction")] = writer._add_object(
        _action(writer, kind, by_reference=ref)
    )


def _page_aa(writer: PdfWriter, kind: str, ref: bool) -> None:
    writer.pages[0][_n("AA")] = _d(O=_action(writer, kind, by_reference=ref))


def _annotation(writer: PdfWriter, kind: str, ref: bool) -> None:
    link = _d(
        Type=_n("Annot"),
        Subtype=_n("Link"),
        Rect=_rect(),
        A=_action(writer, kind, by_reference=ref),
    )
    writer.pages[0][_n("Annots")] = ArrayObject([writer._add_object(link)])


def _form_field(writer: PdfWriter, kind: str, ref: bool) -> None:
    field = _d(FT=_n("Tx"), T=TextStringObject("name"), Rect=_rect(),
               AA=_d(K=_action(writer, kind, by_reference=ref)))  # fmt: skip
    writer._root_object[_n("AcroForm")] = _d(Fields=ArrayObject([writer._add_object(field)]))


PLACES: dict[str, Callable[[PdfWriter, str, bool], None]] = {
    "open action": _open_action,
    "page /AA": _page_aa,
    "link annotation": _annotation,
    "form field /AA": _form_field,
}


def _pdf(tmp_path: Path, change: Callable[[PdfWriter], None]) -> Path:
    plain = text_pdf(tmp_path / "plain.pdf", pages=1, marker="Aktiver Inhalt")
    writer = PdfWriter(clone_from=PdfReader(plain))
    change(writer)
    out = tmp_path / "changed.pdf"
    writer.write(out)
    return out


@pytest.mark.parametrize("place", PLACES)
@pytest.mark.parametrize("kind", ["Launch", "JavaScript", "SubmitForm", "ImportData"])
@pytest.mark.parametrize("ref", [False, True], ids=["direct", "by-reference"])
def test_active_actions_are_flagged(tmp_path, place, kind, ref) -> None:
    path = _pdf(tmp_path, lambda w: PLACES[place](w, kind, ref))
    assert inspect_pdf(path).active_content is True


def test_xfa_forms_are_flagged(tmp_path) -> None:
    def xfa(writer: PdfWriter) -> None:
        stream = writer._add_object(TextStringObject("<xdp:xdp/>"))
        writer._root_object[_n("AcroForm")] = _d(Fields=ArrayObject(), XFA=stream)

    assert inspect_pdf(_pdf(tmp_path, xfa)).active_content is True


def test_rich_media_annotation_by_reference_is_flagged(tmp_path) -> None:
    def rich(writer: PdfWriter) -> None:
        annot = _d(Type=_n("Annot"), Subtype=writer._add_object(_n("Screen")), Rect=_rect())
        writer.pages[0][_n("Annots")] = ArrayObject([writer._add_object(annot)])

    assert inspect_pdf(_pdf(tmp_path, rich)).active_content is True


@pytest.mark.parametrize("ref", [False, True], ids=["direct", "by-reference"])
def test_harmless_actions_are_not_flagged(tmp_path, ref) -> None:
    """Going to a page and a web link are what born-digital letters do."""

    def harmless(writer: PdfWriter) -> None:
        goto = _d(S=writer._add_object(_n("GoTo")) if ref else _n("GoTo"),
                  D=ArrayObject([writer.pages[0].indirect_reference, _n("Fit")]))  # fmt: skip
        writer._root_object[_n("OpenAction")] = goto
        uri = _d(S=_n("URI"), URI=TextStringObject("https://www.stadt.example/"))
        link = _d(Type=_n("Annot"), Subtype=_n("Link"), Rect=_rect(), A=uri)
        writer.pages[0][_n("Annots")] = ArrayObject([writer._add_object(link)])

    assert inspect_pdf(_pdf(tmp_path, harmless)).active_content is False
