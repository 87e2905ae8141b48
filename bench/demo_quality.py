"""Judged queries over the demo archive, end to end: generated files, ingest, OCR, search.

``bench/search_quality.py`` judges search on text it wrote itself; this bench judges it on
the demo archive as ``bauakte demo`` builds it, so a word the OCR misread on a demo scan
is a miss here.  What each query must find is decided from what the demo drew on its
pages (``ingest.demo.catalogue``), never from what OCR read: an address or file number
as people type it finds every document of that building file; a kind's name finds the
documents of that kind; a word, a compound part or a misspelt word finds every document
whose drawn text holds it.  Bauakte's own index (as ingest built it) is measured beside
plain Whoosh with its German analyzer over the same page texts, titles and addresses.

    python bench/demo_quality.py [--verbose]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_corpus import Query
from search_quality import EVERYTHING, TOP, measure, print_table
from whoosh import index as whoosh_index
from whoosh.analysis import LanguageAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import AndGroup, MultifieldParser

from docstore.config import load_config
from docstore.instance import Instance
from docstore.models import Document
from ingest.demo import EXTENSIONS, run_demo
from ingest.demo.catalogue import DemoDoc, catalogue
from ingest.index_sync import search_backend

KINDS = {
    "Statik": "statik",
    "Baugenehmigung": "baugenehmigung",
    "Bauantrag": "bauantrag",
    "Abnahme": "abnahme",
    "Lageplan": "lageplan",
    "Schriftverkehr": "schriftverkehr",
}
WORDS = [
    "Prüfingenieur", "Niederschlagswasser", "Dachbegrünung", "Stellplätze",
    "Abstandsflächen", "Wintergarten", "Arztpraxis", "Doppelgarage", "Streifenfundament",
    "Dachsparren", "Bewehrung", "Endenergiebedarf", "Stallanbau", "Tonziegeln",
    "Schlussabnahme", "Nebenbestimmungen", "Gebäudeenergiegesetz", "Flurstück",
]  # fmt: skip
PARTS = ["Garage", "Begrünung", "Fundament", "Sanierung", "Wasser", "Sparren", "Abnahme",
         "Praxis", "Energie", "Decke"]  # fmt: skip
TYPOS = {
    "Prüfingeneur": "prüfingenieur",
    "Niederschlagwasser": "niederschlagswasser",
    "Abstandsflächn": "abstandsflächen",
    "Stelplätze": "stellplätze",
    "Dachbegrühnung": "dachbegrünung",
    "Wintergartn": "wintergarten",
}


def build(home: Path) -> Instance:
    instance = Instance(load_config({"home": home}, environ={}))
    instance.initialise()
    run_demo(instance)
    return instance


def truth_of(doc: DemoDoc) -> str:
    return " ".join([doc.title, *doc.lines]).casefold()


def judged(instance: Instance) -> tuple[list[Query], dict[int, tuple[str, str]]]:
    """The queries, and per document id its page text, title and address for the baseline."""
    drawn = {doc.file + EXTENSIONS[doc.form]: (bf, doc) for bf, doc in catalogue()}
    by_file: dict[str, list[int]] = {}
    truth: dict[int, tuple[str, DemoDoc]] = {}
    texts: dict[int, tuple[str, str]] = {}
    with instance.db.session() as s:
        for document in s.query(Document).all():
            if document.original_name not in drawn:
                continue  # the fee notice and other documents the demo adds by hand
            bf, doc = drawn[document.original_name]
            truth[document.id] = (bf["aktenzeichen"], doc)
            by_file.setdefault(bf["aktenzeichen"], []).append(document.id)
            file = document.building_file
            texts[document.id] = (
                "\n".join(p.text for p in document.pages),
                f"{document.title or ''} {file.street} {file.house_number} {file.aktenzeichen}",
            )
    queries: list[Query] = []
    for bf, _ in {bf["aktenzeichen"]: (bf, None) for bf, _ in catalogue()}.values():
        ids = by_file.get(bf["aktenzeichen"], [])
        street = re.sub(r"(?i)straße$", "str.", bf["street"])
        number = bf["house_number"]
        queries.append(Query("address", f"{street} {number}", dict.fromkeys(ids, 2)))
        year, serial = bf["aktenzeichen"].split("-")[2:]
        queries.append(Query("file number", f"BA {int(serial)}/{year}", dict.fromkeys(ids, 2)))
    for name, kind in KINDS.items():
        grades = {i: 2 for i, (_, d) in truth.items() if d.kind == kind}
        queries.append(Query("kind", name, grades))
    contains = [("word", w, w.casefold()) for w in WORDS]
    contains += [("compound part", p, p.casefold()) for p in PARTS]
    contains += [("typo", t, target) for t, target in TYPOS.items()]
    for kind, text, key in contains:
        grades = {i: 2 for i, (_, d) in truth.items() if key in truth_of(d)}
        if grades:
            queries.append(Query(kind, text, grades))
    return queries, texts


class Bauakte:
    name = "Bauakte"

    def __init__(self, instance: Instance) -> None:
        self.backend = search_backend(instance)  # the index as ingest built it

    def ranked(self, text: str) -> list[int]:
        found = self.backend.search(text, EVERYTHING, per_page=TOP, snippets=False)
        return [hit.document_id for hit in found.results]


class PlainWhoosh:
    name = "plain Whoosh (German stemming)"

    def __init__(self, texts: dict[int, tuple[str, str]], folder: Path) -> None:
        german = LanguageAnalyzer("de")
        schema = Schema(doc=ID(stored=True), text=TEXT(analyzer=german),
                        fields=TEXT(analyzer=german))  # fmt: skip
        folder.mkdir()
        self.ix = whoosh_index.create_in(str(folder), schema)
        writer = self.ix.writer()
        for doc_id, (text, fields) in texts.items():
            writer.add_document(doc=str(doc_id), text=text, fields=fields)
        writer.commit()
        self.parser = MultifieldParser(["text", "fields"], schema, group=AndGroup)

    def ranked(self, text: str) -> list[int]:
        with self.ix.searcher() as searcher:
            hits = searcher.search(self.parser.parse(text), limit=TOP)
            return [int(hit["doc"]) for hit in hits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every query missed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        instance = build(Path(tmp) / "home")
        built = time.perf_counter() - start
        queries, texts = judged(instance)
        print(f"machine: {os.cpu_count()} cores; demo archive of {len(texts)} documents built "
              f"and ingested in {built:.0f} s; {len(queries)} judged queries")  # fmt: skip
        results = {}
        for system in (Bauakte(instance), PlainWhoosh(texts, Path(tmp) / "plain")):
            results[system.name] = measure(system, queries, args.verbose)
        instance.close()
    print_table(results, queries)


if __name__ == "__main__":
    main()
