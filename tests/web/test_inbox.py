"""The inbox: assignment by file number, address or parcel, a new file, input kept."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docstore.models import BuildingFile, Document
from docstore.services import building_files, file_finder
from docstore.services.actors import CONSOLE
from viewer.web import clerk as clerk_views

from .conftest import csrf_token

AZ = "63-BA-1971-0815"


def _ensure_file(archive) -> None:
    with archive.instance.db.transaction() as s:
        if building_files.find_by_aktenzeichen(s, AZ) is None:
            building_files.create_building_file(
                s, AZ, street="Aachener Straße", house_number="12 b", municipality="Köln",
                actor=CONSOLE, parcels=[("Braunsfeld", "3", "778")],
            )  # fmt: skip


def _inbox_doc(archive) -> int:
    with archive.instance.db.transaction() as s:
        doc = s.get(Document, archive.inbox_document)
        doc.building_file_id = None
    return archive.inbox_document


def _file_of(archive, doc_id: int) -> str | None:
    with archive.instance.db.session() as s:
        doc = s.get(Document, doc_id)
        return (
            s.get(BuildingFile, doc.building_file_id).aktenzeichen if doc.building_file_id else None
        )


def test_an_address_offers_the_file_and_keeps_what_was_typed(archive, client_as) -> None:
    _ensure_file(archive)
    doc = _inbox_doc(archive)
    clerk = client_as("clerk")
    page = clerk.get("/inbox").text
    assert 'data-suggest="/inbox/files"' in page and 'width="200"' in page
    typed = "Aachener Str. 12b"
    asked = clerk.post(f"/documents/{doc}/assign",
                       data={"aktenzeichen": typed, "csrf_token": csrf_token(page)})  # fmt: skip
    assert asked.status_code == 400
    assert f'value="{typed}"' in asked.text and "Welche Bauakte ist gemeint?" in asked.text
    assert f"Der Bauakte {AZ} zuordnen" in asked.text
    assert _file_of(archive, doc) is None  # an address alone never assigns
    token = csrf_token(page)
    chosen = clerk.post(
        f"/documents/{doc}/assign", data={"aktenzeichen": AZ.lower(), "csrf_token": token}
    )
    assert chosen.status_code == 302 and _file_of(archive, doc) == AZ


def test_suggestions_by_number_address_and_parcel_for_clerks_only(archive, client_as) -> None:
    _ensure_file(archive)
    clerk = client_as("clerk")
    for typed in ("1971-0815", "aachener strasse 12 b", "778"):
        found = clerk.get(f"/inbox/files?q={typed}").get_json()
        assert [f["value"] for f in found] == [AZ], typed
        assert "Aachener Straße 12 b" in found[0]["label"]
    for who in ("citizen.active", "auditor"):
        assert client_as(who).get("/inbox/files?q=Aachener").status_code == 403


def test_nothing_matching_says_so_and_offers_a_new_file(archive, client_as) -> None:
    doc = _inbox_doc(archive)
    clerk = client_as("clerk")
    page = clerk.get("/inbox").text
    token = csrf_token(page)
    none = clerk.post(
        f"/documents/{doc}/assign", data={"aktenzeichen": "Nirgendwo 1", "csrf_token": token}
    )
    assert none.status_code == 400 and "Keine Bauakte passt zu „Nirgendwo 1“" in none.text
    assert 'value="Nirgendwo 1"' in none.text and "Neue Bauakte anlegen" in none.text
    made = clerk.post(f"/documents/{doc}/new-file", data={
        "aktenzeichen": "63-BA-2026-0099", "street": "Neue Gasse", "house_number": "7",
        "csrf_token": csrf_token(page),
    })  # fmt: skip
    assert made.status_code == 302 and _file_of(archive, doc) == "63-BA-2026-0099"
    with archive.instance.db.session() as s:
        bf = building_files.find_by_aktenzeichen(s, "63-BA-2026-0099")
        assert (bf.street, bf.house_number) == ("Neue Gasse", "7")
    doc = _inbox_doc(archive)
    twice = clerk.post(f"/documents/{doc}/new-file", data={
        "aktenzeichen": "63-ba-2026-0099", "csrf_token": csrf_token(page),
    })  # fmt: skip
    assert twice.status_code == 400 and "gibt es schon" in twice.text
    assert "Der Bauakte 63-BA-2026-0099 zuordnen" in twice.text
    with archive.instance.db.session() as s:
        count = len(s.scalars(select(BuildingFile).where(
            BuildingFile.aktenzeichen.ilike("63-ba-2026-0099"))).all())  # fmt: skip
    assert count == 1
    bad = clerk.post(f"/documents/{doc}/new-file",
                     data={"aktenzeichen": "<script>", "csrf_token": csrf_token(page)})  # fmt: skip
    assert bad.status_code == 400 and "<script>" not in bad.text.split("<main")[1].split(
        "</main>")[0].replace("&lt;script&gt;", "")  # fmt: skip


@pytest.mark.parametrize("seen_by", ["nobody", "the service"])
def test_a_file_another_clerk_just_created_is_offered_not_a_server_error(
    archive, client_as, monkeypatch, seen_by
) -> None:
    """Two clerks start the same building file at once: the second is offered the first's."""
    _ensure_file(archive)
    doc = _inbox_doc(archive)
    clerk = client_as("clerk")
    token = csrf_token(clerk.get("/inbox").text)
    real_exact = file_finder.exact
    calls = []

    def not_yet(*args, **kwargs):  # the other clerk's row was not there when we looked
        calls.append(1)
        return None if len(calls) == 1 else real_exact(*args, **kwargs)

    monkeypatch.setattr(clerk_views.file_finder, "exact", not_yet)
    if seen_by == "nobody":  # nor when the service looked: the database's constraint refuses
        monkeypatch.setattr(building_files, "find_by_aktenzeichen", lambda *a, **k: None)
    late = clerk.post(f"/documents/{doc}/new-file",
                      data={"aktenzeichen": AZ, "csrf_token": token})  # fmt: skip
    assert late.status_code == 400 and "gibt es schon" in late.text
    assert f"Der Bauakte {AZ} zuordnen" in late.text
    assert _file_of(archive, doc) is None
