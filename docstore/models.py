"""The domain model (SQLAlchemy 2, typed mappings).

Enumerations are stored as plain strings (with CHECK constraints) so that a
new value needs no database-specific enum migration.  Time stamps are stored
and returned as timezone-aware UTC on every database (see :class:`UTCDateTime`),
which the audit chain relies on for a stable canonical form.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Role(StrEnum):
    CITIZEN = "citizen"
    ARCHITECT = "architect"
    CLERK = "clerk"
    AUDITOR = "auditor"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.CLERK, Role.AUDITOR, Role.ADMIN})


class DocumentKind(StrEnum):
    BAUANTRAG = "bauantrag"
    BAUGENEHMIGUNG = "baugenehmigung"
    BAUZEICHNUNG = "bauzeichnung"
    LAGEPLAN = "lageplan"
    STATIK = "statik"
    BESCHEINIGUNG = "bescheinigung"
    ABNAHME = "abnahme"
    SCHRIFTVERKEHR = "schriftverkehr"
    SONSTIGES = "sonstiges"


class TextSource(StrEnum):
    PDF = "pdf"
    OCR = "ocr"
    NONE = "none"


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    """eingegangen"""
    IN_REVIEW = "in_review"
    QUERY = "query"
    """Rückfrage: the clerk asked, the applicant's answer is awaited."""
    DIGITISING = "digitising"
    """The file exists only on paper; its scans will move the application on."""
    APPROVED = "approved"
    REJECTED = "rejected"
    NO_FILE = "no_file"
    """Negativauskunft: the archive holds no file for what was named."""
    WITHDRAWN = "withdrawn"


OPEN_STATUSES = frozenset(
    {RequestStatus.SUBMITTED, RequestStatus.IN_REVIEW, RequestStatus.QUERY,
     RequestStatus.DIGITISING}
)  # fmt: skip


class Legitimation(StrEnum):
    OWNER = "owner"
    AUTHORIZED = "authorized"
    """Authorised by the owner (Vollmacht)."""
    MANAGEMENT = "management"
    """Property management (Hausverwaltung, WEG-Verwalter)."""
    ARCHITECT = "architect"
    """Architect or engineer commissioned by the owner (chamber membership number)."""
    NEIGHBOUR = "neighbour"
    LEGITIMATE_INTEREST = "legitimate_interest"


class OutboxOp(StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC in, aware UTC out, whatever the database keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _choice(column: str, enum: type[StrEnum]) -> CheckConstraint:
    values = ", ".join(f"'{v.value}'" for v in enum)
    return CheckConstraint(f"{column} IN ({values})", name=f"{column}_valid")


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class BuildingFile(Base):
    """A Bauakte: everything the authority holds about one building."""

    __tablename__ = "building_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    aktenzeichen: Mapped[str] = mapped_column(String(64), unique=True)
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(10))
    municipality: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parcels: Mapped[list[Parcel]] = relationship(
        back_populates="building_file", cascade="all, delete-orphan", order_by="Parcel.id"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="building_file")

    @property
    def address(self) -> str:
        street = " ".join(p for p in (self.street, self.house_number) if p)
        town = " ".join(p for p in (self.postcode, self.municipality) if p)
        return ", ".join(p for p in (street, town) if p)


class Parcel(Base):
    """A cadastral parcel (Gemarkung, Flur, Flurstück) a building file covers."""

    __tablename__ = "parcels"
    __table_args__ = (UniqueConstraint("building_file_id", "gemarkung", "flur", "flurstueck"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_file_id: Mapped[int] = mapped_column(
        ForeignKey("building_files.id", ondelete="CASCADE"), index=True
    )
    gemarkung: Mapped[str] = mapped_column(String(200))
    flur: Mapped[str | None] = mapped_column(String(20))
    flurstueck: Mapped[str] = mapped_column(String(40))

    building_file: Mapped[BuildingFile] = relationship(back_populates="parcels")


class Blob(Base):
    """An original file, stored once under its SHA-256 content address."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime_type: Mapped[str] = mapped_column(String(100))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """One scanned or born-digital document; without a building file it waits in the inbox."""

    __tablename__ = "documents"
    __table_args__ = (_choice("kind", DocumentKind),)

    id: Mapped[int] = mapped_column(primary_key=True)
    building_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("building_files.id", ondelete="RESTRICT"), index=True
    )
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    kind: Mapped[str] = mapped_column(String(32), default=DocumentKind.SONSTIGES.value)
    title: Mapped[str | None] = mapped_column(String(500))
    date: Mapped[dt.date | None] = mapped_column(Date)
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)
    original_name: Mapped[str] = mapped_column(String(500))
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    active_content: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    building_file: Mapped[BuildingFile | None] = relationship(back_populates="documents")
    blob: Mapped[Blob] = relationship()
    pages: Mapped[list[Page]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Page.number"
    )


def new_page_identifier() -> str:
    return str(uuid.uuid4())


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        _choice("text_source", TextSource),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    width_px: Mapped[int | None] = mapped_column(Integer)
    height_px: Mapped[int | None] = mapped_column(Integer)
    dpi: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(8), default=TextSource.NONE.value)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    iiif_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_page_identifier)
    """The page's public name in IIIF URLs: random, so that it tells nobody how many pages
    the archive holds or which page comes next (the integer id would)."""
    redacted_text: Mapped[str | None] = mapped_column(Text)
    """The text people outside the authority get while the page has redactions (the words
    under them left out); None without redactions (``docstore.services.redactions``)."""

    document: Mapped[Document] = relationship(back_populates="pages")


class User(Base):
    __tablename__ = "users"
    __table_args__ = (_choice("role", Role),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    """For a self-registered account a pseudonym (``b-…``): the audit trail holds no name."""
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    """Stored lower-cased (see services.users.normal_email); unique."""
    pending_email: Mapped[str | None] = mapped_column(String(320))
    """A new address waiting for its owner to follow the link mailed to it."""
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """When the owner of the address followed the confirmation link (or an admin entered it)."""
    language: Mapped[str] = mapped_column(String(8), default="de", server_default="de")
    """The language of the mail the account is sent."""
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(16))
    city: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(50))
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """Set when the owner deleted the account: its personal data is gone, its id stays for
    the audit trail and the records that point to it."""
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Raised whenever every session ends: a half-finished sign-in of an older epoch is void."""
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    """Set by an admin's password reset: the next sign-in leads to the password change first."""
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    """Encrypted with a key derived from the secret key (see services.second_factor)."""
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    """The time step of the last accepted code: a code is never accepted twice."""

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class AccessRequest(Base):
    """An external user's application to inspect a building file."""

    __tablename__ = "access_requests"
    __table_args__ = (_choice("status", RequestStatus), _choice("legitimation", Legitimation))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    building_file_id: Mapped[int | None] = mapped_column(ForeignKey("building_files.id"))
    """The file the clerk matched (the applicant never learns of a file before approval)."""
    subject: Mapped[str] = mapped_column(Text)
    """What the applicant named (address, parcel or file number), as one line."""
    street: Mapped[str | None] = mapped_column(String(200))
    house_number: Mapped[str | None] = mapped_column(String(20))
    postcode: Mapped[str | None] = mapped_column(String(10))
    gemarkung: Mapped[str | None] = mapped_column(String(100))
    flur: Mapped[str | None] = mapped_column(String(20))
    flurstueck: Mapped[str | None] = mapped_column(String(40))
    aktenzeichen: Mapped[str | None] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(Text)
    legitimation: Mapped[str] = mapped_column(String(32))
    interest: Mapped[str | None] = mapped_column(Text)
    """The legitimate interest in the applicant's words."""
    chamber_number: Mapped[str | None] = mapped_column(String(50))
    """An architect's or engineer's membership number at their chamber."""
    status: Mapped[str] = mapped_column(String(16), default=RequestStatus.SUBMITTED.value)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(String(32))
    """Why it was rejected (a code from services.review.REJECTION_REASONS)."""
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    history: Mapped[list[AccessRequestEvent]] = relationship(
        back_populates="request", order_by="AccessRequestEvent.id", cascade="all, delete-orphan"
    )
    proofs: Mapped[list[ApplicationProof]] = relationship(
        back_populates="request", order_by="ApplicationProof.id", cascade="all, delete-orphan"
    )
    messages: Mapped[list[ApplicationMessage]] = relationship(
        back_populates="request", order_by="ApplicationMessage.id", cascade="all, delete-orphan"
    )

    @property
    def number(self) -> str:
        """The reference the applicant quotes: year and a running number."""
        return f"{self.created_at.year}-{self.id:05d}"


class ApplicationProof(Base):
    """A document the applicant gave as proof (land-register extract, power of attorney).

    Stored under ``proofs/`` in the object store, apart from the building
    files: it is the applicant's, and only they and the staff see it.
    """

    __tablename__ = "application_proofs"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("access_requests.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    active_content: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[AccessRequest] = relationship(back_populates="proofs")


class ApplicationMessage(Base):
    """A message in an application's message box (the clerk's question, the answer)."""

    __tablename__ = "application_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("access_requests.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """When the recipient (the applicant, for a staff message) opened it."""

    request: Mapped[AccessRequest] = relationship(back_populates="messages")


class AccessRequestEvent(Base):
    """One step in an access request's visible status history."""

    __tablename__ = "access_request_events"
    __table_args__ = (_choice("status", RequestStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("access_requests.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[AccessRequest] = relationship(back_populates="history")


class Grant(Base):
    """Access for one external user to a building file, or to listed documents of it."""

    __tablename__ = "grants"
    __table_args__ = (
        CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="valid_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    building_file_id: Mapped[int] = mapped_column(ForeignKey("building_files.id"), index=True)
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    valid_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    may_download: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    access_request_id: Mapped[int | None] = mapped_column(ForeignKey("access_requests.id"))
    awaiting_payment: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """Approved, but usable only once its fee notice is paid (see services.payments)."""

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    building_file: Mapped[BuildingFile] = relationship()
    documents: Mapped[list[GrantDocument]] = relationship(cascade="all, delete-orphan")
    kinds: Mapped[list[GrantKind]] = relationship(cascade="all, delete-orphan")


class GrantKind(Base):
    """Restricts a grant to documents of a kind (a neighbour: Lageplan and Bauzeichnung),
    including documents of that kind scanned later."""

    __tablename__ = "grant_kinds"
    __table_args__ = (_choice("kind", DocumentKind),)

    grant_id: Mapped[int] = mapped_column(
        ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)


class GrantDocument(Base):
    """Restricts a grant to listed documents; a grant without rows covers the whole file."""

    __tablename__ = "grant_documents"

    grant_id: Mapped[int] = mapped_column(
        ForeignKey("grants.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )


class AuditEvent(Base):
    """Append-only and hash-chained: each event seals its predecessor's hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(100))
    building_file_id: Mapped[int | None] = mapped_column(Integer, index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    """Canonical JSON text, so the hash does not depend on a database's JSON type."""
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """One row: the chain's tip.  Locking it serialises appends across processes."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


class IndexOutbox(Base):
    """A change the search index has yet to learn about (written in the same transaction)."""

    __tablename__ = "index_outbox"
    __table_args__ = (_choice("op", OutboxOp),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecoveryCode(Base):
    """A one-time second factor for a lost authenticator, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ApiToken(Base):
    """A per-user API token; only its SHA-256 is kept, so a database leak reveals none."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A signed-in browser.  The cookie carries a random key; only its SHA-256 is kept here.

    A session is valid only while its row exists: signing out deletes it, and
    every change that must end a user's sessions deletes all of them, so no
    cookie saved earlier opens anything afterwards.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RateCounter(Base):
    """A fixed-window counter shared by every server process (rate limits, lockouts)."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)
    """Seconds since the epoch, as the rate-limit library counts."""


class UploadStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"


class UploadBatch(Base):
    """Files a clerk uploaded through the browser, waiting in the spool folder or ingested."""

    __tablename__ = "upload_batches"
    __table_args__ = (_choice("status", UploadStatus),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    """Name of the batch's spool folder."""
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    manifest_name: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=UploadStatus.QUEUED.value)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Runs that ended with files failed through no fault of theirs (each is tried again)."""
    retry_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """A batch waiting for another try is not claimed before this."""

    files: Mapped[list[UploadFile]] = relationship(
        back_populates="batch", cascade="all, delete-orphan", order_by="UploadFile.id"
    )


class UploadFile(Base):
    """One uploaded file and what became of it (the ingest outcome and reason)."""

    __tablename__ = "upload_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("upload_batches.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    outcome: Mapped[str | None] = mapped_column(String(16))
    """None while waiting; then accepted, duplicate, rejected or failed."""
    reason: Mapped[str | None] = mapped_column(Text)
    reason_code: Mapped[str | None] = mapped_column(String(64))
    """A stable code of the reason (a manifest row's problem), worded by each entry point."""
    reason_params: Mapped[str | None] = mapped_column(Text)
    """The code's parameters as JSON text."""
    document_id: Mapped[int | None] = mapped_column(Integer)
    pages_done: Mapped[int | None] = mapped_column(Integer)
    """Pages the worker has finished, while it is on the file (a long scan shows its progress)."""
    pages_total: Mapped[int | None] = mapped_column(Integer)

    batch: Mapped[UploadBatch] = relationship(back_populates="files")


class MailMessage(Base):
    """A mail waiting to be sent (written in the transaction of the change it tells about).

    The sender (``services.mail.deliver_due``) deletes a row once the SMTP
    server took the message, so a server that is down loses nothing and
    a sent mail's link is not kept longer than needed.
    """

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """A sender that took the row; another sender leaves it alone until then."""
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    """The server refused the message for good (no such recipient): not tried again."""


# the fee, extract and identity tables share Base; imported here so that every user of models has
# them in the metadata (as modules, so that importing either of them first works too)
from . import extract_models, fee_models, identity_models, redaction_models  # noqa: E402,F401
