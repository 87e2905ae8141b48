"""discover: the files named on the command line or found in folders below them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .metadata import MANIFEST_NAMES
from .model import SourceFile

HASH_CHUNK = 1024 * 1024


def discover(paths: list[str]) -> tuple[list[SourceFile], list[tuple[str, str]]]:
    """Files to ingest in a stable order, and (path, problem) for what cannot be used.

    Folders are walked recursively (hidden names and manifests skipped); symbolic
    links are never followed, so a batch cannot smuggle in files from elsewhere.
    """
    found: list[SourceFile] = []
    problems: list[tuple[str, str]] = []
    seen: set[Path] = set()

    def add(shown: str, location: Path) -> None:
        if location not in seen:
            seen.add(location)
            found.append(SourceFile(path=shown, location=location))

    for given in paths:
        p = Path(given)
        if p.is_symlink():
            problems.append((given, "symbolic link: give the file itself"))
        elif p.is_file():
            add(given, Path(os.path.abspath(p)))
        elif p.is_dir():
            for root, dirs, files in os.walk(p, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    full = Path(root) / name
                    if name.startswith(".") or name in MANIFEST_NAMES or full.is_symlink():
                        continue
                    add(str(full), Path(os.path.abspath(full)))
        elif p.exists():
            problems.append((given, "not a regular file or folder"))
        else:
            problems.append((given, "no such file or folder"))
    return found, problems


def sha256_of(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
