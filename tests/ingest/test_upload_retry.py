"""An upload whose files failed through no fault of theirs keeps them and is tried again."""

from __future__ import annotations

import datetime as dt
import os
import time

from sqlalchemy import select, update

from docstore.errors import UsageError
from docstore.models import Role, UploadBatch, UploadFile, utcnow
from docstore.services import uploads, users
from docstore.services.actors import CONSOLE
from ingest import spool
from ingest.model import FileReport, Outcome
from ingest.runner import IngestReport
from tests.ingest import samples
from tests.ingest.conftest import make_instance


def test_failed_files_stay_in_the_spool_and_are_tried_again(tmp_path, monkeypatch) -> None:
    inst = make_instance(tmp_path / "i", ingest_workers=1)
    with inst.db.transaction() as s:
        clerk = users.create_user(s, "clerk", "a-long-password-1", Role.CLERK, actor=CONSOLE)
    paths = [samples.text_pdf(tmp_path / f"{n}.pdf", marker=n) for n in ("eins", "zwei")]
    handles = [(p.name, p.open("rb")) for p in paths]
    batch_id = spool.receive(inst, clerk, handles)
    for _name, f in handles:
        f.close()

    real_run = spool.run

    def tesseract_broken(folders, instance, **kwargs):  # the first run: every file fails
        files = sorted((folders[0]).iterdir())
        return IngestReport(
            [FileReport(str(p), Outcome.FAILED, "internal error: tesseract exited") for p in files]
        )

    monkeypatch.setattr(spool, "run", tesseract_broken)
    assert spool.process_pending(inst) == 1
    with inst.db.session() as s:
        batch = s.get(UploadBatch, batch_id)
        assert (batch.status, batch.attempts) == ("queued", 1)
        assert batch.retry_at > utcnow()
    folder = spool.spool_dir(inst) / batch.token / spool.FILES
    assert sorted(p.name for p in folder.iterdir()) == ["eins.pdf", "zwei.pdf"]  # nothing lost

    monkeypatch.setattr(spool, "run", real_run)
    assert spool.process_pending(inst) == 0  # not before its time
    with inst.db.transaction() as s:
        s.execute(update(UploadBatch).values(retry_at=utcnow() - dt.timedelta(seconds=1)))
    assert spool.process_pending(inst) == 1
    with inst.db.session() as s:
        assert s.get(UploadBatch, batch_id).status == "done"
        outcomes = set(s.scalars(select(UploadFile.outcome)))
    assert outcomes == {"accepted"}
    assert not folder.parent.exists()
    inst.close()


def test_a_run_that_fails_outright_is_tried_again_then_kept_for_the_operator(
    tmp_path, monkeypatch
) -> None:
    inst = make_instance(tmp_path / "i", ingest_workers=1)
    with inst.db.transaction() as s:
        clerk = users.create_user(s, "clerk", "a-long-password-1", Role.CLERK, actor=CONSOLE)
    path = samples.text_pdf(tmp_path / "brief.pdf")
    with path.open("rb") as f:
        batch_id = spool.receive(inst, clerk, [(path.name, f)])

    def missing_tool(*args, **kwargs):
        raise UsageError("OCR program 'tesseract' not found")

    monkeypatch.setattr(spool, "run", missing_tool)
    assert spool.process_pending(inst) == 1
    with inst.db.session() as s:
        batch = s.get(UploadBatch, batch_id)
        assert (batch.status, batch.attempts) == ("queued", 1)
        token = batch.token
    with inst.db.transaction() as s:  # the last try, due now
        s.execute(
            update(UploadBatch).values(
                attempts=uploads.MAX_ATTEMPTS - 1, retry_at=utcnow() - dt.timedelta(seconds=1)
            )
        )
    assert spool.process_pending(inst) == 1
    with inst.db.session() as s:
        assert s.get(UploadBatch, batch_id).status == "done"
    kept = spool.spool_dir(inst) / spool.KEPT / token / spool.FILES / "brief.pdf"
    assert kept.read_bytes() == path.read_bytes()  # nothing lost
    inst.close()


def test_spool_folders_a_crash_left_without_their_upload_are_adopted(tmp_path) -> None:
    """A server killed between renaming a spool folder and recording its upload: the worker
    queues the folder as a console upload once it has settled; a recorded one, a young one
    and a half-written one are left alone, and an abandoned half-written one goes."""
    inst = make_instance(tmp_path / "i", ingest_workers=1)
    with inst.db.transaction() as s:
        clerk = users.create_user(s, "clerk", "a-long-password-1", Role.CLERK, actor=CONSOLE)
    path = samples.text_pdf(tmp_path / "recorded.pdf", marker="eins")
    with path.open("rb") as f:
        recorded = spool.receive(inst, clerk, [(path.name, f)])
    root = spool.spool_dir(inst)
    for token in ("ab" * 16, "cd" * 16, "ef" * 16 + ".part", "12" * 16 + ".part"):
        (root / token / spool.FILES).mkdir(parents=True)
        samples.text_pdf(root / token / spool.FILES / "plan.pdf", marker=token[:4])
    with inst.db.session() as s:
        recorded_token = s.get(UploadBatch, recorded).token
    an_hour_ago = time.time() - 3600
    for token in ("ab" * 16, "ef" * 16 + ".part", recorded_token):  # settled
        os.utime(root / token, (an_hour_ago, an_hour_ago))
    old = time.time() - (inst.config.spool_abandoned_hours + 1) * 3600
    os.utime(root / ("12" * 16 + ".part"), (old, old))

    assert spool.adopt_orphans(inst) == 1
    with inst.db.session() as s:
        batches = {b.token: b for b in s.scalars(select(UploadBatch))}
        adopted = batches["ab" * 16]
        assert adopted.id != recorded and [f.name for f in adopted.files] == ["plan.pdf"]
        assert len(batches) == 2  # the recorded upload is not adopted twice
    assert (root / ("cd" * 16)).exists()  # too young: its request may be recording it
    assert (root / ("ef" * 16 + ".part")).exists()  # half-written, not yet abandoned
    assert not (root / ("12" * 16 + ".part")).exists()
    assert spool.adopt_orphans(inst) == 0  # again: nothing twice
    inst.close()
