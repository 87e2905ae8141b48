"""The audit trail: append-only and hash-chained.

Each event stores the hash of its predecessor, and its own hash covers a
canonical serialisation of all its fields, so editing, deleting, inserting or
reordering any event breaks the chain at that point.  Appends lock the single
chain-head row (``SELECT … FOR UPDATE`` on PostgreSQL; ``BEGIN IMMEDIATE``
already serialises writers on SQLite), so concurrent processes still build one
unbroken chain.  The event is written in the caller's transaction: an action
and its audit record commit together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditChainHead, AuditEvent, utcnow
from .actors import Actor, actor_name, user_id_of

GENESIS_HASH = "0" * 64


def canonical_json(value: Mapping[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent) -> str:
    payload = {
        "seq": event.seq,
        "occurred_at": _timestamp(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "building_file_id": event.building_file_id,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor: Actor | None,
    target_type: str | None = None,
    target_id: object = None,
    building_file_id: int | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction.

    ``actor`` is required: the console, a user, or None for a visitor who is
    not signed in (a failed sign-in).
    """
    head = session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).scalar_one()
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=utcnow(),
        actor_id=user_id_of(actor),
        actor_name=actor_name(actor),
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        building_file_id=building_file_id,
        details=canonical_json(details or {}),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    session.add(event)
    head.last_seq = event.seq
    head.last_hash = event.hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    reason: str | None = None


def verify_chain(session: Session, batch: int = 2000) -> ChainReport:
    """Walk the chain in order and name the first event that does not fit."""
    result = session.scalars(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    )
    try:
        return _walk(session, result)
    finally:
        result.close()  # a server-side cursor on PostgreSQL


def _walk(session: Session, events) -> ChainReport:
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = None
    for event in events:
        checked += 1
        problem = None
        if event.seq != expected_seq:
            problem = (
                f"event seq {event.seq} found where seq {expected_seq} was expected "
                "(an event is missing or out of place)"
            )
        elif event.prev_hash != prev_hash:
            problem = (
                f"event seq {event.seq} does not follow its predecessor (previous hash differs)"
            )
        elif event_hash(event) != event.hash:
            problem = f"event seq {event.seq} was altered (its content no longer matches its hash)"
        if problem:
            return ChainReport(False, checked, event.seq, event.id, problem)
        prev_hash = event.hash
        expected_seq += 1
        last_id = event.id
        session.expunge(event)
    head = session.get(AuditChainHead, 1)
    if head is None or head.last_seq != expected_seq - 1 or head.last_hash != prev_hash:
        recorded = head.last_seq if head else "?"
        return ChainReport(
            False,
            checked,
            expected_seq,
            last_id,
            f"the chain ends at seq {expected_seq - 1} but its head records seq {recorded} "
            "(events were removed from the end)",
        )
    return ChainReport(True, checked)
