"""discover: the files named on the command line or found in folders below them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .metadata import MANIFEST_NAMES
from .model import SourceFile

OS_LITTER_FILES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db", ".directory"}
"""Files an operating system leaves in folders (compared in lower case), never documents."""
OS_LITTER_FOLDERS = {
    "__macosx", ".trashes", ".spotlight-v100", ".fseventsd", ".temporaryitems",
    "$recycle.bin", "system volume information",
}  # fmt: skip


def os_litter(name: str) -> bool:
    """``.DS_Store``, ``Thumbs.db``, ``desktop.ini`` and macOS's ``._*`` resource forks."""
    return name.lower() in OS_LITTER_FILES or name.startswith("._")


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(path, why it cannot be used): reported as rejected."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(path, why): operating-system litter, reported as skipped."""


def discover(paths: list[str]) -> Discovery:
    """Files to ingest in a stable order, and every other path with the reason.

    Folders are walked recursively; every file found appears in the result,
    a hidden name too (only operating-system litter is skipped, and said so),
    except the manifests, which are read for metadata.  Symbolic links are
    never followed, so a batch cannot smuggle in files from elsewhere.
    """
    found = Discovery()
    seen: set[Path] = set()

    def add(shown: str, location: Path) -> None:
        if location not in seen:
            seen.add(location)
            found.files.append(SourceFile(path=shown, location=location))

    for given in paths:
        p = Path(given)
        if p.is_symlink():
            found.problems.append((given, "symbolic link: give the file itself"))
        elif p.is_file():
            add(given, Path(os.path.abspath(p)))
        elif p.is_dir():
            _walk(p, found, add)
        elif p.exists():
            found.problems.append((given, "not a regular file or folder"))
        else:
            found.problems.append((given, "no such file or folder"))
    found.problems = list(dict.fromkeys(found.problems))  # a link named and found in a folder
    return found


def _walk(folder: Path, found: Discovery, add: Callable[[str, Path], None]) -> None:
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in [d for d in dirs if d.lower() in OS_LITTER_FOLDERS]:
            found.skipped.append((str(Path(root) / name), "operating-system folder"))
        dirs[:] = sorted(d for d in dirs if d.lower() not in OS_LITTER_FOLDERS)
        for name in sorted(files):
            full = Path(root) / name
            if name in MANIFEST_NAMES:
                continue
            if full.is_symlink():
                found.problems.append((str(full), "symbolic link: give the file itself"))
            elif os_litter(name):
                found.skipped.append((str(full), "operating-system file, not a document"))
            else:
                add(str(full), Path(os.path.abspath(full)))


def sha256_of(path: Path) -> tuple[str, int]:
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256")
        size = f.tell()
    return digest.hexdigest(), size
