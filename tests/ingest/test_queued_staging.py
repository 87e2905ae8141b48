"""Staged files with a job queue (real PostgreSQL and MinIO; each job's own function runs
in the test process).

A file refused for its manifest row waits staged in the object store (no host's spool
folder), goes again as an upload and job of its own once corrected, and nothing staged
is left behind or dropped while a job still needs it. Files of an upload that was never
recorded are swept away.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from docstore.errors import BauakteError, PermissionDenied
from docstore.models import Document, Role, UploadBatch, UploadFile
from docstore.services import uploads, users
from docstore.services.actors import CONSOLE
from ingest import corrections, queued_ingest
from tests.ingest import samples

from . import test_job_queue as queued

settings, inst, clerk = queued.settings, queued.inst, queued.clerk  # the same fixtures
staged = queued.staged

pytestmark = [pytest.mark.postgres, pytest.mark.minio]

AZ = "63-BA-2021-0042"


def _upload(inst, clerk, tmp_path: Path, rows: dict[str, str]) -> int:
    """Files with a manifest.csv: file name -> its date as written."""
    lines = ["file;aktenzeichen;kind;date"]
    handles = []
    for n, (name, date) in enumerate(rows.items()):
        samples.text_pdf(tmp_path / name, marker=f"Baugenehmigung {n}")
        lines.append(f"{name};{AZ};baugenehmigung;{date}")
        handles.append((name, (tmp_path / name).open("rb")))
    (tmp_path / "manifest.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest = (tmp_path / "manifest.csv").open("rb")
    try:
        from ingest import spool

        return spool.receive(inst, clerk, handles, ("manifest.csv", manifest))
    finally:
        for _name, f in handles:
            f.close()
        manifest.close()


def _run_job(inst, batch_id: int, name: str) -> None:
    with inst.db.session() as s:
        file_id = s.scalar(select(UploadFile.id).where(UploadFile.batch_id == batch_id,
                                                       UploadFile.name == name))  # fmt: skip
    queued_ingest.ingest_file(inst, batch_id, file_id, attempts=0)


def _line(inst, batch_id: int, name: str) -> UploadFile:
    with inst.db.session() as s:
        return s.scalars(select(UploadFile).where(UploadFile.batch_id == batch_id,
                                                  UploadFile.name == name)).one()  # fmt: skip


def _waiting_jobs(inst) -> list[int]:
    """The upload of each job not yet taken (the tests run the jobs' function themselves,
    so the queue's own jobs stay waiting)."""
    with inst.db.session() as s:
        jobs = s.execute(text("SELECT args FROM procrastinate_jobs WHERE status = 'todo' "
                              "ORDER BY id"))  # fmt: skip
        return [args["batch_id"] for (args,) in jobs]


def _batch(inst, batch_id: int) -> UploadBatch:
    with inst.db.session() as s:
        batch = s.get(UploadBatch, batch_id)
        assert batch is not None
        return batch


def test_a_refused_row_is_corrected_and_the_file_goes_again_as_a_job(inst, clerk, tmp_path) -> None:
    batch_id = _upload(inst, clerk, tmp_path, {"gut.pdf": "2021-02-01", "falsch.pdf": "31.1.2021"})
    _run_job(inst, batch_id, "gut.pdf")
    _run_job(inst, batch_id, "falsch.pdf")
    refused = _line(inst, batch_id, "falsch.pdf")
    assert refused.outcome == "rejected" and refused.reason_code == "row.date"
    assert len(staged(inst)) == 2  # the refused file and the manifest, nothing else
    keeper = corrections.keeper(inst)
    batch = _batch(inst, batch_id)
    assert keeper.may_offer(batch, "falsch.pdf") and keeper.is_held(batch, "falsch.pdf")
    assert keeper.row_of(batch, "falsch.pdf")["date"] == "31.1.2021"  # as it was written

    waiting = _waiting_jobs(inst)
    new_id = keeper.resubmit(clerk, batch_id, refused.id, {"aktenzeichen": AZ,
                             "kind": "baugenehmigung", "date": "2021-01-31"})  # fmt: skip
    old = _line(inst, batch_id, "falsch.pdf")
    assert old.outcome == "corrected" and uploads.corrected_in(old) == new_id
    assert _waiting_jobs(inst) == [*waiting, new_id]  # one job for the new upload
    assert len(staged(inst)) == 2  # the old bytes and manifest gone; the new upload's two
    assert not keeper.is_held(batch, "falsch.pdf")

    _run_job(inst, new_id, "falsch.pdf")
    assert _batch(inst, new_id).status == "done"
    assert _line(inst, new_id, "falsch.pdf").outcome == "accepted"
    with inst.db.session() as s:
        dates = {d.original_name: d.date for d in s.scalars(select(Document))}
    assert str(dates["falsch.pdf"]) == "2021-01-31"
    assert staged(inst) == []


def test_the_manifest_stays_while_another_file_still_waits_for_its_job(
    inst, clerk, tmp_path
) -> None:
    rows = {"falsch.pdf": "2021-13-01", "wartet.pdf": "2021-03-04"}
    batch_id = _upload(inst, clerk, tmp_path, rows)
    _run_job(inst, batch_id, "falsch.pdf")  # refused; wartet.pdf's job has not run yet
    refused = _line(inst, batch_id, "falsch.pdf")
    corrections.keeper(inst).discard(clerk, batch_id, refused.id)
    assert _line(inst, batch_id, "falsch.pdf").outcome == "discarded"
    assert len(staged(inst)) == 2  # wartet.pdf and the manifest its job reads
    _run_job(inst, batch_id, "wartet.pdf")
    line = _line(inst, batch_id, "wartet.pdf")
    assert line.outcome == "accepted", line.reason
    with inst.db.session() as s:
        [doc] = s.scalars(select(Document).where(Document.original_name == "wartet.pdf"))
        assert str(doc.date) == "2021-03-04"  # its row was read from the manifest
    assert _batch(inst, batch_id).status == "done"
    assert staged(inst) == []


def test_a_correction_that_fails_leaves_the_file_held_and_nothing_new(
    inst, clerk, tmp_path, monkeypatch
) -> None:
    batch_id = _upload(inst, clerk, tmp_path, {"falsch.pdf": "morgen"})
    _run_job(inst, batch_id, "falsch.pdf")
    refused = _line(inst, batch_id, "falsch.pdf")
    keeper = corrections.keeper(inst)
    before = sorted(staged(inst))
    jobs = _waiting_jobs(inst)

    def lost(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(uploads, "mark_corrected", lost)
    with pytest.raises(RuntimeError):
        keeper.resubmit(clerk, batch_id, refused.id, {"aktenzeichen": AZ, "date": "2021-05-05"})
    monkeypatch.undo()
    assert sorted(staged(inst)) == before  # nothing new staged, the held file kept
    with inst.db.session() as s:
        assert s.scalar(select(func.count()).select_from(UploadBatch)) == 1
    assert _waiting_jobs(inst) == jobs  # no job without its upload
    with pytest.raises(BauakteError) as still_wrong:  # still wrong: the pipeline's reason
        keeper.resubmit(clerk, batch_id, refused.id, {"aktenzeichen": AZ, "date": "1.5.21"})
    assert still_wrong.value.code == "row.date"
    with inst.db.transaction() as s:
        citizen = users.create_user(s, "citizen", "a-long-password-1", Role.CITIZEN,
                                    actor=CONSOLE)  # fmt: skip
    with pytest.raises(PermissionDenied):  # only staff who ingest correct rows
        keeper.resubmit(citizen, batch_id, refused.id, {"aktenzeichen": AZ})
    with pytest.raises(PermissionDenied):
        keeper.discard(citizen, batch_id, refused.id)
    assert sorted(staged(inst)) == before
    keeper.resubmit(clerk, batch_id, refused.id, {"aktenzeichen": AZ, "date": "2021-05-05"})
    assert _line(inst, batch_id, "falsch.pdf").outcome == "corrected"


def test_a_correction_whose_commit_answer_is_lost_is_done_all_the_same(
    inst, clerk, tmp_path, monkeypatch
) -> None:
    """The commit went through but the connection broke before it said so: the new upload
    is recorded with its job, so its staged file must stay, and the clerk is told it worked."""
    batch_id = _upload(inst, clerk, tmp_path, {"falsch.pdf": "morgen"})
    _run_job(inst, batch_id, "falsch.pdf")
    refused = _line(inst, batch_id, "falsch.pdf")
    committing = inst.db.transaction

    @contextlib.contextmanager
    def answer_lost():
        with committing() as s:
            yield s
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(inst.db, "transaction", answer_lost)
    new_id = corrections.keeper(inst).resubmit(
        clerk, batch_id, refused.id, {"aktenzeichen": AZ, "date": "2021-05-05"}
    )
    monkeypatch.undo()
    assert new_id != batch_id and _line(inst, batch_id, "falsch.pdf").outcome == "corrected"
    assert new_id in _waiting_jobs(inst)
    _run_job(inst, new_id, "falsch.pdf")
    assert _line(inst, new_id, "falsch.pdf").outcome == "accepted"
    assert staged(inst) == []


def test_the_sweep_removes_only_staged_files_of_uploads_never_recorded(
    inst, clerk, tmp_path
) -> None:
    recorded = _upload(inst, clerk, tmp_path, {"falsch.pdf": "morgen"})
    _run_job(inst, recorded, "falsch.pdf")  # held for a correction: staged, recorded
    held = sorted(staged(inst))
    with (tmp_path / "falsch.pdf").open("rb") as f:  # a web process killed before recording
        queued_ingest.stage(inst, "ab" * 16, [("verwaist.pdf", f)])
    assert len(staged(inst)) == len(held) + 1
    assert queued_ingest.sweep_orphans(inst) == 0  # too young: it may be recorded yet
    assert queued_ingest.sweep_orphans(inst, settle=0) == 1
    assert sorted(staged(inst)) == held
