"""Every route x every role x every grant state, declared; a route without a rule fails.

Outcomes: 200 shown, 302 sent to sign-in, 403 known but not allowed, 404 not
for this user (indistinguishable from "does not exist").  Object routes are
asked about a document of the granted file; an external user's grant state
on that file is the column.  Searches are checked by hit counts, since a
search page is always 200.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from docstore.models import Page, UploadFile
from viewer.api.auth import token_allowed

from .conftest import GRANT_STATES, GRANTED, MARKER, OTHER, csrf_token, make_token

STAFF = ("clerk", "auditor", "admin")
PEOPLE = ("anonymous", *STAFF, "architect", *(f"citizen.{s}" for s in GRANT_STATES))


def _expect_view(who: str, *, listed_document: bool = True) -> int:
    """A document (or its file) of GRANTED: who may see it?"""
    if who == "anonymous":
        return 302
    if who in STAFF:
        return 200
    state = who.removeprefix("citizen.")
    if state in ("active", "download"):
        return 200
    if state == "documents":
        return 200 if listed_document else 404
    return 404


def _expect_download(who: str) -> int:
    seen = _expect_view(who)
    if seen != 200:
        return seen
    if who in STAFF or who == "citizen.download":
        return 200
    return 403  # sees the document, may not download it


def _public(who: str) -> int:
    return 200


def _not_mine(who: str) -> int:
    """Someone else's (here: nobody's) token: as if it did not exist."""
    return 302 if who == "anonymous" else 404


def _no_provider(who: str) -> int:
    """Online payment where none is configured: not there for anyone
    (tests/web/test_online_payments.py checks who may do what where it is)."""
    return 404


def _signed_in(who: str) -> int:
    return 302 if who == "anonymous" else 200


def _signed_in_bad_form(who: str) -> int:
    """A form sent empty: the signed-in get their form back with its errors."""
    return 302 if who == "anonymous" else 400


def _own_account(who: str) -> int:
    """A citizen's or architect's own account; staff accounts are closed by an admin."""
    if who == "anonymous":
        return 302
    return 403 if who in STAFF else 200


def _applicant(who: str) -> int:
    """The application pages: citizens and architects; staff are told they do not apply."""
    if who == "anonymous":
        return 302
    return 403 if who in STAFF else 200


def _applicant_own(who: str) -> int:
    """citizen.none's application: theirs alone; to every other applicant it does not exist."""
    seen = _applicant(who)
    return seen if seen != 200 or who == "citizen.none" else 404


def _applicant_nothing(who: str) -> int:
    """An application nobody has."""
    seen = _applicant(who)
    return 404 if seen == 200 else seen


def _reviewer(who: str, done: int = 200) -> int:
    """The clerk's desk for applications: clerks and admins."""
    if who == "anonymous":
        return 302
    return done if who in ("clerk", "admin") else 403


def _reviewer_nothing(who: str) -> int:
    return _reviewer(who, done=404)


def _addressee_or_reviewer(who: str) -> int:
    """citizen.none's fee notice: theirs and the reviewers'; to anyone else it does not exist."""
    if who == "anonymous":
        return 302
    return 200 if who in ("clerk", "admin", "citizen.none") else 404


def _api(expect):
    """The same rule through the API: no redirect to a sign-in page, 401 instead."""
    return lambda who: 401 if who == "anonymous" else expect(who)


def _clerk(who: str, done: int = 200) -> int:
    """Pages of the clerk's desk: clerks and admins; everyone else knows they exist (403)."""
    if who == "anonymous":
        return 302
    return done if who in ("clerk", "admin") else 403


def _redactor(who: str) -> int:
    """Redacting a page: clerks and admins (an empty form: back to the page with a message);
    whoever sees the page may not, whoever does not sees nothing."""
    if who in ("clerk", "admin"):
        return 303
    seen = _expect_view(who)
    return 403 if seen == 200 else seen


def _auditor(who: str, done: int = 200) -> int:
    if who == "anonymous":
        return 302
    return done if who in ("auditor", "admin") else 403


def _admin(who: str, done: int = 200) -> int:
    if who == "anonymous":
        return 302
    return done if who == "admin" else 403


def _clerk_post(who: str) -> int:
    return _clerk(who, done=302)


def _clerk_post_303(who: str) -> int:
    return _clerk(who, done=303)


def _redirect_if_seen(who: str) -> int:
    """The IIIF base URI: those who see the page are sent on to its info.json."""
    seen = _expect_view(who)
    return 303 if seen == 200 else seen


def _extract_order(who: str) -> int:
    """An order with nothing chosen: those who see the file are sent back to the form."""
    seen = _expect_view(who)
    return 303 if seen == 200 else seen


# endpoint -> (method, url template, expectation); {doc} is the first document of GRANTED
# (the one a "documents" grant lists), {other_doc} the second, {file} the granted file.
RULES = {
    "static": ("GET", "/static/app.css", _public),
    "accounts.login": ("GET", "/login", lambda who: 200 if who == "anonymous" else 302),
    "accounts.logout": ("POST", "/logout", lambda who: 302),
    "accounts.code": ("GET", "/login/code", lambda who: 302),  # nothing pending: to sign-in
    "accounts.enrol": ("GET", "/login/enrol", lambda who: 302),
    "accounts.own_second_factor": ("GET", "/account/second-factor", _signed_in),
    "accounts.api_tokens": ("GET", "/account/tokens", _signed_in),
    "accounts.change_password": ("GET", "/account/password", _signed_in),
    "accounts.revoke_token": ("POST", "/account/tokens/999999/revoke", _not_mine),
    "accounts.language": ("POST", "/language", lambda who: 302),
    "accounts.register": ("GET", "/register", lambda who: 200 if who == "anonymous" else 302),
    "accounts.confirm_email": ("GET", "/register/confirm/forged", lambda who: 404),
    "accounts.resend_confirmation": ("GET", "/register/again", _public),
    "accounts.forgotten_password": ("GET", "/password/forgotten", _public),
    # no identity provider configured here: the SAML routes do not exist (test_saml.py checks
    # them with Keycloak)
    "accounts.saml_login": ("POST", "/saml/login", lambda who: 404),
    "accounts.saml_acs": ("POST", "/saml/acs", lambda who: 404),
    "accounts.saml_finish": ("GET", "/saml/finish/forged", lambda who: 404),
    "accounts.saml_metadata": ("GET", "/saml/metadata", lambda who: 404),
    "accounts.reset_password": ("GET", "/password/reset/forged", lambda who: 404),
    "accounts.profile_page": ("GET", "/account", _signed_in),
    "accounts.change_email": ("POST", "/account/email", _signed_in_bad_form),
    "accounts.confirm_new_email": ("GET", "/account/email/forged", _not_mine),
    "accounts.delete_account": ("GET", "/account/delete", _own_account),
    "archive.start": ("GET", "/", _signed_in),
    "applications.new_application": ("GET", "/applications/new", _applicant),
    "applications.street_suggestions": ("GET", "/applications/streets?q=Ha", _applicant),
    "applications.show": ("GET", "/applications/{application}", _applicant_own),
    "applications.proof": ("GET", "/applications/{application}/proofs/{proof}", _applicant_own),
    "applications.answer": ("POST", "/applications/999999/answer", _applicant_nothing),
    "applications.withdraw": ("POST", "/applications/999999/withdraw", _applicant_nothing),
    "review.queue": ("GET", "/review", _reviewer),
    "review.show": ("GET", "/review/{application}", _reviewer),
    "review.proof": ("GET", "/review/{application}/proofs/{proof}", _reviewer),
    "review.assign": ("POST", "/review/999999/assign", _reviewer_nothing),
    "review.ask": ("POST", "/review/999999/ask", _reviewer_nothing),
    "review.approve": ("POST", "/review/999999/approve", _reviewer_nothing),
    "review.reject": ("POST", "/review/999999/reject", _reviewer_nothing),
    "review.no_file": ("POST", "/review/999999/no-file", _reviewer_nothing),
    "review.digitise": ("POST", "/review/999999/digitise", _reviewer_nothing),
    "fees.notice_pdf": ("GET", "/fee-notices/{fee_notice}.pdf", _addressee_or_reviewer),
    "fees.desk_payment": ("POST", "/fee-notices/999999/desk", _not_mine),
    "fees.cancel_notice": ("POST", "/fee-notices/999999/cancel", _not_mine),
    "fees.payments_page": ("GET", "/payments", _reviewer),
    "fees.assign_payment": ("POST", "/payments/999999/assign", _clerk_post),
    "fees.import_statement": ("POST", "/payments/statements", _clerk_post),
    "online_payments.pay": ("POST", "/fee-notices/{fee_notice}/pay", _not_mine),
    "online_payments.back": ("GET", "/payments/online/x/return", _not_mine),
    "online_payments.notify": ("POST", "/payments/online/notify", _no_provider),
    "extracts.new": ("GET", "/files/{file}/extract", _expect_view),
    "extracts.order": ("POST", "/files/{file}/extract", _extract_order),
    "extracts.index": ("GET", "/extracts/", _signed_in),
    "extracts.show": ("GET", "/extracts/999999", _not_mine),
    "extracts.download": ("GET", "/extracts/999999.pdf", _not_mine),
    "extracts.record_consent": ("POST", "/documents/{doc}/plan-consent", _clerk_post_303),
    "extracts.withdraw_consent": (
        "POST",
        "/documents/{doc}/plan-consent/withdraw",
        _clerk_post_303,
    ),
    "legal.legal_page": ("GET", "/impressum", _public),
    "archive.building_file": ("GET", "/files/{file}", _expect_view),
    "archive.document": ("GET", "/documents/{doc}", _expect_view),
    "images.page_thumbnail": ("GET", "/documents/{doc}/pages/1/thumb.jpg", _expect_view),
    "images.page_image_jpeg": ("GET", "/documents/{doc}/pages/1/image.jpg?w=400", _expect_view),
    "iiif.base": ("GET", "/iiif/3/{page}", _redirect_if_seen),
    "iiif.image_info": ("GET", "/iiif/3/{page}/info.json", _expect_view),
    "iiif.image": ("GET", "/iiif/3/{page}/0,0,512,512/256,/0/default.jpg", _expect_view),
    "iiif_presentation.document_manifest": (
        "GET",
        "/iiif/presentation/3/documents/{doc}/manifest.json",
        _expect_view,
    ),
    "iiif_presentation.document_search": (
        "GET",
        f"/iiif/presentation/3/documents/{{doc}}/search?q={MARKER}",
        _expect_view,
    ),
    "hits.page_hits": ("GET", f"/documents/{{doc}}/pages/1/hits.json?q={MARKER}", _expect_view),
    "downloads.download": ("GET", "/documents/{doc}/download", _expect_download),
    "redaction.add": ("POST", "/documents/{doc}/pages/1/redactions", _redactor),
    "redaction.lift": ("POST", "/redactions/999999/lift", lambda who: _clerk(who, done=404)),
    "searching.search_page": ("GET", f"/search?q={MARKER}", _signed_in),
    "clerk.upload": ("GET", "/upload", _clerk),
    "clerk.manifest_template": ("GET", "/upload/manifest-vorlage.csv", _clerk),
    "clerk.upload_status": ("GET", "/upload/{upload}", _clerk),
    "clerk.upload_status_json": ("GET", "/upload/{upload}/status.json", _clerk),
    # an accepted file: nothing to correct (tests/web/test_upload_page.py corrects rows)
    "corrections.correct": (
        "GET",
        "/upload/{upload}/files/{upload_file}/correct",
        lambda w: _clerk(w, done=400),
    ),
    "corrections.discard": ("POST", "/upload/{upload}/files/{upload_file}/discard", _clerk_post),
    "clerk.inbox": ("GET", "/inbox", _clerk),
    "clerk.assign": ("POST", "/documents/{inbox_doc}/assign", lambda w: _clerk(w, done=400)),
    "clerk.new_file": ("POST", "/documents/{inbox_doc}/new-file", lambda w: _clerk(w, done=400)),
    "clerk.file_suggestions": ("GET", "/inbox/files?q=63", _clerk),
    "clerk.edit_document": ("GET", "/documents/{doc}/edit", _clerk),
    "clerk.edit_building_file": ("GET", "/files/{file}/edit", _clerk),
    "grants.file_grants": ("GET", "/files/{file}/grants", _clerk),
    "grants.revoke": ("POST", "/files/{file}/grants/revoke", _clerk_post),
    "grants.suggestions": ("GET", "/grants/people?q=cit", _clerk),
    "oversight.trail": ("GET", "/audit", _auditor),
    "oversight.trail_csv": ("GET", "/audit.csv", _auditor),
    "oversight.people_suggestions": ("GET", "/audit/people?q=cit", _auditor),
    "oversight.verify": ("POST", "/audit/verify", _auditor),
    "oversight.user_list": ("GET", "/admin/users", _admin),
    "oversight.change_user": ("POST", "/admin/users/999999", lambda who: _admin(who, done=302)),
    "oversight.credentials": (
        "GET",
        "/admin/users/999999/credentials?change=reset-password",
        lambda who: _admin(who, done=302),
    ),
    "api-docs.openapi_json": ("GET", "/api/v1/openapi.json", _public),
    "api_files.BuildingFileCollection": ("GET", "/api/v1/building-files", _api(_signed_in)),
    "api_files.BuildingFileItem": ("GET", "/api/v1/building-files/{file}", _api(_expect_view)),
    "api_files.DocumentItem": ("GET", "/api/v1/documents/{doc}", _api(_expect_view)),
    "api_files.PageItem": ("GET", "/api/v1/documents/{doc}/pages/1", _api(_expect_view)),
    "api_search.Search": ("GET", f"/api/v1/search?q={MARKER}", _api(_signed_in)),
    "api_audit.AuditTrail": ("GET", "/api/v1/audit", _api(_auditor)),
    "api_tokens.TokenCollection": ("GET", "/api/v1/tokens", _api(_signed_in)),
    "api_applications.ApplicationCollection": ("GET", "/api/v1/applications", _api(_applicant)),
    "api_applications.ApplicationItem": (
        "GET",
        "/api/v1/applications/{application}",
        _api(_applicant_own),
    ),
    "api_applications.ApplicationAnswer": (
        "POST",
        "/api/v1/applications/999999/answer",
        _api(_applicant_nothing),
    ),
    "api_applications.ApplicationWithdraw": (
        "POST",
        "/api/v1/applications/999999/withdraw",
        _api(_applicant_nothing),
    ),
    "api_applications.ReviewQueue": ("GET", "/api/v1/review", _api(_reviewer)),
    "api_applications.ReviewItem": ("GET", "/api/v1/review/{application}", _api(_reviewer)),
    "api_staff.UploadCollection": ("POST", "/api/v1/uploads", _api(lambda w: _clerk(w, 422))),
    "api_staff.UploadItem": ("GET", "/api/v1/uploads/999999", _api(lambda w: _clerk(w, 404))),
    "api_staff.DocumentAssignment": (
        "PUT",
        "/api/v1/documents/{inbox_doc}/assignment",
        _api(lambda w: _clerk(w, 422)),
    ),
    "api_staff.DocumentMetadata": (
        "PATCH",
        "/api/v1/documents/{doc}/metadata",
        _api(_clerk),  # nothing given: nothing changed
    ),
    "api_staff.GrantCollection": ("GET", "/api/v1/building-files/{file}/grants", _api(_clerk)),
    "api_staff.GrantRevocation": (
        "POST",
        "/api/v1/building-files/{file}/grants/revocation",
        _api(lambda w: _clerk(w, 422)),
    ),
    "api_tokens.TokenItem": (
        "DELETE",
        "/api/v1/tokens/999999",
        lambda who: 401 if who == "anonymous" else 404,
    ),
}

# The same routes for a document the "documents" grant does not list.
UNLISTED = {
    "archive.document": "/documents/{other_doc}",
    "api_files.DocumentItem": "/api/v1/documents/{other_doc}",
    "api_files.PageItem": "/api/v1/documents/{other_doc}/pages/1",
    "images.page_thumbnail": "/documents/{other_doc}/pages/1/thumb.jpg",
    "images.page_image_jpeg": "/documents/{other_doc}/pages/1/image.jpg?w=400",
    "iiif.base": "/iiif/3/{other_page}",
    "iiif.image_info": "/iiif/3/{other_page}/info.json",
    "iiif.image": "/iiif/3/{other_page}/full/max/0/default.png",
    "iiif_presentation.document_manifest": (
        "/iiif/presentation/3/documents/{other_doc}/manifest.json"
    ),
    "iiif_presentation.document_search": "/iiif/presentation/3/documents/{other_doc}/search?q=x",
    "hits.page_hits": "/documents/{other_doc}/pages/1/hits.json?q=x",
    "downloads.download": "/documents/{other_doc}/download",
}


def test_every_route_has_a_declared_rule(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - RULES.keys() == set(), "routes without an access rule"
    assert RULES.keys() - endpoints == set(), "rules for routes that no longer exist"


def _url(template: str, archive) -> str:
    docs = archive.documents[GRANTED]
    return template.format(
        file=archive.files[GRANTED],
        doc=docs[0],
        other_doc=docs[1],
        upload=archive.upload,
        upload_file=_upload_file(archive),
        inbox_doc=archive.inbox_document,
        application=archive.application,
        proof=archive.proof,
        fee_notice=archive.fee_notice,
        page=_first_page(archive, docs[0]),
        other_page=_first_page(archive, docs[1]),
    )


def _upload_file(archive) -> int:
    with archive.instance.db.session() as s:
        return s.scalar(select(UploadFile.id).where(UploadFile.batch_id == archive.upload))


def _first_page(archive, document_id: int) -> str:
    """The page's IIIF identifier."""
    with archive.instance.db.session() as s:
        return s.scalar(
            select(Page.iiif_id).where(Page.document_id == document_id, Page.number == 1)
        )


def _status(client, method: str, url: str) -> int:
    data = None
    if method in ("POST", "DELETE", "PUT", "PATCH"):
        token = re.search(
            r'name="csrf_token" value="([^"]+)"', client.get("/login", follow_redirects=True).text
        )
        data = {"csrf_token": token.group(1) if token else ""}
    with client.open(url, method=method, data=data) as response:
        return response.status_code


@pytest.mark.parametrize("who", PEOPLE)
def test_access_matrix(who: str, archive, own_session_as) -> None:
    client = own_session_as(None if who == "anonymous" else who)
    failures = []
    for endpoint, (method, template, expect) in RULES.items():
        if method in ("POST", "DELETE", "PUT", "PATCH"):
            continue  # changes: checked below, after every look
        got = _status(client, method, _url(template, archive))
        if got != expect(who):
            failures.append(f"{endpoint}: {got}, expected {expect(who)}")
    for endpoint, template in UNLISTED.items():
        expected = RULES[endpoint][2](who)
        if who == "citizen.documents":
            expected = 404
        got = _status(client, "GET", _url(template, archive))
        if got != expected:
            failures.append(f"{endpoint} (unlisted document): {got}, expected {expected}")
    posts = sorted(RULES, key=lambda e: e == "accounts.logout")  # signing out comes last
    for endpoint in posts:
        method, template, expect = RULES[endpoint]
        if method in ("POST", "DELETE", "PUT", "PATCH"):
            got = _status(client, method, _url(template, archive))
            if got != expect(who):
                failures.append(f"{endpoint}: {got}, expected {expect(who)}")
    assert failures == []


@pytest.mark.parametrize("who", ("clerk", "admin", "auditor", "citizen.download", "citizen.none"))
def test_a_token_opens_only_the_api_and_its_links(who: str, archive, app) -> None:
    """A bearer token, no cookie: the API and its image links as the user, the rest anonymous."""
    bearer = {"Authorization": f"Bearer {make_token(archive.instance, who)}"}
    client = app.test_client()
    failures = []
    for endpoint, (method, template, expect) in RULES.items():
        as_user = token_allowed(endpoint)
        expected = expect(who) if as_user else expect("anonymous")
        data = None
        if method != "GET":  # a form's CSRF token from an anonymous session, plus the token
            data = {"csrf_token": csrf_token(client.get("/login").text)}
        url = _url(template, archive)
        with client.open(url, method=method, headers=bearer, data=data) as response:
            got = response.status_code
        if got != expected:
            failures.append(f"{endpoint}: {got}, expected {expected}")
    assert failures == []


def _hits(client, query: str) -> tuple[int, str]:
    page = client.get(f"/search?q={query}").text
    found = re.search(r"(\d+) Dokumente? gefunden", page)
    return (int(found.group(1)) if found else 0), page


@pytest.mark.parametrize("who", PEOPLE[1:])
def test_search_counts_only_what_the_user_may_see(who: str, client_as) -> None:
    total, page = _hits(client_as(who), MARKER)
    if who in STAFF:
        assert total == 4
    elif who in ("citizen.active", "citizen.download"):
        assert total == 2 and GRANTED in page
    elif who == "citizen.documents":
        assert total == 1
    else:
        assert total == 0
    if who not in STAFF:
        assert OTHER not in page  # no hit, snippet, facet or count of an ungranted file
        assert _hits(client_as(who), OTHER)[0] == 0
