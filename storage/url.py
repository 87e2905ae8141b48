"""``open_store(url)``: one place that turns a storage URL into a store."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .base import ObjectStore
from .errors import StorageError
from .filesystem import FilesystemStore

_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def open_store(url: str) -> ObjectStore:
    """``file:///abs/path`` (or ``file://relative/path``) or
    ``s3://ACCESS:SECRET@host:port/bucket?secure=false&region=...``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.netloc + parts.path)
        if not path:
            raise StorageError(
                "a file:// storage URL needs a folder, e.g. file:///srv/bauakte/objects"
            )
        return FilesystemStore(Path(path))
    if parts.scheme == "s3":
        return _open_s3(url)
    raise StorageError(
        f"unsupported storage URL scheme {parts.scheme!r}: use file:///folder "
        "or s3://ACCESS:SECRET@host:port/bucket"
    )


def _open_s3(url: str) -> ObjectStore:
    from .s3 import S3Store  # the SDK is only imported when S3 is used

    parts = urlsplit(url)
    bucket = parts.path.strip("/")
    if not parts.hostname or not bucket or "/" in bucket:
        raise StorageError(
            "an s3:// storage URL needs host and bucket: s3://ACCESS:SECRET@host:port/bucket"
        )
    if parts.username is None or parts.password is None:
        raise StorageError(
            "an s3:// storage URL needs credentials: s3://ACCESS:SECRET@host:port/bucket"
        )
    if not _BUCKET.fullmatch(bucket):
        raise StorageError(
            f"bucket name {bucket!r} is not valid: 3-63 lower-case letters, digits, '.' or '-'"
        )
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    endpoint = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    return S3Store(
        endpoint,
        bucket,
        unquote(parts.username),
        unquote(parts.password),
        secure=_flag(query.get("secure", "true"), "secure"),
        region=query.get("region"),
        connect_timeout=float(query.get("connect_timeout", 5)),
        read_timeout=float(query.get("read_timeout", 60)),
        retries=int(query.get("retries", 3)),
    )


def _flag(value: str, name: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise StorageError(f"storage URL parameter {name}={value!r} must be true or false")


SECRET_PARAMS = re.compile(r"(?i)pass|secret|token|key")


def redact_url(url: str) -> str:
    """The URL with any password (in its user part or its query) replaced by ``***``, safe
    for logs and output; otherwise unchanged, character for character."""
    parts = urlsplit(url)
    if parts.password is not None:
        netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        url = url.replace(parts.netloc, netloc, 1)
    head, mark, query = url.partition("?")
    if mark:
        pairs = [p.partition("=") for p in query.split("&")]
        query = "&".join(
            f"{k}{eq}{'***' if eq and SECRET_PARAMS.search(k) else v}" for k, eq, v in pairs
        )
    return f"{head}{mark}{query}"
