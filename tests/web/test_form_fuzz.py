"""Every form field of every form route, with generated and hostile values: never a 5xx.

The API has its schemathesis run (test_api); the HTML forms have this.  A
route that takes a form and is missing from FORMS fails the first test, so a
new form is fuzzed from its first day.
"""

from __future__ import annotations

import io
import os
import random
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from docstore.models import Legitimation, Role, UploadFile, User
from docstore.services import applications, users
from docstore.services.actors import CONSOLE
from ingest import spool
from tests.ingest.samples import text_pdf

from .conftest import GRANTED, PASSWORD, _unpaid_fee, csrf_token

NASTY = [
    "", " ", "0", "-1", str(2**70), "1e308", "NaN", "0001-01-01", "9999-12-31", "2026-02-30",
    "\x00", "a\r\nb", "\u202e", "🏠" * 200, "x" * 5000, "../../etc/passwd", "<script>x</script>",
    "%00", "role:admin", "role:nonsense", "disable", "enable", "reset-password", "on", "1",
]  # fmt: skip
VALUES = st.one_of(st.sampled_from(NASTY), st.text(max_size=300))

# endpoint -> (who, method, url template, fields); {doc}, {file}, {inbox_doc}, {victim}
FORMS = {
    "accounts.login": (None, "POST", "/login?next=/x", ["username", "password"]),
    "accounts.code": (None, "POST", "/login/code", ["code"]),
    "accounts.enrol": (None, "POST", "/login/enrol", ["code"]),
    "accounts.language": (None, "POST", "/language", ["lang", "next"]),
    "accounts.logout": ("fuzz.citizen", "POST", "/logout", ["everywhere"]),
    "accounts.api_tokens": (
        "fuzz.citizen", "POST", "/account/tokens", ["name", "current_password", "code"],
    ),
    "accounts.revoke_token": ("fuzz.citizen", "POST", "/account/tokens/1/revoke", []),
    "accounts.own_second_factor": (
        "fuzz.citizen", "POST", "/account/second-factor", ["current_password", "code"],
    ),
    "accounts.change_password": (
        "fuzz.citizen", "POST", "/account/password",
        ["new_password", "repeated", "current_password", "code"],
    ),
    "accounts.register": (
        None, "POST", "/register", ["display_name", "email", "password", "repeated"],
    ),
    "accounts.resend_confirmation": (None, "POST", "/register/again", ["email"]),
    "accounts.confirm_email": (None, "POST", "/register/confirm/forged", ["password"]),
    "accounts.forgotten_password": (None, "POST", "/password/forgotten", ["email"]),
    "accounts.saml_login": (None, "POST", "/saml/login", ["next"]),  # off here: test_saml.py
    "accounts.saml_acs": (None, "POST", "/saml/acs", ["SAMLResponse"]),
    "accounts.reset_password": (None, "POST", "/password/reset/forged", ["password", "repeated"]),
    "accounts.profile_page": (
        "fuzz.citizen", "POST", "/account",
        ["display_name", "street", "postcode", "city", "phone", "language"],
    ),
    "accounts.change_email": ("fuzz.citizen", "POST", "/account/email", ["email"]),
    "accounts.delete_account": (
        "fuzz.citizen", "POST", "/account/delete", ["current_password", "code"],
    ),
    "applications.new_application": (
        "fuzz.citizen", "POST", "/applications/new",
        ["legitimation", "street", "house_number", "postcode", "gemarkung", "flur",
         "flurstueck", "aktenzeichen", "purpose", "interest", "chamber_number", "proofs"],
    ),
    "applications.answer": (
        "fuzz.citizen", "POST", "/applications/{application}/answer", ["answer", "proofs"],
    ),
    "applications.withdraw": (
        "fuzz.citizen", "POST", "/applications/{application}/withdraw", [],
    ),
    "review.assign": ("fuzz.clerk", "POST", "/review/{application}/assign", []),
    "review.ask": ("fuzz.clerk", "POST", "/review/{application}/ask", ["ask-question"]),
    "review.approve": (
        "fuzz.clerk", "POST", "/review/{application}/approve",
        ["approve-building_file", "approve-scope", "approve-kinds", "approve-documents",
         "approve-days", "approve-may_download", "approve-minutes", "approve-fee",
         "approve-fee_reason"],
    ),
    "review.reject": (
        "fuzz.clerk", "POST", "/review/{application}/reject", ["reject-reason", "reject-text"],
    ),
    "review.no_file": ("fuzz.clerk", "POST", "/review/{application}/no-file", ["nofile-text"]),
    "review.digitise": (
        "fuzz.clerk", "POST", "/review/{application}/digitise", ["digitise-building_file"],
    ),
    "fees.desk_payment": (
        "fuzz.clerk", "POST", "/fee-notices/{fee_notice}/desk",
        ["desk-amount", "desk-method", "desk-receipt"],
    ),
    "fees.cancel_notice": (
        "fuzz.clerk", "POST", "/fee-notices/{fee_notice}/cancel", ["cancel-reason"],
    ),
    "fees.assign_payment": ("fuzz.clerk", "POST", "/payments/1/assign", ["assign-reference"]),
    # the inbox document: the regions the fuzzing draws reach no other test's outsider
    "redaction.add": (
        "fuzz.clerk", "POST", "/documents/{inbox_doc}/pages/1/redactions",
        ["left", "top", "width", "height", "reason"],
    ),
    "redaction.lift": ("fuzz.clerk", "POST", "/redactions/1/lift", []),
    "fees.import_statement": ("fuzz.clerk", "POST", "/payments/statements", ["statement"]),
    "online_payments.pay": ("fuzz.citizen", "POST", "/fee-notices/{fee_notice}/pay", []),
    "online_payments.notify": ("fuzz.citizen", "POST", "/payments/online/notify", []),
    "extracts.order": (
        "fuzz.clerk", "POST", "/files/{file}/extract", ["documents", "declared", "unstamped"],
    ),
    "extracts.record_consent": (
        "fuzz.clerk", "POST", "/documents/{doc}/plan-consent", ["consented_on", "note"],
    ),
    "extracts.withdraw_consent": (
        "fuzz.clerk", "POST", "/documents/{doc}/plan-consent/withdraw", ["reason"],
    ),
    "clerk.upload": ("fuzz.clerk", "POST", "/upload", ["files", "manifest"]),
    "clerk.assign": ("fuzz.clerk", "POST", "/documents/{inbox_doc}/assign", ["aktenzeichen"]),
    "clerk.new_file": (
        "fuzz.clerk", "POST", "/documents/{inbox_doc}/new-file",
        ["aktenzeichen", "street", "house_number", "postcode", "municipality"],
    ),
    "clerk.edit_document": (
        "fuzz.clerk", "POST", "/documents/{doc}/edit",
        ["kind", "title", "date", "issuer", "issued_on", "valid_until"],
    ),
    "clerk.edit_building_file": (
        "fuzz.clerk", "POST", "/files/{file}/edit",
        ["street", "house_number", "postcode", "municipality", "district", "year", "notes"],
    ),
    "grants.file_grants": (
        "fuzz.clerk", "POST", "/files/{file}/grants",
        ["username", "valid_from", "duration", "valid_until", "may_download", "kinds",
         "documents"],
    ),
    "grants.revoke": ("fuzz.clerk", "POST", "/files/{file}/grants/revoke", ["username", "reason"]),
    "oversight.trail": (
        "fuzz.auditor", "GET", "/audit",
        ["user", "action", "aktenzeichen", "since", "until", "page"],
    ),
    "oversight.verify": ("fuzz.auditor", "POST", "/audit/verify", []),
    "oversight.user_list": ("fuzz.admin", "POST", "/admin/users", ["username", "password", "role"]),
    "oversight.change_user": ("fuzz.admin", "POST", "/admin/users/{victim}", ["change"]),
    "oversight.credentials": (
        "fuzz.admin", "POST", "/admin/users/{victim}/credentials?change=reset-password",
        ["temporary", "current_password", "code"],
    ),
    "searching.search_page": ("fuzz.citizen", "GET", "/search", ["q", "sort", "page"]),
    "archive.document": ("fuzz.citizen", "GET", "/documents/{doc}", ["page", "zoom", "q"]),
    "corrections.correct": (
        "fuzz.clerk", "POST", "/upload/{held_upload}/files/{held_a}/correct",
        ["aktenzeichen", "street", "house_number", "postcode", "municipality", "gemarkung",
         "flur", "flurstueck", "kind", "title", "date", "issuer", "issued_on", "valid_until"],
    ),
    "corrections.discard": (
        "fuzz.clerk", "POST", "/upload/{held_upload}/files/{held_b}/discard", [],
    ),
    "images.page_image_jpeg": (
        "fuzz.citizen", "GET", "/documents/{doc}/pages/1/image.jpg", ["w"],
    ),
}  # fmt: skip


def _takes_input(rule) -> bool:
    return "POST" in rule.methods


def test_every_form_route_is_fuzzed(app) -> None:
    posting = {r.endpoint for r in app.url_map.iter_rules() if _takes_input(r)}
    posting = {e for e in posting if not e.startswith("api_")}  # schemathesis covers the API
    assert posting - FORMS.keys() == set(), "form routes missing from FORMS"


@pytest.fixture(scope="module")
def fuzz_people(archive, tmp_path_factory) -> dict[str, int]:
    with archive.instance.db.transaction() as s:
        ids = {}
        people = [("fuzz.citizen", Role.CITIZEN), ("fuzz.victim", Role.CITIZEN)]
        people += [(f"fuzz.{r.value}", r) for r in (Role.CLERK, Role.AUDITOR, Role.ADMIN)]
        for name, role in people:  # their own: a lockout the fuzzing causes ends only theirs
            found = s.scalar(select(User).where(User.username == name))
            ids[name] = (found or users.create_user(s, name, PASSWORD, role, actor=CONSOLE)).id
        entry = applications.submit(  # fuzz.citizen's own, so the fuzzing reaches its forms
            s, s.get(User, ids["fuzz.citizen"]),
            applications.Application(Legitimation.NEIGHBOUR, "Anbau", aktenzeichen=GRANTED),
            applications.notice_of(archive.instance.config),
        )  # fmt: skip
        s.flush()
        ids["application"] = entry.id
    ids["fee_notice"] = _unpaid_fee(archive.instance, archive.files[GRANTED], "fuzz.citizen")
    ids.update(_held_files(archive, tmp_path_factory.mktemp("held")))
    return ids


def _held_files(archive, folder) -> dict[str, int]:
    """Two files refused for their manifest rows, waiting for a correction or to be discarded."""
    scans = [text_pdf(folder / n, pages=1, marker=f"Fuzz {n}") for n in ("a.pdf", "b.pdf")]
    manifest = b"file;kind;date\na.pdf;gutachten;\nb.pdf;statik;morgen\n"
    with archive.instance.db.session() as s:
        clerk = users.get_user(s, "clerk")
    with scans[0].open("rb") as a, scans[1].open("rb") as b:
        batch = spool.receive(archive.instance, clerk, [("a.pdf", a), ("b.pdf", b)],
                              ("manifest.csv", io.BytesIO(manifest)))  # fmt: skip
    spool.process_pending(archive.instance)
    with archive.instance.db.session() as s:
        files = dict(s.execute(select(UploadFile.name, UploadFile.id)
                               .where(UploadFile.batch_id == batch)).all())  # fmt: skip
    return {"held_upload": batch, "held_a": files["a.pdf"], "held_b": files["b.pdf"]}


def _url(template: str, archive, people: dict[str, int]) -> str:
    return template.format(
        doc=archive.documents[GRANTED][0],
        file=archive.files[GRANTED],
        inbox_doc=archive.inbox_document,
        held_upload=people["held_upload"],
        held_a=people["held_a"],
        held_b=people["held_b"],
        victim=people["fuzz.victim"],
        application=people["application"],
        fee_notice=people["fee_notice"],
    )


@pytest.mark.slow
@pytest.mark.parametrize("endpoint", FORMS)
def test_no_form_input_reaches_a_server_error(
    endpoint, archive, own_session_as, fuzz_people
) -> None:
    who, method, template, fields = FORMS[endpoint]
    url = _url(template, archive, fuzz_people)

    @given(values=st.fixed_dictionaries({f: VALUES for f in fields}))
    @settings(
        max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def never_5xx(values: dict[str, str]) -> None:
        # Hypothesis seeds the global random module alike for every example; Whoosh names
        # its segments with it, and two commits would pick the same segment name.
        random.seed(os.urandom(16))
        client = own_session_as(who)  # a fresh session: a lockout or sign-out ends only it
        token = csrf_token(client.get("/login", follow_redirects=True).text)
        if method == "GET":
            response = client.get(url, query_string=values)
        else:
            response = client.post(url, data={"csrf_token": token, **values})
        with response:
            assert response.status_code < 500, (endpoint, values, response.status_code)

    never_5xx()


def test_the_fuzzing_reaches_the_forms(archive, own_session_as, fuzz_people) -> None:
    """The generated posts get past CSRF and sign-in: a wrong value answers 400, not 302."""
    client = own_session_as("fuzz.clerk")
    token = csrf_token(client.get("/login", follow_redirects=True).text)
    url = _url("/files/{file}/grants", archive, fuzz_people)
    response = client.post(url, data={"csrf_token": token, "valid_until": "9999-12-31"})
    assert response.status_code == 400
    assert re.search(r"1500", response.text)
