"""The register of building files: every file the authority keeps, digitised or not.

Only about half of a big city's files are scanned; the rest are on paper
until someone asks.  A register import (CSV: one row per parcel, the same
Aktenzeichen on several rows for several parcels) creates the files that
are not there yet and fills in what a known file does not say yet; it never
overwrites what a clerk entered.  Importing the same register twice changes
nothing.  A bad row is reported with its number, as a spreadsheet shows it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..errors import UsageError
from ..models import BuildingFile, Parcel
from . import audit, roles
from .actors import Actor
from .building_files import AKTENZEICHEN, EDITABLE, create_building_file, find_by_aktenzeichen
from .roles import Capability

COLUMNS = (
    "aktenzeichen", "street", "house_number", "postcode", "municipality", "district", "year",
    "gemarkung", "flur", "flurstueck",
)  # fmt: skip
FILE_FIELDS = tuple(name for name in EDITABLE if name != "notes")
LIMITS = {
    name: column.type.length
    for table in (BuildingFile.__table__, Parcel.__table__)
    for name, column in table.columns.items()
    if name in COLUMNS and getattr(column.type, "length", None)
}
"""The column lengths of the models: a longer value is a bad row, not a database error."""


@dataclass
class RegisterReport:
    created: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    """Known files that gained a field or a parcel."""
    unchanged: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(row number, reason); the other rows are imported."""


def import_register(session: Session, text: str, *, actor: Actor) -> RegisterReport:
    """Import a register given as CSV text (``,`` or ``;`` separated, header row first)."""
    roles.require(actor, Capability.INGEST)
    report = RegisterReport()
    rows = _rows(text)
    touched: dict[str, bool] = {}
    for number, row in rows:
        try:
            values = _values(row)
        except ValueError as exc:
            report.problems.append((number, str(exc)))
            continue
        az = values.pop("aktenzeichen")
        parcel = tuple(values.pop(k) for k in ("gemarkung", "flur", "flurstueck"))
        bf = find_by_aktenzeichen(session, az)
        if bf is None:
            bf = create_building_file(session, az, actor=actor, **values)
            report.created.append(az)
            touched[az] = True
        elif _complete(bf, values):
            touched[az] = True
        else:
            touched.setdefault(az, False)
        if parcel[0] and parcel[2] and _add_parcel(bf, parcel):
            touched[az] = True
        session.flush()
    report.completed = [
        az for az, changed in touched.items() if changed and az not in report.created
    ]
    report.unchanged = sum(not changed for changed in touched.values())
    audit.record(
        session,
        "register.import",
        actor=actor,
        details={
            "created": len(report.created),
            "completed": len(report.completed),
            "unchanged": report.unchanged,
            "problems": len(report.problems),
        },
    )
    return report


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "aktenzeichen" not in header:
        raise UsageError("the register's header has no column 'aktenzeichen'", "register.columns")
    unknown = set(header) - set(COLUMNS) - {""}
    if unknown:
        raise UsageError(
            f"the register has unknown columns {', '.join(sorted(unknown))}; "
            f"allowed are {', '.join(COLUMNS)}",
            "register.columns",
        )
    reader.fieldnames = header
    return [(n, row) for n, row in enumerate(reader, start=2)]


def _values(row: dict[str, str | None]) -> dict[str, object]:
    values: dict[str, object] = {c: (row.get(c) or "").strip() or None for c in COLUMNS}
    az = values["aktenzeichen"]
    if not az:
        raise ValueError("the column 'aktenzeichen' is empty")
    if not AKTENZEICHEN.fullmatch(str(az)):
        raise ValueError(f"aktenzeichen {az!r} contains characters that are not allowed")
    for column, limit in LIMITS.items():
        if values[column] is not None and len(str(values[column])) > limit:
            raise ValueError(f"{column} is longer than {limit} characters")
    if values["year"] is not None:
        if not re.fullmatch(r"1[5-9][0-9]{2}|20[0-9]{2}", str(values["year"])):
            raise ValueError(f"year {values['year']!r} is not a year like 1962")
        values["year"] = int(str(values["year"]))
    if bool(values["gemarkung"]) != bool(values["flurstueck"]):
        raise ValueError("a parcel needs both gemarkung and flurstueck")
    return values


def _complete(bf: BuildingFile, values: dict[str, object]) -> bool:
    """Fill in the fields the file does not know yet; a clerk's entries stay."""
    changed = False
    for name in FILE_FIELDS:
        if getattr(bf, name) is None and values.get(name) is not None:
            setattr(bf, name, values[name])
            changed = True
    return changed


def _add_parcel(bf: BuildingFile, parcel: tuple[object, ...]) -> bool:
    gemarkung, flur, flurstueck = parcel
    if any((p.gemarkung, p.flur, p.flurstueck) == parcel for p in bf.parcels):
        return False
    bf.parcels.append(Parcel(gemarkung=gemarkung, flur=flur, flurstueck=flurstueck))
    return True
