"""Where files refused for their manifest row wait for the clerk: the spool folder (one
host) or the object store (queue deployments). Both keep them the same way; the web
asks the keeper this instance uses."""

from __future__ import annotations

from typing import Any, Protocol

from docstore.instance import Instance
from docstore.models import UploadBatch, User

from . import held, held_staged
from .spool import spool_dir


class Keeper(Protocol):
    def may_offer(self, batch: UploadBatch, name: str) -> bool:
        """Whether the status page links a correction (asked on every poll: cheap)."""
        ...

    def is_held(self, batch: UploadBatch, name: str) -> bool: ...

    def row_of(self, batch: UploadBatch, name: str) -> dict[str, str]: ...

    def resubmit(self, clerk: User, batch_id: int, file_id: int, values: dict[str, Any]) -> int: ...

    def discard(self, clerk: User, batch_id: int, file_id: int) -> None: ...


class SpoolKeeper:
    """Held under ``<spool>/held/<token>/`` on this host."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.spool = spool_dir(instance)

    def may_offer(self, batch: UploadBatch, name: str) -> bool:
        return self.is_held(batch, name)  # a local stat

    def is_held(self, batch: UploadBatch, name: str) -> bool:
        return held.held_file(self.spool, batch.token, name) is not None

    def row_of(self, batch: UploadBatch, name: str) -> dict[str, str]:
        return held.row_of(self.spool, batch.token, name)

    def resubmit(self, clerk: User, batch_id: int, file_id: int, values: dict[str, Any]) -> int:
        return held.resubmit(self.instance, clerk, self.spool, batch_id, file_id, values)

    def discard(self, clerk: User, batch_id: int, file_id: int) -> None:
        held.discard(self.instance, clerk, self.spool, batch_id, file_id)


class StagedKeeper:
    """Held staged in the object store, where the upload's job found it."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance

    def may_offer(self, batch: UploadBatch, name: str) -> bool:
        """The file's row says it waits; the store is asked only when the form opens (a
        lost object is then said so), not by every poll of the status page."""
        return True

    def is_held(self, batch: UploadBatch, name: str) -> bool:
        return held_staged.is_held(self.instance, batch.token, name)

    def row_of(self, batch: UploadBatch, name: str) -> dict[str, str]:
        return held_staged.row_of(self.instance, batch.token, batch.manifest_name, name)

    def resubmit(self, clerk: User, batch_id: int, file_id: int, values: dict[str, Any]) -> int:
        return held_staged.resubmit(self.instance, clerk, batch_id, file_id, values)

    def discard(self, clerk: User, batch_id: int, file_id: int) -> None:
        held_staged.discard(self.instance, clerk, batch_id, file_id)


def keeper(instance: Instance) -> Keeper:
    return StagedKeeper(instance) if instance.config.job_queue else SpoolKeeper(instance)
