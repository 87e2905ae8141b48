"""The audit trail answers "who saw what": names and links, refusals, export, accesses."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

from sqlalchemy import select

from docstore.models import AuditEvent, BuildingFile, Document, Role
from docstore.services import grants, users
from docstore.services.actors import CONSOLE

from .conftest import GRANTED, OTHER, PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _tbody(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_rows_name_the_document_and_file_in_words_with_links(archive, client_as) -> None:
    doc_id = archive.documents[GRANTED][0]
    client_as("citizen.active").get(f"/documents/{doc_id}")
    with archive.instance.db.session() as s:
        doc = s.get(Document, doc_id)
        title = doc.title or doc.original_name
    rows = _tbody(client_as("auditor").get("/audit?user=citizen.active&action=document.view").text)
    assert "Dokument angesehen" in rows and "document.view" not in rows
    assert f'href="/documents/{doc_id}"' in rows and title in rows
    assert f'href="/files/{archive.files[GRANTED]}"' in rows and GRANTED in rows
    assert "Seite: 1" in rows and '{"page"' not in rows


def test_the_person_filter_takes_any_case_and_suggests_names(archive, client_as) -> None:
    auditor = client_as("auditor")
    client_as("citizen.active").get(f"/documents/{archive.documents[GRANTED][0]}")
    rows = _tbody(auditor.get("/audit?user=CITIZEN.Active").text)
    assert "citizen.active" in rows
    offered = [p["value"] for p in auditor.get("/audit/people?q=citizen.act").get_json()]
    assert offered == ["citizen.active"]
    assert "clerk" in [p["value"] for p in auditor.get("/audit/people?q=clerk").get_json()]
    for who in ("clerk", "citizen.active"):
        assert client_as(who).get("/audit/people?q=clerk").status_code == 403


def test_a_refused_download_and_a_refused_look_are_recorded_once(archive, client_as) -> None:
    with archive.instance.db.transaction() as s:  # may view GRANTED, not download; not OTHER
        prober = users.create_user(s, "trail.prober", PASSWORD, Role.CITIZEN, actor=CONSOLE)
        grants.grant_access(s, prober, s.get(BuildingFile, archive.files[GRANTED]), actor=CONSOLE)
    citizen = client_as("trail.prober")
    mine, foreign = archive.documents[GRANTED][0], archive.documents[OTHER][0]
    for _attempt in range(3):
        assert citizen.get(f"/documents/{mine}/download").status_code == 403
        assert citizen.get(f"/documents/{foreign}").status_code == 404
    assert citizen.get("/documents/99999999").status_code == 404
    with archive.instance.db.session() as s:
        refused = s.execute(
            select(AuditEvent.action, AuditEvent.target_id, AuditEvent.details)
            .where(AuditEvent.actor_name == "trail.prober", AuditEvent.action.like("%refused"))
            .order_by(AuditEvent.seq)
        ).all()
    assert [(a, t) for a, t, _d in refused] == [
        ("document.download-refused", str(mine)),
        ("document.view-refused", str(foreign)),
    ]
    assert "archive.view_only" in refused[0].details
    rows = _tbody(client_as("auditor").get("/audit?user=trail.prober").text)
    assert "Download verweigert" in rows and "Ansicht verweigert" in rows


def test_the_filtered_trail_exports_as_csv_without_formulas(archive, client_as) -> None:
    doc_id = archive.documents[GRANTED][1]
    with archive.instance.db.transaction() as s:
        doc = s.get(Document, doc_id)
        old_title, doc.title = doc.title, '=HYPERLINK("http://x";"Klick")'
    citizen = client_as("citizen.active")
    citizen.get(f"/documents/{doc_id}")
    auditor = client_as("auditor")
    response = auditor.get("/audit.csv?user=citizen.active")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert table[0][:4] == ["Nr.", "Zeit", "Person", "Aktion"]
    assert {row[2] for row in table[1:]} == {"citizen.active"}
    assert "Dokument angesehen" in {row[3] for row in table[1:]}
    cells = [cell for row in table for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)  # kept, but never a formula
    with archive.instance.db.transaction() as s:
        s.get(Document, doc_id).title = old_title
    exports = _tbody(auditor.get("/audit?action=audit.export").text)
    assert "Protokoll exportiert" in exports
    assert client_as("clerk").get("/audit.csv").status_code == 403
    assert client_as("citizen.active").get("/audit.csv").status_code == 403


def test_document_and_file_pages_show_their_accesses_to_auditors_only(archive, client_as) -> None:
    doc_id = archive.documents[GRANTED][0]
    with archive.instance.db.transaction() as s:  # a first visit: not inside an earlier one
        viewer = users.create_user(s, "trail.viewer", PASSWORD, Role.CITIZEN, actor=CONSOLE)
        grants.grant_access(s, viewer, s.get(BuildingFile, archive.files[GRANTED]), actor=CONSOLE)
    assert client_as("trail.viewer").get(f"/documents/{doc_id}").status_code == 200
    page = client_as("auditor").get(f"/documents/{doc_id}").text
    section = page.split('id="accesses-heading"')[1]
    assert "trail.viewer" in section and "Dokument angesehen" in section
    assert f"/audit?document={doc_id}" in section
    listing = _tbody(client_as("auditor").get(f"/audit?document={doc_id}").text)
    assert "trail.viewer" in listing
    assert all(f"/documents/{doc_id}" in row for row in listing.split("<tr>")[1:])
    file_page = client_as("auditor").get(f"/files/{archive.files[GRANTED]}").text
    assert 'id="accesses-heading"' in file_page and f"aktenzeichen={GRANTED}" in file_page
    for who in ("clerk", "citizen.active"):
        assert 'id="accesses-heading"' not in client_as(who).get(f"/documents/{doc_id}").text


def _records_a_named_action(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "record"
        and len(node.args) > 1
        and isinstance(node.args[1], ast.Constant)
    )


def _recorded_actions() -> set[str]:
    actions: set[str] = set()
    for package in ("docstore", "ingest", "viewer"):
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if _records_a_named_action(node):
                    actions.add(node.args[1].value)
    return actions


def test_every_recorded_action_has_a_label_in_both_languages(app) -> None:
    from flask_babel import force_locale

    from viewer.web.audit_labels import ACTION_LABELS

    actions = _recorded_actions()
    assert len(actions) > 40
    missing = actions - set(ACTION_LABELS)
    assert missing == set()
    with app.test_request_context():
        for action, label in ACTION_LABELS.items():
            with force_locale("de"):
                german = str(label)
            with force_locale("en"):
                english = str(label)
            assert german != english, f"{action} has no English label"


def test_every_literal_detail_key_has_a_label() -> None:
    from viewer.web.audit_labels import DETAIL_LABELS

    keys: set[str] = set()
    for package in ("docstore", "ingest", "viewer"):
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "record":
                    for keyword in node.keywords:
                        if keyword.arg == "details" and isinstance(keyword.value, ast.Dict):
                            keys |= {k.value for k in keyword.value.keys
                                     if isinstance(k, ast.Constant)}  # fmt: skip
    assert len(keys) > 30
    assert keys - set(DETAIL_LABELS) == set()


def test_foreign_parameters_never_reach_the_trail_links(archive, client_as) -> None:
    auditor = client_as("auditor")
    page = auditor.get("/audit?endpoint=x&_scheme=http&_method=POST&user=clerk")
    assert page.status_code == 200
    main = page.text.split("<main")[1].split("</main>")[0]
    assert 'href="http' not in main and "_scheme" not in main and "_method" not in main
