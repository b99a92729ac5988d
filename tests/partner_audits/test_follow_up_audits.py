"""Follow-up audits of accredited partners (seed 000 §4.1): due dates on the referent's home,
the accreditation grid checked again, the outcome kept in the partner's history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.partner_audits.models import PartnerAudit
from cloe_portal.reference.charter import ACCREDITATION_AUDIT_POINTS
from tests.conftest import csrf_token

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
LISTED = datetime(2025, 4, 20, 10, 0, tzinfo=UTC)  # next audit due 20/04/2027: within 60 days


@pytest.fixture
def world(app, make_org, make_user, frozen_clock):
    frozen_clock(NOW)
    cel = make_org("cel", name="CEL Lyon")
    other_cel = make_org("cel", name="CEL Brest")
    partner = make_org("partner", name="Lingua Pro", referent_centre=cel)
    partner.listed_at = LISTED
    db.session.commit()
    return {
        "cel": cel, "partner": partner,
        "referent": make_user("referent", org=cel),
        "other_referent": make_user("referent", org=other_cel),
        "admin": make_user("partner", org=partner, email="admin@linguapro.fr"),
        "inactive_admin": _inactive(make_user("partner", org=partner, email="old@linguapro.fr")),
    }


def _inactive(user):
    user.active = False
    db.session.commit()
    return user


def _client(app, login, user):
    c = app.test_client()
    login(user, test_client=c)
    return c


def _open(c, partner):
    return c.post(f"/reseau/partenaires/{partner.id}/audits",
                  data={"csrf_token": csrf_token(c, "/reseau/accueil")})


def _grid(all_ok=True):
    data = {}
    for i, (key, _label) in enumerate(ACCREDITATION_AUDIT_POINTS):
        if all_ok or i:
            data[f"ok_{key}"] = "y"
        data[f"note_{key}"] = "Vérifié sur pièces" if i == 0 else ""
    return data


def _save(c, audit_id, grid=None, **fields):
    data = {"csrf_token": csrf_token(c, f"/reseau/audits/{audit_id}"), **(grid or _grid()), **fields}
    return c.post(f"/reseau/audits/{audit_id}", data=data)


def _audit(partner) -> PartnerAudit:
    db.session.expire_all()
    return db.session.scalars(db.select(PartnerAudit).where(
        PartnerAudit.organisation_id == partner.id)).one()


def _opened(app, login, world):
    """The referent's client, the id of an audit it opened, and the state before any save."""
    c = _client(app, login, world["referent"])
    _open(c, world["partner"])
    return c, _audit(world["partner"]).id, _snapshot(world["partner"])


def _entries(partner, prefix="partner_audit."):
    return list(db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.object_type == "organisation", AuditEntry.object_id == partner.id,
        AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)))


def _snapshot(partner):
    db.session.expire_all()
    audits = [(a.status, a.outcome, a.checklist, a.next_audit_on) for a in db.session.scalars(
        db.select(PartnerAudit).where(PartnerAudit.organisation_id == partner.id))]
    return audits, len(_entries(partner, "")), db.session.scalar(
        db.select(db.func.count()).select_from(OutboxMessage)), partner.status


def test_the_home_lists_audits_due_within_60_days_and_overdue(app, login, world, make_org):
    cel = world["cel"]
    overdue = make_org("partner", name="Atlantique Langues", referent_centre=cel)
    overdue.listed_at = datetime(2025, 1, 5, tzinfo=UTC)
    later = make_org("partner", name="Provence Compétences", referent_centre=cel)
    later.listed_at = datetime(2025, 6, 1, tzinfo=UTC)  # due 01/06/2027: 83 days ahead
    suspended = make_org("partner", status="suspended", name="Suspendu SARL", referent_centre=cel)
    suspended.listed_at = datetime(2024, 1, 1, tzinfo=UTC)
    elsewhere = make_org("partner", name="Breizh Langues", referent_centre=world["other_referent"].organisation)
    elsewhere.listed_at = datetime(2025, 1, 5, tzinfo=UTC)
    db.session.commit()
    html = _client(app, login, world["referent"]).get("/reseau/accueil").get_data(as_text=True)
    card = html.split('id="h-audits-suivi"')[1].split("</section>")[0]
    assert 'class="count">2<' in card
    assert card.index("Atlantique Langues") < card.index("Lingua Pro")  # soonest first
    assert "en retard : prévu le 05/01/2027" in card and "prévu le 20/04/2027" in card
    for absent in ("Provence Compétences", "Suspendu SARL", "Breizh Langues"):
        assert absent not in card
    app.config["PARTNER_AUDIT_YEARS"] = 3  # configurable: nothing is due for three years
    html = _client(app, login, world["referent"]).get("/reseau/accueil").get_data(as_text=True)
    assert "Aucun audit à prévoir dans les 60 jours." in html


def test_the_referent_opens_an_audit_once_and_saves_its_grid(app, login, world):
    partner = world["partner"]
    c = _client(app, login, world["referent"])
    page = c.get(f"/reseau/partenaires/{partner.id}").get_data(as_text=True)
    assert "Prochain audit prévu le 20/04/2027" in page and "Ouvrir un audit de suivi" in page
    response = _open(c, partner)
    audit = _audit(partner)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/reseau/audits/{audit.id}")
    assert audit.status == "open" and audit.opened_by_id == world["referent"].id
    again = _open(c, partner)  # a second click lands on the same audit
    assert again.headers["Location"].endswith(f"/reseau/audits/{audit.id}")
    page = c.get(f"/reseau/audits/{audit.id}").get_data(as_text=True)
    for _key, label in ACCREDITATION_AUDIT_POINTS:  # the accreditation checklist, every point
        assert label.replace("'", "&#39;") in page
    response = _save(c, audit.id, grid=_grid(all_ok=False))
    assert response.status_code == 303
    audit = _audit(partner)
    assert audit.status == "open" and audit.checklist[ACCREDITATION_AUDIT_POINTS[0][0]] == {
        "ok": False, "note": "Vérifié sur pièces"}
    assert [e.action for e in _entries(partner)] == ["partner_audit.opened", "partner_audit.saved"]
    assert _entries(partner)[1].details == {"audit_id": audit.id, "conforming": 11, "points": 12}


def test_a_compliant_audit_sets_the_next_date_and_emails_the_partner(app, login, world):
    partner = world["partner"]
    c = _client(app, login, world["referent"])
    _open(c, partner)
    audit = _audit(partner)
    response = _save(c, audit.id, outcome="compliant", audit_date="08/03/2027",
                     summary="Offre conforme, programmes à jour.")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/reseau/partenaires/{partner.id}#audits")
    audit = _audit(partner)
    assert (audit.status, audit.outcome, audit.audit_date, audit.next_audit_on) == (
        "closed", "compliant", date(2027, 3, 8), date(2029, 3, 8))
    entry = _entries(partner)[-1]
    assert entry.action == "partner_audit.compliant" and entry.actor_id == world["referent"].id
    assert entry.reason == "Offre conforme, programmes à jour."
    assert entry.details["next_audit"] == {"from": "2027-04-20", "to": "2029-03-08"}
    mails = list(db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "partner-audit")))
    assert [m.to_email for m in mails] == ["admin@linguapro.fr"]  # active admins only
    assert mails[0].subject == "Audit de suivi CLOE de Lingua Pro : conforme"
    assert "Prochain audit prévu vers le 08/03/2029" in mails[0].body_text
    page = c.get(f"/reseau/partenaires/{partner.id}").get_data(as_text=True)
    assert "Prochain audit prévu le 08/03/2029" in page
    history = page.split('id="historique"')[1]
    assert "Audit de suivi : conforme" in history and "Audit du 08/03/2027" in history
    assert f"/reseau/audits/{audit.id}" in history
    home = c.get("/reseau/accueil").get_data(as_text=True).split('id="h-audits-suivi"')[1]
    assert "Lingua Pro" not in home.split("</section>")[0]


def test_a_closed_audit_is_read_only(app, login, world):
    partner = world["partner"]
    c = _client(app, login, world["referent"])
    _open(c, partner)
    audit_id = _audit(partner).id
    _save(c, audit_id, outcome="compliant", audit_date="08/03/2027")
    page = c.get(f"/reseau/audits/{audit_id}").get_data(as_text=True)
    assert "Résultat : Conforme" in page and '<form method="post" action="/reseau/audits' not in page
    before = _snapshot(partner)
    response = _save(c, audit_id, grid=_grid(all_ok=False), outcome="suspension_proposed",
                     audit_date="09/03/2027", summary="Changement d'avis")
    assert response.status_code == 409
    assert "Cet audit est clos : il n&#39;est plus modifiable." in response.get_data(as_text=True)
    assert _snapshot(partner) == before
    # A new audit can be opened for the next check.
    assert _open(c, partner).status_code == 303
    assert db.session.scalar(db.select(db.func.count()).select_from(PartnerAudit)) == 2


def test_compliant_needs_every_point_conforming(app, login, world):
    partner = world["partner"]
    c, audit_id, before = _opened(app, login, world)
    response = _save(c, audit_id, grid=_grid(all_ok=False), outcome="compliant", audit_date="08/03/2027")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="outcome-error"' in html and "chaque point de la grille soit conforme" in html
    assert _snapshot(partner) == before


def test_corrective_actions_need_actions_and_a_deadline(app, login, world):
    partner = world["partner"]
    c, audit_id, before = _opened(app, login, world)
    response = _save(c, audit_id, outcome="actions_required", audit_date="08/03/2027")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="actions-error"' in html and "Décrivez les actions correctives attendues." in html
    assert 'id="actions_deadline-error"' in html and "Indiquez l&#39;échéance" in html
    response = _save(c, audit_id, outcome="actions_required", audit_date="08/03/2027",
                     actions="Retirer l'offre 100 % e-learning", actions_deadline="01/03/2027")
    assert "L&#39;échéance des actions doit être postérieure" in response.get_data(as_text=True)
    assert _snapshot(partner) == before
    response = _save(c, audit_id, outcome="actions_required", audit_date="08/03/2027",
                     actions="Retirer l'offre 100 % e-learning du catalogue EDOF.",
                     actions_deadline="2027-06-30")
    assert response.status_code == 303
    audit = _audit(partner)
    assert (audit.outcome, audit.actions_deadline, audit.next_audit_on) == (
        "actions_required", date(2027, 6, 30), date(2027, 6, 30))
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "partner-audit")).one()
    assert "avant le 30/06/2027" in mail.body_text and "100 % e-learning du catalogue" in mail.body_text
    assert _entries(partner)[-1].details["actions_deadline"] == "2027-06-30"


@pytest.mark.parametrize(("typed", "message"), [
    ("31/02/2027", "Date impossible."),
    ("mars 2027", "Date non reconnue"),
    ("11/03/2027", "La date de l&#39;audit ne peut pas être dans le futur."),
    ("19/04/2025", "L&#39;audit ne peut pas précéder l&#39;inscription du partenaire (20/04/2025)."),
    ("", "Indiquez la date de l&#39;audit."),
])
def test_bad_audit_dates_are_refused_beside_the_field(app, login, world, typed, message):
    partner = world["partner"]
    c, audit_id, before = _opened(app, login, world)
    response = _save(c, audit_id, outcome="compliant", audit_date=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="audit_date-error"' in html and message in html.split('id="audit_date-error"')[1][:300]
    assert _snapshot(partner) == before


def test_a_suspension_proposal_goes_through_the_partnership_suspension(app, login, world):
    partner = world["partner"]
    c, audit_id, before = _opened(app, login, world)
    response = _save(c, audit_id, outcome="suspension_proposed", audit_date="08/03/2027")
    assert response.status_code == 422
    assert 'id="summary-error"' in response.get_data(as_text=True)
    assert _snapshot(partner) == before
    reason = "Démarchage téléphonique abusif (charte CPF, critère 4)."
    response = _save(c, audit_id, grid=_grid(all_ok=False), outcome="suspension_proposed",
                     audit_date="08/03/2027", summary=reason)
    assert response.headers["Location"].endswith(f"/reseau/partenaires/{partner.id}#statut")
    db.session.refresh(partner)
    assert partner.status == "active"  # proposed, not yet decided
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.kind == "partner-audit")).one()
    assert "propose la suspension" in mail.body_text and reason in mail.body_text
    page = c.get(f"/reseau/partenaires/{partner.id}").get_data(as_text=True)
    assert "audit de suivi du 08/03/2027 propose la suspension du partenariat." in page
    prefilled = page.split('id="reason-suspend"')[1].split("</textarea>")[0]
    assert "Audit de suivi du 08/03/2027 : Démarchage téléphonique abusif" in prefilled
    response = c.post(f"/reseau/partenaires/{partner.id}/suspend", data={
        "csrf_token": csrf_token(c, "/reseau/accueil"),
        "reason": f"Audit de suivi du 08/03/2027 : {reason}"})
    assert response.status_code == 303
    db.session.refresh(partner)
    assert partner.status == "suspended"
    page = c.get(f"/reseau/partenaires/{partner.id}").get_data(as_text=True)
    assert "propose la suspension du partenariat" not in page
    assert [e.action for e in _entries(partner, "partner")][-2:] == [
        "partner_audit.suspension_proposed", "partner.suspend"]


def test_only_an_active_partner_is_audited(app, login, world):
    partner = world["partner"]
    partner.status = "suspended"
    db.session.commit()
    c = _client(app, login, world["referent"])
    before = _snapshot(partner)
    response = _open(c, partner)
    assert response.status_code == 303
    assert "Seul un partenaire habilité" in c.get(response.headers["Location"]).get_data(as_text=True)
    assert _snapshot(partner) == before


def test_another_centre_gets_404_and_changes_nothing(app, login, world, make_user):
    partner = world["partner"]
    _open(_client(app, login, world["referent"]), partner)
    audit_id = _audit(partner).id
    before = _snapshot(partner)
    c = _client(app, login, world["other_referent"])
    assert _open(c, partner).status_code == 404
    assert c.get(f"/reseau/audits/{audit_id}").status_code == 404
    response = c.post(f"/reseau/audits/{audit_id}", data={
        "csrf_token": csrf_token(c, "/reseau/accueil"), **_grid(), "outcome": "compliant",
        "audit_date": "08/03/2027"})
    assert response.status_code == 404
    assert _snapshot(partner) == before
    partner_admin = _client(app, login, world["admin"])
    assert partner_admin.get(f"/reseau/audits/{audit_id}").status_code == 403
    coordinator = _client(app, login, make_user("coordinator"))
    assert coordinator.get(f"/reseau/audits/{audit_id}").status_code == 200


def test_the_home_query_count_does_not_grow_with_partners(app, login, world, make_org, count_queries):
    c = _client(app, login, world["referent"])

    def add_partners(n):
        for _ in range(n):
            org = make_org("partner", referent_centre=world["cel"])
            org.listed_at = LISTED - timedelta(days=30)
        db.session.commit()

    add_partners(2)
    c.get("/reseau/accueil")
    with count_queries() as few:
        c.get("/reseau/accueil")
    add_partners(20)
    c.get("/reseau/accueil")
    with count_queries() as many:
        html = c.get("/reseau/accueil").get_data(as_text=True)
    assert html.split('id="h-audits-suivi"')[1].split("</section>")[0].count("<li>") == 23
    assert many() == few()


def test_no_suspension_to_propose_once_the_partnership_is_suspended(app, login, world):
    partner = world["partner"]
    c, audit_id, _before = _opened(app, login, world)
    response = c.post(f"/reseau/partenaires/{partner.id}/suspend", data={
        "csrf_token": csrf_token(c, "/reseau/accueil"), "reason": "Plainte de candidats"})
    assert response.status_code == 303
    before = _snapshot(partner)
    response = _save(c, audit_id, grid=_grid(all_ok=False), outcome="suspension_proposed",
                     audit_date="08/03/2027", summary="Démarchage abusif")
    assert response.status_code == 422
    assert "plus actif : il n&#39;y a pas de suspension à proposer" in response.get_data(as_text=True)
    assert _snapshot(partner) == before
