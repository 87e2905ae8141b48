"""Configuration in layers: defaults < ``<home>/config.toml`` < ``BAUAKTE_*`` < overrides.

Every setting is declared once below, with its type, default and help text;
``bauakte config show`` prints them from here, so the documentation cannot
drift from the code.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from .errors import ConfigError
from .extract_settings import EXTRACT_SETTINGS
from .fee_settings import FEE_SETTINGS
from .payment_settings import PAYMENT_SETTINGS
from .setting import Setting

CONFIG_FILE = "config.toml"


SETTINGS: tuple[Setting, ...] = (
    Setting("home", Path, "instance", "Instance folder: config.toml, SQLite DB, index, objects."),
    Setting(
        "database_url",
        str,
        "sqlite:///{home}/bauakte.db",
        "SQLAlchemy URL of the metadata database (SQLite or postgresql+psycopg://…).",
    ),
    Setting(
        "storage_url",
        str,
        "file://{home}/objects",
        "Object store: file:///folder or s3://ACCESS:SECRET@host:port/bucket?secure=false "
        "(optional region, retries, connect_timeout, read_timeout).",
        secret=True,
    ),
    Setting("index_dir", Path, "{home}/index", "Folder of the Whoosh search index."),
    Setting(
        "search_url",
        str,
        "",
        "Search cluster: empty for the embedded Whoosh index in index_dir; else OpenSearch "
        "nodes as comma-separated URLs (http://search1:9200,http://search2:9200).",
        secret=True,
    ),
    Setting(
        "search_index",
        str,
        "bauakte",
        "Name prefix of the OpenSearch indexes (instances sharing a cluster need their own).",
    ),
    Setting(
        "secret_key",
        str,
        "",
        "Key that signs sessions and tokens; generated into config.toml by 'bauakte init'.",
        secret=True,
    ),
    Setting("timezone", str, "Europe/Berlin", "Time zone of the authority (dates of grants)."),
    Setting("password_min_length", int, 12, "Minimum length of a user's password."),
    Setting("quarantine_dir", Path, "{home}/quarantine", "Where rejected files are copied."),
    Setting("ingest_workers", int, 0, "Worker processes for ingest; 0 means one per CPU core."),
    Setting(
        "ingest_timeout",
        int,
        900,
        "Seconds one file may take in its worker, plus ingest_page_seconds for each of its "
        "pages, before it is rejected as 'resource limit'.",
    ),
    Setting(
        "ingest_page_seconds",
        int,
        10,
        "Seconds added to ingest_timeout per page of a file (an OCR'd scan takes 0.5-3 s).",
    ),
    Setting(
        "ingest_max_pages",
        int,
        10_000,
        "Most pages one file may have; a longer file is rejected as 'resource limit'.",
    ),
    Setting(
        "ingest_memory_limit_mb",
        int,
        2048,
        "Address-space limit of each ingest worker in MiB ('resource limit' beyond it).",
    ),
    Setting(
        "image_max_pixels",
        int,
        300_000_000,
        "Largest image (pixels) accepted; an A0 plan at 400 dpi has 248 million.",
    ),
    Setting(
        "pdf_inflation_max_ratio",
        int,
        100,
        "A PDF whose streams inflate to more than this many times its size (and past "
        "pdf_inflation_min_mb) is rejected as 'too large / decompression bomb'.",
    ),
    Setting(
        "pdf_inflation_min_mb",
        int,
        100,
        "Inflated size in MiB below which a PDF is never judged a decompression bomb.",
    ),
    Setting("ocr_languages", str, "deu+eng", "Tesseract languages for OCR."),
    Setting(
        "ocr_fraktur_languages",
        str,
        "deu+frk",
        "Tesseract languages for a second reading of a page the first reads poorly (Fraktur "
        "print); empty: no second reading.",
    ),
    Setting(
        "ocr_page_seconds",
        int,
        300,
        "Seconds tesseract may take for one page before the file is rejected as 'resource limit'.",
    ),
    Setting("signin_max_failures", int, 5, "Failed sign-ins before an account is locked."),
    Setting("signin_lockout_minutes", int, 15, "How long a locked account stays locked."),
    Setting(
        "signin_rate_limit",
        str,
        "20 per 10 minutes",
        "Sign-in attempts allowed per address and per account name (Flask-Limiter syntax).",
    ),
    Setting(
        "mail_rate_limit",
        str,
        "5 per hour",
        "Registration, confirmation and reset mails allowed per address and per client.",
    ),
    Setting(
        "application_rate_limit",
        str,
        "20 per day",
        "New applications allowed per account (Flask-Limiter syntax).",
    ),
    Setting("session_hours", int, 8, "A browser session ends this many hours after sign-in."),
    Setting(
        "session_idle_minutes", int, 60, "A browser session ends after this many idle minutes."
    ),
    Setting("api_token_days", int, 90, "An API token expires this many days after creation."),
    Setting("search_max_words", int, 16, "Words (and phrases) one search may have."),
    Setting(
        "search_seconds",
        float,
        1.0,
        "CPU seconds one search may spend (waiting does not count); past it, it is refused.",
    ),
    Setting(
        "search_concurrency",
        int,
        4,
        "Searches one web server process runs at once (of its threads); a few more wait "
        "briefly for a slot, the rest get 'busy, try again' (503), so page views keep threads.",
    ),
    Setting(
        "search_rate_limit",
        str,
        "30 per minute",
        "Searches allowed per account and per address (Flask-Limiter syntax).",
    ),
    Setting(
        "authority_name",
        str,
        "Bauaufsicht der Stadt Musterstadt",
        "The authority that runs the service, as the legal pages name it.",
    ),
    Setting(
        "contact_email",
        str,
        "bauaufsicht@musterstadt.example",
        "Contact address on the legal pages (also for reporting accessibility barriers).",
    ),
    Setting(
        "legal_dir",
        Path,
        "{home}/legal",
        "Texts of the legal pages: impressum, datenschutz, barrierefreiheit as "
        "<page>.de.txt / <page>.en.txt (blank lines between paragraphs); built-in text otherwise.",
    ),
    Setting(
        "public_url",
        str,
        "http://127.0.0.1:5000",
        "The address citizens reach the service at; links in mail point there (never to the "
        "Host a request named).",
    ),
    Setting(
        "smtp_url",
        str,
        "console:",
        "Where mail goes: smtp://USER:PASSWORD@host:587 (STARTTLS when offered; "
        "?starttls=require to insist), smtps://…:465, or console: to print it (demo).",
        secret=True,
    ),
    Setting("mail_from", str, "Bauakte <bauakte@localhost>", "Sender of the service's mail."),
    Setting(
        "self_registration",
        bool,
        True,
        "Citizens may create their own account (confirmed by e-mail).",
    ),
    Setting(
        "confirm_link_hours",
        int,
        48,
        "Hours an e-mail confirmation link is valid; unconfirmed accounts go after that.",
    ),
    Setting("reset_link_minutes", int, 60, "Minutes a password-reset link is valid."),
    Setting(
        "processing_days",
        int,
        10,
        "Working days an application usually takes, as the applicant is told.",
    ),
    Setting("grant_days", int, 30, "Days an approved application's access lasts by default."),
    Setting(
        "street_list",
        Path,
        "{home}/streets.txt",
        "The city's streets, one per line: suggestions in the application form and a check "
        "that a named street exists (no check when the file is missing).",
    ),
    Setting(
        "saml_idp_metadata",
        str,
        "",
        "Metadata file of the SAML identity provider (BundID or another); empty: no such "
        "sign-in. The service provider's own metadata is served at /saml/metadata.",
    ),
    Setting(
        "saml_label",
        str,
        "Mit BundID anmelden",
        "The text of the sign-in button for the identity provider.",
    ),
    Setting(
        "saml_entity_id",
        str,
        "",
        "This service provider's SAML entity id; empty: the public_url followed by /saml/metadata.",
    ),
    Setting("proof_max_mb", int, 20, "Largest proof document an applicant may upload, in MiB."),
    Setting("https", bool, False, "Served over HTTPS: session cookies get the Secure flag."),
    Setting(
        "trusted_proxies",
        int,
        0,
        "Reverse proxies in front of Bauakte whose X-Forwarded-For/-Proto/-Host are believed "
        "(rate limits and lockouts count the client they name); 0: none, the connection's "
        "address counts.",
    ),
    Setting("spool_dir", Path, "{home}/spool", "Where browser uploads wait for ingest."),
    Setting(
        "upload_max_mb",
        int,
        2048,
        "Largest browser upload (all files of one form together) in MiB; larger is refused.",
    ),
    Setting(
        "spool_abandoned_hours",
        int,
        24,
        "Hours after which a half-written upload (its request died) is removed from the spool.",
    ),
    Setting(
        "spool_workers",
        int,
        2,
        "Upload batches ingested side by side, so one long batch does not hold up the others.",
    ),
    Setting(
        "job_queue",
        str,
        "",
        "Empty: uploads wait in spool_dir and this host's spool worker ingests them. "
        "'postgres': each uploaded file is a job on the database's queue (Procrastinate), "
        "its bytes staged in the object store, ingested by 'bauakte worker' on any host.",
    ),
    Setting(
        "job_attempts",
        int,
        6,
        "Tries of one queued file (a worker that died on it counts) before it goes to "
        "quarantine with the reason.",
    ),
    Setting(
        "scratch_dir",
        Path,
        "{home}/scratch",
        "Where a queue worker copies the file it is ingesting (its own folder on each host).",
    ),
    *FEE_SETTINGS,
    *PAYMENT_SETTINGS,
    *EXTRACT_SETTINGS,
)
_BY_NAME = {s.name: s for s in SETTINGS}


def settings_markdown() -> str:
    """The README's table of settings, made from ``SETTINGS`` (a test keeps them equal)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for s in SETTINGS:
        default = str(s.default).replace("{home}", "<home>") if s.default != "" else "(none)"
        if s.type is bool:
            default = str(s.default).lower()
        meaning = s.help.replace("|", "\\|")
        rows.append(f"| `{s.env}` | `{default}` | {meaning} |")
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Config:
    """Resolved settings; ``sources`` says where each value came from."""

    values: Mapping[str, Any]
    sources: Mapping[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def config_file(self) -> Path:
        return self.values["home"] / CONFIG_FILE

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.values["timezone"])

    def shown(self) -> list[tuple[Setting, str, str]]:
        """(setting, printable value, source) with secrets masked."""
        from storage import redact_url

        rows = []
        for s in SETTINGS:
            value = self.values[s.name]
            if s.name in ("storage_url", "smtp_url", "search_url"):
                text = ",".join(redact_url(part) for part in str(value).split(","))
            elif s.secret:
                text = "***" if value else "(not set)"
            else:
                text = str(value)
            rows.append((s, text, self.sources[s.name]))
        return rows


def _convert(setting: Setting, raw: Any, origin: str) -> Any:
    try:
        if setting.type is Path:
            return Path(str(raw)).expanduser().absolute()
        if setting.type is int:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return int(raw)
        if setting.type is float:
            if isinstance(raw, bool):
                raise ValueError(raw)
            return float(raw)
        if setting.type is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(raw)
        return str(raw)
    except (TypeError, ValueError):
        raise ConfigError(
            f"{setting.name} from {origin} must be of type {setting.type.__name__}, got {raw!r}"
        ) from None


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    environ = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")

    raw: dict[str, Any] = {}
    sources: dict[str, str] = {}

    home_setting = _BY_NAME["home"]
    if "home" in overrides:
        raw["home"], sources["home"] = overrides["home"], "override"
    elif home_setting.env in environ:
        raw["home"], sources["home"] = environ[home_setting.env], f"env {home_setting.env}"
    else:
        raw["home"], sources["home"] = home_setting.default, "default"
    home = _convert(home_setting, raw["home"], sources["home"])

    from_file = _read_file(home / CONFIG_FILE)
    if "home" in from_file:
        raise ConfigError(f"{home / CONFIG_FILE}: 'home' cannot be set inside the instance")

    values: dict[str, Any] = {"home": home}
    for s in SETTINGS[1:]:
        if s.name in overrides:
            value, origin = overrides[s.name], "override"
        elif s.env in environ:
            value, origin = environ[s.env], f"env {s.env}"
        elif s.name in from_file:
            value, origin = from_file[s.name], CONFIG_FILE
        else:
            value = s.default.format(home=home) if isinstance(s.default, str) else s.default
            origin = "default"
        values[s.name] = _convert(s, value, origin)
        sources[s.name] = origin

    unknown_in_file = set(from_file) - set(_BY_NAME)
    if unknown_in_file:
        raise ConfigError(
            f"{home / CONFIG_FILE}: unknown setting(s) {', '.join(sorted(unknown_in_file))}"
        )
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"timezone {values['timezone']!r} is not a known time zone") from None
    _check_job_queue(values)
    return Config(values=values, sources=sources)


JOB_QUEUES = ("", "postgres")


def _check_job_queue(values: dict[str, Any]) -> None:
    """The queue lives in the metadata database: it needs PostgreSQL."""
    queue = values["job_queue"]
    if queue not in JOB_QUEUES:
        raise ConfigError(f"job_queue {queue!r} is unknown: leave it empty or set 'postgres'")
    if queue and not str(values["database_url"]).startswith("postgresql"):
        raise ConfigError("job_queue 'postgres' needs a PostgreSQL database_url "
                          "(postgresql+psycopg://…); leave job_queue empty on SQLite")  # fmt: skip


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def ensure_config_file(config: Config) -> bool:
    """Write a config.toml with a fresh secret key if the instance has none.

    Returns True when a key was generated.  An existing file keeps its
    settings; only a missing key is added.
    """
    path = config.config_file
    current = _read_file(path)
    if current.get("secret_key") or config.sources.get("secret_key", "default") != "default":
        return False
    current["secret_key"] = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    with tmp.open("wb") as f:
        tomli_w.dump(current, f)
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return True
