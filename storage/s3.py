"""MinIO or any S3-compatible service, through the ``minio`` SDK.

S3 already makes an object visible only once its upload is complete, so
atomicity comes for free; what this module adds is the content-address check
for originals (hashed *before* the upload, so a wrong byte never lands under
an original's key), multipart uploads for large objects, bounded timeouts,
retries with backoff on connection errors, and one translation of the SDK's
exceptions into ours.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.error import InvalidResponseError, S3Error, ServerError

from .base import CHUNK_SIZE, BaseStore, HashingReader, ObjectInfo, PutResult, hash_stream
from .errors import ContentMismatch, StorageError, StorageUnavailable

PART_SIZE = 16 * 1024 * 1024
SHA256_META = "sha256"
_MISSING_CODES = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}


class S3Store(BaseStore):
    def __init__(
        self,
        endpoint: str,
        bucket: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool = True,
        region: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.endpoint = endpoint
        self.bucket = bucket
        self.secure = secure
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            retries=urllib3.Retry(
                total=retries,
                connect=retries,
                read=retries,
                backoff_factor=backoff,
                status_forcelist=(500, 502, 503, 504),
                allowed_methods=None,  # S3 PUTs of a whole part are safe to repeat
                raise_on_status=False,
            ),
            maxsize=10,
        )
        self.client = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )

    @property
    def location(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"s3 {scheme}://{self.endpoint}/{self.bucket}"

    def __repr__(self) -> str:
        return f"S3Store({self.location!r})"

    @contextlib.contextmanager
    def _guard(self, key: str | None = None):
        """Translate the SDK's and urllib3's exceptions into ours."""
        try:
            yield
        except S3Error as exc:
            if exc.code in _MISSING_CODES and key is not None:
                raise FileNotFoundError(key) from None
            if exc.code == "NoSuchBucket":
                raise StorageUnavailable(
                    self.location, f"bucket {self.bucket!r} does not exist (run 'bauakte init')"
                ) from None
            if exc.code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
                raise StorageError(
                    f"object store at {self.location} refused the credentials ({exc.code}); "
                    "check BAUAKTE_STORAGE_URL"
                ) from None
            kind = _CutShort if exc.code == "IncompleteBody" else StorageError
            raise kind(f"object store at {self.location}: {exc.code}: {exc.message}") from None
        except (ServerError, InvalidResponseError) as exc:
            raise StorageUnavailable(self.location, _short(exc)) from None
        except urllib3.exceptions.HTTPError as exc:
            raise StorageUnavailable(self.location, _short(exc)) from None
        except ConnectionError as exc:
            raise StorageUnavailable(self.location, _short(exc)) from None

    def ensure_ready(self) -> None:
        with self._guard():
            if not self.client.bucket_exists(self.bucket):
                with contextlib.suppress(S3Error):  # created concurrently
                    self.client.make_bucket(self.bucket)
            if not self.client.bucket_exists(self.bucket):
                raise StorageUnavailable(self.location, f"could not create bucket {self.bucket!r}")

    def _write(self, key: str, stream: BinaryIO, expected_sha256: str | None) -> PutResult:
        if expected_sha256 is None:
            return self._upload(key, stream, length=-1)
        # Originals: prove the address before anything becomes visible.
        with _seekable(stream) as source:
            start = source.tell()
            digest, size = hash_stream(source)
            if digest != expected_sha256:
                raise ContentMismatch(f"bytes given for {key} hash to {digest}")
            source.seek(start)
            try:
                return self._upload(key, source, length=size, metadata={SHA256_META: digest})
            except _CutShort:  # the server got less than was sent (a loaded link): once more
                source.seek(start)
                return self._upload(key, source, length=size, metadata={SHA256_META: digest})

    def _upload(
        self, key: str, stream: BinaryIO, length: int, metadata: dict[str, str] | None = None
    ) -> PutResult:
        reader = HashingReader(stream)
        with self._guard():
            self.client.put_object(
                self.bucket,
                key,
                reader,  # type: ignore[arg-type]
                length=length,
                part_size=PART_SIZE,
                num_parallel_uploads=1,
                metadata=metadata,  # type: ignore[arg-type]
            )
        digest = reader.hexdigest
        if length >= 0 and reader.size != length:
            raise StorageError(f"short read while storing {key}: {reader.size} of {length} bytes")
        return PutResult(key=key, size=reader.size, sha256=digest, created=True)

    def _open(self, key: str, start: int, length: int | None) -> BinaryIO:
        if length == 0:
            self._stat(key)
            return _S3Reader(None, self, key)
        with self._guard(key):
            try:
                response = self.client.get_object(
                    self.bucket, key, offset=start, length=length or 0
                )
            except S3Error as exc:
                if exc.code != "InvalidRange":
                    raise
                response = None
        if response is None:
            self._stat(key)  # a range past the end of an existing object reads as empty
        return _S3Reader(response, self, key)

    def _stat(self, key: str) -> ObjectInfo:
        with self._guard(key):
            obj = self.client.stat_object(self.bucket, key)
        meta = {k.lower(): v for k, v in (obj.metadata or {}).items()}
        return ObjectInfo(
            key=key,
            size=obj.size or 0,
            modified=obj.last_modified,  # type: ignore[arg-type]
            sha256=meta.get(f"x-amz-meta-{SHA256_META}"),
        )

    def _list(self, prefix: str) -> Iterator[ObjectInfo]:
        with self._guard():
            objects = list(self.client.list_objects(self.bucket, prefix=prefix, recursive=True))
        for obj in sorted(objects, key=lambda o: o.object_name or ""):
            if obj.is_dir:
                continue
            yield ObjectInfo(
                key=obj.object_name or "",
                size=obj.size or 0,
                modified=obj.last_modified,  # type: ignore[arg-type]
            )

    def _delete(self, key: str) -> None:
        with self._guard(key):
            self.client.remove_object(self.bucket, key)

    def _copy(self, source: str, target: str) -> None:
        """A server-side copy: the bytes never pass through this process."""
        with self._guard(source):
            try:
                self.client.copy_object(self.bucket, target, CopySource(self.bucket, source))
            except ValueError as exc:  # an error in a 200 answer, which the SDK cannot parse
                raise StorageError(f"object store at {self.location}: copy failed: {exc}") from None


class _S3Reader(HashingReader):
    """A streaming body that maps transport errors and frees the connection."""

    def __init__(self, response, store: S3Store, key: str) -> None:
        super().__init__(response if response is not None else _Empty())
        self._response = response
        self._store = store
        self._key = key

    def read(self, size: int = -1) -> bytes:
        with self._store._guard(self._key):
            return super().read(size)

    def close(self) -> None:
        if self._response is not None and not self.closed:
            self._response.close()
            self._response.release_conn()
        super().close()


class _Empty:
    def read(self, _size: int = -1) -> bytes:
        return b""


@contextlib.contextmanager
def _seekable(stream: BinaryIO):
    """The stream itself if it can be re-read, else a spooled copy of it."""
    try:
        seekable = stream.seekable()
    except (AttributeError, OSError):
        seekable = False
    if seekable:
        yield stream
        return
    with tempfile.TemporaryFile() as spool:
        shutil.copyfileobj(stream, spool, CHUNK_SIZE)
        spool.seek(0)
        yield spool


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


class _CutShort(StorageError):
    """The object store received fewer bytes than announced (MinIO's IncompleteBody): the
    connection was cut under load. Sending the same bytes again is safe."""
