"""CAMT.053 statements as a German bank sends them (camt.053.001.08 and .02), for the tests.

Built from the ISO 20022 message definition: group header, one statement for
one account, its balances, and one entry per booking, each with the debtor's
name and the remittance information (unstructured purpose line or the
structured creditor reference).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

IBAN = "DE02120300000000202051"


@dataclass(frozen=True)
class Booking:
    amount: str
    purpose: str = ""
    payer: str = "Erika Mustermann"
    reference: str = ""
    """A structured creditor reference (ISO 11649), in its own field."""
    credit: bool = True
    booked: bool = True
    currency: str = "EUR"
    bank_ref: str = ""


def _remittance(b: Booking) -> str:
    if b.reference:
        kind = "<Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
        return (f"<RmtInf><Strd><CdtrRefInf>{kind}<Ref>{escape(b.reference)}</Ref>"
                "</CdtrRefInf></Strd></RmtInf>")  # fmt: skip
    return f"<RmtInf><Ustrd>{escape(b.purpose)}</Ustrd></RmtInf>" if b.purpose else ""


def _entry(b: Booking, n: int, day: dt.date, version: str) -> str:
    status = "<Sts>BOOK</Sts>" if version == "02" else "<Sts><Cd>BOOK</Cd></Sts>"
    if not b.booked:
        status = status.replace("BOOK", "PDNG")
    side = "CRDT" if b.credit else "DBIT"
    debtor = (f"<Dbtr><Nm>{escape(b.payer)}</Nm></Dbtr>" if version == "02"
              else f"<Dbtr><Pty><Nm>{escape(b.payer)}</Nm></Pty></Dbtr>")  # fmt: skip
    ref = f"<AcctSvcrRef>{escape(b.bank_ref)}</AcctSvcrRef>" if b.bank_ref else ""
    return f"""<Ntry>
  <Amt Ccy="{b.currency}">{b.amount}</Amt><CdtDbtInd>{side}</CdtDbtInd>{status}
  <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><ValDt><Dt>{day.isoformat()}</Dt></ValDt>
  {ref}
  <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
  <NtryDtls><TxDtls>
    <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
    {
        '<Amt Ccy="' + b.currency + '">' + b.amount + "</Amt><CdtDbtInd>" + side + "</CdtDbtInd>"
        if version == "08"
        else ""
    }
    <RltdPties>{debtor}</RltdPties>
    {_remittance(b)}
  </TxDtls></NtryDtls>
</Ntry>"""


def statement(bookings: list[Booking], *, version: str = "08", statement_id: str = "2026-12-04",
              iban: str = IBAN, day: dt.date = dt.date(2026, 12, 4)) -> bytes:  # fmt: skip
    entries = "\n".join(_entry(b, n, day, version) for n, b in enumerate(bookings))
    balance_type = "<Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}">
<BkToCstmrStmt>
  <GrpHdr><MsgId>MSG-{statement_id}</MsgId><CreDtTm>{day.isoformat()}T18:00:00</CreDtTm></GrpHdr>
  <Stmt>
    <Id>{statement_id}</Id><ElctrncSeqNb>1</ElctrncSeqNb>
    <CreDtTm>{day.isoformat()}T18:00:00</CreDtTm>
    <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>
    <Bal>{balance_type}<Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
      <Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>
    {entries}
  </Stmt>
</BkToCstmrStmt>
</Document>
""".encode()
