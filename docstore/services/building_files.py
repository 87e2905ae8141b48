"""Building files (Bauakten): lookup and creation."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound
from ..models import BuildingFile, Parcel
from . import audit, roles
from .actors import Actor
from .roles import Capability

AKTENZEICHEN = re.compile(r"[A-Za-z0-9ÄÖÜäöü][A-Za-z0-9ÄÖÜäöü ./-]{0,62}")
"""What a file number may look like, wherever one arrives (manifest, file name, register)."""


def get_by_aktenzeichen(session: Session, aktenzeichen: str) -> BuildingFile:
    found = session.scalar(
        select(BuildingFile).where(BuildingFile.aktenzeichen == aktenzeichen.strip())
    )
    if found is None:
        raise NotFound(
            f"no building file with Aktenzeichen {aktenzeichen!r}",
            "building_file.unknown",
            aktenzeichen=aktenzeichen,
        )
    return found


def find_by_aktenzeichen(session: Session, aktenzeichen: str) -> BuildingFile | None:
    return session.scalar(
        select(BuildingFile).where(BuildingFile.aktenzeichen == aktenzeichen.strip())
    )


def create_building_file(
    session: Session,
    aktenzeichen: str,
    *,
    actor: Actor,
    parcels: list[tuple[str, str | None, str]] | None = None,
    **fields: object,
) -> BuildingFile:
    """Create a building file; ``parcels`` as (Gemarkung, Flur, Flurstück)."""
    roles.require(actor, Capability.INGEST)
    if find_by_aktenzeichen(session, aktenzeichen) is not None:
        raise Conflict(
            f"building file {aktenzeichen.strip()!r} exists already",
            "building_file.exists",
            aktenzeichen=aktenzeichen.strip(),
        )
    bf = BuildingFile(aktenzeichen=aktenzeichen.strip(), **fields)
    for gemarkung, flur, flurstueck in parcels or []:
        bf.parcels.append(Parcel(gemarkung=gemarkung, flur=flur, flurstueck=flurstueck))
    session.add(bf)
    session.flush()
    audit.record(
        session,
        "building_file.create",
        actor=actor,
        target_type="building_file",
        target_id=bf.id,
        building_file_id=bf.id,
        details={"aktenzeichen": bf.aktenzeichen},
    )
    return bf


EDITABLE = ("street", "house_number", "postcode", "municipality", "district", "year", "notes")


def update_building_file(
    session: Session, bf: BuildingFile, *, actor: Actor, **changes: object
) -> None:
    """Edit a building file; each of its documents is queued for the search index."""
    roles.require(actor, Capability.EDIT)
    from .outbox import enqueue

    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    before = {k: str(getattr(bf, k)) for k in changes}
    for key, value in changes.items():
        setattr(bf, key, value)
    audit.record(
        session, "building_file.edit", actor=actor, target_type="building_file",
        target_id=bf.id, building_file_id=bf.id,
        details={"before": before, "after": {k: str(v) for k, v in changes.items()}},
    )  # fmt: skip
    for doc in bf.documents:
        enqueue(session, doc.id)
