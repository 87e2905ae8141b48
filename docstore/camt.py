"""Bank statements in CAMT.053 (ISO 20022 BankToCustomerStatement), read safely.

German banks deliver camt.053.001.02 and, since the SEPA change of November
2023, camt.053.001.08; both schemas are kept in ``docstore/schemas`` (see its
README).  A file is checked in this order, and refused at the first problem
with a message a clerk can act on: its size, XML without any DTD (so no
entity expansion and no external entities, via defusedxml), the namespace of
a supported version, the schema, and only then read.  Only booked credits in
euros are payments to us; everything else in a statement is skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import UsageError

if TYPE_CHECKING:
    import xmlschema

SCHEMAS = Path(__file__).resolve().parent / "schemas"
VERSIONS = ("02", "08")
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
MAX_BYTES = 20 << 20
CONTENT_KEY = "camt:c:"
"""Prefix of the key of a credit the bank gave no reference for."""
"""A month of a city's fee account is a few hundred kB; 20 MB is far beyond any statement."""


class StatementRejected(UsageError):
    """The file is not a CAMT.053 statement we can read; the message says why."""

    default_code = "statement.unreadable"


@dataclass(frozen=True)
class Credit:
    """One incoming payment of a statement."""

    key: str
    """Unique per payment at its bank: the bank's reference, or a hash of what identifies it."""
    amount_cents: int
    booked_on: dt.date | None
    payer: str
    remittance: str
    """The purpose line(s) and any structured creditor reference, as one text."""


@dataclass(frozen=True)
class Statement:
    version: str
    statement_id: str
    account: str
    credits: tuple[Credit, ...]
    skipped: int
    """Entries that are no payment to us: debits, pending bookings, other currencies."""


@cache
def _schema(version: str) -> xmlschema.XMLSchema:
    """xmlschema is imported by the process that reads a bank statement, not by every
    web worker at start."""
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMAS / f"camt.053.001.{version}.xsd"))


def read(data: bytes) -> Statement:
    """The statement in ``data``, or :class:`StatementRejected`."""
    if len(data) > MAX_BYTES:
        raise StatementRejected(
            f"the file is larger than {MAX_BYTES >> 20} MB: not a statement",
            "statement.too_large",
            limit=MAX_BYTES >> 20,
        )
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise StatementRejected(
            "the file declares a DTD or entities: refused", "statement.dtd"
        ) from None
    except (ParseError, ValueError) as exc:
        raise StatementRejected(
            f"the file is not well-formed XML ({exc})", "statement.xml", detail=str(exc)
        ) from None
    match = re.fullmatch(r"\{" + re.escape(NAMESPACE) + r"([0-9]{2})\}Document", root.tag)
    if match is None or match.group(1) not in VERSIONS:
        raise StatementRejected(
            "the file is not a CAMT.053 bank statement (camt.053.001.02 or camt.053.001.08); "
            "ask the bank for the statement in CAMT.053 format",
            "statement.format",
        )
    version = match.group(1)
    error = next(_schema(version).iter_errors(root), None)
    if error is not None:
        path = re.sub(r"\{[^}]*\}", "", error.path or "")  # the namespace on every step
        where = f" at {path}" if path else ""
        reason = re.sub(r"\{[^}]*\}", "", (error.reason or str(error)).splitlines()[0])[:300]
        raise StatementRejected(
            f"the statement breaks the CAMT.053 schema{where}: {reason}",
            "statement.schema",
            detail=f"{path}: {reason}" if path else reason,
        )
    return _statement(root, version)


def _statement(root: Element, version: str) -> Statement:
    ns = {"c": NAMESPACE + version}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if len(statements) != 1:
        raise StatementRejected("import one account statement per file (this one holds "
                                f"{len(statements)})", "statement.several")  # fmt: skip
    stmt = statements[0]
    account = _text(stmt, "c:Acct/c:Id/c:IBAN", ns) or _text(stmt, "c:Acct/c:Id/c:Othr/c:Id", ns)
    credits: list[Credit] = []
    skipped = 0
    for entry in stmt.findall("c:Ntry", ns):
        status = _text(entry, "c:Sts/c:Cd", ns) or _text(entry, "c:Sts", ns)
        amount = entry.find("c:Amt", ns)
        if (_text(entry, "c:CdtDbtInd", ns) != "CRDT" or status != "BOOK"
                or amount is None or amount.get("Ccy") != "EUR"):  # fmt: skip
            skipped += 1
            continue
        credits.extend(_credits(entry, account, ns))
    return Statement(version, _text(stmt, "c:Id", ns), account, _counted(credits), skipped)


def _counted(credits: list[Credit]) -> tuple[Credit, ...]:
    """Credits keyed by what they are made of (no bank reference) get the number of the same
    payment within the statement: two equal transfers on one day stay two, and the same day
    in an overlapping statement finds the keys it had (not the entry's position, which moves)."""
    seen: Counter[str] = Counter()
    out = []
    for credit in credits:
        if credit.key.startswith(CONTENT_KEY):
            seen[credit.key] += 1
            credit = replace(credit, key=f"{credit.key}:{seen[credit.key]}")
        out.append(credit)
    return tuple(out)


def _credits(entry: Element, account: str, ns: dict) -> list[Credit]:
    """One credit per transaction of the entry (a batch booking holds several)."""
    booked = _date(_text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns))
    entry_ref = _text(entry, "c:AcctSvcrRef", ns) or _text(entry, "c:NtryRef", ns)
    details = entry.findall("c:NtryDtls/c:TxDtls", ns)
    if not details:
        return [_credit(entry, None, account, entry_ref, 0, booked, ns)]
    return [_credit(entry, tx, account, entry_ref, n, booked, ns)
            for n, tx in enumerate(details)]  # fmt: skip


def _credit(entry, tx, account, entry_ref, n, booked, ns) -> Credit:
    source = tx if tx is not None else entry
    amount = _text(entry, "c:Amt", ns)
    if tx is not None:  # a batch booking: each transaction's own amount
        amount = _text(tx, "c:Amt", ns) or _text(tx, "c:AmtDtls/c:TxAmt/c:Amt", ns) or amount
    lines = [t.text.strip() for t in source.findall(".//c:RmtInf/c:Ustrd", ns) if t.text]
    lines += [t.text.strip() for t in source.findall(".//c:RmtInf/c:Strd//c:Ref", ns) if t.text]
    payer = (_text(source, "c:RltdPties/c:Dbtr/c:Nm", ns)
             or _text(source, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns))  # fmt: skip
    tx_ref = _text(source, "c:Refs/c:AcctSvcrRef", ns) if tx is not None else ""
    remittance = " ".join(lines)
    if tx_ref or entry_ref:
        key = f"camt:{account}:{tx_ref or entry_ref}:{n if not tx_ref else 0}"
    else:  # no reference from the bank: what the payment is made of
        made_of = "|".join([account, str(booked), amount, payer, remittance])
        key = CONTENT_KEY + hashlib.sha256(made_of.encode()).hexdigest()  # see _counted
    return Credit(key[:200], _cents(amount), booked, payer[:200], remittance[:2000])


def _text(element: Element, path: str, ns: dict) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _cents(amount: str) -> int:
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise StatementRejected(f"an amount is not a number: {amount!r}") from None
    cents = value * 100
    if cents != cents.to_integral_value():
        raise StatementRejected(f"an amount is not in whole cents: {amount!r}")
    if cents <= 0:
        raise StatementRejected(f"a booked amount must be more than zero: {amount!r}")
    return int(cents)
