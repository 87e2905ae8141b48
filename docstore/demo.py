"""A small, realistic demo archive: building files, users and grants.

Idempotent: running it again changes nothing.  The ingest issue adds
documents to these files; until then the demo holds metadata only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from .models import Role, User, utcnow
from .services import building_files, grants, users
from .services.actors import CONSOLE

DEMO_PASSWORD = "demo-Bauakte-2026"


def _bf(az, street, number, postcode, district, year, gemarkung, flur, flurstueck):
    return dict(
        aktenzeichen=az,
        street=street,
        house_number=number,
        postcode=postcode,
        municipality="Köln",
        district=district,
        year=int(year),
        parcels=[(gemarkung, flur, flurstueck)],
    )


_TABLE = """
63-BA-1987-0112 | Lindenstraße | 12 | 50674 | Innenstadt | 1987 | Köln | 12 | 112/3
63-BA-2019-0457 | Am Weißen Hof | 4a | 50937 | Lindenthal | 2019 | Lindenthal | 3 | 457
63-BA-1962-0031 | Gartenweg | 7 | 51063 | Mülheim | 1962 | Mülheim | 8 | 31
63-BA-1975-0288 | Bonner Straße | 214 | 50968 | Rodenkirchen | 1975 | Rondorf | 5 | 1288/2
63-BA-1994-0063 | Neusser Wall | 33 | 50670 | Innenstadt | 1994 | Köln | 41 | 63
63-BA-2003-1120 | Kalker Hauptstraße | 118 | 51103 | Kalk | 2003 | Kalk | 2 | 905
63-BA-2008-0774 | Ehrenfeldgürtel | 95 | 50823 | Ehrenfeld | 2008 | Ehrenfeld | 7 | 774/1
63-BA-2011-0219 | Venloer Straße | 411 | 50825 | Ehrenfeld | 2011 | Ehrenfeld | 9 | 219
63-BA-2014-0946 | Rather Mauspfad | 20 | 51107 | Kalk | 2014 | Rath | 1 | 946
63-BA-2016-0501 | Aachener Straße | 1253 | 50859 | Lindenthal | 2016 | Weiden | 4 | 501/7
63-BA-2021-0038 | Schanzenstraße | 6 | 51063 | Mülheim | 2021 | Mülheim | 11 | 38
63-BA-2023-0680 | Frankfurter Straße | 540 | 51145 | Porz | 2023 | Porz | 6 | 680
63-BA-1968-0142 | Dürener Straße | 77 | 50931 | Lindenthal | 1968 | Lindenthal | 2 | 142
"""
"""Aktenzeichen | street | number | postcode | district | year | Gemarkung | Flur | Flurstück."""
BUILDING_FILES = [
    _bf(*(cell.strip() for cell in line.split("|"))) for line in _TABLE.strip().splitlines()
]

OTHER_STREETS = """Hohe Straße, Schildergasse, Breite Straße, Neumarkt, Am Hof, Domkloster,
Severinstraße, Bonner Straße, Luxemburger Straße, Zülpicher Straße, Dürener Straße,
Subbelrather Straße,
Neusser Straße, Niehler Straße, Berliner Straße, Olpener Straße, Deutz-Mülheimer Straße,
Siegburger Straße, Kölner Straße, Hauptstraße, Bergisch Gladbacher Straße, Rösrather Straße,
Militärringstraße, Innere Kanalstraße, Aachener Weiher, Ringstraße, Kirchweg, Am Bahnhof"""
"""Streets of the demo city besides the archive's: the list a city would give, not the archive's
addresses (suggestions must not tell which streets have a file)."""


def write_street_list(path: Path) -> bool:
    """The demo city's street list, unless the instance has one; True when it was written."""
    if path.exists():
        return False
    names = {spec["street"] for spec in BUILDING_FILES}
    names |= {n.strip() for n in OTHER_STREETS.replace("\n", " ").split(",")}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    return True


USERS = [
    ("sachbearbeitung", Role.CLERK, "Sachbearbeitung Bauaufsicht"),
    ("pruefung", Role.AUDITOR, "Innenrevision"),
    ("verwaltung", Role.ADMIN, "IT-Verwaltung"),
    ("erika.mustermann", Role.CITIZEN, "Erika Mustermann"),
    ("architektin.weber", Role.ARCHITECT, "Architekturbüro Weber"),
]


GRANT_NOTES = {
    "erika.mustermann": ", may view 63-BA-1987-0112 (view only)",
    "architektin.weber": ", may view 63-BA-2019-0457 (with download)",
}


@dataclass
class DemoReport:
    building_files: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)
    redactions: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)


def seed(session: Session) -> DemoReport:
    report = DemoReport()
    files = {}
    for spec in BUILDING_FILES:
        spec = dict(spec)
        az = spec.pop("aktenzeichen")
        bf = building_files.find_by_aktenzeichen(session, az)
        if bf is None:
            bf = building_files.create_building_file(session, az, actor=CONSOLE, **spec)  # type: ignore[arg-type]
            report.building_files.append(f"{az} ({bf.address})")
        files[az] = bf
    people: dict[str, User] = {}
    created = False
    for name, role, display in USERS:
        existing = session.query(User).filter_by(username=name).one_or_none()
        if existing is None:
            existing = users.create_user(
                session, name, DEMO_PASSWORD, role, actor=CONSOLE, display_name=display
            )
            created = True
        people[name] = existing
        note = ", sets up a one-time-code app at first sign-in" if existing.is_staff else ""
        note += GRANT_NOTES.get(name, "")
        report.users.append(f"{name} ({existing.role}), password {DEMO_PASSWORD}{note}")
    if created:  # grants only on first run, so reruns add nothing
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
