"""Fee arithmetic per rule, and payment references as people type them."""

from __future__ import annotations

import pytest

from docstore import fees, payment_reference
from docstore.config import load_config
from docstore.errors import ConfigError
from docstore.fees import Exemption, FeeCode, FeeItem, FeeSchedule

OSNABRUECK = FeeSchedule(application_cents=1400, file_cents=250, page_a4_cents=30,
                         page_a3_cents=60)  # fmt: skip
BY_TIME = FeeSchedule(application_cents=0, half_hour_cents=3200)


def test_the_flat_fee_and_the_files_add_up() -> None:
    items = fees.inspection(OSNABRUECK, files=2)
    assert [(i.code, i.quantity, i.total_cents) for i in items] == [
        (FeeCode.APPLICATION, 1, 1400),
        (FeeCode.FILE, 2, 500),
    ]
    assert fees.total(items) == 1900


@pytest.mark.parametrize(
    ("minutes", "half_hours"), [(0, 0), (1, 1), (29, 1), (30, 1), (31, 2), (60, 2), (61, 3)]
)
def test_every_started_half_hour_counts_whole(minutes: int, half_hours: int) -> None:
    assert fees.started_half_hours(minutes) == half_hours
    items = fees.inspection(BY_TIME, files=0, minutes=minutes)
    assert fees.total(items) == 3200 * half_hours


def test_minutes_out_of_range_are_refused() -> None:
    for minutes in (-1, 24 * 60 + 1):
        with pytest.raises(ValueError, match="minutes"):
            fees.started_half_hours(minutes)


def test_time_is_no_item_where_the_city_does_not_charge_by_time() -> None:
    items = fees.inspection(OSNABRUECK, files=1, minutes=90)
    assert FeeCode.TIME not in {i.code for i in items}


def test_an_exemption_cancels_the_items_but_keeps_them_on_record() -> None:
    items = fees.inspection(OSNABRUECK, files=1, exempt=Exemption.AUTHORITY)
    assert [i.code for i in items] == [FeeCode.APPLICATION, FeeCode.FILE, FeeCode.EXEMPTION]
    assert items[-1].total_cents == -1650
    assert fees.total(items) == 0


def test_who_is_exempt() -> None:
    schedule = FeeSchedule(exempt_domains=frozenset({"stadt.example"}), owner_exempt=True)
    assert fees.exemption(schedule, "neighbour", "a@stadt.example") is Exemption.AUTHORITY
    assert fees.exemption(schedule, "neighbour", "a@bauamt.stadt.example") is Exemption.AUTHORITY
    assert fees.exemption(schedule, "neighbour", "a@notstadt.example") is None
    assert fees.exemption(schedule, "neighbour", "stadt.example@evil.example") is None
    assert fees.exemption(schedule, "owner", "a@home.example") is Exemption.OWNER
    assert fees.exemption(FeeSchedule(), "owner", "a@stadt.example") is None


@pytest.mark.parametrize(
    ("size", "code"),
    [
        ((595, 842), FeeCode.PAGE_A4),
        ((842, 595), FeeCode.PAGE_A4),  # landscape
        ((612, 792), FeeCode.PAGE_A4),  # US letter
        ((610, 860), FeeCode.PAGE_A4),  # a scan a little over A4
        ((842, 1191), FeeCode.PAGE_A3),
        ((2384, 3370), FeeCode.PAGE_A3),  # A0 plan: charged as A3, the largest class
        ((300, 900), FeeCode.PAGE_A3),  # a strip longer than A4
    ],
)
def test_pages_are_charged_by_size(size: tuple[int, int], code: FeeCode) -> None:
    assert fees.page_class(*size) is code


def test_an_extract_counts_pages_per_size() -> None:
    items = fees.extract(OSNABRUECK, [(595, 842)] * 3 + [(842, 1191)])
    assert {(i.code, i.quantity) for i in items} == {(FeeCode.PAGE_A4, 3), (FeeCode.PAGE_A3, 1)}
    assert fees.total(items) == 3 * 30 + 60


def test_the_clerks_total_is_one_more_item() -> None:
    items = fees.inspection(OSNABRUECK, files=1)
    lower = fees.adjusted(items, 1000)
    assert lower[:-1] == items and lower[-1] == FeeItem(FeeCode.ADJUSTMENT, 1, -650)
    assert fees.total(lower) == 1000
    assert fees.adjusted(items, 1650) == items
    with pytest.raises(ValueError):
        fees.adjusted(items, -1)


def test_items_survive_storage() -> None:
    items = fees.inspection(OSNABRUECK, files=2, exempt=Exemption.OWNER)
    assert [FeeItem.from_dict(i.as_dict()) for i in items] == items
    assert all(isinstance(i.as_dict()["unit_cents"], int) for i in items)


def test_the_schedule_comes_from_the_settings(tmp_path) -> None:
    env = {"BAUAKTE_HOME": str(tmp_path), "BAUAKTE_FEE_HALF_HOUR_CENTS": "3200",
           "BAUAKTE_FEE_EXEMPT_DOMAINS": " Stadt.example, @pol.example,"}  # fmt: skip
    schedule = fees.schedule_of(load_config(environ=env))
    assert schedule.application_cents == 1400 and schedule.half_hour_cents == 3200
    assert schedule.exempt_domains == {"stadt.example", "pol.example"}
    for wrong in ({"BAUAKTE_FEE_FILE_CENTS": "-250"}, {"BAUAKTE_FEE_DUE_DAYS": "0"}):
        with pytest.raises(ConfigError, match="fee_"):
            fees.schedule_of(load_config(environ={"BAUAKTE_HOME": str(tmp_path), **wrong}))
    with pytest.raises(ConfigError, match="fee_page_a4_cents"):
        load_config(environ={"BAUAKTE_HOME": str(tmp_path), "BAUAKTE_FEE_PAGE_A4_CENTS": "0.30"})


def test_a_reference_is_an_iso_11649_creditor_reference() -> None:
    reference = payment_reference.make(4217)
    assert reference.startswith("RF") and payment_reference.is_valid(reference)
    assert payment_reference.display(reference).replace(" ", "") == reference
    assert len({payment_reference.make(n) for n in range(1, 2000)}) == 1999


def _typed(reference: str) -> list[str]:
    shown = payment_reference.display(reference)
    return [
        reference,
        shown,
        shown.lower(),
        shown.replace(" ", "-"),
        f"Gebuehr Bauakte {shown} Mustermann",
        reference[4:],  # without RF and its check digits
        f"VWZ:{reference[:4]}.{reference[4:6]}.{reference[6:]}",
        reference.replace("0", "O"),
        reference[:4] + reference[4:].replace("1", "l"),
    ]


@pytest.mark.parametrize("number", [1, 42, 4217, 9_999_999])
def test_references_are_read_as_people_type_them(number: int) -> None:
    reference = payment_reference.make(number)
    for typed in _typed(reference):
        assert payment_reference.notice_numbers(typed) == {number}, typed


def test_a_mistyped_reference_names_no_notice_rather_than_another() -> None:
    """Every single wrong digit and every swap of neighbours in our part is caught."""
    reference = payment_reference.make(4217)
    inner = reference[6:]  # the digits after "RFcc" "BA"
    wrong = {inner[:i] + d + inner[i + 1 :] for i in range(len(inner)) for d in "0123456789"}
    wrong |= {inner[:i] + inner[i + 1] + inner[i] + inner[i + 2 :] for i in range(len(inner) - 1)}
    wrong.discard(inner)
    for digits in wrong:
        assert payment_reference.notice_numbers(f"{reference[:6]}{digits}") == set(), digits
    assert payment_reference.notice_numbers("BA00042175") == set()  # a digit short
    assert payment_reference.notice_numbers("Miete Oktober 1234567") == set()


def test_two_references_in_one_transfer_name_both() -> None:
    one, two = payment_reference.make(7), payment_reference.make(8)
    assert payment_reference.notice_numbers(f"{one} und {two}") == {7, 8}
