"""What the demo archive holds: for each demo building file, a plausible set of documents."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from docstore.demo import BUILDING_FILES

BAUHERREN = [
    "Familie Schmitz",
    "Erika und Hans Müller",
    "Wohnungsbau Rhein GmbH",
    "Dr. Aylin Demir",
    "Grundstücksgesellschaft Köln-Süd",
    "Jan Becker",
    "Marta Nowak",
]
VORHABEN = [
    "Neubau eines Einfamilienhauses mit Garage",
    "Anbau eines Wintergartens",
    "Aufstockung um ein Dachgeschoss",
    "Neubau eines Mehrfamilienhauses mit 6 Wohneinheiten",
    "Umbau des Erdgeschosses zu einer Arztpraxis",
    "Errichtung einer Doppelgarage",
]
AUFLAGEN = [
    "Die Abstandsflächen nach § 6 BauO NRW sind einzuhalten.",
    "Vor Baubeginn ist der Nachweis der Standsicherheit durch einen Prüfingenieur zu erbringen.",
    "Das Niederschlagswasser ist auf dem Grundstück zu versickern.",
    "Die Stellplätze sind vor Nutzungsbeginn herzustellen und dauerhaft zu erhalten.",
    "Der Beginn der Bauarbeiten ist der Bauaufsicht eine Woche vorher schriftlich anzuzeigen.",
    "Die Dachbegrünung ist fachgerecht herzustellen und dauerhaft zu pflegen.",
]


@dataclass(frozen=True)
class DemoDoc:
    file: str
    form: str
    """pdf | scan-jpeg | scan-tiff | plan"""
    kind: str
    title: str
    date: dt.date
    lines: list[str] = field(default_factory=list)
    pages: int = 1
    issuer: str | None = None
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None


def _address(bf: dict) -> str:
    return f"{bf['street']} {bf['house_number']}, {bf['postcode']} {bf['municipality']}"


def _parcel(bf: dict) -> str:
    gemarkung, flur, flurstueck = bf["parcels"][0]
    return f"Gemarkung {gemarkung}, Flur {flur}, Flurstück {flurstueck}"


def documents_for(bf: dict, rng: random.Random) -> list[DemoDoc]:
    az, year = bf["aktenzeichen"], bf["year"]
    start = dt.date(year, rng.randrange(1, 10), rng.randrange(1, 28))
    bauherr, vorhaben = rng.choice(BAUHERREN), rng.choice(VORHABEN)
    head = [f"Aktenzeichen: {az}", f"Grundstück: {_address(bf)}", _parcel(bf)]
    scanned = year < 2000
    docs = [
        DemoDoc(
            f"{az}-01-bauantrag",
            "scan-tiff" if scanned else "pdf",
            "bauantrag",
            "Antrag auf Baugenehmigung",
            start,
            [
                *head,
                f"Bauherr: {bauherr}",
                f"Vorhaben: {vorhaben}",
                "Dem Antrag liegen Lageplan, Bauzeichnungen, Baubeschreibung und statische "
                "Berechnung bei.",
            ],
            pages=2 if scanned else 1,
        ),
        DemoDoc(
            f"{az}-02-baugenehmigung",
            "scan-jpeg" if scanned else "pdf",
            "baugenehmigung",
            "Baugenehmigung",
            start + dt.timedelta(days=rng.randrange(60, 200)),
            [
                *head,
                f"Sehr geehrte Damen und Herren, für das Vorhaben {vorhaben} wird die "
                "Baugenehmigung unter folgenden Nebenbestimmungen erteilt:",
                *[f"{i}. {a}" for i, a in enumerate(rng.sample(AUFLAGEN, 3), start=1)],
                "Die Baugenehmigung erlischt, wenn innerhalb von drei Jahren nach ihrer Erteilung "
                "mit der Ausführung nicht begonnen wurde.",
            ],
        ),
    ]
    if not scanned:
        docs.append(
            DemoDoc(
                f"{az}-03-statik",
                "pdf",
                "statik",
                "Statische Berechnung (Auszug)",
                start + dt.timedelta(days=20),
                [
                    *head,
                    "Pos. 1 Dachsparren C24, b/h = 8/20 cm, e = 0,80 m: Nachweis erbracht.",
                    f"Pos. 2 Stahlbetondecke C25/30, d = {rng.choice([18, 20, 22])} cm, "
                    "Bewehrung B500A.",
                    "Pos. 3 Streifenfundament b = 60 cm, zul. Sohldruck 250 kN/m².",
                    "Aufgestellt: Ingenieurbüro Hoffmann & Partner, Köln.",
                ],
                pages=2,
            )
        )
    issued = start + dt.timedelta(days=rng.randrange(400, 900))
    docs.append(
        DemoDoc(
            f"{az}-04-bescheinigung",
            "pdf",
            "bescheinigung",
            "Energieausweis für Wohngebäude",
            issued,
            [
                *head,
                f"Endenergiebedarf: {rng.randrange(35, 180)} kWh/(m²·a)",
                "Ausgestellt nach §§ 79 ff. Gebäudeenergiegesetz.",
            ],
            issuer="Energieberatung Rheinland",
            issued_on=issued,
            valid_until=issued.replace(year=issued.year + 10),
        )
    )
    docs.append(
        DemoDoc(
            f"{az}-05-schriftverkehr",
            "pdf",
            "schriftverkehr",
            "Anhörung Nachbarschaft",
            start + dt.timedelta(days=30),
            [
                *head,
                "Sehr geehrte Eigentümerinnen und Eigentümer der Nachbargrundstücke,",
                "wir geben Ihnen Gelegenheit, sich bis zum "
                f"{start + dt.timedelta(days=60):%d.%m.%Y} zu dem Vorhaben zu äußern.",
                "Mit freundlichen Grüßen, Ihre Bauaufsicht",
            ],
        )
    )
    return docs


def history_1962(bf: dict) -> list[DemoDoc]:
    """The file whose documents span 1962 to today."""
    az = bf["aktenzeichen"]
    head = [f"Aktenzeichen: {az}", f"Grundstück: {_address(bf)}", _parcel(bf)]
    return [
        DemoDoc(
            f"{az}-1962-bauschein",
            "scan-tiff",
            "baugenehmigung",
            "Bauschein",
            dt.date(1962, 4, 17),
            [
                *head,
                "Dem Bauherrn Wilhelm Küpper wird die Genehmigung "
                "zur Errichtung eines Wohnhauses mit Stallanbau erteilt.",
                "Die Bauabnahme ist rechtzeitig zu beantragen.",
            ],
            pages=2,
        ),
        DemoDoc(
            f"{az}-1963-abnahme",
            "scan-jpeg",
            "abnahme",
            "Schlussabnahmeschein",
            dt.date(1963, 9, 2),
            [*head, "Die Schlussabnahme hat keine Mängel ergeben."],
        ),
        DemoDoc(
            f"{az}-1978-umbau",
            "scan-tiff",
            "bauantrag",
            "Antrag Umbau Stall zu Wohnraum",
            dt.date(1978, 3, 9),
            [
                *head,
                "Umbau des Stallanbaus zu Wohnraum, Einbau von zwei Fenstern an der Nordseite.",
            ],
        ),
        DemoDoc(
            f"{az}-1996-schriftverkehr",
            "pdf",
            "schriftverkehr",
            "Schreiben zur Dachsanierung",
            dt.date(1996, 11, 20),
            [
                *head,
                "Die Neueindeckung des Daches mit Tonziegeln ist "
                "verfahrensfrei. Eine Baugenehmigung ist nicht erforderlich.",
            ],
        ),
        DemoDoc(
            f"{az}-2012-energieausweis",
            "pdf",
            "bescheinigung",
            "Energieausweis",
            dt.date(2012, 5, 4),
            [*head, "Endenergiebedarf: 212 kWh/(m²·a)"],
            issuer="Schornsteinfegermeister Lutz",
            issued_on=dt.date(2012, 5, 4),
            valid_until=dt.date(2022, 5, 3),
        ),
        DemoDoc(
            f"{az}-2025-lageplan",
            "plan",
            "lageplan",
            "Lageplan und Grundriss Anbau",
            dt.date(2025, 8, 12),
        ),
        DemoDoc(
            f"{az}-2026-abnahme",
            "pdf",
            "abnahme",
            "Bescheinigung über die abschließende Fertigstellung",
            dt.date(2026, 6, 30),
            [*head, "Der Anbau wurde abnahmefähig fertiggestellt."],
        ),
    ]


def catalogue(seed: int = 1962) -> list[tuple[dict, DemoDoc]]:
    rng = random.Random(seed)
    out: list[tuple[dict, DemoDoc]] = []
    for bf in BUILDING_FILES:
        docs = (
            history_1962(bf) if bf["aktenzeichen"] == "63-BA-1962-0031" else documents_for(bf, rng)
        )
        out.extend((bf, d) for d in docs)
    return out
