"""What a grant limited to document kinds costs in the access check every request makes.

    python bench/access_bench.py [--files 200] [--documents 20] [--grants 20] [--runs 300]

Builds a throwaway SQLite archive, gives one citizen whole-file grants and
another the same number of grants limited to Lageplan and Bauzeichnung,
then times ``access.visibility`` for each.  The whole-file grants are the
reference measured in the same run; the figure is the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from docstore.db import Database
from docstore.migrate import upgrade
from docstore.models import Blob, Document, DocumentKind, Role
from docstore.services import access, building_files, grants, users
from docstore.services.actors import CONSOLE

KINDS = list(DocumentKind)


def build(db: Database, files: int, documents: int, granted: int) -> None:
    with db.transaction() as s:
        whole = users.create_user(s, "whole", "a-long-enough-secret", Role.CITIZEN, actor=CONSOLE)
        kinds = users.create_user(s, "kinds", "a-long-enough-secret", Role.CITIZEN, actor=CONSOLE)
        for i in range(files):
            bf = building_files.create_building_file(s, f"63-BA-2020-{i:04d}", actor=CONSOLE)
            for j in range(documents):
                sha = f"{i:032x}{j:032x}"
                s.add(Blob(sha256=sha, size=1, mime_type="application/pdf", storage_key=sha))
                kind = KINDS[j % len(KINDS)].value
                s.add(Document(building_file_id=bf.id, blob_sha256=sha, kind=kind,
                               original_name=f"{j}.pdf"))  # fmt: skip
            s.flush()
            if i < granted:
                grants.grant_access(s, whole, bf, actor=CONSOLE)
                neighbour = [DocumentKind.LAGEPLAN, DocumentKind.BAUZEICHNUNG]
                grants.grant_access(s, kinds, bf, actor=CONSOLE, kinds=neighbour)


def timed(db: Database, name: str, runs: int) -> tuple[float, float]:
    with db.session() as s:
        user = users.get_user(s, name)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            access.visibility(s, user)
            times.append(time.perf_counter() - start)
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--grants", type=int, default=20)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    db = Database(f"sqlite:///{tempfile.mkdtemp()}/access.db")
    upgrade(db.engine)
    build(db, args.files, args.documents, args.grants)
    reference = timed(db, "whole", args.runs)
    limited = timed(db, "kinds", args.runs)
    print(f"access.visibility, {args.grants} whole-file grants (reference): "
          f"p50 {reference[0]:.2f} ms, p95 {reference[1]:.2f} ms")  # fmt: skip
    print(f"access.visibility, {args.grants} kind-limited grants: "
          f"p50 {limited[0]:.2f} ms, p95 {limited[1]:.2f} ms, "
          f"ratio p50 {limited[0] / reference[0]:.2f}")  # fmt: skip
    db.dispose()


if __name__ == "__main__":
    main()
