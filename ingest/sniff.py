"""sniff: what a file really is, from its content (libmagic), never its name."""

from __future__ import annotations

from pathlib import Path

import magic

from .model import FileKind, Rejected

ALLOWED = {
    "application/pdf": FileKind.PDF,
    "image/tiff": FileKind.TIFF,
    "image/jpeg": FileKind.JPEG,
    "image/png": FileKind.PNG,
}


def sniff(path: Path) -> FileKind:
    """The file's kind, or Rejected('unsupported type') naming what it is."""
    try:
        with path.open("rb") as f:
            head = f.read(64 * 1024)
    except OSError as exc:
        raise Rejected("unreadable", exc.strerror or str(exc)) from None
    if not head:
        raise Rejected("empty file")
    mime = magic.from_buffer(head, mime=True)
    kind = ALLOWED.get(mime)
    if kind is None:
        raise Rejected("unsupported type", f"{mime}; allowed are PDF, TIFF, JPEG and PNG")
    return kind
