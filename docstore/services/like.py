"""Text typed by staff as SQL ``LIKE`` patterns, the same on SQLite and PostgreSQL.

Typed text may hold ``%`` and ``_``; they must match themselves, not anything.  SQLite's
``lower()`` folds only ASCII letters (``Ö`` stays ``Ö``), so an any-case match narrows by
an ASCII skeleton in the database and compares the rest in Python with ``casefold``.
"""

from __future__ import annotations

ESCAPE = "\\"


def escaped(text: str) -> str:
    """``text`` with LIKE's wildcards and the escape character taken literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def skeleton(text: str) -> str:
    """A lower-case pattern of ``text`` in which each non-ASCII character matches any one
    character (compare the rows found with :func:`same_text` or ``casefold``)."""
    return "".join(c if c.isascii() else "_" for c in escaped(text.lower()))
