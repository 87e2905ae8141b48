"""Metadata for ingested files: the manifest (CSV or JSON) and the file-name convention.

Manifest columns (ARCHITECTURE.md fixes them): ``file`` (relative to the
manifest), ``aktenzeichen``, ``street``, ``house_number``, ``postcode``,
``municipality``, ``gemarkung``, ``flur``, ``flurstueck``, ``kind``, ``title``,
``date`` (ISO), and for certificates ``issuer``, ``issued_on``,
``valid_until``.  Only ``file`` is required.  A bad row is reported with its
number (as a spreadsheet shows it: the header is row 1) and reason; the other
rows are unaffected.

File-name convention, used when no manifest row names a file::

    <Aktenzeichen>_<kind>_<YYYY-MM-DD>_<title words separated by _>.<ext>

e.g. ``63-BA-2019-0457_baugenehmigung_2019-05-14_Neubau_Einfamilienhaus.pdf``;
the date and title may be left out (``63-BA-2019-0457_statik.pdf``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_type_hints

from docstore.models import DocumentKind
from docstore.services.building_files import AKTENZEICHEN
from docstore.services.documents import Description, FileAssignment

from .model import DocumentMetadata

MANIFEST_NAMES = ("manifest.csv", "manifest.json")
ASSIGNMENT_COLUMNS = tuple(f.name for f in fields(FileAssignment))
DESCRIPTION_COLUMNS = tuple(f.name for f in fields(Description))
MANIFEST_COLUMNS = ("file", *ASSIGNMENT_COLUMNS, *DESCRIPTION_COLUMNS)
"""Made from the records they fill, in the order ARCHITECTURE.md lists them."""
DATE_COLUMNS = frozenset(
    name for name, hint in get_type_hints(Description).items() if dt.date in get_args(hint)
)
KIND_ALIASES = {
    "bauzeichnung/plan": "bauzeichnung",
    "plan": "bauzeichnung",
    "bescheinigung/certificate": "bescheinigung",
    "certificate": "bescheinigung",
}


class RowError(ValueError):
    """A manifest row that cannot be used: an English reason for the console, and a stable
    ``code`` with ``params`` that other entry points word in their user's language."""

    def __init__(self, reason: str, code: str = "", **params: object) -> None:
        super().__init__(reason)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ManifestProblem:
    manifest: str
    row: int | None
    file: str | None
    reason: str
    code: str = ""
    params: dict[str, object] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        where = f"{self.manifest} row {self.row}" if self.row else self.manifest
        return f"{where}: {self.reason}"


@dataclass
class Manifest:
    path: Path
    rows: dict[Path, DocumentMetadata] = field(default_factory=dict)
    bad_rows: dict[Path, ManifestProblem] = field(default_factory=dict)
    problems: list[ManifestProblem] = field(default_factory=list)
    row_files: dict[Path, tuple[int, str]] = field(default_factory=dict)
    """Every file a row names: its row number and the name as written."""


def parse_kind(value: str) -> str:
    key = value.strip().lower()
    key = KIND_ALIASES.get(key, key)
    try:
        return DocumentKind(key).value
    except ValueError:
        allowed = ", ".join(k.value for k in DocumentKind)
        raise RowError(f"kind {value!r} is not one of {allowed}", "row.kind", value=value) from None


def _date(value: str, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise RowError(
            f"{column} {value!r} is not a date in the form YYYY-MM-DD",
            "row.date",
            column=column,
            value=value,
        ) from None


def metadata_from_row(row: dict[str, Any], source: str) -> DocumentMetadata:
    values: dict[str, Any] = {}
    for column in MANIFEST_COLUMNS[1:]:
        text = str(row.get(column) or "").strip()
        if not text:
            continue
        if column == "kind":
            values[column] = parse_kind(text)
        elif column in DATE_COLUMNS:
            values[column] = _date(text, column)
        else:
            values[column] = text
    az = values.get("aktenzeichen")
    if az is not None and not AKTENZEICHEN.fullmatch(az):
        raise RowError(
            f"aktenzeichen {az!r} contains characters that are not allowed",
            "row.aktenzeichen",
            value=az,
        )
    if not az and any(values.get(c) for c in ("street", "gemarkung", "flurstueck")):
        raise RowError(
            "an address or parcel needs an aktenzeichen to name the building file",
            "row.address_without_file",
        )
    if (
        values.get("valid_until")
        and values.get("issued_on")
        and (values["valid_until"] < values["issued_on"])
    ):
        raise RowError("valid_until lies before issued_on", "row.valid_before_issued")
    assignment = (
        FileAssignment(**{c: values[c] for c in ASSIGNMENT_COLUMNS if c in values}) if az else None
    )
    description = Description(**{c: values[c] for c in DESCRIPTION_COLUMNS if c in values})
    return DocumentMetadata(assignment, description, source)


def load_manifest(path: Path) -> Manifest:
    manifest = Manifest(path=path)
    name = path.name
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, csv.Error, RowError) as exc:
        manifest.problems.append(ManifestProblem(name, None, None, f"cannot be read: {exc}"))
        return manifest
    except RecursionError:  # the JSON parser recurses once per nested bracket
        reason = "cannot be read: nested too deeply for a list of rows"
        manifest.problems.append(ManifestProblem(name, None, None, reason))
        return manifest
    for number, row in rows:
        file_name = str(row.get("file") or "").strip()
        if not file_name:
            manifest.problems.append(
                ManifestProblem(name, number, None, "the column 'file' is empty")
            )
            continue
        location = Path(os.path.abspath(path.parent / file_name))
        if location in manifest.rows or location in manifest.bad_rows:
            problem = ManifestProblem(
                name, number, file_name, "the file is named in an earlier row"
            )
            manifest.problems.append(problem)
            continue
        manifest.row_files[location] = (number, file_name)
        try:
            manifest.rows[location] = metadata_from_row(row, f"{name} row {number}")
        except RowError as exc:
            problem = ManifestProblem(name, number, file_name, str(exc), exc.code, exc.params)
            manifest.bad_rows[location] = problem
            manifest.problems.append(problem)
    return manifest


def read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """The manifest's rows with their numbers as a spreadsheet shows them (header is row 1)."""
    return rows_of(path.read_bytes(), path.suffix)


def rows_of(data: bytes, suffix: str) -> list[tuple[int, dict[str, Any]]]:
    """``read_rows`` of a manifest's bytes (``suffix``: its file name's, ``.csv``/``.json``);
    for a manifest kept elsewhere than in a folder (the object store)."""
    text = data.decode("utf-8-sig")
    if suffix.lower() == ".json":
        rows = json.loads(text)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise RowError("a JSON manifest must be a list of objects")
        return [(i, r) for i, r in enumerate(rows, start=1)]
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    if not reader.fieldnames or "file" not in [c.strip() for c in reader.fieldnames]:
        raise RowError("the header has no column 'file'")
    return [
        (i, {(k or "").strip(): v for k, v in row.items()}) for i, row in enumerate(reader, start=2)
    ]


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def metadata_from_name(name: str) -> DocumentMetadata:
    """Apply the file-name convention; a name that does not follow it gives nothing."""
    stem = name.rsplit(".", 1)[0]
    parts = stem.split("_")
    if len(parts) < 2:
        return DocumentMetadata()
    az, kind_text, rest = parts[0], parts[1], parts[2:]
    if not AKTENZEICHEN.fullmatch(az) or not any(c.isdigit() for c in az):
        return DocumentMetadata()
    try:
        kind = parse_kind(kind_text)
    except RowError:
        return DocumentMetadata()
    date = None
    if rest and _DATE.fullmatch(rest[0]):
        try:
            date = dt.date.fromisoformat(rest[0])
        except ValueError:
            return DocumentMetadata()
        rest = rest[1:]
    title = " ".join(p for p in rest if p) or None
    return DocumentMetadata(
        FileAssignment(az), Description(kind=kind, date=date, title=title), "file name"
    )
