"""The inbox finds the building file a clerk means, as it is typed on a desk."""

from __future__ import annotations

import pytest

from docstore.errors import PermissionDenied
from docstore.models import Role
from docstore.services import building_files, file_finder
from docstore.services.actors import CONSOLE

from .conftest import make_user


@pytest.fixture
def files(session):
    building_files.create_building_file(
        session, "63-BA-2019-0457", street="Venloer Straße", house_number="411 a",
        postcode="50825", municipality="Köln", actor=CONSOLE,
        parcels=[("Ehrenfeld", "12", "345/6")],
    )  # fmt: skip
    building_files.create_building_file(
        session, "63-BA-2019-0458", street="Venloer Strasse", house_number="4",
        municipality="Köln", actor=CONSOLE,
    )  # fmt: skip
    building_files.create_building_file(
        session, "63-BA-1962-0012", street="Hauptstraße", house_number="411", actor=CONSOLE
    )
    return session


def _found(session, text: str) -> list[str]:
    return [bf.aktenzeichen for bf in file_finder.candidates(session, text, actor=CONSOLE)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("63-ba-2019-0457", ["63-BA-2019-0457"]),
        ("63/BA/2019/457", ["63-BA-2019-0457"]),
        ("Venloer Str. 411a", ["63-BA-2019-0457"]),
        ("venloer strasse 411 a", ["63-BA-2019-0457"]),
        ("Venloer Straße 4", ["63-BA-2019-0458"]),
        ("345/6", ["63-BA-2019-0457"]),
        ("Ehrenfeld 345/6", ["63-BA-2019-0457"]),
        ("Venloer", ["63-BA-2019-0457", "63-BA-2019-0458"]),
        ("Hauptstr. 411", ["63-BA-1962-0012"]),
        ("%", []),
        ("x", []),
    ],
)
def test_a_file_is_found_as_people_type_it(files, typed, expected) -> None:
    assert _found(files, typed) == expected


def test_the_exact_number_in_any_case_wins_and_is_the_only_direct_match(files) -> None:
    assert file_finder.exact(files, " 63-ba-2019-0457 ", actor=CONSOLE).aktenzeichen == (
        "63-BA-2019-0457"
    )
    assert file_finder.exact(files, "Venloer Str. 411a", actor=CONSOLE) is None
    assert _found(files, "63-BA-2019-045")[:2] == ["63-BA-2019-0457", "63-BA-2019-0458"]


def test_only_those_who_sort_the_inbox_may_look(files) -> None:
    citizen = make_user(files, "finder.citizen", Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        file_finder.candidates(files, "Venloer", actor=citizen)


def test_umlauts_match_in_any_case_and_twins_in_case_are_not_guessed(files) -> None:
    building_files.create_building_file(files, "ÄB-1962-7", actor=CONSOLE)
    assert file_finder.exact(files, "äb-1962-7", actor=CONSOLE).aktenzeichen == "ÄB-1962-7"
    building_files.create_building_file(files, "xy-1", actor=CONSOLE)
    building_files.create_building_file(files, "XY-1", actor=CONSOLE)
    assert file_finder.exact(files, "xy-1", actor=CONSOLE).aktenzeichen == "xy-1"  # as typed
    assert file_finder.exact(files, "Xy-1", actor=CONSOLE) is None  # which one? ask


def test_a_file_number_is_not_created_twice(files) -> None:
    from docstore.errors import Conflict

    with pytest.raises(Conflict):
        building_files.create_building_file(files, "63-BA-2019-0457", actor=CONSOLE)


def test_a_street_with_a_capital_umlaut_is_found_typed_in_lower_case(files) -> None:
    building_files.create_building_file(
        files, "63-BA-1975-0031", street="Ölbergstraße", house_number="3", actor=CONSOLE
    )
    assert _found(files, "ölbergstr 3") == ["63-BA-1975-0031"]
    assert _found(files, "ÖLBERG") == ["63-BA-1975-0031"]
