"""Search filters: removable chips, several kinds at once, a year range, headings that tell
results apart, a thumbnail each; hostile filter values are ignored, never an error."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from docstore.models import AuditEvent

from .conftest import GRANTED, MARKER, OTHER


def _results(html: str) -> str:
    return html.split('class="results"')[1].split("</ol>")[0]


def test_a_kind_filter_is_a_chip_and_other_kinds_stay_offered(client_as) -> None:
    clerk = client_as("clerk")
    page = clerk.get(f"/search?q={MARKER}&art=statik").text
    assert "2 Dokumente gefunden" in page
    chips = page.split('class="chips"')[1].split("</ul>")[0]
    assert "Statik" in chips and f'href="/search?q={MARKER}&amp;sort=relevance"' in chips
    assert 'name="art" value="statik" id="art-statik" checked' in page
    assert 'name="art" value="baugenehmigung"' in page  # still offered, counted
    assert re.search(r"Baugenehmigung <span class=\"count\">\(\d+\)</span>", page)
    both = clerk.get(f"/search?q={MARKER}&art=statik&art=baugenehmigung").text
    everything = clerk.get(f"/search?q={MARKER}").text
    counts = [int(re.search(r"(\d+) Dokumente? gefunden", p).group(1)) for p in (both, everything)]
    assert 2 < counts[0] <= counts[1]


def test_a_year_range_filters_and_reversed_years_are_put_in_order(client_as) -> None:
    clerk = client_as("clerk")
    wide = clerk.get(f"/search?q={MARKER}&von=1500&bis=2099").text
    reversed_ = clerk.get(f"/search?q={MARKER}&von=2099&bis=1500").text
    none = clerk.get(f"/search?q={MARKER}&von=1500&bis=1501").text

    def found(page: str) -> int:
        return int(re.search(r"(\d+) Dokumente? gefunden", page).group(1))

    assert 0 < found(wide) == found(reversed_)  # a year range asks for dated documents
    assert found(none) == 0
    assert 'value="1500"' in reversed_ and 'value="2099"' in reversed_


def test_results_carry_file_number_date_and_thumbnail(client_as) -> None:
    results = _results(client_as("clerk").get(f"/search?q={MARKER}").text)
    headings = re.findall(r'<h2 class="result-title">(.*?)</h2>', results, re.S)
    assert headings and all(GRANTED in h or OTHER in h for h in headings)
    assert results.count("/thumb.jpg") == len(headings)


def test_hostile_filter_values_are_ignored(client_as) -> None:
    clerk = client_as("clerk")
    for query in ("art=%3Cscript%3E", "bezirk=a%20OR%20az:x", "von=abc&bis=99999",
                  "art=" + "statik&art=" * 20 + "statik"):  # fmt: skip
        response = clerk.get(f"/search?q={MARKER}&{query}")
        assert response.status_code == 200, query
        assert "<script>" not in response.text.split("</head>")[1]
    only_filter = clerk.get("/search?art=statik")
    assert only_filter.status_code == 200 and "Dokumente gefunden" in only_filter.text


def test_a_citizen_sees_only_granted_documents_through_filters(client_as) -> None:
    page = client_as("citizen.active").get("/search?art=statik&art=baugenehmigung").text
    assert OTHER not in _results(page) and GRANTED in _results(page)


def test_a_trailing_or_does_not_swallow_a_filter(client_as) -> None:
    clerk = client_as("clerk")
    plain = clerk.get(f"/search?q={MARKER}&art=statik").text
    dangling = clerk.get(f"/search?q={MARKER}+OR&art=statik").text
    assert "2 Dokumente gefunden" in plain and "2 Dokumente gefunden" in dangling


def test_one_filtered_search_is_one_audit_event(archive, client_as) -> None:
    """The page counts the other kinds with a second search; the trail holds the question once."""
    clerk = client_as("clerk")
    with archive.instance.db.session() as s:
        before = s.scalar(select(func.max(AuditEvent.id)))
    clerk.get(f"/search?q={MARKER}&art=statik")
    with archive.instance.db.session() as s:
        searches = s.scalars(
            select(AuditEvent.details).where(AuditEvent.id > before, AuditEvent.action == "search")
        ).all()
    assert len(searches) == 1 and "art:statik" in str(searches[0])
