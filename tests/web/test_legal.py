"""The legal pages: reachable from every page without signing in, their text the instance's."""

from __future__ import annotations

import re

import pytest

PAGES = {
    "impressum": "Impressum",
    "datenschutz": "Datenschutzerklärung",
    "barrierefreiheit": "Erklärung zur Barrierefreiheit",
}


@pytest.mark.parametrize(("page", "title"), PAGES.items())
def test_each_page_opens_signed_out_and_names_the_authority(app, page, title) -> None:
    response = app.test_client().get(f"/{page}")
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.text
    config = app.extensions["bauakte"].instance.config
    assert config.authority_name in response.text and config.contact_email in response.text


def test_every_page_links_all_three(app, client_as) -> None:
    for client, url in ((app.test_client(), "/login"), (client_as("citizen.active"), "/")):
        html = client.get(url).text
        assert {f"/{page}" for page in PAGES} <= set(re.findall(r'href="(/[a-z]+)"', html))


def test_english_is_complete(app) -> None:
    client = app.test_client()
    html = client.get("/datenschutz", headers={"Accept-Language": "en"}).text
    assert "What data we process" in html and "Welche Daten" not in html


def test_the_instance_text_replaces_the_built_in_one_escaped(app) -> None:
    folder = app.extensions["bauakte"].instance.config.legal_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "impressum.txt").write_text(
        "Stadt Köln, Der Oberbürgermeister\nWilly-Brandt-Platz 2\n\n<script>alert(1)</script>",
        encoding="utf-8",
    )
    try:
        html = app.test_client().get("/impressum").text
    finally:
        (folder / "impressum.txt").unlink()
    assert "Willy-Brandt-Platz 2" in html and html.count('class="legal-text"') == 2
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_text_file_with_a_stray_byte_is_still_shown(app) -> None:
    folder = app.extensions["bauakte"].instance.config.legal_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "datenschutz.txt").write_bytes(b"Verantwortlich: Stadt M\xfcnster")  # Latin-1
    try:
        response = app.test_client().get("/datenschutz")
    finally:
        (folder / "datenschutz.txt").unlink()
    assert response.status_code == 200 and "Verantwortlich: Stadt M" in response.text
