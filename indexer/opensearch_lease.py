"""One writer at a time across every host: a lease document in OpenSearch itself."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable
from typing import Any

from .errors import IndexBusy

LEASE_SECONDS = 120.0
"""A writer that died holding the lock is overtaken once its lease has stood unrenewed
this long, as measured by the process waiting for it."""

SKEW = 600.0
"""A process that has not watched the lease that long (a fresh ``bauakte index sync``)
still overtakes one its holder last renewed more than LEASE_SECONDS + SKEW ago by the
holder's own clock: hosts' clocks would have to differ by ten minutes to mislead it."""

_OBSERVED: dict[tuple[str, str], tuple[tuple[int, int], float]] = {}
"""(cluster, lock index) -> the lease's version and when this process first saw it (its
monotonic clock): the hosts' wall clocks are never compared, and a wait that ends in
IndexBusy still counts toward the next one's."""


class Lease:
    """A lock document: created only if absent; overtaken when its lease ran out.

    ``guarded`` runs a request and turns an unreachable or unusable cluster into
    IndexUnusable (the backend's own wrapper)."""

    def __init__(self, client: Any, index: str, guarded: Callable, wait: float) -> None:
        from opensearchpy import exceptions

        self.client, self.index, self.guarded, self.wait = client, index, guarded, wait
        self.errors = exceptions
        self.holder = uuid.uuid4().hex
        self.version: dict[str, int] = {}

    def _body(self) -> dict:
        """``at`` is for a person reading the lock; no decision is made on it."""
        return {"holder": self.holder, "at": time.time()}

    def _keep(self, made: dict) -> None:
        self.version = {"if_seq_no": made["_seq_no"], "if_primary_term": made["_primary_term"]}

    def take(self) -> None:
        deadline = time.monotonic() + self.wait
        while True:
            try:
                self._keep(self.guarded(lambda: self.client.index(
                    index=self.index, id="writer", body=self._body(), op_type="create",
                    params={"refresh": "false"})))  # fmt: skip
                return
            except self.errors.ConflictError:
                pass
            if self._overtook_a_dead_writer():
                continue
            if time.monotonic() >= deadline:
                raise IndexBusy(
                    f"the search index stayed locked by another writer for {self.wait:g} s; "
                    "try 'bauakte index sync' again"
                )
            time.sleep(0.05)

    def _overtook_a_dead_writer(self) -> bool:
        """Delete the lease if it has not been renewed for ``LEASE_SECONDS`` (its version
        unchanged all that time); a renewal or a new holder starts the watch again."""
        with contextlib.suppress(self.errors.NotFoundError, self.errors.ConflictError):
            held = self.guarded(lambda: self.client.get(index=self.index, id="writer"))
            version = (held["_seq_no"], held["_primary_term"])
            key = (str(self.client.transport.hosts), self.index)
            seen, since = _OBSERVED.get(key, (None, 0.0))
            if seen != version:
                _OBSERVED[key] = (version, time.monotonic())
                return False
            stale = time.time() - held["_source"].get("at", time.time()) > LEASE_SECONDS + SKEW
            if time.monotonic() - since < LEASE_SECONDS and not stale:
                return False
            self.guarded(lambda: self.client.delete(
                index=self.index, id="writer", if_seq_no=version[0],
                if_primary_term=version[1]))  # fmt: skip
            _OBSERVED.pop(key, None)
            return True
        return False

    def renew(self) -> None:
        """Longer again; IndexBusy if another writer overtook it meanwhile."""
        try:
            self._keep(self.guarded(lambda: self.client.index(
                index=self.index, id="writer", body=self._body(), **self.version)))  # fmt: skip
        except self.errors.ConflictError:
            raise IndexBusy("another writer took over the search index's lock") from None

    def give_back(self) -> None:
        errors = self.errors
        with contextlib.suppress(errors.NotFoundError, errors.ConflictError,
                                 errors.ConnectionError):  # fmt: skip
            self.client.delete(index=self.index, id="writer", **self.version)
