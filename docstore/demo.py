"""A small, realistic demo archive: building files, users and grants.

Idempotent: running it again changes nothing.  The ingest issue adds
documents to these files; until then the demo holds metadata only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from .models import Role, User, utcnow
from .services import building_files, grants, users

DEMO_PASSWORD = "demo-Bauakte-2026"

BUILDING_FILES = [
    dict(
        aktenzeichen="63-BA-1987-0112",
        street="Lindenstraße",
        house_number="12",
        postcode="50674",
        municipality="Köln",
        district="Innenstadt",
        year=1987,
        parcels=[("Köln", "12", "112/3")],
    ),
    dict(
        aktenzeichen="63-BA-2019-0457",
        street="Am Weißen Hof",
        house_number="4a",
        postcode="50937",
        municipality="Köln",
        district="Lindenthal",
        year=2019,
        parcels=[("Lindenthal", "3", "457"), ("Lindenthal", "3", "458/1")],
    ),
    dict(
        aktenzeichen="63-BA-1962-0031",
        street="Gartenweg",
        house_number="7",
        postcode="51063",
        municipality="Köln",
        district="Mülheim",
        year=1962,
        parcels=[("Mülheim", "8", "31")],
    ),
]

USERS = [
    ("sachbearbeitung", Role.CLERK, "Sachbearbeitung Bauaufsicht"),
    ("pruefung", Role.AUDITOR, "Innenrevision"),
    ("verwaltung", Role.ADMIN, "IT-Verwaltung"),
    ("erika.mustermann", Role.CITIZEN, "Erika Mustermann"),
    ("architektin.weber", Role.ARCHITECT, "Architekturbüro Weber"),
]


@dataclass
class DemoReport:
    building_files: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)


def seed(session: Session) -> DemoReport:
    report = DemoReport()
    files = {}
    for spec in BUILDING_FILES:
        spec = dict(spec)
        az = spec.pop("aktenzeichen")
        bf = building_files.find_by_aktenzeichen(session, az)
        if bf is None:
            bf = building_files.create_building_file(session, az, **spec)  # type: ignore[arg-type]
            report.building_files.append(f"{az} ({bf.address})")
        files[az] = bf
    people: dict[str, User] = {}
    for name, role, display in USERS:
        existing = session.query(User).filter_by(username=name).one_or_none()
        if existing is None:
            existing = users.create_user(session, name, DEMO_PASSWORD, role, display_name=display)
            report.users.append(f"{name} ({role.value}), password {DEMO_PASSWORD}")
        people[name] = existing
    if report.users:  # grants only on first run, so reruns add nothing
        grants.grant_access(
            session,
            people["erika.mustermann"],
            files["63-BA-1987-0112"],
            actor=people["sachbearbeitung"],
            valid_until=utcnow() + dt.timedelta(days=90),
        )
        report.grants.append("erika.mustermann -> 63-BA-1987-0112 for 90 days, view only")
        grants.grant_access(
            session,
            people["architektin.weber"],
            files["63-BA-2019-0457"],
            actor=people["sachbearbeitung"],
            valid_until=utcnow() + dt.timedelta(days=30),
            may_download=True,
        )
        report.grants.append("architektin.weber -> 63-BA-2019-0457 for 30 days, with download")
    return report
