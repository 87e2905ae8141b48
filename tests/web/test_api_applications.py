"""Applications through the JSON API: apply with a proof, the clerk's queue and decision."""

from __future__ import annotations

import io

from tests.ingest.samples import text_pdf

from .conftest import GRANTED, make_token


def _bearer(archive, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(archive.instance, username)}"}


def test_apply_follow_and_be_approved_through_the_api(archive, app, tmp_path) -> None:
    api = app.test_client()
    citizen, clerk = _bearer(archive, "citizen.future"), _bearer(archive, "clerk")
    pdf = text_pdf(tmp_path / "grundbuch.pdf", pages=1, marker="Grundbuch").read_bytes()
    made = api.post(
        "/api/v1/applications",
        headers=citizen,
        data={"legitimation": "owner", "purpose": "Umbau", "aktenzeichen": GRANTED,
              "proofs": [(io.BytesIO(pdf), "grundbuch.pdf")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["status"] == "submitted" and body["building_file_id"] is None
    assert body["proofs"][0]["name"] == "grundbuch.pdf"
    proof = api.get(body["proofs"][0]["url"], headers=citizen)
    assert proof.status_code == 200 and proof.data.startswith(b"%PDF")
    mine = api.get("/api/v1/applications", headers=citizen).get_json()
    assert body["id"] in [a["id"] for a in mine]

    queue = api.get("/api/v1/review", headers=clerk).get_json()
    assert body["id"] in [a["id"] for a in queue]
    ask = {"decision": "ask", "text": "Welche Wohnung?"}
    asked = api.post(f"/api/v1/review/{body['id']}", headers=clerk, json=ask)
    assert asked.get_json()["status"] == "query"
    answered = api.post(
        f"/api/v1/applications/{body['id']}/answer", headers=citizen,
        data={"answer": "Erdgeschoss links"}, content_type="multipart/form-data",
    )  # fmt: skip
    assert answered.status_code == 200 and answered.get_json()["status"] == "in_review"
    approve = {"decision": "approve", "building_file_id": archive.files[GRANTED], "days": 5}
    approved = api.post(f"/api/v1/review/{body['id']}", headers=clerk, json=approve)
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    seen = api.get(f"/api/v1/applications/{body['id']}", headers=citizen).get_json()
    assert seen["building_file_id"] == archive.files[GRANTED]
    assert [m["body"] for m in seen["messages"]] == ["Welche Wohnung?", "Erdgeschoss links"]
    again = api.post(f"/api/v1/applications/{body['id']}/withdraw", headers=citizen)
    assert again.status_code == 400  # decided already


def test_the_api_keeps_applications_apart(archive, app) -> None:
    api = app.test_client()
    other = _bearer(archive, "citizen.active")
    url = f"/api/v1/applications/{archive.application}"
    assert api.get(url, headers=_bearer(archive, "citizen.none")).status_code == 200
    assert api.get(url, headers=other).status_code == 404
    assert api.post(f"{url}/withdraw", headers=other).status_code == 404
    proof = f"/applications/{archive.application}/proofs/{archive.proof}"
    assert api.get(proof, headers=other).status_code == 404
    assert api.get("/api/v1/review", headers=other).status_code == 403
    assert api.get("/api/v1/applications", headers=_bearer(archive, "clerk")).status_code == 403
    assert api.get(url).status_code == 401


def test_an_approval_without_a_file_is_a_clear_400(archive, app) -> None:
    api = app.test_client()
    response = api.post(
        f"/api/v1/review/{archive.application}", headers=_bearer(archive, "admin"),
        json={"decision": "approve", "days": 3},
    )  # fmt: skip
    assert response.status_code == 400 and "building_file_id" in response.get_json()["message"]
