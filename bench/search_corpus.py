"""A deterministic synthetic German corpus of building-file pages, for the search bench."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator

from indexer.records import PageRecord

_DOMAIN = """
Baugenehmigung Bauantrag Dachgeschoss Standsicherheit Abstandsfläche Stellplätze
Nebenbestimmungen Brandschutz Energieausweis Grundstück Flurstück Gemarkung Bauherr Architekt
Statik Lageplan Bauzeichnung Grundriss Schnitt Ansicht Baubeschreibung Nutzungsänderung Abnahme
Schlussabnahme Rohbauabnahme Garage Carport Wintergarten Anbau Aufstockung Umbau Neubau Abbruch
Kellergeschoss Erdgeschoss Obergeschoss Treppenhaus Fluchtweg Rettungsweg Entwässerung
Versickerung Niederschlagswasser Bebauungsplan Baulast Nachbarzustimmung Prüfingenieur
Prüfbericht Tragwerksplanung Bewehrung Stahlbetondecke Fundament Mauerwerk Wohnhaus
Mehrfamilienhaus Einfamilienhaus Gewerbehalle Schornstein Feuerstätte Lüftung Bauaufsicht
Bauordnung Genehmigung Befreiung Ausnahme Widerspruch Anhörung Stellungnahme
"""
DOMAIN = _DOMAIN.split()
STREETS = [
    "Lindenstraße",
    "Bonner Straße",
    "Gartenweg",
    "Am Weißen Hof",
    "Kalker Hauptstraße",
    "Venloer Straße",
    "Dürener Straße",
    "Neusser Wall",
    "Aachener Straße",
    "Rheinufer",
    "Schanzenstraße",
    "Frankfurter Straße",
    "Mühlenweg",
    "Kirchplatz",
    "Bahnhofstraße",
]
DISTRICTS = [
    "Innenstadt",
    "Rodenkirchen",
    "Lindenthal",
    "Ehrenfeld",
    "Nippes",
    "Chorweiler",
    "Porz",
    "Kalk",
    "Mülheim",
]
KINDS = [
    "bauantrag",
    "baugenehmigung",
    "bauzeichnung",
    "lageplan",
    "statik",
    "bescheinigung",
    "abnahme",
    "schriftverkehr",
    "sonstiges",
]
SYLLABLES = ["ba", "ge", "ne", "mi", "gung", "stra", "ße", "haus", "bau", "wer", "ke", "lan",
             "ord", "nung", "ter", "schaft", "dach", "grund", "stück", "fen", "ster", "tür",
             "keit", "heit", "lich", "ung", "en", "er", "sch", "an", "ein", "auf", "ver",
             "zu"]  # fmt: skip


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    words = set(DOMAIN)
    while len(words) < size:
        n = rng.choice((2, 2, 3, 3, 3, 4))
        words.add("".join(rng.choice(SYLLABLES) for _ in range(n)).capitalize())
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def corpus(pages: int = 100_000, files: int = 5_000, seed: int = 42) -> Iterator[PageRecord]:
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))  # Zipf
    page_id = doc_id = 0
    per_file = pages // files
    for bf in range(1, files + 1):
        year = rng.randrange(1955, 2026)
        street = rng.choice(STREETS)
        remaining = per_file
        while remaining > 0:
            doc_id += 1
            count = min(remaining, rng.randrange(1, 9))
            remaining -= count
            kind = rng.choice(KINDS)
            date = dt.date(min(2026, year + rng.randrange(0, 30)), rng.randrange(1, 13), 1)
            for number in range(1, count + 1):
                page_id += 1
                words = rng.choices(vocab, cum_weights=weights, k=rng.randrange(150, 401))
                words += rng.sample(DOMAIN, 3)
                yield PageRecord(
                    page_id=page_id, document_id=doc_id, page_number=number, text=" ".join(words),
                    text_source="pdf", original_name=f"{doc_id}.pdf", kind=kind,
                    title=f"{kind.capitalize()} {street}", date=date, building_file_id=bf,
                    aktenzeichen=f"63-BA-{year}-{bf:04d}", street=street,
                    house_number=str(bf % 200),
                    postcode="50667", municipality="Köln", district=rng.choice(DISTRICTS),
                    gemarkung=["Köln"], flur=[str(bf % 40)], flurstueck=[f"{bf}/{bf % 7}"],
                )  # fmt: skip


def queries(seed: int = 7) -> list[str]:
    """300 fixed queries: 100 of one, two and three terms, common and domain words."""
    rng = random.Random(seed)
    vocab = vocabulary(random.Random(42))
    pool = DOMAIN + vocab[:3000]
    return [" ".join(rng.sample(pool, n)) for n in (1, 2, 3) for _ in range(100)]
