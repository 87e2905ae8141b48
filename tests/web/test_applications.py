"""An application through the web: apply with a proof, Rückfrage, answer, approval by kind."""

from __future__ import annotations

import io
import re

from flask import Flask
from sqlalchemy import func, select

from docstore.models import AccessRequest, Document, User
from tests.ingest.samples import text_pdf
from tests.servers import SmtpServer
from viewer.web import create_app

from .conftest import GRANTED, Archive, build_archive, csrf_token, make_token, signin
from .test_profile import _citizen
from .test_registration import _deliver


def _pdf(tmp_path, name: str = "vollmacht.pdf") -> bytes:
    return text_pdf(tmp_path / name, pages=1, marker="Vollmacht des Eigentümers").read_bytes()


def _apply(client, tmp_path, **fields):
    page = client.get("/applications/new")
    assert page.status_code == 200
    data = {
        "legitimation": "authorized",
        "aktenzeichen": GRANTED,
        "purpose": "Kaufentscheidung",
        "csrf_token": csrf_token(page.text),
        **fields,
    }
    if "proofs" not in data:
        data["proofs"] = (io.BytesIO(_pdf(tmp_path)), "vollmacht.pdf")
    return client.post("/applications/new", data=data, content_type="multipart/form-data")


def _count(archive: Archive) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(select(func.count()).select_from(AccessRequest))


def test_the_whole_way_from_application_to_approval(
    app: Flask, archive: Archive, mailbox: SmtpServer, client_as, tmp_path
) -> None:
    citizen, address = _citizen(app, archive, mailbox)
    sent = _apply(citizen, tmp_path)
    assert sent.status_code == 302
    number_id = int(sent.headers["Location"].rsplit("/", 1)[1])
    page = citizen.get(sent.headers["Location"]).text
    assert "eingegangen" in page and "vollmacht.pdf" in page
    _deliver(archive, mailbox)
    assert "eingegangen" in mailbox.wait_for(address, 2)["Subject"]

    clerk = client_as("clerk")
    assert f"/review/{number_id}" in clerk.get("/review").text
    desk = clerk.get(f"/review/{number_id}")
    assert desk.status_code == 200 and GRANTED in desk.text and "vollmacht.pdf" in desk.text
    token = csrf_token(desk.text)
    question = {"ask-question": "Bitte die Seite 2 der Vollmacht.", "csrf_token": token}
    asked = clerk.post(f"/review/{number_id}/ask", data=question)
    assert asked.status_code == 302
    _deliver(archive, mailbox)
    question_mail = mailbox.wait_for(address, 3)
    assert "Rückfrage" in question_mail["Subject"]
    assert "Seite 2" not in question_mail.get_content()  # the text stays in the portal

    shown = citizen.get(f"/applications/{number_id}").text
    assert "Bitte die Seite 2 der Vollmacht." in shown
    answered = citizen.post(
        f"/applications/{number_id}/answer",
        data={"answer": "Anbei.", "csrf_token": csrf_token(shown),
              "proofs": (io.BytesIO(_pdf(tmp_path, "seite2.pdf")), "seite2.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert answered.status_code == 302
    assert "in Prüfung" in citizen.get(f"/applications/{number_id}").text

    statik, permit = _documents(archive)
    assert citizen.get(f"/documents/{statik}").status_code == 404  # nothing before approval
    desk = clerk.get(f"/review/{number_id}")
    approved = clerk.post(f"/review/{number_id}/approve", data={
        "approve-building_file": str(archive.files[GRANTED]), "approve-scope": "kinds",
        "approve-kinds": ["statik"], "approve-days": "30", "csrf_token": csrf_token(desk.text),
    })  # fmt: skip
    assert approved.status_code == 302, approved.text
    status = citizen.get(f"/applications/{number_id}").text
    assert "genehmigt" in status and "sobald die Gebühr bezahlt ist" in status
    assert "16,50\xa0€" in status  # Osnabrück's 14 € + 2.50 € per file, the default
    assert citizen.get(f"/documents/{statik}").status_code == 404  # not before the fee is paid
    notice = re.search(r'href="(/fee-notices/(\d+)\.pdf)"', status)
    pdf = citizen.get(notice.group(1))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client_as("citizen.active").get(notice.group(1)).status_code == 404
    desk = clerk.get(f"/review/{number_id}")
    paid = clerk.post(f"/fee-notices/{notice.group(2)}/desk", data={
        "desk-amount": "16,50", "desk-method": "cash", "desk-receipt": "K-2026-0815",
        "csrf_token": csrf_token(desk.text)})  # fmt: skip
    assert paid.status_code == 302
    assert "bezahlt" in clerk.get(f"/review/{number_id}").text
    assert "Freigegebene Unterlagen ansehen" in citizen.get(f"/applications/{number_id}").text
    assert citizen.get(f"/documents/{statik}").status_code == 200
    assert citizen.get(f"/documents/{permit}").status_code == 404  # only the kind granted
    assert "Statik" in citizen.get("/").text
    access_page = clerk.get(f"/files/{archive.files[GRANTED]}/grants").text
    with archive.instance.db.session() as s:
        applicant = s.get(User, s.get(AccessRequest, number_id).user_id).username
    row = re.search(rf"<tr>\s*<td>[^<]*{re.escape(applicant)}.*?</tr>", access_page, re.S)
    assert row and "Statik" in row.group(0) and "ganze Akte" not in row.group(0)


def _documents(archive: Archive) -> tuple[int, int]:
    with archive.instance.db.session() as s:
        docs = s.scalars(
            select(Document).where(Document.building_file_id == archive.files[GRANTED])
        ).all()
        return (next(d.id for d in docs if d.kind == "statik"),
                next(d.id for d in docs if d.kind == "baugenehmigung"))  # fmt: skip


def test_a_proof_is_seen_by_its_applicant_and_no_one_else(client_as, archive: Archive) -> None:
    url = f"/applications/{archive.application}/proofs/{archive.proof}"
    own = client_as("citizen.none").get(url)
    assert own.status_code == 200
    assert own.headers["Content-Disposition"].startswith("attachment")
    assert own.data.startswith(b"%PDF")
    assert client_as("citizen.active").get(url).status_code == 404
    assert (
        client_as("citizen.active").get(f"/applications/{archive.application}").status_code == 404
    )
    review = client_as("clerk").get(f"/review/{archive.application}/proofs/{archive.proof}")
    assert review.status_code == 200 and review.data.startswith(b"%PDF")


def test_a_file_that_is_not_a_document_is_refused_and_nothing_is_filed(
    client_as, archive: Archive, tmp_path
) -> None:
    before = _count(archive)
    client = client_as("citizen.active")
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    response = _apply(client, tmp_path, proofs=(fake, "vollmacht.pdf"))
    assert response.status_code == 400
    assert "PDF oder ein Bild" in response.text
    assert _count(archive) == before
    quarantined = list(archive.instance.config.quarantine_dir.glob("*/reason.json"))
    assert any("vollmacht.pdf" in p.read_text() for p in quarantined)


def test_missing_proof_and_missing_building_are_explained(client_as, archive, tmp_path) -> None:
    client = client_as("citizen.active")
    no_proof = _apply(client, tmp_path, proofs=(io.BytesIO(b""), ""))
    assert no_proof.status_code == 400 and "Nachweis" in no_proof.text
    nothing = _apply(client, tmp_path, aktenzeichen="", legitimation="neighbour")
    assert nothing.status_code == 400 and "Bitte nennen Sie das Gebäude" in nothing.text


def test_a_street_the_city_does_not_have_is_refused(client_as, archive, tmp_path) -> None:
    path = archive.instance.config.street_list
    path.write_text("Hauptstraße\nVenloer Straße\n", encoding="utf-8")
    try:
        client = client_as("citizen.active")
        assert client.get("/applications/streets?q=venl").json == ["Venloer Straße"]
        wrong = _apply(client, tmp_path, aktenzeichen="", street="Erfundene Gasse",
                       house_number="3", legitimation="neighbour")  # fmt: skip
        assert wrong.status_code == 400 and "Straßenverzeichnis" in wrong.text
        right = _apply(client, tmp_path, aktenzeichen="", street="Venloer Str.",
                       house_number="3", legitimation="neighbour")  # fmt: skip
        assert right.status_code == 302
    finally:
        path.unlink()


def test_suggestions_do_not_depend_on_the_archive(client_as, archive) -> None:
    """No street list: no suggestions, although the archive holds files."""
    assert client_as("citizen.active").get("/applications/streets?q=Ha").json == []


def test_staff_do_not_apply_and_citizens_do_not_review(client_as, archive) -> None:
    assert client_as("clerk").get("/applications/new").status_code == 403
    assert client_as("citizen.active").get("/review").status_code == 403
    assert re.search("Anträge", client_as("clerk").get("/").text)


def test_digits_that_are_no_ids_are_refused_on_the_desk(client_as, archive) -> None:
    """'²' passes str.isdigit but int() of it raises; '١٢' would read as 12."""
    clerk = client_as("clerk")
    page = clerk.get(f"/review/{archive.application}")
    token = csrf_token(page.text)
    for field, path in (
        ("approve-building_file", "approve"),
        ("digitise-building_file", "digitise"),
    ):
        for value in ("²", "١٢"):
            data = {field: value, "approve-days": "3", "csrf_token": token}
            assert clerk.post(f"/review/{archive.application}/{path}", data=data).status_code == 400
    documents = {"approve-building_file": str(archive.files[GRANTED]), "approve-scope": "documents",
                 "approve-documents": "²", "approve-days": "3", "csrf_token": token}  # fmt: skip
    assert clerk.post(f"/review/{archive.application}/approve", data=documents).status_code == 400


def _stored_proofs(archive: Archive) -> set[str]:
    return set(archive.instance.store.list("proofs/"))


def test_a_wrong_form_stores_no_proof(client_as, archive: Archive, tmp_path) -> None:
    """Every field is checked before an upload is written: a form that cannot be filed
    costs no disk, however often it is sent."""
    before = _stored_proofs(archive)
    unique = text_pdf(tmp_path / "unique.pdf", pages=1, marker="Einmalige Vollmacht 7731")
    wrong = _apply(client_as("citizen.active"), tmp_path, purpose="", aktenzeichen="",
                   proofs=(io.BytesIO(unique.read_bytes()), "vollmacht.pdf"))  # fmt: skip
    assert wrong.status_code == 400
    assert _stored_proofs(archive) == before


def test_an_answer_without_an_open_question_stores_nothing(client_as, archive, tmp_path) -> None:
    client = client_as("citizen.none")  # its application was never asked anything
    page = client.get(f"/applications/{archive.application}")
    before = _stored_proofs(archive)
    unique = text_pdf(tmp_path / "answer.pdf", pages=1, marker="Antwort ohne Frage 5519")
    answered = client.post(
        f"/applications/{archive.application}/answer",
        data={"answer": "Anbei.", "csrf_token": csrf_token(page.text),
              "proofs": (io.BytesIO(unique.read_bytes()), "antwort.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert answered.status_code == 302
    assert "keine Frage offen" in client.get(answered.headers["Location"]).text
    assert _stored_proofs(archive) == before


def test_applications_are_limited_per_account(tmp_path) -> None:
    arc = build_archive(
        tmp_path / "instance", tmp_path / "batch", application_rate_limit="2 per day"
    )
    try:
        app = create_app(arc.instance, TESTING=True)
        client = app.test_client()
        signin(client, "citizen.active")
        statuses = [_apply(client, tmp_path).status_code for _ in range(2)]
        bearer = {"Authorization": f"Bearer {make_token(arc.instance, 'citizen.active')}"}
        api = app.test_client().post("/api/v1/applications", headers=bearer, data={
            "legitimation": "neighbour", "purpose": "Kauf", "aktenzeichen": GRANTED})  # fmt: skip
        statuses += [api.status_code, _apply(client, tmp_path).status_code]
        assert statuses == [302, 302, 429, 429]
        assert client.get("/applications/new").status_code == 200  # only sending waits
    finally:
        arc.instance.close()
