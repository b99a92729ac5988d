"""The demo data that most end-to-end tests start from is copied back from one real seed
per run (tests/conftest.py): the copy must be the seeded data set, still consistent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.demo import DEMO_LOGINS
from cloe_portal.extensions import db
from cloe_portal.results.services import verify_ledger
from tests.conftest import _demo_snapshot, _wipe


def _counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t))
            for t in db.metadata.sorted_tables}


def test_a_restored_copy_is_the_seeded_data_set_with_times_moved(app, demo_data,
                                                                 frozen_clock):
    seeded = _counts()
    assert seeded["user_account"] > 20 and seeded["certificate_ledger"] > 0
    login = db.session.scalars(select(User).where(User.email == DEMO_LOGINS[0][1])).one()
    created = login.created_at
    frozen_clock(clock.now() + timedelta(minutes=30))
    db.session.remove()
    _wipe()
    _demo_snapshot.load(app)  # same Paris day (or a fresh seed if midnight just passed)

    assert _counts() == seeded
    again = db.session.scalars(select(User).where(User.email == DEMO_LOGINS[0][1])).one()
    assert again.id == login.id
    moved = again.created_at - created
    assert timedelta(minutes=30) <= moved < timedelta(minutes=31)
    # The certificate ledger's hashes cover its timestamps: they were not moved.
    report = verify_ledger()
    assert report.entries == seeded["certificate_ledger"] and not report.problems
