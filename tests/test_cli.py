"""The ``bauakte`` console script, run as a user would, on both stacks."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import BAUAKTE, as_environment, server_settings
from tests.ingest.samples import text_pdf

PASSWORD = "a-long-enough-secret\n"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(params=["embedded", "servers"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """BAUAKTE_* for an instance on SQLite + files, or on PostgreSQL + MinIO."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("BAUAKTE_")}
    e["BAUAKTE_HOME"] = str(tmp_path / "instance")
    if request.param == "servers":
        e.update(as_environment(server_settings(request)))
    return e


def bauakte(env: dict[str, str], *args: str, stdin: str = "") -> Run:
    p = subprocess.run(
        [BAUAKTE, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    return Run(p.returncode, p.stdout, p.stderr)


def assert_one_line_error(run: Run, code: int, *words: str) -> None:
    assert run.code == code, run
    assert "Traceback" not in run.err
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


def test_init_ingest_users_grants_audit(env, tmp_path) -> None:
    first = bauakte(env, "init")
    assert first.code == 0, first
    assert "secret key generated" in first.out
    again = bauakte(env, "init")
    assert again.code == 0 and "secret key generated" not in again.out

    paper = tmp_path / "63-BA-1962-0031_statik_1962-05-02_Nachweis.pdf"
    text_pdf(paper, pages=1)
    ingested = bauakte(env, "ingest", "--json", str(paper))
    assert ingested.code == 0, ingested
    [row] = json.loads(ingested.out)["files"]
    assert (row["outcome"], row["building_file"], row["path"]) == (
        "accepted",
        "63-BA-1962-0031",
        str(paper),
    )
    again = json.loads(bauakte(env, "ingest", "--json", str(paper)).out)
    assert again["summary"]["duplicate"] == 1

    assert (
        bauakte(
            env, "user", "add", "max.m", "--role", "citizen", "--password-stdin", stdin=PASSWORD
        ).code
        == 0
    )
    assert_one_line_error(
        bauakte(
            env, "user", "add", "max.m", "--role", "citizen", "--password-stdin", stdin=PASSWORD
        ),
        2,
        "already exists",
    )
    assert_one_line_error(
        bauakte(env, "user", "add", "eve", "--role", "king", "--password-stdin", stdin=PASSWORD),
        2,
        "unknown role",
        "citizen",
    )
    assert_one_line_error(
        bauakte(env, "user", "add", "eve", "--role", "citizen", "--password-stdin", stdin="abc\n"),
        2,
        "password too weak",
    )
    ok = bauakte(env, "grant", "max.m", "63-BA-1962-0031", "--until", "2030-12-31", "--download")
    assert ok.code == 0, ok
    assert "until 2030-12-31" in ok.out
    assert_one_line_error(bauakte(env, "grant", "max.m", "NO-SUCH-AZ"), 2, "NO-SUCH-AZ")
    assert_one_line_error(bauakte(env, "grant", "nobody", "63-BA-1962-0031"), 2, "nobody")
    assert_one_line_error(
        bauakte(env, "grant", "max.m", "63-BA-1962-0031", "--until", "31.12.2030"), 2, "YYYY-MM-DD"
    )
    assert_one_line_error(
        bauakte(env, "grant", "max.m", "63-BA-1962-0031", "--until", "9999-12-31"), 2, "9998"
    )
    assert bauakte(env, "revoke", "max.m", "63-BA-1962-0031").code == 0
    assert_one_line_error(bauakte(env, "revoke", "max.m", "63-BA-1962-0031"), 2, "no active grant")

    verified = bauakte(env, "audit", "verify")
    assert verified.code == 0, verified
    assert "intact" in verified.out
    again = bauakte(env, "audit", "verify")  # the first check is itself on record
    checked = int(verified.out.split(": ")[1].split()[0])
    assert f"intact: {checked + 1} events" in again.out
    assert bauakte(env, "verify").code == 0

    shown = bauakte(env, "config", "show")
    assert shown.code == 0
    assert "secret_key = ***" in shown.out
    assert "bauakte-test-secret-key" not in shown.out


def test_audit_verify_names_the_tampered_event(tmp_path) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert bauakte(env, "init").code == 0
    for name in ("anna.k", "ben.k", "carla.k"):
        run = bauakte(
            env, "user", "add", name, "--role", "clerk", "--password-stdin", stdin=PASSWORD
        )
        assert run.code == 0
    with sqlite3.connect(tmp_path / "i" / "bauakte.db") as conn:
        conn.execute("UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2")
    run = bauakte(env, "audit", "verify")
    assert_one_line_error(run, 1, "event 2")


def test_mail_send_sweeps_ended_rate_limit_windows_as_the_worker_does(tmp_path) -> None:
    """Where cron runs 'bauakte mail send' instead of a worker, counters still go."""
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert bauakte(env, "init").code == 0
    with sqlite3.connect(tmp_path / "i" / "bauakte.db") as conn:
        conn.executemany(
            "INSERT INTO rate_counters (key, count, expires_at) VALUES (?, 1, ?)",
            [("ended", time.time() - 60), ("live", time.time() + 3600)],
        )
    run = bauakte(env, "mail", "send")
    assert run.code == 0, run
    assert "1 ended rate-limit windows purged" in run.out
    with sqlite3.connect(tmp_path / "i" / "bauakte.db") as conn:
        assert [k for (k,) in conn.execute("SELECT key FROM rate_counters")] == ["live"]


def test_a_register_import_reports_its_rows(tmp_path) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert bauakte(env, "init").code == 0
    csv_file = tmp_path / "register.csv"
    csv_file.write_text("aktenzeichen,year\n63-BA-1931-0007,1931\n63-BA-1932-0008,31\n", "utf-8")
    run = bauakte(env, "register", "import", str(csv_file))
    assert run.code == 1 and "row 3: year '31'" in run.out
    assert "1 building files created" in run.out
    again = bauakte(env, "register", "import", str(csv_file))
    assert "0 building files created, 0 completed, 1 unchanged" in again.out
    assert_one_line_error(
        bauakte(env, "register", "import", str(tmp_path / "nope.csv")), 2, "UTF-8"
    )


def test_a_bank_statement_is_imported_once(tmp_path) -> None:
    from tests.camt_samples import Booking, statement

    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert bauakte(env, "init").code == 0
    camt_file = tmp_path / "auszug.xml"
    camt_file.write_bytes(
        statement([Booking("16.50", "Akteneinsicht"), Booking("3.00", credit=False)])
    )
    run = bauakte(env, "payments", "import", str(camt_file))
    assert run.code == 0, run
    assert "0 matched, 1 for a clerk to assign, 0 booked before, 1 entries" in run.out
    again = bauakte(env, "payments", "import", "--json", str(camt_file))
    assert json.loads(again.out)["already_imported"] is True
    camt_file.write_bytes(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
    assert_one_line_error(bauakte(env, "payments", "import", str(camt_file)), 2, "DTD")
    assert_one_line_error(
        bauakte(env, "payments", "import", str(tmp_path / "nope.xml")), 2, "cannot read"
    )


def test_the_online_payment_check_says_what_is_missing(tmp_path) -> None:
    from tests.xbezahldienste_provider import TestBezahldienst

    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert bauakte(env, "init").code == 0
    assert_one_line_error(bauakte(env, "payments", "check"), 2, "set payment_provider")
    paydienst = TestBezahldienst().start()
    try:
        settings = {f"BAUAKTE_{k.upper()}": v for k, v in paydienst.settings().items()}
        run = bauakte({**env, **settings}, "payments", "check")
        assert run.code == 0 and "0 online payments checked" in run.out, run
        broken = {**env, **settings, "BAUAKTE_PAYDIENST_NOTIFICATION_KEY": "short"}
        assert_one_line_error(bauakte(broken, "payments", "check"), 2, "32 characters")
    finally:
        paydienst.stop()


def test_verify_reports_a_missing_original(tmp_path) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert bauakte(env, "init").code == 0
    sha = "ab" * 32
    with sqlite3.connect(tmp_path / "i" / "bauakte.db") as conn:
        conn.execute(
            "INSERT INTO blobs (sha256, size, mime_type, storage_key, created_at) "
            "VALUES (?, 3, 'application/pdf', ?, '2026-01-01 00:00:00')",
            (sha, f"blobs/sha256/ab/ab/{sha}"),
        )
    run = bauakte(env, "verify")
    assert run.code == 1
    assert f"missing: {sha}" in run.out
    assert "1 missing" in run.err


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        (
            "BAUAKTE_DATABASE_URL",
            "postgresql+psycopg://u@127.0.0.1:1/x",
            ["unreachable", "127.0.0.1"],
        ),
        (
            "BAUAKTE_STORAGE_URL",
            "s3://key:hunter2-secret@127.0.0.1:1/bucket?secure=false&retries=0",
            ["unavailable", "127.0.0.1:1"],
        ),
        ("BAUAKTE_DATABASE_URL", "mysql://x", ["unsupported database"]),
        ("BAUAKTE_STORAGE_URL", "ftp://x", ["unsupported storage URL"]),
    ],
)
def test_unreachable_or_wrong_backends_are_one_line(tmp_path, setting, value, words) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i"), setting: value}
    run = bauakte(env, "init")
    assert_one_line_error(run, 2, *words)
    assert "hunter2" not in run.err


def test_commands_before_init_say_what_to_do(tmp_path) -> None:
    env = {**os.environ, "BAUAKTE_HOME": str(tmp_path / "i")}
    assert_one_line_error(bauakte(env, "audit", "verify"), 2, "bauakte init")
    assert_one_line_error(bauakte(env, "frobnicate"), 2, "frobnicate")
