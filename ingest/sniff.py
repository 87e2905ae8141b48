"""sniff: what a file really is, from its content (libmagic), never its name.

python-magic loads Debian's ``libmagic1`` when it is imported, so it is
imported here on first use, behind :func:`probe`: a machine without the
library gets one line naming the package from the commands that sniff,
not a traceback from every command.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import ModuleType

from .model import FileKind, MissingDependency, Rejected

ALLOWED = {
    "application/pdf": FileKind.PDF,
    "image/tiff": FileKind.TIFF,
    "image/jpeg": FileKind.JPEG,
    "image/png": FileKind.PNG,
}


@functools.cache
def probe() -> ModuleType:
    """python-magic with its library loaded, or MissingDependency naming the package."""
    try:
        import magic
    except ImportError:
        raise MissingDependency(
            "the file-type library libmagic is missing: install Debian's 'libmagic1' package"
        ) from None
    return magic


def sniff(path: Path) -> FileKind:
    """The file's kind, or Rejected('unsupported type') naming what it is."""
    try:
        with path.open("rb") as f:
            head = f.read(64 * 1024)
    except OSError as exc:
        raise Rejected("unreadable", exc.strerror or str(exc)) from None
    if not head:
        raise Rejected("empty file")
    mime = probe().from_buffer(head, mime=True)
    kind = ALLOWED.get(mime)
    if kind is None:
        raise Rejected("unsupported type", f"{mime}; allowed are PDF, TIFF, JPEG and PNG")
    return kind
