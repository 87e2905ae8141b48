"""A generated archive of building files whose contents are known word by word, and
queries judged from that knowledge (for bench/search_quality.py).

Each building file has an address and a file number; each document a kind, a year and
pages written from templates of its kind.  "Features" (Fensterbrüstung, Waschküche,
Ausbau des Dachgeschosses …) are put into a few documents each and recorded, old
documents use the spellings of their time (Thür, Centralheizung), and scans before
1960 carry OCR damage (ü read as ii, rn as m).  A query is judged by what was put
where: grade 2 for documents that answer it as typed, 1 for those that answer it in
another form (the compound written apart, an old spelling, a misread word).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

STREETS = [
    ("Venloer Straße", "50825"), ("Aachener Straße", "50674"), ("Lindenweg", "50859"),
    ("Bahnhofstraße", "50767"), ("Dürener Straße", "50931"), ("Neusser Wall", "50670"),
    ("Kalker Hauptstraße", "51103"), ("Am Weißen Hof", "50999"), ("Gartenstraße", "51143"),
    ("Subbelrather Straße", "50823"), ("Kirchplatz", "50996"), ("Mühlenweg", "51065"),
    ("Schillerstraße", "50968"), ("Rheinuferstraße", "50996"), ("Bonner Straße", "50677"),
]  # fmt: skip
KIND_WORDS = {
    "bauantrag": ("Bauantrag", "Antrag auf Baugenehmigung für"),
    "baugenehmigung": ("Baugenehmigung", "Die Baugenehmigung wird erteilt für"),
    "bauzeichnung": ("Bauzeichnung", "Grundriss und Schnitt für"),
    "lageplan": ("Lageplan", "Lageplan im Maßstab 1:500 für"),
    "statik": ("Statik", "Standsicherheitsnachweis (statische Berechnung) für"),
    "abnahme": ("Abnahme", "Schlussabnahme des Vorhabens"),
    "schriftverkehr": ("Schreiben", "Sehr geehrte Damen und Herren, betreffend"),
}
OLD_KINDS = {"baugenehmigung": "Bauschein", "abnahme": "Abnahmeschein"}
VORHABEN = ["Neubau eines Wohnhauses", "Anbau eines Wintergartens", "Errichtung einer Garage",
            "Aufstockung des Hauses", "Umbau des Erdgeschosses", "Neubau eines Carports",
            "Errichtung einer Scheune", "Neubau eines Mehrfamilienhauses"]  # fmt: skip
FILLER = [
    "Die Unterlagen sind vollständig eingereicht worden.",
    "Die Abstandsflächen sind einzuhalten.",
    "Gegen das Vorhaben bestehen keine Bedenken.",
    "Der Bauherr wird gebeten, die Gebühr zu entrichten.",
    "Die Nachbarn wurden beteiligt und haben zugestimmt.",
    "Es wird auf die Auflagen der Bauaufsicht hingewiesen.",
    "Die Bauarbeiten dürfen erst nach Erteilung begonnen werden.",
    "Die Prüfung der eingereichten Unterlagen ist abgeschlossen.",
]


@dataclass(frozen=True)
class Feature:
    """Something a page may say, and how: as typed today, in another form, or misread."""

    key: str
    sentence: str
    """With {w}: the feature's word as written in this document."""
    word: str
    old: str | None = None
    """The spelling of files before 1925."""
    apart: str | None = None
    """The compound written apart, as a sentence of its own."""


FEATURES = [
    Feature("brustung", "Die {w} im Obergeschoss ist zu erhöhen.", "Fensterbrüstung"),
    Feature("waschkueche", "Im Keller befindet sich die {w}.", "Waschküche"),
    Feature("haustuer", "Die {w} ist nach außen zu öffnen.", "Haustür", old="Hausthür"),
    Feature("zentral", "Eine {w} mit Kohlefeuerung wird eingebaut.", "Zentralheizung",
            old="Centralheizung"),
    Feature("dgausbau", "Der {w} ist genehmigungspflichtig.", "Dachgeschossausbau",
            apart="Der Ausbau des Dachgeschosses ist genehmigungspflichtig."),
    Feature("stahlbeton", "Die Decke ruht auf einem {w}.", "Stahlbetonträger"),
    Feature("schornstein", "Der {w} hat die Anlage abgenommen.", "Bezirksschornsteinfeger"),
    Feature("abort", "Der {w} im Hof ist zu beseitigen.", "Abort"),
    Feature("kellerfenster", "Die {w} sind zu vergittern.", "Kellerfenster"),
    Feature("dachgaube", "Die {w} zur Straßenseite wird erneuert.", "Dachgaube"),
    Feature("erlaubnis", "Die {w} ist zu beantragen.", "Bauerlaubnis", old="Bauerlaubniß"),
    Feature("brandwand", "Die {w} ist bis unter die Dachhaut zu führen.", "Brandwand"),
    Feature("versickerung", "Das Niederschlagswasser wird über eine {w} abgeleitet.",
            "Versickerungsmulde"),
    Feature("wintergarten", "Der {w} erhält eine Verglasung.", "Wintergarten"),
    Feature("tiefgarage", "Die Zufahrt zur {w} liegt an der Nordseite.", "Tiefgarage"),
    Feature("treppenhaus", "Das {w} ist als Rettungsweg auszubilden.", "Treppenhaus"),
]  # fmt: skip
SYNONYMS = {
    "Baugenehmigung": "Bauschein",
    "Bauzeichnung": "Plan",
    "Statik": "Standsicherheitsnachweis",
}
PARTS = {
    "Fensterbrüstung": "Brüstung", "Stahlbetonträger": "Träger",
    "Bezirksschornsteinfeger": "Schornsteinfeger", "Versickerungsmulde": "Mulde",
    "Kellerfenster": "Fenster", "Tiefgarage": "Garage", "Dachgaube": "Gaube",
    "Zentralheizung": "Heizung", "Bauerlaubnis": "Erlaubnis",
}  # fmt: skip
OCR_DAMAGE = [("ü", "ii"), ("rn", "m"), ("ch", "eh"), ("e", "c"), ("ä", "a"), ("h", "b")]


@dataclass
class BuildingFile:
    id: int
    aktenzeichen: str
    year: int
    number: int
    street: str
    house_number: str
    postcode: str


@dataclass
class Doc:
    id: int
    file: BuildingFile
    kind: str
    year: int
    pages: list[str]
    features: dict[str, int] = field(default_factory=dict)
    """Feature key -> how it stands: 2 as typed today, 1 in another form or misread."""
    feature_pages: dict[str, int] = field(default_factory=dict)


def archive(files: int = 240, seed: int = 16) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    taken: set[tuple[str, str]] = set()
    for n in range(1, files + 1):
        year = rng.choice([rng.randrange(1895, 1925), rng.randrange(1925, 1960),
                           rng.randrange(1960, 2025), rng.randrange(1960, 2025)])  # fmt: skip
        street, postcode, number = _free_address(rng, taken)
        bf = BuildingFile(n, f"63-BA-{year}-{n:04d}", year, n, street, number, postcode)
        vorhaben = rng.choice(VORHABEN)
        for kind in rng.sample(list(KIND_WORDS), rng.randrange(3, 7)):
            docs.append(_document(len(docs) + 1, bf, kind, vorhaben, rng))
    return docs


def _free_address(rng, taken: set[tuple[str, str]]) -> tuple[str, str, str]:
    """A street and house number no other file has (one building, one file)."""
    while True:
        street, postcode = rng.choice(STREETS)
        number = str(rng.randrange(1, 300))
        if (street, number) not in taken:
            taken.add((street, number))
            return street, postcode, number + (rng.choice("abc") if rng.random() < 0.2 else "")


def _document(doc_id: int, bf: BuildingFile, kind: str, vorhaben: str, rng) -> Doc:
    year = bf.year + rng.randrange(0, 3)
    name, opening = KIND_WORDS[kind]
    if year < 1925 and kind in OLD_KINDS:
        name = OLD_KINDS[kind]
    first = [f"{name}", f"{opening} {vorhaben}."]
    if rng.random() < 0.5:
        first.append(f"Grundstück: {bf.street} {bf.house_number}")
    if rng.random() < 0.5:
        first.append(f"Aktenzeichen {bf.aktenzeichen}")
    pages = [first + rng.sample(FILLER, 2)]
    pages += [rng.sample(FILLER, 3) for _ in range(rng.randrange(0, 3))]
    doc = Doc(doc_id, bf, kind, year, [])
    for feature in rng.sample(FEATURES, rng.randrange(0, 3)):
        if rng.random() < 0.55:  # each feature in few documents
            continue
        sentence, grade = _written(feature, year, rng)
        where = rng.randrange(len(pages))
        pages[where].append(sentence)
        doc.features[feature.key] = grade
        doc.feature_pages[feature.key] = where
    doc.pages = [" ".join(lines) for lines in pages]
    return doc


def _written(feature: Feature, year: int, rng) -> tuple[str, int]:
    if feature.old and year < 1925:
        return feature.sentence.format(w=feature.old), 1
    if feature.apart and rng.random() < 0.5:
        return feature.apart, 1
    word = feature.word
    if year < 1960 and rng.random() < 0.5:
        damaged = _misread(word, rng)
        if damaged != word:
            return feature.sentence.format(w=damaged), 1
    return feature.sentence.format(w=word), 2


def _misread(word: str, rng) -> str:
    choices = [(a, b) for a, b in OCR_DAMAGE if a in word[1:]]
    if not choices:
        return word
    a, b = rng.choice(choices)
    at = word.index(a, 1)
    return word[:at] + b + word[at + len(a) :]


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    grades: dict[int, int]
    """Document id -> 2 (answers as typed) or 1 (answers in another form)."""


def queries(docs: list[Doc], seed: int = 7, each: int = 15) -> list[Query]:
    rng = random.Random(seed)
    files: dict[int, list[Doc]] = {}
    for doc in docs:
        files.setdefault(doc.file.id, []).append(doc)
    found: list[Query] = []
    sample = rng.sample(sorted(files), each * 3)
    for n, file_id in enumerate(sample[:each]):
        bf = files[file_id][0].file
        typed = _informal_address(bf, n)
        found.append(Query("address", typed, {d.id: 2 for d in files[file_id]}))
    for n, file_id in enumerate(sample[each : 2 * each]):
        bf = files[file_id][0].file
        found.append(Query("file number", _informal_number(bf, n),
                           {d.id: 2 for d in files[file_id]}))  # fmt: skip
    for n, file_id in enumerate(sample[2 * each :]):
        doc = rng.choice(files[file_id])
        bf = doc.file
        word = KIND_WORDS[doc.kind][0]
        if n % 2:  # every other one by a synonym
            word = SYNONYMS.get(word, word)
        text = f"{word} {_informal_address(bf, n)}"
        grades = {d.id: 2 for d in files[file_id] if d.kind == doc.kind}
        found.append(Query("kind at address", text, grades))
    for feature in FEATURES:
        grades = {d.id: d.features[feature.key] for d in docs if feature.key in d.features}
        if not grades:
            continue
        found.append(Query("word", feature.word, _word_grades(docs, feature.word, grades)))
        part = PARTS.get(feature.word)
        if part:
            found.append(Query("compound part", part, _part_grades(docs, feature, part)))
        found.append(
            Query("typo", _typo(feature.word, rng), _word_grades(docs, feature.word, grades))
        )
    found += _across_pages(docs)
    return found


def _word_grades(docs: list[Doc], word: str, grades: dict[int, int]) -> dict[int, int]:
    """Documents with the feature, and every other one whose text holds the word (or a
    form of it: Wintergartens)."""
    found = dict(grades)
    for d in docs:
        if any(word.lower() in page.lower() for page in d.pages):
            found[d.id] = 2
    return found


def _part_grades(docs: list[Doc], feature: Feature, part: str) -> dict[int, int]:
    grades = {d.id: 1 for d in docs if feature.key in d.features}
    for d in docs:  # the part as a word of its own elsewhere ("Fenster", "Garage")
        if any(part.lower() in w.lower().strip(".,") and part.lower() == w.lower().strip(".,")
               for page in d.pages for w in page.split()):  # fmt: skip
            grades[d.id] = 2
    return grades


def _across_pages(docs: list[Doc]) -> list[Query]:
    pairs: dict[tuple[str, str], dict[int, int]] = {}
    for d in docs:
        keys = sorted(k for k, g in d.features.items() if g == 2)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                pairs.setdefault((a, b), {})[d.id] = 2
    words = {f.key: f.word for f in FEATURES}
    return [Query("two words", f"{words[a]} {words[b]}", grades)
            for (a, b), grades in sorted(pairs.items())][:14]  # fmt: skip


def _informal_address(bf: BuildingFile, n: int) -> str:
    street = bf.street
    forms = [
        street.replace("straße", "str.").replace("Straße", "Str."),
        street.lower().replace("ß", "ss"),
        street,
        street.replace("Straße", "Strasse").replace("straße", "strasse"),
    ]
    number = bf.house_number
    if n % 3 == 1 and not number.isdigit():
        number = number[:-1] + " " + number[-1]
    return f"{forms[n % len(forms)]} {number}"


def _informal_number(bf: BuildingFile, n: int) -> str:
    serial = str(bf.number)
    forms = [
        bf.aktenzeichen,
        f"63/BA/{bf.year}/{serial}",
        f"BA {serial}/{bf.year}",
        bf.aktenzeichen.lower(),
        f"63-BA-{bf.year}-{serial}",
    ]
    return forms[n % len(forms)]


def _typo(word: str, rng) -> str:
    at = rng.randrange(2, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]  # two letters swapped
