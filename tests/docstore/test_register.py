"""The register import: paper-only building files created once, completed, never overwritten."""

from __future__ import annotations

import pytest

from docstore.errors import PermissionDenied, UsageError
from docstore.models import Role
from docstore.services import building_files, register
from docstore.services.actors import CONSOLE

from .conftest import make_user

HEADER = "aktenzeichen;street;house_number;postcode;municipality;district;year;gemarkung;flur;"
REGISTER = (
    HEADER
    + """flurstueck
63-BA-1931-0007;Severinstraße;15;50678;Köln;Innenstadt;1931;Köln;3;112/1
63-BA-1931-0007;;;;;;;Köln;3;112/2
63-BA-1958-0420;Am Ring;2;;Köln;;1958;;;
;Ohne Zeichen;1;;;;;;;
63-BA-1960-0001;;;;;;neunzehnhundert;;;
63-BA-1961-0002;;;;;;;Köln;;
"""
)


def test_a_register_creates_paper_files_with_their_parcels(session) -> None:
    report = register.import_register(session, REGISTER, actor=CONSOLE)
    assert report.created == ["63-BA-1931-0007", "63-BA-1958-0420"]
    assert [n for n, _ in report.problems] == [5, 6, 7]  # as a spreadsheet numbers them
    assert "aktenzeichen" in report.problems[0][1] and "year" in report.problems[1][1]
    bf = building_files.get_by_aktenzeichen(session, "63-BA-1931-0007")
    assert (bf.street, bf.year, bf.documents) == ("Severinstraße", 1931, [])
    assert sorted(p.flurstueck for p in bf.parcels) == ["112/1", "112/2"]


def test_importing_again_changes_nothing_and_keeps_a_clerks_entries(session) -> None:
    register.import_register(session, REGISTER, actor=CONSOLE)
    bf = building_files.get_by_aktenzeichen(session, "63-BA-1958-0420")
    bf.street = "Am Ring (Hinterhaus)"  # a clerk's correction
    again = register.import_register(session, REGISTER, actor=CONSOLE)
    assert again.created == [] and again.completed == [] and again.unchanged == 2
    assert bf.street == "Am Ring (Hinterhaus)"
    more = register.import_register(
        session, "aktenzeichen,postcode\n63-BA-1958-0420,50667\n", actor=CONSOLE
    )
    assert more.completed == ["63-BA-1958-0420"] and bf.postcode == "50667"


def test_only_staff_who_ingest_may_import_and_the_header_is_checked(session) -> None:
    citizen = make_user(session, "erika", Role.CITIZEN)
    for nobody in (citizen, None):
        with pytest.raises(PermissionDenied):
            register.import_register(session, REGISTER, actor=nobody)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="unknown columns strasse"):
        register.import_register(session, "aktenzeichen,strasse\nA-1,x\n", actor=CONSOLE)
    with pytest.raises(UsageError, match="no column 'aktenzeichen'"):
        register.import_register(session, "street\nx\n", actor=CONSOLE)
