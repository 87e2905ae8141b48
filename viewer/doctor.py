"""``bauakte doctor``: every service and program the instance is configured to use, checked.

One line per check, for an operator at 3 a.m.: what was checked, where, and on failure
what to do.  Each check asks the one wrapper of its service or program (its probe);
nothing here knows a server's protocol.  Read-only: nothing is written or repaired.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docstore.instance import Instance
from storage import StorageError, redact_url


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    """Where (ok), or what failed and what to do (not ok)."""


def findings(instance: Instance) -> Iterator[Finding]:
    for name, check in _checks(instance):
        try:
            detail = check()
        except Exception as exc:  # every probe's failure, whatever its kind, is one line
            yield Finding(name, False, _one_line(exc))
        else:
            yield Finding(name, True, detail)


def _checks(instance: Instance) -> list[tuple[str, Callable[[], str]]]:
    config = instance.config
    checks = [
        ("database", lambda: _database(instance)),
        ("object store", lambda: _object_store(instance)),
        ("search index", lambda: _search_index(instance)),
        ("OCR", lambda: _ocr(config)),
        ("file types", _file_types),
        ("page images", _page_images),
        ("word list", _word_list),
    ]
    if config.job_queue:
        checks.append(("job queue", lambda: _job_queue(instance)))
    if config.smtp_url and not config.smtp_url.startswith("console"):
        checks.append(("mail", lambda: _mail(instance)))
    if config.saml_idp_metadata:
        checks.append(("identity provider", lambda: _identity_provider(config)))
    return checks


def _database(instance: Instance) -> str:
    instance.require_schema()
    return f"{redact_url(instance.config.database_url)}: reachable, schema up to date"


def _object_store(instance: Instance) -> str:
    store = instance.store
    try:  # a listing of a prefix that holds nothing: the bucket or folder must exist, and
        # nothing is created (ensure_ready would) nor the whole archive walked
        next(iter(store.list("bauakte-doctor/")), None)
    except StorageError as exc:
        raise RuntimeError(
            f"{store.location} cannot be read: start it or fix BAUAKTE_STORAGE_URL "
            f"({_one_line(exc)[:160]})"
        ) from None
    return f"{store.location}: reachable, readable"


def _search_index(instance: Instance) -> str:
    from indexer.opensearch_backend import OpenSearchBackend
    from ingest.index_sync import search_backend

    backend = search_backend(instance)
    try:
        backend.check()
    except Exception as exc:
        advice = "" if "bauakte reindex" in str(exc) else "; run 'bauakte reindex'"
        raise RuntimeError(f"{_one_line(exc)[:300]}{advice}") from None
    finally:
        backend.close()
    where = backend.alias if isinstance(backend, OpenSearchBackend) else instance.config.index_dir
    return f"{backend.name} {where}: readable"


def _job_queue(instance: Instance) -> str:
    from ingest.queue import status

    found = status(instance)
    if not found["schema"]:
        raise RuntimeError("the queue's tables are missing: start 'bauakte worker' once "
                           "(it creates them)")  # fmt: skip
    jobs = found["jobs"]
    if not found["workers"]:
        raise RuntimeError(f"no worker is running ({jobs.get('todo', 0)} jobs waiting): "
                           "start 'bauakte worker' on one or more hosts")  # fmt: skip
    failed = jobs.get("failed", 0)
    if failed:
        raise RuntimeError(f"{failed} jobs failed for good (their files are still staged): "
                           "see the workers' log; 'bauakte worker --retry-failed'")  # fmt: skip
    return (
        f"PostgreSQL (Procrastinate): {found['workers']} workers, "
        f"{jobs.get('todo', 0)} waiting, {jobs.get('doing', 0)} running"
    )


def _ocr(config) -> str:
    from ingest import ocr
    from ingest.ocr_read import probe as opencv_probe

    found = ocr.probe(config.ocr_languages)
    languages = config.ocr_languages
    if config.ocr_fraktur_languages:
        ocr.probe(config.ocr_fraktur_languages)
        languages += f", {config.ocr_fraktur_languages}"
    opencv_probe()
    from ingest.ocr_read import _cleaning

    _cleaning()  # loads OpenCV and numpy, as a worker will
    return f"{found.version} ({languages}), OpenCV for cleaning scans"


def _file_types() -> str:
    from ingest.sniff import probe

    probe()
    return "libmagic"


def _page_images() -> str:
    from ingest.vips import probe

    vips = probe()
    return f"libvips {vips.version(0)}.{vips.version(1)}"


def _word_list() -> str:
    from indexer.lexicon import probe

    return str(probe())


def _mail(instance: Instance) -> str:
    transport = instance.mail_transport
    transport.probe()
    return f"{transport.location}: answers"


def _identity_provider(config) -> str:
    from docstore.saml import probe

    metadata = Path(config.saml_idp_metadata)
    if not metadata.is_file():
        raise FileNotFoundError(
            f"the identity provider's metadata {metadata} is missing: fetch it from the "
            "provider and set BAUAKTE_SAML_IDP_METADATA"
        )
    if "EntityDescriptor" not in metadata.read_text(encoding="utf-8", errors="replace"):
        raise ValueError(f"{metadata} is no SAML metadata (no EntityDescriptor)")
    return f"metadata {metadata}, {probe()} for signatures"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
