"""The demo's redaction: on the 2019 building application that architektin.weber may view and
download, the private applicant's name (a third party to her) is blacked out, so a first look
at the demo shows what a redacted page is, in the viewer, the text, the search and the
download, and the clerk's view shows who redacted it and why."""

from __future__ import annotations

import json

from sqlalchemy import select

from docstore.instance import Instance
from docstore.models import BuildingFile, Document
from docstore.redaction_text import Box
from docstore.services import redactions, users
from storage import derived_key

from ..index_sync import sync_index
from ..process import page_prefix

FILE = "63-BA-2019-0457"
LABEL = "Bauherr"
REASON = "Personenbezogene Daten Dritter"
CLERK = "sachbearbeitung"


def demo_redaction(instance: Instance) -> str | None:
    """Redact the applicant's name once; a line for the demo's report, None when it was
    there already or the page did not show the name."""
    with instance.db.session() as s:
        doc = s.scalar(
            select(Document)
            .join(BuildingFile, BuildingFile.id == Document.building_file_id)
            .where(BuildingFile.aktenzeichen == FILE, Document.kind == "bauantrag")
        )
        if doc is None or redactions.history(s, doc.id, 1, actor=users.get_user(s, CLERK)):
            return None
        doc_id, key = doc.id, derived_key(doc.blob_sha256, f"{page_prefix(1)}/words.json")
    words = json.loads(instance.store.read_bytes(key))["words"]
    box = _name_after_label(words)
    if box is None:
        return None
    with instance.db.transaction() as s:
        redactions.add(s, doc_id, 1, box, REASON, words, actor=users.get_user(s, CLERK))
    sync_index(instance)
    return f"{FILE}: the applicant's name on the building application is redacted for outsiders"


def _name_after_label(words: list[list]) -> Box | None:
    """The words after "Bauherr:" on its line, with a little room around them."""
    for i, word in enumerate(words):
        if not str(word[0]).startswith(LABEL):
            continue
        line = [w for w in words[i + 1 : i + 6] if abs(w[2] - word[2]) < word[4] / 2]
        if not line:
            return None
        left, top = min(w[1] for w in line), min(w[2] for w in line)
        right = max(w[1] + w[3] for w in line)
        bottom = max(w[2] + w[4] for w in line)
        return Box.checked(left - 0.005, top - 0.005, right - left + 0.01, bottom - top + 0.01)
    return None
