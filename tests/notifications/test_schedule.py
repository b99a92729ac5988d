"""The scheduler: a simulated month gives exactly the expected emails, each once, in order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from cloe_portal.assessors.models import Accreditation
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.notifications.schedule import acquire_lease, tick
from cloe_portal.sessions.models import ExamSession, Registration
from cloe_portal.sessions.status import set_status


def _registration(session, candidate, partner):
    reg = Registration(session=session, candidate=candidate, partner_id=partner.id,
                       target_level="B1", training_hours=20, funding="cpf")
    db.session.add(reg)
    db.session.flush()
    return reg


def test_simulated_month_sends_exactly_the_expected_emails(app, make_org, make_user, frozen_clock,
                                                            smtp_server):
    start = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 2 March 2026, 08:00 Paris
    frozen_clock(start - timedelta(days=1))
    cel = make_org("cel")
    partner_org = make_org("partner")
    partner = make_user("partner", org=partner_org, email="admin@partenaire.fr")
    referent = make_user("referent", org=cel, email="ref@cel.fr")
    assessor = make_user("assessor", org=cel, email="eval@cel.fr")
    taker = make_user("candidate", org=partner_org, email="taker@x.fr")
    idle = make_user("candidate", org=partner_org, email="idle@x.fr")
    session = ExamSession(partner_id=partner_org.id, name="Anglais mars", language="en",
                          written_date=date(2026, 3, 2))
    db.session.add(session)
    reg_taker = _registration(session, taker, partner_org)
    reg_idle = _registration(session, idle, partner_org)
    db.session.add(Accreditation(assessor_id=assessor.id, language="en", status="accredited",
                                 validated_on=date(2024, 4, 12), valid_until=date(2026, 4, 11)))
    db.session.commit()

    moment = start - timedelta(days=1)
    end = start + timedelta(days=35)
    while moment <= end:
        frozen_clock(moment)
        if moment == start + timedelta(days=3, hours=3):  # Thursday 5 March, 11:00 Paris
            set_status(reg_taker, "written_done")
            reg_taker.written_done_at = moment
            db.session.commit()
        tick(moment)
        moment += timedelta(hours=1)

    sent = [(m["To"], m["Subject"]) for _, m in smtp_server.messages]
    kinds = list(db.session.scalars(db.select(OutboxMessage.key).order_by(OutboxMessage.id)))
    d60 = "accreditation-expiring:accreditation-1:d60"
    d15 = "accreditation-expiring:accreditation-1:d15"
    edof = f"partner-{partner_org.id}"
    assert kinds == [
        d60, f"{d60}:referent-{referent.id}",
        f"edof-due:{edof}:2026-03:user-{partner.id}",  # 1st of the month
        f"access-open:registration-{reg_taker.id}", f"access-open:registration-{reg_idle.id}",
        f"edof-reminder:{edof}:2026-03:user-{partner.id}",  # 10th, no extract uploaded
        f"oral-unbooked-reminder:registration-{reg_taker.id}:week-1",
        f"oral-unbooked-reminder:registration-{reg_taker.id}:week-2",
        # window (30 days from Mon 2 March) closes Tue 31 March 23:59:59 Paris: 5 days
        # before = Thu 26 March, 00:00
        f"window-closing:registration-{reg_idle.id}:d5",
        f"window-closing:registration-{reg_idle.id}:d5:partner-{partner.id}",
        f"oral-unbooked-reminder:registration-{reg_taker.id}:week-3",  # Thu 26 March, 11:00
        d15, f"{d15}:referent-{referent.id}",  # valid until 11 April: 15 days = 27 March
        f"window-closing:registration-{reg_idle.id}:d1",
        f"window-closing:registration-{reg_idle.id}:d1:partner-{partner.id}",
        f"edof-due:{edof}:2026-04:user-{partner.id}",
    ]
    assert len(sent) == len(kinds)  # each delivered once through SMTP
    assert ("idle@x.fr", "Plus que 5 jours pour passer votre test écrit CLOE") in sent
    reminder = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.key == f"oral-unbooked-reminder:registration-{reg_taker.id}:week-1")).one()
    # one week after the written test, at the same Paris time
    assert reminder.created_at == datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


def test_two_ticks_at_once_do_not_duplicate(app, make_org, make_user, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    org = make_org("partner")
    cand = make_user("candidate", org=org)
    session = ExamSession(partner_id=org.id, name="S", language="fr", written_date=date(2026, 3, 2))
    db.session.add(session)
    _registration(session, cand, org)
    db.session.commit()
    tick()
    tick()
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_lease_keeps_a_second_scheduler_idle_until_expiry(app, frozen_clock):
    t0 = frozen_clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    assert acquire_lease("host-a:1", t0) is True
    assert acquire_lease("host-b:2", t0 + timedelta(seconds=30)) is False
    assert acquire_lease("host-a:1", t0 + timedelta(seconds=60)) is True  # renewal
    assert acquire_lease("host-b:2", t0 + timedelta(seconds=60 + 121)) is True  # a died
    assert acquire_lease("host-a:1", t0 + timedelta(seconds=200)) is False


def test_tick_command_runs_once(app, runner, frozen_clock):
    frozen_clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    assert "delivered" in result.output
