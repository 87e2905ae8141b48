"""The access log keeps no token and no search terms."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from flask import Flask
from gunicorn.config import Config

from viewer.access_log import FORMAT, RedactingLogger, redacted


def test_every_route_with_a_token_is_redacted(app: Flask) -> None:
    rules = [r.rule for r in app.url_map.iter_rules() if "token>" in r.rule]
    assert len(rules) >= 3
    for rule in rules:
        path = rule.split("<", 1)[0] + "SECRET.abc-123"
        assert "SECRET" not in redacted(path), rule


def test_a_log_line_shows_neither_token_nor_query() -> None:
    logger = RedactingLogger(Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/password/reset/SECRET?q=Erika+Muster",
               "PATH_INFO": "/password/reset/SECRET", "QUERY_STRING": "q=Erika+Muster",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "192.0.2.1"}  # fmt: skip
    response = SimpleNamespace(status="200 OK", sent=12, headers=[])
    atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, dt.timedelta(0, 0, 3000))
    line = FORMAT % atoms
    assert line == '192.0.2.1 "GET /password/reset/… HTTP/1.1" 200 12 3ms'
    assert "SECRET" not in atoms["r"] and "Erika" not in atoms["r"]
