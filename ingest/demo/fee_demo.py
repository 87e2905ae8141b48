"""The demo's application that waits for its fee: erika.mustermann, as a neighbour, asked to
see the site plan and elevations of Neusser Wall 33; sachbearbeitung approved it and the
fee notice is open, to be paid through the local test Bezahldienst (see ``make demo``)."""

from __future__ import annotations

from sqlalchemy import select

from docstore import fees
from docstore.fee_models import FeeNotice
from docstore.instance import Instance
from docstore.models import Legitimation
from docstore.services import applications, building_files, fee_notices, review, users

from ..printing import euro, store_fee_notice

APPLICANT = "erika.mustermann"
NEIGHBOUR_FILE = "63-BA-1994-0063"


def demo_fee_notice(instance: Instance) -> str | None:
    """Make the application once; a line for the demo's report, None when it was there."""
    config = instance.config
    terms = fee_notices.FeeTerms(
        fees.schedule_of(config), fee_notices.letterhead_of(config),
        lambda letter: store_fee_notice(instance.store, letter),
    )  # fmt: skip
    notice = applications.notice_of(config)
    with instance.db.transaction() as s:
        applicant = users.get_user(s, APPLICANT)
        if s.scalar(select(FeeNotice.id).where(FeeNotice.user_id == applicant.id)):
            return None
        bf = building_files.find_by_aktenzeichen(s, NEIGHBOUR_FILE)
        entry = applications.submit(
            s, applicant,
            applications.Application(Legitimation.NEIGHBOUR, "Anbau an der Grundstücksgrenze "
                                     "geplant", aktenzeichen=NEIGHBOUR_FILE),
            notice,
        )  # fmt: skip
        s.flush()
        approval = review.Approval(bf.id, 30, kinds=list(review.NEIGHBOUR_KINDS))
        review.approve(s, users.get_user(s, "sachbearbeitung"), entry.id, approval, notice,
                       config.tz, terms)  # fmt: skip
        fee = s.scalar(select(FeeNotice).where(FeeNotice.request_id == entry.id))
        return (f"{APPLICANT}: application {entry.number} approved, fee notice of "
                f"{euro(fee.total_cents)} open "
                "(pay it online on the application's page)")  # fmt: skip
