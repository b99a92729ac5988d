"""Access extensions: the partner asks, the referent grants (maybe fewer days) or refuses; the
written or booking window moves; everyone concerned is emailed; refusals change nothing."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.access_extensions.models import AccessExtensionRequest
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.orals import services as orals
from cloe_portal.rules.calendar import PARIS
from cloe_portal.written.services import window_info
from tests.access_extensions.conftest import token

NOW = dt.datetime(2026, 4, 10, 8, 0, tzinfo=dt.UTC)
REASON = "Arrêt maladie du 12 au 30 mars, certificat reçu."


def _ask(client, reg, **data):
    path = f"/prolongations/inscription/{reg.id}"
    form = {"window": "booking", "days": "14", "reason": REASON, **data}
    return client.post(path, data={"csrf_token": token(client, path), **form})


def _decide(client, item, **data):
    path = f"/prolongations/{item.id}"
    return client.post(f"{path}/decision", data={"csrf_token": token(client, path), **data})


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _requests() -> list[AccessExtensionRequest]:
    return list(db.session.scalars(db.select(AccessExtensionRequest).order_by(AccessExtensionRequest.id)))


def _outbox(kind: str) -> list[str]:
    return sorted(db.session.scalars(db.select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)))


def _paris_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(PARIS).date()


def test_booking_extension_asked_granted_with_fewer_days_moves_the_booking_window(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration()
    assert "La période de réservation est terminée" in orals.booking_blocker(reg)
    partner = world.client_for(world.admin_a)
    page = _page(partner.get(f"/suivi/candidats/{reg.candidate_id}"))
    assert f"/prolongations/inscription/{reg.id}" in page
    assert "Réservation de l'oral close depuis le 02/04/2026" in page

    response = _ask(partner, reg, days="14")
    assert response.status_code == 303
    item = _requests()[0]
    assert (item.status, item.window, item.days_requested, item.partner_id) == ("pending", "booking", 14, world.a.id)
    assert _paris_day(item.closes_before) == dt.date(2026, 4, 2)
    assert _outbox("extension-requested") == [world.referent.email]  # not the other centre's
    asked = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "access_extension.requested")).one()
    assert asked.actor_id == world.admin_a.id and asked.reason == REASON

    referent = world.client_for(world.referent)
    home = referent.get("/reseau/accueil").get_data(as_text=True)
    assert "Prolongations à décider" in home and f"/prolongations/{item.id}" in home
    assert "Camille DURAND" in referent.get("/prolongations/").get_data(as_text=True)
    response = _decide(referent, item, decision="grant", days="10", comment="Dix jours suffisent.")
    assert response.status_code == 303

    db.session.expire_all()
    item, reg = _requests()[0], db.session.get(type(reg), reg.id)
    assert (item.status, item.days_granted, item.decided_by_id) == ("granted", 10, world.referent.id)
    assert reg.booking_extension_days == 10
    assert _paris_day(item.closes_after) == dt.date(2026, 4, 12)
    assert orals.booking_blocker(reg) is None
    assert orals.booking_window(reg).contains(dt.datetime(2026, 4, 12, 8, 0, tzinfo=dt.UTC))
    granted = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "access_extension.granted")).one()
    assert granted.details["extension_days"] == {"from": 0, "to": 10}
    assert granted.details["status"] == {"from": "pending", "to": "granted"}
    assert granted.details["closes_at"]["to"].startswith("2026-04-12")
    assert db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "oral.booking_window_extended")).one().object_id == reg.id
    assert _outbox("extension-granted") == [reg.candidate.email]
    assert _outbox("extension-decision") == [world.admin_a.email]
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "extension-granted")).one()
    assert "12/04/2026" in mail.body_text and "/oral/reservation?inscription=" in mail.body_text
    detail = partner.get(f"/prolongations/{item.id}").get_data(as_text=True)
    assert "02/04/2026 → 12/04/2026" in detail and "Dix jours suffisent." in detail


def test_written_extension_reopens_the_written_test(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration(status="enrolled", written_date=dt.date(2026, 3, 2))
    assert window_info(reg).state == "closed"  # 30 days: closed on 31 March
    partner = world.client_for(world.admin_a)
    assert _ask(partner, reg, window="written", days="20").status_code == 303
    item = _requests()[0]
    assert _decide(world.client_for(world.referent), item, decision="grant", days="20").status_code == 303
    db.session.expire_all()
    reg = db.session.get(type(reg), reg.id)
    assert reg.window_extension_days == 20 and reg.booking_extension_days == 0
    info = window_info(reg)
    assert info.state == "open" and _paris_day(info.closes_at) == dt.date(2026, 4, 20)
    assert db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "written.window_extended")).one().details["days"] == 20
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "extension-granted")).one()
    assert "accès au test écrit" in mail.body_text and "/ecrit/" in mail.body_text


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"days": "0"}, "written_done", "Indiquez un nombre de jours entre 1 et 90."),
    ({"days": "91"}, "written_done", "Indiquez un nombre de jours entre 1 et 90."),
    ({"days": ""}, "written_done", "Indiquez le nombre de jours."),
    ({"reason": "  "}, "written_done", "Indiquez le motif de la demande."),
    ({"window": ""}, "written_done", "Choisissez l'accès à prolonger."),
    ({"window": "booking"}, "enrolled", "pas encore terminé son test écrit"),
    ({"window": "written"}, "written_done", "ne peut plus être prolongé"),
    ({"window": "booking"}, "results_issued", "ne peut plus être prolongée"),
])
def test_refused_requests_say_why_and_change_nothing(world, frozen_clock, data, status, message):
    frozen_clock(NOW)
    reg = world.registration(status=status)
    response = _ask(world.client_for(world.admin_a), reg, **data)
    assert response.status_code == 422
    assert message in _page(response)
    assert _requests() == []
    assert db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.like("access_extension%"))).all() == []
    assert _outbox("extension-requested") == []


def test_one_pending_request_per_registration_and_window(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration()
    partner = world.client_for(world.admin_a)
    assert _ask(partner, reg).status_code == 303
    again = _ask(partner, reg, days="5")
    assert again.status_code == 422 and "attend déjà la décision du CEL" in again.get_data(as_text=True)
    assert len(_requests()) == 1
    # The database refuses a second pending row too (two submits racing past the check).
    db.session.add(AccessExtensionRequest(registration_id=reg.id, partner_id=reg.partner_id,
                                          window="booking", days_requested=3, reason="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Once decided, a new request may be made.
    _decide(world.client_for(world.referent), _requests()[0], decision="refuse", comment="Non justifié.")
    assert _ask(partner, reg, days="5").status_code == 303
    assert [r.status for r in _requests()] == ["refused", "pending"]


def test_another_partner_or_centre_gets_404_and_nothing_changes(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration()
    partner = world.client_for(world.admin_a)
    _ask(partner, reg)
    item = _requests()[0]
    intruder = world.client_for(world.admin_b)
    assert intruder.get(f"/prolongations/inscription/{reg.id}").status_code == 404
    assert intruder.post(f"/prolongations/inscription/{reg.id}", data={
        "csrf_token": token(intruder, "/prolongations/"), "window": "booking", "days": "3",
        "reason": "x"}).status_code == 404
    assert intruder.get(f"/prolongations/{item.id}").status_code == 404
    assert intruder.post(f"/prolongations/{item.id}/retrait",
                         data={"csrf_token": token(intruder, "/prolongations/")}).status_code == 404
    assert f"/prolongations/{item.id}" not in intruder.get("/prolongations/").get_data(as_text=True)
    other = world.client_for(world.other_referent)
    assert other.get(f"/prolongations/{item.id}").status_code == 404
    assert other.post(f"/prolongations/{item.id}/decision", data={
        "csrf_token": token(other, "/prolongations/"), "decision": "grant", "days": "3"}).status_code == 404
    assert "Camille" not in other.get("/prolongations/").get_data(as_text=True)
    # The partner cannot decide its own request.
    assert partner.post(f"/prolongations/{item.id}/decision", data={
        "csrf_token": token(partner, "/prolongations/"), "decision": "grant", "days": "3"}).status_code == 403
    db.session.expire_all()
    assert [(r.id, r.status) for r in _requests()] == [(item.id, "pending")]
    assert db.session.get(type(reg), reg.id).booking_extension_days == 0
    # The coordinator follows every centre.
    assert world.client_for(world.coordinator).get(f"/prolongations/{item.id}").status_code == 200


@pytest.mark.parametrize(("data", "message"), [
    ({"decision": "refuse", "comment": ""}, "commentaire est obligatoire"),
    ({"decision": "grant", "days": "15"}, "Indiquez un nombre de jours entre 1 et 14."),
    ({"decision": "grant", "days": "0"}, "Indiquez un nombre de jours entre 1 et 14."),
    ({"days": "3"}, "Choisissez la décision."),
])
def test_refused_decisions_say_why_and_change_nothing(world, frozen_clock, data, message):
    frozen_clock(NOW)
    reg = world.registration()
    _ask(world.client_for(world.admin_a), reg, days="14")
    item = _requests()[0]
    response = _decide(world.client_for(world.referent), item, **data)
    assert response.status_code == 422 and message in _page(response)
    db.session.expire_all()
    assert _requests()[0].status == "pending"
    assert db.session.get(type(reg), reg.id).booking_extension_days == 0
    assert _outbox("extension-decision") == [] and _outbox("extension-granted") == []


def test_refusal_with_comment_tells_the_partner_not_the_candidate(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration()
    _ask(world.client_for(world.admin_a), reg)
    item = _requests()[0]
    referent = world.client_for(world.referent)
    assert _decide(referent, item, decision="refuse", comment="Aucun justificatif.").status_code == 303
    db.session.expire_all()
    item = _requests()[0]
    assert item.status == "refused" and item.comment == "Aucun justificatif."
    assert db.session.get(type(reg), reg.id).booking_extension_days == 0
    assert _outbox("extension-decision") == [world.admin_a.email] and _outbox("extension-granted") == []
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "access_extension.refused")).one()
    assert entry.reason == "Aucun justificatif." and entry.details["extension_days"] == {"from": 0, "to": 0}
    again = _decide(referent, item, decision="grant", days="3")
    assert again.status_code == 422 and "déjà été traitée" in again.get_data(as_text=True)


def test_grant_refused_when_the_registration_moved_on(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration(status="enrolled")
    _ask(world.client_for(world.admin_a), reg, window="written", days="5")
    reg.status, reg.written_done_at = "written_done", NOW
    db.session.commit()
    response = _decide(world.client_for(world.referent), _requests()[0], decision="grant", days="5")
    assert response.status_code == 422
    assert "l'accès au test écrit ne peut plus être prolongé" in _page(response)
    db.session.expire_all()
    assert _requests()[0].status == "pending"
    assert db.session.get(type(reg), reg.id).window_extension_days == 0


def test_partner_withdraws_a_pending_request(world, frozen_clock):
    frozen_clock(NOW)
    reg = world.registration()
    partner = world.client_for(world.admin_a)
    _ask(partner, reg)
    item = _requests()[0]
    path = f"/prolongations/{item.id}"
    assert "Retirer la demande" in partner.get(path).get_data(as_text=True)
    response = partner.post(f"{path}/retrait", data={"csrf_token": token(partner, path)})
    assert response.status_code == 303
    db.session.expire_all()
    assert _requests()[0].status == "withdrawn"
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "access_extension.withdrawn")).one()
    assert entry.details["status"] == {"from": "pending", "to": "withdrawn"}
    # Nothing left to decide or withdraw.
    decided = _decide(world.client_for(world.referent), item, decision="grant", days="3")
    assert decided.status_code == 422 and "retiré cette demande" in decided.get_data(as_text=True)
    again = partner.post(f"{path}/retrait", data={"csrf_token": token(partner, path)}, follow_redirects=True)
    assert "ne peut plus être retirée" in again.get_data(as_text=True)
    db.session.expire_all()
    assert _requests()[0].status == "withdrawn"
    assert db.session.get(type(reg), reg.id).booking_extension_days == 0


def test_lists_follow_the_scope(world, frozen_clock):
    frozen_clock(NOW)
    mine = world.registration(world.a, last_name="Alphonse")
    theirs = world.registration(world.b, last_name="Bertrand")
    far = world.registration(world.c, last_name="Corentin")
    for admin, reg in ((world.admin_a, mine), (world.admin_b, theirs), (world.admin_c, far)):
        _ask(world.client_for(admin), reg)
    html = world.client_for(world.admin_a).get("/prolongations/").get_data(as_text=True)
    assert "ALPHONSE" in html and "BERTRAND" not in html and "CORENTIN" not in html
    html = world.client_for(world.referent).get("/prolongations/").get_data(as_text=True)
    assert "ALPHONSE" in html and "BERTRAND" in html and "CORENTIN" not in html
    only_b = world.client_for(world.referent).get(f"/prolongations/?partner={world.b.id}").get_data(as_text=True)
    assert "BERTRAND" in only_b and "ALPHONSE" not in only_b
    assert world.client_for(world.referent).get(f"/prolongations/?partner={world.c.id}").status_code == 404
    html = world.client_for(world.coordinator).get("/prolongations/").get_data(as_text=True)
    assert all(name in html for name in ("ALPHONSE", "BERTRAND", "CORENTIN"))
    assert clock.now() == NOW
