"""Accommodations asked by the partner after enrolment, before the written test: the referent's
queue receives them, the decision reaches the partner and the candidate."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from cloe_portal import clock
from cloe_portal.audit.models import AuditEntry
from cloe_portal.candidates import services as candidate_services
from cloe_portal.extensions import db
from cloe_portal.itembank.loader import load_bank_files
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.sessions.models import AccommodationRequest
from cloe_portal.written.services import start_certification
from tests.access_extensions.conftest import token
from tests.written.conftest import IDENTITY, JPEG, PNG

JUSTIFICATION = "Dyslexie sévère : bilan orthophonique du 2 mars reçu."


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _ask(client, reg, **data):
    path = f"/amenagements/inscription/{reg.id}/demande"
    return client.post(path, data={"csrf_token": token(client, path), "kind": "extra_time",
                                   "details": JUSTIFICATION, **data})


def _requests() -> list[AccommodationRequest]:
    return list(db.session.scalars(db.select(AccommodationRequest).order_by(AccommodationRequest.id)))


def _outbox(kind: str) -> list[str]:
    return sorted(db.session.scalars(db.select(OutboxMessage.to_email).where(OutboxMessage.kind == kind)))


def test_partner_asks_after_enrolment_referent_decides_everyone_hears(world):
    reg = world.registration(status="enrolled", written_date=clock.today_paris() + dt.timedelta(days=5))
    partner = world.client_for(world.admin_a)
    page = _page(partner.get(f"/suivi/candidats/{reg.candidate_id}"))
    assert f"/amenagements/inscription/{reg.id}/demande" in page
    assert _ask(partner, reg).status_code == 303
    item = _requests()[0]
    assert (item.registration_id, item.kind, item.status, item.details) == (reg.id, "extra_time", "pending", JUSTIFICATION)
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "accommodation.requested")).one()
    assert entry.actor_id == world.admin_a.id and entry.details["after_enrolment"] is True
    assert _outbox("accommodation-requested") == [world.referent.email]
    assert "en attente de décision du CEL" in _page(partner.get(f"/suivi/candidats/{reg.candidate_id}"))

    referent = world.client_for(world.referent)
    assert f"/amenagements/{item.id}" in referent.get("/amenagements/").get_data(as_text=True)
    assert f"/amenagements/{item.id}" in referent.get("/reseau/accueil").get_data(as_text=True)
    detail = _page(referent.get(f"/amenagements/{item.id}"))
    assert JUSTIFICATION in detail and "Aménagement demandé par le partenaire après l'inscription" in detail
    path = f"/amenagements/{item.id}"
    assert referent.post(path, data={"csrf_token": token(referent, path), "decision": "approve",
                                     "comment": ""}).status_code == 303
    db.session.expire_all()
    reg = db.session.get(type(reg), reg.id)
    assert reg.approved("extra_time")
    assert _outbox("accommodation-decision") == sorted([world.admin_a.email, reg.candidate.email])
    mails = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "accommodation-decision"))
    assert all("accordé" in m.subject for m in mails)


@pytest.mark.parametrize(("data", "message"), [
    ({"details": " "}, "Justifiez la demande"),
    ({"kind": ""}, "Choisissez l'aménagement demandé."),
    ({"kind": "chauffeur"}, "N'est pas un choix valide."),
])
def test_incomplete_requests_change_nothing(world, data, message):
    reg = world.registration(status="enrolled", written_date=clock.today_paris() + dt.timedelta(days=5))
    response = _ask(world.client_for(world.admin_a), reg, **data)
    assert response.status_code == 422 and message in _page(response)
    assert _requests() == [] and _outbox("accommodation-requested") == []


def test_same_accommodation_twice_and_after_the_written_test_are_refused(world):
    reg = world.registration(status="identity_done", written_date=clock.today_paris() + dt.timedelta(days=5))
    partner = world.client_for(world.admin_a)
    assert _ask(partner, reg).status_code == 303
    again = _ask(partner, reg)
    assert again.status_code == 422 and "déjà demandé ou accordé" in _page(again)
    assert _ask(partner, reg, kind="secretary").status_code == 303  # another kind is fine
    done = world.registration(status="written_done", last_name="Fini")
    assert f"/amenagements/inscription/{done.id}/demande" not in partner.get(
        f"/suivi/candidats/{done.candidate_id}").get_data(as_text=True)
    late = _ask(partner, done)
    assert late.status_code == 422 and "avant le début du test écrit" in _page(late)
    assert [(r.registration_id, r.kind) for r in _requests()] == [(reg.id, "extra_time"), (reg.id, "secretary")]


def test_refused_once_the_written_test_has_started(world):
    load_bank_files(["en"])
    reg = world.registration(status="enrolled", written_date=clock.today_paris())
    candidate = reg.candidate
    candidate_services.save_identity(candidate, dict(IDENTITY))
    candidate_services.save_photo(candidate, reg, "face", JPEG, "webcam")
    candidate_services.save_photo(candidate, reg, "id_document", PNG, "upload")
    db.session.commit()
    partner = world.client_for(world.admin_a)
    start_certification(reg, candidate)
    db.session.commit()
    assert db.session.get(type(reg), reg.id).status in ("enrolled", "identity_done")
    response = _ask(partner, reg)
    assert response.status_code == 422 and "avant le début du test écrit" in _page(response)
    assert _requests() == []


def test_another_partner_gets_404_and_nothing_changes(world):
    reg = world.registration(status="enrolled", written_date=clock.today_paris() + dt.timedelta(days=5))
    intruder = world.client_for(world.admin_b)
    path = f"/amenagements/inscription/{reg.id}/demande"
    assert intruder.get(path).status_code == 404
    assert intruder.post(path, data={"csrf_token": token(intruder, "/suivi/"), "kind": "extra_time",
                                     "details": JUSTIFICATION}).status_code == 404
    assert world.client_for(world.referent).get(path).status_code == 403  # partners ask, referents decide
    assert _requests() == []
