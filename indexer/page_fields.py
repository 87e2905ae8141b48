"""A page record as the fields of one index document, the same for every backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from .analysis import TOKEN, fold
from .places import file_number_pieces, house_numbers
from .records import PageRecord


def _datetime(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime(day.year, day.month, day.day) if day else None


def page_fields(record: PageRecord) -> dict[str, Any]:
    year = record.date.year if record.date else None
    address = " ".join(p for p in (record.street, record.house_number) if p)
    town = " ".join(p for p in (record.postcode, record.municipality) if p)
    searchable_meta = " ".join(
        p for p in (record.aktenzeichen, record.street, record.municipality, record.title) if p
    )
    fields: dict[str, Any] = {
        "page_id": str(record.page_id),
        "doc": str(record.document_id),
        "bf": str(record.building_file_id) if record.building_file_id else "inbox",
        "page": record.page_number,
        "text": record.text,
        # the twin field only answers "is this word on the page": each word once is enough
        "exact": " ".join(
            dict.fromkeys(
                fold(w)
                for w in TOKEN.findall(f"{record.text} {searchable_meta} {record.original_name}")
            )
        ),
        "title": record.title or "",
        "aktenzeichen": record.aktenzeichen or "",
        "strasse": record.street or "",
        "address": ", ".join(p for p in (address, town) if p),
        "gemarkung": ",".join(fold(g) for g in record.gemarkung),
        "flur": ",".join(record.flur),
        "flurstueck": ",".join(record.flurstueck),
        "bezirk": record.district or "",
        "kind": record.kind,
        "decade": f"{year // 10 * 10}er" if year else "",
        "source": record.text_source,
        "original_name": record.original_name,
        "inbox": record.building_file_id is None,
        "sortdate": record.date.toordinal() if record.date else 0,
        "audience": record.audience,
    }
    if record.aktenzeichen:
        fields["az"] = fold(record.aktenzeichen)
        fields["azteile"] = " ".join(file_number_pieces(record.aktenzeichen))
    if numbers := house_numbers(record.house_number):
        fields["hausnr"] = " ".join(numbers)
    if record.postcode:
        fields["plz"] = record.postcode.strip()
    if year:
        fields["year"] = year
        fields["date"] = _datetime(record.date)
    if record.valid_until:
        fields["valid_until"] = _datetime(record.valid_until)
    return fields


def as_record(page: Mapping[str, Any] | PageRecord) -> PageRecord:
    return page if isinstance(page, PageRecord) else PageRecord.from_mapping(page)
