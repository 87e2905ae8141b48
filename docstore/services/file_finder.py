"""Finding the building file a clerk means, as they type it: file number, address, parcel.

A clerk sorting the inbox reads an address or a parcel off the scan far more often than
the exact Aktenzeichen; the old exact, case-sensitive match sent them to another screen.
Aktenzeichen match in any case, and by their parts whatever separates them (``63/BA/2019/457``
finds ``63-BA-2019-0457``); street names match however "Straße" is written (``Str.``,
``Strasse``); house numbers with letters match with or without a space (``4a``, ``4 a``);
a parcel by its Flurstück.  The exact file number, in any case, comes first.
"""

from __future__ import annotations

import re

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..models import BuildingFile, Parcel
from . import like, roles
from .actors import Actor
from .roles import Capability

MIN_CHARS = 2
LIMIT = 10
_STREET_WORD = re.compile(r"(straße|strasse|str\.?)$")
_ADDRESS = re.compile(r"^(?P<street>.*?\D)[\s,]*(?P<number>\d+\s*[a-z]?)$")


def exact(session: Session, text: str, *, actor: Actor) -> BuildingFile | None:
    """The file whose Aktenzeichen this is, in any case; None when none is, or when two
    differ only in case (the clerk then chooses among the candidates).

    SQLite's ``lower()`` folds only ASCII letters: the database narrows by the number's
    ASCII skeleton (``_`` for any other character), Python compares the rest.
    """
    roles.require(actor, Capability.INGEST)
    wanted = " ".join(text.split())
    if not wanted:
        return None
    same = session.scalar(select(BuildingFile).where(BuildingFile.aktenzeichen == wanted))
    if same is not None:
        return same
    pattern = like.skeleton(wanted)
    found = [
        bf for bf in session.scalars(
            select(BuildingFile).where(
                func.lower(BuildingFile.aktenzeichen).like(pattern, escape=like.ESCAPE)
            ).limit(20)
        )
        if bf.aktenzeichen.casefold() == wanted.casefold()
    ]  # fmt: skip
    return found[0] if len(found) == 1 else None


def candidates(
    session: Session, text: str, *, actor: Actor, limit: int = LIMIT
) -> list[BuildingFile]:
    """Files whose Aktenzeichen, address or parcel matches what was typed."""
    roles.require(actor, Capability.INGEST)
    wanted = " ".join(text.split()).lower()[:200]
    if len(wanted) < MIN_CHARS:
        return []
    found = list(
        session.scalars(
            select(BuildingFile)
            .where(or_(*_conditions(wanted)))
            .order_by(BuildingFile.aktenzeichen)
            .limit(limit * 3)
        )
    )
    found.sort(key=lambda bf: bf.aktenzeichen.lower() != wanted)
    return found[:limit]


def _conditions(wanted: str) -> list:
    parts = [p for p in re.split(r"[\s/.\-]+", wanted) if p]
    az = func.lower(BuildingFile.aktenzeichen)
    conditions = [az.like(f"%{like.escaped(wanted)}%", escape=like.ESCAPE)]
    if len(parts) > 1:  # the parts in order, whatever separates them
        conditions.append(
            az.like("%" + "%".join(like.escaped(p) for p in parts) + "%", escape=like.ESCAPE)
        )
    street = func.lower(BuildingFile.street)
    match = _ADDRESS.match(wanted)
    if match:
        name = _STREET_WORD.sub("str", match["street"].strip(" ,"))
        number = re.sub(r"\s+", "", match["number"])
        house = func.lower(func.replace(BuildingFile.house_number, " ", ""))
        pattern = like.skeleton(name) + ("%" if name.endswith("str") else "")
        conditions.append(and_(street.like(f"{pattern}%", escape=like.ESCAPE), house == number))
    else:
        name = _STREET_WORD.sub("str", wanted)
        conditions.append(street.like(f"{like.skeleton(name)}%", escape=like.ESCAPE))
    parcel = select(Parcel.building_file_id).where(
        or_(
            func.lower(Parcel.flurstueck) == wanted,
            func.lower(Parcel.gemarkung + " " + Parcel.flurstueck) == wanted,
        )
    )
    conditions.append(BuildingFile.id.in_(parcel))
    return conditions
