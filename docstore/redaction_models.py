"""Redactions: regions of a page that people outside the authority never receive.

Kept beside :mod:`docstore.models` (whose ``Base`` they share).  A region is
stored as fractions of the page (left, top, width, height), so it holds for
every rendition, tile and zoom.  Removed, never deleted: the trail shows what
was hidden, by whom and why, also after a clerk lifted it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Base, Page, User, UTCDateTime, utcnow


class Redaction(Base):
    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    left: Mapped[float] = mapped_column(Float)
    top: Mapped[float] = mapped_column(Float)
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    page: Mapped[Page] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])
