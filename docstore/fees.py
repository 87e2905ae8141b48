"""Fee arithmetic: what an inspection or an extract costs, item by item, in integer cents.

Pure functions over a :class:`FeeSchedule` read from the settings, so every rule
can be tested alone and a fee notice lists exactly the items that were added up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from .models import Legitimation

A4_LONG_SIDE_PT = 842.0
A4_SHORT_SIDE_PT = 595.0
SIZE_TOLERANCE = 1.03
"""Scans run a little over their paper size; 3 % more still counts as A4."""
MAX_MINUTES = 24 * 60
MAX_CENTS = 10_000_000
"""100,000 €: far above any inspection fee; larger is a typing error."""


class FeeCode(StrEnum):
    APPLICATION = "application"
    FILE = "file"
    TIME = "time"
    """Started half hours of clerk time."""
    PAGE_A4 = "page_a4"
    PAGE_A3 = "page_a3"
    EXEMPTION = "exemption"
    ADJUSTMENT = "adjustment"
    """The clerk's change of the computed total, with a reason."""


class Exemption(StrEnum):
    AUTHORITY = "authority"
    OWNER = "owner"


@dataclass(frozen=True)
class FeeItem:
    code: FeeCode
    quantity: int
    unit_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents

    def as_dict(self) -> dict:
        return {"code": self.code.value, "quantity": self.quantity, "unit_cents": self.unit_cents}

    @classmethod
    def from_dict(cls, data: dict) -> FeeItem:
        return cls(FeeCode(data["code"]), int(data["quantity"]), int(data["unit_cents"]))


@dataclass(frozen=True)
class FeeSchedule:
    application_cents: int = 0
    file_cents: int = 0
    half_hour_cents: int = 0
    page_a4_cents: int = 0
    page_a3_cents: int = 0
    exempt_domains: frozenset[str] = frozenset()
    owner_exempt: bool = False
    pay_afterwards: bool = False
    due_days: int = 30


def schedule_of(config) -> FeeSchedule:
    """The instance's fee schedule; a negative fee in the settings is a configuration error."""
    from .errors import ConfigError

    amounts = {
        name: config.values[f"fee_{name}"]
        for name in ("application_cents", "file_cents", "half_hour_cents",
                     "page_a4_cents", "page_a3_cents")
    }  # fmt: skip
    for name, cents in amounts.items():
        if not 0 <= cents <= MAX_CENTS:
            raise ConfigError(f"fee_{name} must be between 0 and {MAX_CENTS} cents, got {cents}")
    if config.values["fee_due_days"] < 1:
        raise ConfigError("fee_due_days must be at least 1")
    listed = config.values["fee_exempt_domains"].split(",")
    domains = {d.strip().lower().lstrip("@") for d in listed}
    return FeeSchedule(
        **amounts,
        exempt_domains=frozenset(d for d in domains if d),
        owner_exempt=config.values["fee_owner_exempt"],
        pay_afterwards=config.values["fee_pay_afterwards"],
        due_days=config.values["fee_due_days"],
    )


def started_half_hours(minutes: int) -> int:
    """Every started half hour counts whole: 1 minute is one, 31 minutes are two."""
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValueError(f"minutes must be between 0 and {MAX_MINUTES}")
    return -(-minutes // 30)


def exemption(schedule: FeeSchedule, legitimation: str, email: str | None) -> Exemption | None:
    """Why an application is free, if it is: an authority's address, or an owner where the
    city waives the fee for one's own file."""
    domain = (email or "").rpartition("@")[2].lower()
    if domain and any(domain == d or domain.endswith("." + d) for d in schedule.exempt_domains):
        return Exemption.AUTHORITY
    if schedule.owner_exempt and legitimation == Legitimation.OWNER.value:
        return Exemption.OWNER
    return None


def inspection(
    schedule: FeeSchedule, *, files: int = 1, minutes: int = 0, exempt: Exemption | None = None
) -> list[FeeItem]:
    """The items of an inspection: the flat fee, the files, the clerk's time; an exemption
    cancels them as one item of its own, so the notice shows what was waived."""
    items = [FeeItem(FeeCode.APPLICATION, 1, schedule.application_cents)]
    if files:
        items.append(FeeItem(FeeCode.FILE, files, schedule.file_cents))
    if minutes and schedule.half_hour_cents:
        items.append(FeeItem(FeeCode.TIME, started_half_hours(minutes), schedule.half_hour_cents))
    items = [i for i in items if i.total_cents]
    if exempt is not None and items:
        items.append(FeeItem(FeeCode.EXEMPTION, 1, -total(items)))
    return items


def page_class(width_pt: float, height_pt: float) -> FeeCode:
    """A4 for a page up to A4 in either orientation (with scanning's tolerance), A3 above."""
    long_side, short_side = max(width_pt, height_pt), min(width_pt, height_pt)
    if long_side <= A4_LONG_SIDE_PT * SIZE_TOLERANCE and short_side <= (
        A4_SHORT_SIDE_PT * SIZE_TOLERANCE
    ):
        return FeeCode.PAGE_A4
    return FeeCode.PAGE_A3


def extract(schedule: FeeSchedule, page_sizes: list[tuple[float, float]]) -> list[FeeItem]:
    """Per page of an extract, by its size in PDF points."""
    classes = [page_class(w, h) for w, h in page_sizes]
    unit = {FeeCode.PAGE_A4: schedule.page_a4_cents, FeeCode.PAGE_A3: schedule.page_a3_cents}
    items = [FeeItem(code, classes.count(code), unit[code]) for code in unit if code in classes]
    return [i for i in items if i.total_cents]


def adjusted(items: list[FeeItem], new_total_cents: int) -> list[FeeItem]:
    """The clerk's total as one more item (the difference), so the computed items stay."""
    if not 0 <= new_total_cents <= MAX_CENTS:
        raise ValueError(f"a fee is between 0 and {MAX_CENTS} cents")
    difference = new_total_cents - total(items)
    return [*items, FeeItem(FeeCode.ADJUSTMENT, 1, difference)] if difference else list(items)


def total(items: list[FeeItem]) -> int:
    return sum(i.total_cents for i in items)


_EURO = re.compile(r"(?P<whole>[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,7})(?:[,.](?P<cents>[0-9]{1,2}))?")


def parse_euro(text: str) -> int:
    """Cents of an amount as people type it: ``16,50``, ``16.50``, ``16``, ``1.234,5 €``.

    ``1.234`` is read as thousands only with a comma part or three digits
    after the dot; anything else (a minus, letters, a third decimal) is refused.
    """
    value = text.strip().removesuffix("€").removesuffix("EUR").strip().replace(" ", "")
    match = _EURO.fullmatch(value)
    if match is None:
        raise ValueError(f"{text!r} is not an amount in euros")
    whole = int(match["whole"].replace(".", ""))
    cents = int((match["cents"] or "0").ljust(2, "0"))
    result = whole * 100 + cents
    if result > MAX_CENTS:
        raise ValueError(f"a fee is at most {MAX_CENTS // 100} euros")
    return result
