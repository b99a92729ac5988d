"""From the public form to the partner's first session: audit, commission, listing, suspension."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.accounts.services import set_password
from cloe_portal.applications.models import PartnerApplication
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS

from .conftest import csrf_from

PASSWORD = "Mot-de-passe-2026"


def _all_points(**extra) -> dict:
    data = {f"ok_{key}": "y" for key, _ in ACCREDITATION_AUDIT_POINTS}
    data.update({f"note_{key}": "" for key, _ in ACCREDITATION_AUDIT_POINTS})
    data.update(extra)
    return data


def _post(c, path: str, page: str, data: dict):
    token = csrf_from(c.get(page).get_data(as_text=True))
    return c.post(path, data={**data, "csrf_token": token})


def _mails_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.to_email == email).order_by(OutboxMessage.id)))


@pytest.fixture
def staff(make_org, make_user):
    cel = make_org("cel", name="CEL CCI Lyon")
    return {
        "cel": cel,
        "referent": make_user("referent", org=cel, email="ref@cel-lyon.fr"),
        "coordinator": make_user("coordinator", org=make_org("cel", name="CCI France"),
                                 email="coord@cci.fr"),
    }


def test_whole_partner_path_from_public_form_to_first_session(app, client, login, staff,
                                                              submit_application):
    # ① the organisation applies (no login)
    assert submit_application().status_code == 303
    application = db.session.scalars(db.select(PartnerApplication)).one()
    contact = application.contact_email
    page = f"/candidatures/{application.id}"

    # ② ④ the referent audits and gives a favourable opinion
    referent_client = app.test_client()
    login(staff["referent"], test_client=referent_client)
    assert "Langues &amp; Métiers Formation" in referent_client.get("/reseau/accueil").get_data(as_text=True)
    response = _post(referent_client, f"{page}/audit", page,
                     _all_points(opinion="favourable", note_positioning="Test écrit + oral, solide."))
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.status == "audited" and application.opinion == "favourable"
    assert application.audit_checklist["positioning"] == {"ok": True, "note": "Test écrit + oral, solide."}

    # ⑤ the commission validates
    response = _post(referent_client, f"{page}/commission", page, {
        "decision": "validated", "decision_date": clock.today_paris().isoformat(),
        "decision_reason": "Dossier complet."})
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.status == "validated"

    # A referent cannot add to the list: that is the coordinator's act.
    assert _post(referent_client, f"{page}/liste", page, {}).status_code == 403

    # ⑥ the coordinator adds it to the partner list
    coordinator_client = app.test_client()
    login(staff["coordinator"], test_client=coordinator_client)
    response = _post(coordinator_client, f"{page}/liste", page, {})
    assert response.status_code == 303
    db.session.refresh(application)
    org = db.session.get(Organisation, application.organisation_id)
    assert (org.kind, org.status, org.referent_centre_id) == ("partner", "active", staff["cel"].id)
    assert org.listed_at is not None and org.siret == application.siret
    admin = db.session.scalars(db.select(User).where(User.email == contact)).one()
    assert (admin.role, admin.organisation_id, admin.password_hash) == ("partner", org.id, None)

    # The public list shows it; the applicant was emailed at every step.
    assert org.name.replace("&", "&amp;") in client.get("/partenaires").get_data(as_text=True)
    subjects = [m.subject for m in _mails_to(contact)]
    assert len(subjects) == 5, subjects
    assert "reçue" in subjects[0] and "audit terminé" in subjects[1]
    assert "partenariat validé" in subjects[2]
    assert any("Votre compte" in s for s in subjects) and any("est partenaire CLOE" in s for s in subjects)
    welcome = next(m for m in _mails_to(contact) if m.kind == "welcome")
    assert "/welcome/" in welcome.body_text

    # Each step is timestamped in the audit log and shown as the application's history.
    actions = list(db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.object_type == "partner_application").order_by(AuditEntry.id)))
    assert actions == ["application.submitted", "application.opinion_favourable",
                       "application.validated", "application.listed"]
    html = coordinator_client.get(page).get_data(as_text=True)
    for label in ("Candidature déposée", "Avis favorable du CEL référent",
                  "Partenariat validé par la commission", "Inscrit sur la liste des partenaires"):
        assert label in html

    # The partner admin logs in and creates its first session.
    set_password(admin, PASSWORD)
    db.session.commit()
    partner_client = app.test_client()
    login(admin, test_client=partner_client)
    assert org.can_create_sessions
    written = (clock.today_paris() + timedelta(days=10)).isoformat()
    response = _post(partner_client, "/sessions/new", "/sessions/new", {
        "name": "Anglais B1 — mars", "kind": "group", "language": "en", "domain": "",
        "written_date": written})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]

    # Suspended: it still logs in and sees its pages, but cannot create sessions.
    response = _post(referent_client, f"/reseau/partenaires/{org.id}/suspend",
                     f"/reseau/partenaires/{org.id}", {"reason": "Démarchage téléphonique abusif"})
    assert response.status_code == 303
    db.session.refresh(org)
    assert org.status == "suspended" and not org.can_create_sessions
    assert partner_client.get("/sessions/").status_code == 200
    response = _post(partner_client, "/sessions/new", "/sessions/new", {
        "name": "Anglais B2", "kind": "group", "language": "en", "domain": "", "written_date": written})
    assert response.status_code == 403
    assert "suspendu" in _mails_to(contact)[-1].subject
    assert org.name.replace("&", "&amp;") not in client.get("/partenaires").get_data(as_text=True)


def test_favourable_opinion_needs_every_point_and_unfavourable_needs_a_reason(app, login, staff,
                                                                              submit_application):
    submit_application()
    application = db.session.scalars(db.select(PartnerApplication)).one()
    page = f"/candidatures/{application.id}"
    c = app.test_client()
    login(staff["referent"], test_client=c)
    points = _all_points(opinion="favourable")
    del points["ok_signed_agreement"]
    response = _post(c, f"{page}/audit", page, points)
    assert response.status_code == 422
    assert "chaque point de la grille" in response.get_data(as_text=True)
    response = _post(c, f"{page}/audit", page, _all_points(opinion="unfavourable"))
    assert response.status_code == 422
    assert "Motivez l&#39;avis défavorable" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.status == "submitted"
    # A draft grid (no opinion yet) is kept and the application stays to audit.
    response = _post(c, f"{page}/audit", page, {"ok_positioning": "y", "note_positioning": "RAS", "opinion": ""})
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.status == "submitted" and application.audit_checklist["positioning"]["ok"]
    assert application.audit_checklist["qualiopi_certificate"]["ok"] is False


def test_rejection_needs_a_reason_which_is_emailed(app, login, staff, submit_application):
    submit_application()
    application = db.session.scalars(db.select(PartnerApplication)).one()
    page = f"/candidatures/{application.id}"
    c = app.test_client()
    login(staff["referent"], test_client=c)
    _post(c, f"{page}/audit", page, _all_points(opinion="unfavourable", opinion_reason="Offre trop légère."))
    today = clock.today_paris().isoformat()
    response = _post(c, f"{page}/commission", page, {"decision": "rejected", "decision_date": today})
    assert response.status_code == 422
    assert re.search(r"Motivez le rejet", response.get_data(as_text=True))
    response = _post(c, f"{page}/commission", page, {
        "decision": "rejected", "decision_date": today, "decision_reason": "Volume de formateurs insuffisant."})
    assert response.status_code == 303
    db.session.refresh(application)
    assert application.status == "rejected"
    mail = _mails_to(application.contact_email)[-1]
    assert "refusé" in mail.subject and "Volume de formateurs insuffisant." in mail.body_text
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "application.rejected")).one()
    assert entry.actor_id == staff["referent"].id and entry.reason == "Volume de formateurs insuffisant."
    # Decided once: a second decision is refused.
    response = _post(c, f"{page}/commission", page, {
        "decision": "validated", "decision_date": today, "decision_reason": "x"})
    assert response.status_code == 422
    db.session.refresh(application)
    assert application.status == "rejected"


def test_partnership_status_change_needs_a_reason_and_is_in_the_history(app, login, staff, make_org):
    org = make_org("partner", referent_centre=staff["cel"])
    db.session.commit()
    c = app.test_client()
    login(staff["referent"], test_client=c)
    page = f"/reseau/partenaires/{org.id}"
    response = _post(c, f"{page}/end", page, {"reason": ""})
    assert response.status_code == 422
    assert "Le motif est obligatoire" in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.status == "active"
    assert _post(c, f"{page}/end", page, {"reason": "Non-respect de la charte CPF"}).status_code == 303
    db.session.refresh(org)
    assert org.status == "ended" and org.status_reason == "Non-respect de la charte CPF"
    html = c.get(page).get_data(as_text=True)
    assert "Partenariat terminé" in html and "Non-respect de la charte CPF" in html


def test_referents_only_see_the_partners_their_centre_follows(app, login, staff, make_org, make_user):
    ours = make_org("partner", name="Notre Partenaire", referent_centre=staff["cel"])
    theirs = make_org("partner", name="Autre Partenaire", referent_centre=make_org("cel", name="CEL Brest"))
    db.session.commit()
    c = app.test_client()
    login(staff["referent"], test_client=c)
    html = c.get("/reseau/partenaires").get_data(as_text=True)
    assert "Notre Partenaire" in html and "Autre Partenaire" not in html
    assert c.get(f"/reseau/partenaires/{theirs.id}").status_code == 404
    assert c.get(f"/reseau/partenaires/{ours.id}").status_code == 200
    coordinator = app.test_client()
    login(staff["coordinator"], test_client=coordinator)
    assert "Autre Partenaire" in coordinator.get("/reseau/partenaires").get_data(as_text=True)
