"""The jury: queue, decision rule, completeness, fraud, PV signature and publication."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.jury import services
from cloe_portal.jury.models import JuryReview
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.results.models import Result
from cloe_portal.sessions.models import Registration

CHECKS_OK = {"identity_ok": True, "written_ok": True, "oral_ok": True, "fraud": False,
             "fraud_description": None}


def validate(actor, reg: Registration) -> JuryReview:
    review = services.decide(actor, reg, decision="validated", reason=None, **CHECKS_OK)
    db.session.commit()
    return review


@pytest.mark.parametrize(("target", "score", "criterion", "expected_global", "certificate"), [
    ("B1", 42, "B1-", "B1-", True),   # B1- counts as B1: target reached
    ("B2", 42, "B1-", "B1-", False),  # below target: attestation only
    ("A2", 18, "A1+", "A1+", False),  # below A2 never earns it
    ("C2", 98, "C2", "C2", True),     # C2 always
    ("B1", 92, "C2-", "C2-", True),   # C2- is major C2
])
def test_certificate_decision_on_boundaries(make_ready, world, target, score, criterion,
                                            expected_global, certificate):
    reg = make_ready(target=target, score=score, criterion=criterion)
    review = validate(world.referent, reg)
    assert review.levels["global"] == expected_global
    assert review.certificate is certificate


def test_jury_cannot_validate_without_written_scores(make_ready, world):
    reg = make_ready(score=None)
    with pytest.raises(services.JuryError, match="incomplet.*écrit"):
        services.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)


def test_jury_cannot_validate_without_validated_oral_grid(make_ready, world):
    reg = make_ready(validated=False)
    with pytest.raises(services.JuryError, match="incomplet"):
        services.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)


def test_absent_oral_can_only_be_cancelled(make_ready, world):
    reg = make_ready(attendance="absent", criterion=None)
    with pytest.raises(services.JuryError, match="oral n'a pas été passé"):
        services.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    review = services.decide(world.referent, reg, decision="cancelled",
                             reason="Absent à l'oral", **CHECKS_OK)
    assert review.decision == "cancelled"


def test_refusal_over_http_is_french_and_records_nothing(client, login, make_ready, world):
    reg = make_ready(score=None)
    login(world.referent)
    page = client.get(f"/jury/candidat/{reg.id}")
    assert "Dossier incomplet" in page.get_data(as_text=True)
    token = client.get(f"/jury/candidat/{reg.id}").get_data(as_text=True).split(
        'name="csrf-token" content="')[1].split('"')[0]
    response = client.post(f"/jury/candidat/{reg.id}", data={
        "csrf_token": token, "identity_ok": "1", "written_ok": "1", "oral_ok": "1",
        "decision": "validated"})
    assert response.status_code == 422
    assert "ne peut pas être validé" in response.get_data(as_text=True)
    assert db.session.scalar(select(JuryReview)) is None


def test_fraud_forces_cancellation_and_needs_a_description(make_ready, world):
    reg = make_ready()
    with pytest.raises(services.JuryError, match="Décrivez"):
        services.decide(world.referent, reg, identity_ok=True, written_ok=False, oral_ok=True,
                        fraud=True, fraud_description="", decision="cancelled", reason="Fraude")
    with pytest.raises(services.JuryError, match="doit être annulé"):
        services.decide(world.referent, reg, identity_ok=True, written_ok=False, oral_ok=True,
                        fraud=True, fraud_description="Téléphone visible", decision="validated",
                        reason=None)
    with pytest.raises(services.JuryError, match="motif"):
        services.decide(world.referent, reg, identity_ok=True, written_ok=False, oral_ok=True,
                        fraud=True, fraud_description="Téléphone visible", decision="cancelled",
                        reason="")


def test_failed_check_blocks_validation(make_ready, world):
    reg = make_ready()
    with pytest.raises(services.JuryError, match="trois contrôles"):
        services.decide(world.referent, reg, identity_ok=False, written_ok=True, oral_ok=True,
                        fraud=False, fraud_description=None, decision="validated", reason=None)


def test_every_decision_is_audit_logged_with_who_and_why(make_ready, world):
    reg = make_ready()
    services.decide(world.referent, reg, decision="cancelled", reason="Identité douteuse",
                    **CHECKS_OK)
    validate(world.referent, reg)
    entries = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "jury.decision").order_by(AuditEntry.id)))
    assert [e.details["decision"] for e in entries] == ["cancelled", "validated"]
    assert entries[0].reason == "Identité douteuse"
    assert all(e.actor_id == world.referent.id and e.at is not None for e in entries)
    assert entries[1].details["previous"]["decision"] == "cancelled"


def test_signing_the_pv_freezes_and_publishes(make_ready, world, make_user):
    reg = make_ready(target="B1", score=42, criterion="B1-", first_name="Léa")
    other = make_ready(session=reg.session, first_name="Hugo")
    validate(world.referent, reg)
    services.decide(world.referent, other, identity_ok=True, written_ok=False, oral_ok=True,
                    fraud=True, fraud_description="Second écran détecté par la surveillance",
                    decision="cancelled", reason="Fraude à l'écrit")
    with pytest.raises(services.JuryError, match="JE CERTIFIE"):
        services.sign_pv(world.referent, reg.session, "Julien Moreau", "oui")
    pv = services.sign_pv(world.referent, reg.session, "Julien Moreau", "je certifie")
    db.session.commit()
    assert pv.number == 1 and len(pv.pdf_sha256) == 64 and pv.pdf.startswith(b"%PDF")
    assert reg.status == "results_issued"
    assert other.status == "cancelled"
    result = db.session.scalar(select(Result).where(Result.registration_id == reg.id))
    assert result is not None and result.certificate is not None
    assert db.session.scalar(select(Result).where(Result.registration_id == other.id)) is None
    keys = set(db.session.scalars(select(OutboxMessage.key)))
    assert f"results:registration-{reg.id}" in keys
    assert f"results:registration-{reg.id}:partner-{world.partner_admin.id}" in keys
    assert f"results:registration-{other.id}" in keys
    # Frozen: no more changes to its decisions.
    with pytest.raises(services.JuryError):
        services.decide(world.referent, reg, decision="cancelled", reason="x", **CHECKS_OK)
    with pytest.raises(services.JuryError, match="vide"):
        services.sign_pv(world.referent, reg.session, "Julien Moreau", "JE CERTIFIE")


def test_queue_oldest_first_with_overdue_and_holidays(make_ready, world, frozen_clock):
    # Oral Tuesday 28 April 2026; 1 May (Friday) is a holiday → due Monday 4 May, 23:59.
    late = make_ready(oral_end=dt.datetime(2026, 4, 28, 10, tzinfo=dt.UTC), first_name="Ana")
    recent = make_ready(oral_end=dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC), first_name="Bob")
    make_ready(oral_end=dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC)).status = "oral_booked"
    db.session.commit()
    frozen_clock(dt.datetime(2026, 5, 4, 20, tzinfo=dt.UTC))
    items = services.jury_queue(world.referent)
    assert [i.registration.id for i in items] == [late.id, recent.id]
    assert not items[0].overdue
    assert items[0].deadline == dt.datetime(2026, 5, 4, 21, 59, 59, tzinfo=dt.UTC)
    frozen_clock(dt.datetime(2026, 5, 5, 7, tzinfo=dt.UTC))
    items = services.jury_queue(world.referent)
    assert items[0].overdue and not items[1].overdue


def test_queue_page_query_count_does_not_grow(client, login, make_ready, world, count_queries):
    make_ready()
    login(world.referent)
    db.session.expire_all()  # same starting point for both requests (nothing cached)
    with count_queries() as few:
        assert client.get("/jury/").status_code == 200
    for _ in range(5):
        make_ready()
    db.session.expire_all()
    with count_queries() as many:
        page = client.get("/jury/")
    assert page.status_code == 200
    assert many() == few()


def test_other_centre_referent_gets_404(client, login, make_ready, make_org, make_user):
    reg = make_ready()
    stranger = make_user("referent", org=make_org("cel", name="CEL Lyon"))
    login(stranger)
    assert client.get(f"/jury/candidat/{reg.id}").status_code == 404
    assert reg.candidate.full_name not in client.get("/jury/").get_data(as_text=True)


def test_overdue_reminder_once_a_day_per_referent(app, make_ready, world, frozen_clock):
    from cloe_portal.results.jobs import jury_overdue

    make_ready(oral_end=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC))
    now = frozen_clock(dt.datetime(2026, 3, 10, 8, tzinfo=dt.UTC))
    assert jury_overdue(now) == 1
    assert jury_overdue(now + dt.timedelta(hours=3)) == 0
    assert jury_overdue(now + dt.timedelta(days=1)) == 1
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "jury-overdue"))
    assert message.to_email == world.referent.email
    assert message.key == f"jury-overdue:2026-03-10:referent-{world.referent.id}"


def test_pv_signed_while_another_takes_the_ledger_number_is_replayed(client, login, make_ready,
                                                                      world, monkeypatch):
    """A ledger-sequence clash (two PVs signed at the same instant) never gives a 500: the
    transaction is rolled back whole and replayed."""
    from sqlalchemy.exc import IntegrityError

    reg = make_ready(target="B1", score=42, criterion="B1-")
    validate(world.referent, reg)
    real_sign = services.sign_pv
    calls = []

    def clashing_once(*args, **kwargs):
        calls.append(1)
        pv = real_sign(*args, **kwargs)
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO ledger_entry", {}, Exception("duplicate seq"))
        return pv

    monkeypatch.setattr(services, "sign_pv", clashing_once)
    login(world.referent)
    page = f"/jury/session/{reg.session_id}"
    html = client.get(page).get_data(as_text=True)
    token = html.split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post(f"/jury/session/{reg.session_id}/signer", data={
        "csrf_token": token, "signer_name": "Julien Moreau", "confirmation": "JE CERTIFIE"})
    assert response.status_code == 303
    assert len(calls) == 2
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).status == "results_issued"
    assert len(services.signed_pvs(reg.session)) == 1


def test_jury_refuses_a_grid_validated_before_its_oral_started(make_ready, world, client, login):
    """Old data from before the rule: a grid validated before the slot start is no result."""
    from cloe_portal.orals.services import latest_booking
    from cloe_portal.results.services import certificate_for

    reg = make_ready(oral_end=dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC))
    booking = latest_booking(reg)
    booking.assessment.validated_at = dt.datetime(2026, 3, 3, 2, 12, tzinfo=dt.UTC)
    db.session.commit()
    file = services.candidate_file(reg)
    assert any("avant le début" in p for p in file.problems), file.problems
    assert file.levels is None
    with pytest.raises(services.JuryError, match="avant le début"):
        services.decide(world.referent, reg, decision="validated", reason=None, **CHECKS_OK)
    assert certificate_for(reg) is None
    login(world.referent)
    page = client.get(f"/jury/candidat/{reg.id}").get_data(as_text=True)
    assert "avant le début" in page
    # Validated at the start or later, the same file is complete.
    booking.assessment.validated_at = booking.slot.starts_at
    db.session.commit()
    assert services.candidate_file(reg).problems == []


def test_queue_shows_the_oral_slot_from_start_to_end(make_ready, world, client, login):
    make_ready(oral_end=dt.datetime(2026, 3, 4, 8, 30, tzinfo=dt.UTC))  # 09:00–09:30 Paris
    login(world.referent)
    page = client.get("/jury/").get_data(as_text=True)
    row = page[page.index("<tbody>"):page.index("</tbody>")]
    assert "04/03/2026, 09:00 – 09:30" in row
    assert "à 09:30" not in row


def test_a_grid_reopened_after_the_decision_withdraws_it_and_the_pv_publishes_the_new_grid(
        app, make_ready, world, frozen_clock):
    """The jury decided on a grid that the referent then reopens: the decision must not be
    published with the old levels when the PV is signed."""
    from cloe_portal.assessors.models import Accreditation
    from cloe_portal.orals import services as orals
    from cloe_portal.orals.models import OralBooking

    frozen_clock(dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC))  # the oral ended at 10:30 Paris
    reg = make_ready(target="B1", score=60, criterion="B1")
    db.session.add(Accreditation(assessor_id=world.assessor.id, language="en",
                                 status="accredited", validated_on=dt.date(2025, 1, 6),
                                 valid_until=dt.date(2099, 12, 31)))
    db.session.commit()
    assert validate(world.referent, reg).levels["oral"] == "B1"

    booking = db.session.scalar(select(OralBooking).where(OralBooking.registration_id == reg.id))
    orals.reopen_assessment(world.referent, booking, "Critère mal saisi : interaction B2")
    db.session.commit()
    assert db.session.scalar(select(JuryReview).where(JuryReview.registration_id == reg.id)) is None
    withdrawn = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "jury.decision.withdrawn")).one()
    assert withdrawn.reason == "Critère mal saisi : interaction B2"
    with pytest.raises(services.JuryError, match="Aucune décision"):
        services.sign_pv(world.referent, reg.session, "Julien Moreau", "JE CERTIFIE")

    orals.save_grid(world.assessor, booking, {c: "B2" for c in
                                              ("range", "accuracy", "fluency", "pronunciation",
                                               "interaction")}, None)
    orals.validate_grid(world.assessor, booking)
    db.session.commit()
    assert validate(world.referent, reg).levels["oral"] != "B1"
    services.sign_pv(world.referent, reg.session, "Julien Moreau", "JE CERTIFIE")
    db.session.commit()
    result = db.session.scalar(select(Result).where(Result.registration_id == reg.id))
    assert result.levels["oral"] != "B1"


def test_signing_refuses_a_decision_that_no_longer_matches_its_file(make_ready, world):
    """Defence in depth: a draft decision whose candidate file changed since (levels or
    status) is not published; the jury is asked to decide again."""
    reg = make_ready(target="B1", score=60, criterion="B1")
    review = validate(world.referent, reg)
    review.levels = {**review.levels, "oral": "C2", "global": "C2"}  # stale or tampered
    db.session.commit()
    with pytest.raises(services.JuryError, match="ne correspond plus"):
        services.sign_pv(world.referent, reg.session, "Julien Moreau", "JE CERTIFIE")
    assert db.session.scalar(select(Result).where(Result.registration_id == reg.id)) is None
