"""Every error code the sources raise is worded in German and English, never in CLI English.

The codes are found by reading the sources (every ``code`` given to an error, every class's
``default_code``, the codes made from a reason or form field), so a new refusal without a
wording fails here, not in front of a citizen.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from docstore.errors import UsageError
from docstore.services.users import WeakPassword
from viewer.web.error_texts import FALLBACK, TEXTS, error_text

ROOT = Path(__file__).resolve().parents[2]
ERROR_CLASSES = {
    "BauakteError", "UsageError", "NotFound", "Conflict", "PermissionDenied", "Forbidden",
    "Hidden", "ConfigError", "NotReady", "Expired", "LinkInvalid", "LinkExpired",
    "StatementRejected", "BadDetail", "ApplicationProblem", "BadEmail", "WrongPassword",
    "RowError",
}  # fmt: skip
APPLICATION_FIELDS = ("building", "house_number", "street", "purpose", "proofs",
                      "chamber_number", "interest", "answer")  # fmt: skip
CODE_POSITION = {"BadDetail": 2, "ApplicationProblem": 2}
MADE_CODES = {
    # WeakPassword(reason, ...) -> password.<reason>
    **{f"password.{r}": {"minimum"} for r in ("short", "monotonous", "name", "unchanged")},
    # ApplicationProblem(field, ...) -> application.<field>
    **{f"application.{f}": set() for f in APPLICATION_FIELDS},
    # SearchRefused keeps the index's codes, which the JSON API documents
    "too-many-words": {"limit"},
    "too-costly": {"limit"},
}
ENGLISH = re.compile(
    r"\b(the|is|not|choose|give|use|your|this|already|must|with|cannot|only|"
    r"bauakte user|YYYY-MM-DD)\b"
)


def raised_codes() -> dict[str, set[str]]:
    """Every code the application's packages raise, with the parameters given beside it."""
    codes: dict[str, set[str]] = {k: set(v) for k, v in MADE_CODES.items()}
    for package in ("docstore", "ingest", "viewer", "indexer"):
        for path in (ROOT / package).rglob("*.py"):
            if "node_modules" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                _collect(node, codes)
    return codes


def _collect(node: ast.AST, codes: dict[str, set[str]]) -> None:
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "default_code" for t in node.targets
    ):
        codes.setdefault(ast.literal_eval(node.value), set())
    if not isinstance(node, ast.Call):
        return
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
    if name not in ERROR_CLASSES:
        return
    position = CODE_POSITION.get(name, 1)
    code = None
    if len(node.args) > position and isinstance(node.args[position], ast.Constant):
        code = node.args[position].value
    for keyword in node.keywords:
        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
            code = keyword.value.value
    if code:
        params = {k.arg for k in node.keywords if k.arg not in (None, "code")}
        codes.setdefault(code, set()).update(params)


CODES = raised_codes()


def test_the_sources_raise_the_codes_this_test_knows_about():
    assert len(CODES) > 90  # the reader finds them; a broken reader would find none
    assert {"grant.ends_first", "user.unknown", "archive.view_only"} <= set(CODES)


def test_every_refusal_of_a_service_carries_a_code():
    """A bare UsageError("...") in a service would reach the web as the fallback sentence."""
    bare = []
    for path in (ROOT / "docstore" / "services").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            name = getattr(node.exc.func, "id", None) or getattr(node.exc.func, "attr", "")
            if name in {"UsageError", "PermissionDenied", "Forbidden", "Conflict"}:
                has_code = len(node.exc.args) > 1 or any(k.arg == "code" for k in node.exc.keywords)
                if not has_code:
                    bare.append(f"{path.name}:{node.lineno}")
    assert bare == []


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_code_reads_in_german_and_english(app, code):
    assert code in TEXTS, f"no wording for {code!r} in viewer/web/error_texts.py"
    error = UsageError("english advice for the console", code, **dict.fromkeys(CODES[code], "X1"))
    with app.test_request_context():
        with force_locale("de"):
            german = error_text(error)
        with force_locale("en"):
            english = error_text(error)
    assert german != str(FALLBACK) or code == "failed"
    assert "english advice" not in german
    assert not ENGLISH.search(german), german
    assert "%(" not in german and "%(" not in english
    assert english != german, f"{code!r} has no English translation"
    with app.test_request_context(), force_locale("de"):
        template = str(TEXTS[code])
    if any(f"%({param})s" in template for param in CODES[code]):
        assert "X1" in german and "X1" in english


def test_parameters_reach_the_sentence(app):
    error = WeakPassword("short", "password too weak: use at least 12 characters", 12)
    with app.test_request_context(), force_locale("de"):
        assert error_text(error) == "Das Passwort ist zu kurz: Bitte mindestens 12 Zeichen."
    with app.test_request_context(), force_locale("en"):
        assert "12" in error_text(error)


def test_an_unknown_code_gets_the_plain_sentence_not_the_english_message(app):
    with app.test_request_context(), force_locale("de"):
        text = error_text(UsageError("no user 'x'; create one with 'bauakte user add'", "nope"))
    assert text == str(FALLBACK)


def test_http_errors_of_pages_read_in_german(archive, client_as) -> None:
    wrong_method = client_as("clerk").get(f"/documents/{archive.inbox_document}/assign")
    assert wrong_method.status_code == 405
    assert "Nicht möglich" in wrong_method.text and "Method Not Allowed" not in wrong_method.text
