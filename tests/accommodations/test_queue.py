"""The referent's accommodation queue: order, filter, decisions, audit, what the tests read."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.sessions.models import AccommodationRequest, ExamSession, Registration


@pytest.fixture
def world(make_org, make_user):
    cel = make_org("cel", name="CEL Lyon")
    referent = make_user("referent", org=cel)
    partner_a = make_org("partner", name="Alpha Langues", referent_centre=cel)
    partner_b = make_org("partner", name="Beta Formation", referent_centre=cel)
    elsewhere = make_org("partner", name="Ailleurs", referent_centre=make_org("cel", name="CEL Brest"))

    def request_for(partner, kind="extra_time", last_name="Durand"):
        session = ExamSession(partner_id=partner.id, name=f"Session {partner.name}", language="en",
                              written_date=date(2026, 12, 10))
        db.session.add(session)
        db.session.flush()
        candidate = make_user("candidate", org=partner, last_name=last_name)
        reg = Registration(session_id=session.id, candidate_id=candidate.id, partner_id=partner.id,
                           target_level="B1", training_hours=Decimal("20"))
        db.session.add(reg)
        db.session.flush()
        item = AccommodationRequest(registration_id=reg.id, kind=kind, details="Dyslexie : certificat joint.")
        db.session.add(item)
        db.session.commit()
        return item

    return {"referent": referent, "a": partner_a, "b": partner_b, "elsewhere": elsewhere,
            "request_for": request_for}


def _token(c, path):
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)


def test_pending_first_then_decided_and_filter_by_partner(app, login, world):
    decided = world["request_for"](world["a"], last_name="Ancien")
    decided.status = "refused"
    decided.comment = "Pas de justificatif"
    pending_a = world["request_for"](world["a"], last_name="Attente")
    pending_b = world["request_for"](world["b"], "secretary", last_name="Bertin")
    hidden = world["request_for"](world["elsewhere"], last_name="Cache")
    db.session.commit()
    c = app.test_client()
    login(world["referent"], test_client=c)
    html = c.get("/amenagements/").get_data(as_text=True)
    assert html.index("ATTENTE") < html.index("ANCIEN") and html.index("BERTIN") < html.index("ANCIEN")
    assert "CACHE" not in html
    only_b = c.get(f"/amenagements/?partner={world['b'].id}").get_data(as_text=True)
    assert "BERTIN" in only_b and "ATTENTE" not in only_b
    assert c.get(f"/amenagements/{hidden.id}").status_code == 404
    assert pending_a.id and pending_b.id


def test_refusal_needs_a_comment_approval_is_what_the_written_test_reads(app, login, world):
    item = world["request_for"](world["a"])
    c = app.test_client()
    login(world["referent"], test_client=c)
    path = f"/amenagements/{item.id}"
    response = c.post(path, data={"csrf_token": _token(c, path), "decision": "refuse", "comment": " "})
    assert response.status_code == 422
    assert "commentaire est obligatoire" in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.status == "pending"
    assert not item.registration.approved("extra_time")

    response = c.post(path, data={"csrf_token": _token(c, path), "decision": "approve", "comment": ""})
    assert response.status_code == 303
    db.session.refresh(item)
    assert item.status == "approved" and item.decided_by_id == world["referent"].id
    assert item.registration.approved("extra_time")
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.object_type == "accommodation_request", AuditEntry.object_id == item.id)).one()
    assert entry.action == "accommodation.approved" and entry.actor_id == world["referent"].id
    html = c.get(path).get_data(as_text=True)
    assert "Aménagement accordé" in html  # the history on the request's page
    # Decided once.
    response = c.post(path, data={"csrf_token": _token(c, path), "decision": "refuse", "comment": "x"})
    assert response.status_code == 422
    db.session.refresh(item)
    assert item.status == "approved"


def test_refused_with_comment_is_logged_with_the_reason(app, login, world):
    item = world["request_for"](world["b"], "written_oral_questions")
    c = app.test_client()
    login(world["referent"], test_client=c)
    path = f"/amenagements/{item.id}"
    c.post(path, data={"csrf_token": _token(c, path), "decision": "refuse", "comment": "Justificatif manquant"})
    db.session.refresh(item)
    assert item.status == "refused" and item.comment == "Justificatif manquant"
    assert not item.registration.approved("written_oral_questions")
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "accommodation.refused")).one()
    assert entry.reason == "Justificatif manquant"
