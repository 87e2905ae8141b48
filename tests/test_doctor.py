"""``bauakte doctor``: one line per configured service, on both stacks, healthy and broken."""

from __future__ import annotations

from tests.servers import MINIO_PASSWORD, SmtpServer
from tests.test_cli import assert_one_line_error, bauakte, env  # noqa: F401 - the fixture

IDP_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"'
    ' entityID="https://idp.example/realms/bund"/>'
)


def _lines(out: str) -> dict[str, str]:
    """check name -> its line."""
    found = {}
    for line in out.splitlines():
        status, rest = line[:4].strip(), line[6:]
        found[rest[:18].strip()] = f"{status} {rest[18:].strip()}"
    return found


def test_a_healthy_instance_passes_every_check(env, tmp_path, smtp_server: SmtpServer) -> None:  # noqa: F811
    metadata = tmp_path / "idp.xml"
    metadata.write_text(IDP_METADATA)
    env.update(BAUAKTE_SMTP_URL=smtp_server.url, BAUAKTE_SAML_IDP_METADATA=str(metadata))
    assert bauakte(env, "init").code == 0
    run = bauakte(env, "doctor")
    assert run.code == 0, run
    lines = _lines(run.out)
    assert set(lines) == {"database", "object store", "search index", "OCR", "file types",
                          "page images", "word list", "mail", "identity provider"}  # fmt: skip
    assert all(line.startswith("ok ") for line in lines.values()), lines
    assert "deu+frk" in lines["OCR"]
    assert MINIO_PASSWORD not in run.out  # no credential of a URL is printed


def test_each_broken_service_is_one_line_that_says_what_to_do(env, tmp_path) -> None:  # noqa: F811
    assert bauakte(env, "init").code == 0
    env.update(
        BAUAKTE_OCR_FRAKTUR_LANGUAGES="deu+tlh",
        BAUAKTE_WORDLIST=str(tmp_path / "no-word-list"),
        BAUAKTE_SMTP_URL="smtp://127.0.0.1:9",
        BAUAKTE_SAML_IDP_METADATA=str(tmp_path / "missing.xml"),
        BAUAKTE_INDEX_DIR=str(tmp_path / "no-index"),  # the embedded stack's index
        BAUAKTE_SEARCH_INDEX="never-made",  # the servers' (OpenSearch) index
    )
    run = bauakte(env, "doctor")
    assert_one_line_error(run, 2, "5 of 9 checks failed")
    lines = _lines(run.out)
    assert lines["database"].startswith("ok ") and lines["object store"].startswith("ok ")
    assert "tesseract-ocr-tlh" in lines["OCR"]
    assert "wngerman" in lines["word list"]
    assert "BAUAKTE_SMTP_URL" in lines["mail"]
    assert "BAUAKTE_SAML_IDP_METADATA" in lines["identity provider"]
    assert "bauakte reindex" in lines["search index"]
    broken = {"OCR", "word list", "mail", "identity provider", "search index"}
    assert all(lines[name].startswith("FAIL ") for name in broken)


def test_an_unreachable_object_store_names_the_setting(env, tmp_path) -> None:  # noqa: F811
    assert bauakte(env, "init").code == 0
    env["BAUAKTE_STORAGE_URL"] = "s3://key:topsecret@127.0.0.1:9/bucket?secure=false"
    run = bauakte(env, "doctor")
    assert run.code == 2
    line = _lines(run.out)["object store"]
    assert line.startswith("FAIL ") and "BAUAKTE_STORAGE_URL" in line
    assert "topsecret" not in run.out


def test_an_unreachable_search_cluster_names_the_setting(env, tmp_path) -> None:  # noqa: F811
    assert bauakte(env, "init").code == 0
    env["BAUAKTE_SEARCH_URL"] = "http://search:topsecret@127.0.0.1:9,http://127.0.0.1:10"
    run = bauakte(env, "doctor")
    assert run.code == 2
    line = _lines(run.out)["search index"]
    assert line.startswith("FAIL ") and "BAUAKTE_SEARCH_URL" in line
    assert "topsecret" not in run.out


def test_index_commands_with_the_cluster_away_say_so_in_one_line(env, tmp_path) -> None:  # noqa: F811
    assert bauakte(env, "init").code == 0
    env["BAUAKTE_SEARCH_URL"] = "http://search:topsecret@127.0.0.1:9"
    for command in (["index", "sync"], ["reindex"], ["search", "Baugenehmigung"]):
        run = bauakte(env, *command)
        assert_one_line_error(run, 2, "BAUAKTE_SEARCH_URL")
        assert "topsecret" not in run.err
