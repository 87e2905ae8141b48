"""Page records are strict: what docstore's outbox sends is exactly what the indexer reads."""

from __future__ import annotations

import pytest

from indexer.records import PageRecord

PAGE = {
    "page_id": 1,
    "document_id": 2,
    "page_number": 1,
    "text": "Baugenehmigung",
    "text_source": "pdf",
    "original_name": "a.pdf",
    "kind": "baugenehmigung",
}


def test_a_full_mapping_makes_the_record() -> None:
    record = PageRecord.from_mapping({**PAGE, "street": "Hauptstraße"})
    assert record.street == "Hauptstraße" and record.text == "Baugenehmigung"


def test_an_unknown_key_is_refused_not_dropped() -> None:
    with pytest.raises(ValueError, match="strasse"):
        PageRecord.from_mapping({**PAGE, "strasse": "Hauptstraße"})
