"""Issue 18, items 1 and 2: edit a session, edit an enrolment, withdraw a candidate.

Each operation: who may (partner before the written test, referent after it with a reason),
what changes, who is emailed, what the audit log keeps, and every refusal changing nothing.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from decimal import Decimal

import pytest

from cloe_portal import clock
from cloe_portal.accounts.models import Organisation, User
from cloe_portal.accounts.services import password_link, set_password
from cloe_portal.accounts.tokens import read_password_token
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications import jobs
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.sessions import edits
from cloe_portal.sessions.models import AccommodationRequest, ExamSession, Registration
from cloe_portal.sessions.status import set_status
from cloe_portal.written.models import WrittenAttempt

TODAY = dt.date(2030, 3, 1)
NOW = dt.datetime(2030, 3, 1, 9, 0, tzinfo=dt.UTC)  # 10:00 in Paris


@dataclass
class World:
    cel: Organisation
    partner: Organisation
    admin: User
    referent: User
    other_admin: User
    session: ExamSession
    reg: Registration
    second: Registration


@pytest.fixture
def world(app, frozen_clock, make_org, make_user, make_session, make_registration) -> World:
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(NOW)
    cel = make_org("cel")
    partner = make_org("partner", referent_centre=cel, name="Langues Plus")
    admin = make_user("partner", org=partner)
    referent = make_user("referent", org=cel)
    other_admin = make_user("partner", org=make_org("partner", referent_centre=cel))
    session = make_session(partner, written_date=TODAY + dt.timedelta(days=10),
                           name="Anglais B1 — mars", domain="Tourisme")
    candidate = make_user("candidate", org=partner, password=None, first_name="Inès",
                          last_name="Lefevre", email="ines@example.fr")
    reg = make_registration(session, candidate=candidate, first_name="Inès",
                            last_name="Lefevre", birth_date=dt.date(1991, 5, 4),
                            cpf_file_number="70123456789")
    second = make_registration(session, first_name="Paul", last_name="Martin")
    return World(cel, partner, admin, referent, other_admin, session, reg, second)


def _start(registration: Registration, status: str = "identity_done") -> None:
    """The candidate started the written test (an attempt exists)."""
    registration.status = status
    db.session.add(WrittenAttempt(
        candidate_id=registration.candidate_id, registration_id=registration.id,
        active_registration_id=registration.id, mode="certification", language="en",
        target_level=registration.target_level, seed=1, pool_snapshot={}))
    db.session.commit()


def _outbox(kind: str | None = None) -> list[OutboxMessage]:
    stmt = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(stmt))


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.id)))


def _snapshot() -> tuple:
    """Everything an edit or a withdrawal may change: a refusal leaves it equal."""
    db.session.expire_all()
    sessions = [(s.name, s.kind, s.language, s.domain, s.written_date, s.date_version)
                for s in db.session.scalars(db.select(ExamSession).order_by(ExamSession.id))]
    regs = [(r.status, r.target_level, r.first_name, r.last_name, r.birth_date,
             str(r.training_hours), r.funding, r.cpf_file_number, r.withdrawal_reason)
            for r in db.session.scalars(db.select(Registration).order_by(Registration.id))]
    users = [(u.email, u.first_name, u.last_name, u.password_changed_at)
             for u in db.session.scalars(db.select(User).order_by(User.id))]
    accommodations = [(a.kind, a.status, a.details)
                      for a in db.session.scalars(db.select(AccommodationRequest))]
    counts = (db.session.scalar(db.select(db.func.count(OutboxMessage.id))),
              db.session.scalar(db.select(db.func.count(AuditEntry.id))))
    return sessions, regs, users, accommodations, counts


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _session_form(session: ExamSession, **over) -> dict:
    data = {"name": session.name, "kind": session.kind, "language": session.language,
            "domain": session.domain or "", "written_date": session.written_date.isoformat(),
            "target_level": ""}
    data.update(over)
    return data


def _enrolment_form(reg: Registration, **over) -> dict:
    data = {"last_name": reg.candidate_last_name, "first_name": reg.candidate_first_name,
            "email": reg.candidate.email,
            "birth_date": reg.birth_date.isoformat() if reg.birth_date else "1990-01-01",
            "target_level": reg.target_level, "training_hours": str(reg.training_hours),
            "funding": reg.funding, "cpf_file_number": reg.cpf_file_number or ""}
    data.update(over)
    return data


# --- 1. edit a session ------------------------------------------------------------------------


def test_partner_moves_the_date_before_the_test_and_candidates_get_their_new_window(
        client, login, world):
    withdrawn = world.second
    set_status(withdrawn, "withdrawn")
    db.session.commit()
    login(world.admin)
    page = _text(client.get(f"/sessions/{world.session.id}"))
    assert f"/sessions/{world.session.id}/modifier" in page
    new_day = TODAY + dt.timedelta(days=20)
    response = client.post(f"/sessions/{world.session.id}/modifier", data=_session_form(
        world.session, written_date=new_day.strftime("%d/%m/%Y"), domain="Santé"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/sessions/{world.session.id}")
    db.session.expire_all()
    session = db.session.get(ExamSession, world.session.id)
    assert (session.written_date, session.domain, session.date_version) == (new_day, "Santé", 1)
    entry = _audit("session.edited")[-1]
    assert entry.actor_id == world.admin.id and entry.reason is None
    assert entry.details["changes"] == {"domain": ["Tourisme", "Santé"],
                                        "written_date": ["2030-03-11", "2030-03-21"]}
    mails = _outbox("session-changed")
    assert [m.to_email for m in mails] == ["ines@example.fr"]  # not the withdrawn one
    body = mails[0].body_text
    assert "21 mars 2030" in body and "19 avril 2030" in body  # the new 30-day window
    assert "Date du test écrit : 21/03/2030 (au lieu de 11/03/2030)" in body
    assert not _outbox("session-changed-partner")  # the partner made the change itself
    assert "1 candidat(s) prévenu(s) par e-mail." in _text(client.get(response.headers["Location"]))


def test_a_moved_date_announces_the_new_window_again(client, login, world, frozen_clock):
    """The access-open email went out for the first date; the moved date gets its own."""
    frozen_clock(dt.datetime(2030, 3, 11, 9, tzinfo=dt.UTC))
    assert jobs.access_open(clock.now()) == 2
    login(world.admin)
    response = client.post(f"/sessions/{world.session.id}/modifier", data=_session_form(
        world.session, written_date="2030-03-14"))
    assert response.status_code == 303
    assert jobs.access_open(clock.now()) == 0  # the new window is not open yet
    frozen_clock(dt.datetime(2030, 3, 14, 9, tzinfo=dt.UTC))
    assert jobs.access_open(clock.now()) == 2
    keys = {m.key for m in _outbox("access-open")}
    assert f"access-open:registration-{world.reg.id}:v1" in keys
    assert jobs.access_open(clock.now()) == 0  # once per window


def test_session_target_level_goes_to_candidates_not_started(client, login, world):
    _start(world.second, "written_done")
    login(world.referent)
    response = client.post(f"/sessions/{world.session.id}/modifier", data=_session_form(
        world.session, target_level="B2", reason="Groupe positionné B2 (erreur de saisie)"))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, world.reg.id).target_level == "B2"
    assert db.session.get(Registration, world.second.id).target_level == "B1"  # started: kept
    per_registration = _audit("registration.edited")
    assert [(e.object_id, e.details["changes"]) for e in per_registration] == [
        (world.reg.id, {"target_level": ["B1", "B2"]})]
    flashed = _text(client.get(f"/sessions/{world.session.id}"))
    assert "Niveau visé changé pour 1 candidat(s)." in flashed
    assert "1 candidat(s) ayant commencé le test écrit garde(nt) son niveau." in flashed


def test_partner_cannot_edit_once_a_candidate_started_and_nothing_changes(client, login, world):
    _start(world.reg)  # an attempt in progress: the status is still identity_done
    login(world.admin)
    detail = _text(client.get(f"/sessions/{world.session.id}"))
    assert f"/sessions/{world.session.id}/modifier" not in detail
    assert "seul votre CEL référent peut désormais modifier la session" in detail
    page = client.get(f"/sessions/{world.session.id}/modifier")
    assert page.status_code == 200 and 'id="session-lock"' in _text(page)
    assert 'name="written_date"' not in _text(page)
    before = _snapshot()
    response = client.post(f"/sessions/{world.session.id}/modifier", data=_session_form(
        world.session, written_date="2030-03-20"))
    assert response.status_code == 409
    assert "seul votre CEL référent peut désormais modifier la session" in _text(response)
    assert _snapshot() == before


def test_referent_edits_after_the_start_only_with_a_reason_and_the_partner_hears(
        client, login, world):
    _start(world.second, "written_done")
    world.second.written_done_at = NOW
    db.session.commit()
    login(world.referent)
    page = _text(client.get(f"/sessions/{world.session.id}/modifier"))
    assert "1 candidat(s) ont commencé le test écrit" in page and 'name="reason"' in page
    before = _snapshot()
    response = client.post(f"/sessions/{world.session.id}/modifier",
                           data=_session_form(world.session, written_date="2030-03-18"))
    assert response.status_code == 422
    assert 'id="reason-error"' in _text(response) and "Indiquez le motif" in _text(response)
    assert _snapshot() == before
    response = client.post(f"/sessions/{world.session.id}/modifier", data=_session_form(
        world.session, language="de", reason="Erreur de langue"))
    assert response.status_code == 422
    assert edits.LANGUAGE_FIXED in _text(response)
    assert _snapshot() == before

    response = client.post(f"/sessions/{world.session.id}/modifier", data=_session_form(
        world.session, written_date="2030-03-18", reason="Salle indisponible le 11 mars"))
    assert response.status_code == 303
    entry = _audit("session.edited")[-1]
    assert entry.actor_id == world.referent.id and entry.reason == "Salle indisponible le 11 mars"
    assert entry.details["after_start"] is True
    assert entry.details["changes"] == {"written_date": ["2030-03-11", "2030-03-18"]}
    to_candidates = {m.to_email: m.body_text for m in _outbox("session-changed")}
    assert len(to_candidates) == 2
    # The one who took the written test hears of the booking deadline that moved with it.
    assert "réserver votre entretien oral jusqu'au jeudi 18 avril 2030" in (
        to_candidates[world.second.candidate.email])
    partner_mail = _outbox("session-changed-partner")
    assert [m.to_email for m in partner_mail] == [world.admin.email]
    assert "Motif : Salle indisponible le 11 mars" in partner_mail[0].body_text


def test_another_organisation_gets_404_and_nothing_changes(client, login, world, make_org,
                                                           make_user):
    other_referent = make_user("referent", org=make_org("cel"))
    before = _snapshot()
    for intruder in (world.other_admin, other_referent):
        login(intruder)
        url = f"/sessions/{world.session.id}/modifier"
        assert client.get(url).status_code == 404
        assert client.post(url, data=_session_form(
            world.session, written_date="2030-03-20", reason="x")).status_code == 404
        for path in ("modifier", "retrait"):
            url = f"/inscriptions/{world.reg.id}/{path}"
            assert client.get(url).status_code == 404
            assert client.post(url, data=_enrolment_form(
                world.reg, target_level="C1", reason="other", note="x")).status_code == 404
        client.post("/logout")
    assert _snapshot() == before


def test_a_new_date_cannot_make_a_candidate_a_minor_or_lie_in_the_past(client, login, world):
    world.reg.birth_date = dt.date(2012, 3, 15)  # 18 on 15 March 2030
    db.session.commit()
    login(world.admin)
    before = _snapshot()
    response = client.post(f"/sessions/{world.session.id}/modifier",
                           data=_session_form(world.session, written_date="2030-03-12"))
    assert response.status_code == 422
    assert "Inès LEFEVRE n'aurai(en)t pas 18 ans le 12/03/2030" in _text(response)
    response = client.post(f"/sessions/{world.session.id}/modifier",
                           data=_session_form(world.session, written_date="2030-02-20"))
    assert response.status_code == 422 and "ne peut pas être passée" in _text(response)
    response = client.post(f"/sessions/{world.session.id}/modifier",
                           data=_session_form(world.session))
    assert response.status_code == 422 and edits.NOTHING_CHANGED in _text(response)
    assert _snapshot() == before


# --- 2. edit an enrolment ----------------------------------------------------------------------


def test_partner_corrects_an_enrolment_before_the_written_test(client, login, world):
    login(world.admin)
    page = _text(client.get(f"/suivi/candidats/{world.reg.candidate_id}"))
    assert f"/inscriptions/{world.reg.id}/modifier" in page
    form = _text(client.get(f"/inscriptions/{world.reg.id}/modifier"))
    assert 'value="Lefevre"' in form and 'value="ines@example.fr"' in form
    response = client.post(f"/inscriptions/{world.reg.id}/modifier", data=_enrolment_form(
        world.reg, last_name="Lefèvre", target_level="B2", training_hours="24.5",
        cpf_file_number="70123456000"))
    assert response.status_code == 303
    db.session.expire_all()
    reg = db.session.get(Registration, world.reg.id)
    assert (reg.last_name, reg.target_level, reg.training_hours, reg.cpf_file_number) == (
        "Lefèvre", "B2", Decimal("24.5"), "70123456000")
    assert reg.candidate.last_name == "Lefèvre"  # the account is this partner's alone
    entry = _audit("registration.edited")[-1]
    # Identifying values are masked in the (never purged) audit log; the others are kept.
    assert entry.details["changes"] == {
        "last_name": ["L…", "L…"], "target_level": ["B1", "B2"],
        "training_hours": ["20", "24,5"], "cpf_file_number": ["…789", "…000"]}
    assert not _outbox()  # nothing to tell anyone: the partner made it, the login is the same


def test_cpf_rule_and_missing_fields_refuse_an_edit(client, login, world):
    login(world.admin)
    before = _snapshot()
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, training_hours="5"))
    assert response.status_code == 422
    assert 'id="training_hours-error"' in _text(response)
    assert "au moins 7 heures" in _text(response)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, first_name=""))
    assert response.status_code == 422 and 'id="first_name-error"' in _text(response)
    assert _snapshot() == before
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, funding="other", training_hours="5"))
    assert response.status_code == 303  # fewer than 7 hours is fine without CPF


def test_partner_fixes_the_address_of_an_account_never_used(client, login, world, app):
    with app.test_request_context():
        old_link = password_link(world.reg.candidate, "welcome")
    login(world.admin)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, email="Ines.Lefevre@Example.fr"))
    assert response.status_code == 303
    db.session.expire_all()
    person = db.session.get(User, world.reg.candidate_id)
    assert person.email == "ines.lefevre@example.fr"
    # The first-login link emailed to the wrong address no longer works.
    assert read_password_token(old_link.rsplit("/", 1)[1], "welcome")[0] is None
    mails = _outbox()
    assert [(m.kind, m.to_email) for m in mails] == [
        ("login-email-changed", "ines.lefevre@example.fr")]  # never to the wrong address
    assert "/welcome/" in mails[0].body_text and "11 mars 2030" in mails[0].body_text
    new_link = mails[0].body_text.split("/welcome/")[1].split()[0]
    assert read_password_token(new_link, "welcome")[0].id == person.id
    entry = _audit("registration.edited")[-1]
    assert entry.details["changes"] == {"email": ["i…@example.fr", "i…@example.fr"]}
    assert "ines@example.fr" not in str(entry.details)


def test_partner_cannot_change_a_login_used_or_shared(client, login, world, make_session,
                                                      make_registration):
    # Partner B enrolled the same person: neither partner may move the shared login.
    other_session = make_session(world.other_admin.organisation)
    other_reg = make_registration(other_session, candidate=world.reg.candidate)
    before = _snapshot()
    for admin, reg in ((world.admin, world.reg), (world.other_admin, other_reg)):
        login(admin)
        page = _text(client.get(f"/inscriptions/{reg.id}/modifier"))
        assert edits.PARTNER_EMAIL_REFUSED in page  # said before trying
        response = client.post(f"/inscriptions/{reg.id}/modifier",
                               data=_enrolment_form(reg, email="pirate@example.fr"))
        assert response.status_code == 422
        assert 'id="email-error"' in _text(response)
        assert edits.PARTNER_EMAIL_REFUSED in _text(response)
        client.post("/logout")
    assert _snapshot() == before
    # An account the partner alone uses, once activated, is the candidate's: refused too.
    db.session.delete(other_reg)
    set_password(world.reg.candidate, "Un-mot-de-passe-2030")
    db.session.commit()
    before = _snapshot()
    login(world.admin)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, email="nouvelle@example.fr"))
    assert response.status_code == 422 and edits.PARTNER_EMAIL_REFUSED in _text(response)
    assert _snapshot() == before


def test_referent_changes_a_used_login_and_both_addresses_hear(client, login, world):
    set_password(world.reg.candidate, "Un-mot-de-passe-2030")
    db.session.commit()
    login(world.referent)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, email="ines.pro@example.fr"))
    assert response.status_code == 422 and "Indiquez le motif" in _text(response)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier", data=_enrolment_form(
        world.reg, email="ines.pro@example.fr", reason="Demande écrite de la candidate"))
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, world.reg.candidate_id).email == "ines.pro@example.fr"
    sent = {m.kind: m for m in _outbox()}
    assert sent["login-email-changed"].to_email == "ines.pro@example.fr"
    assert "/welcome/" not in sent["login-email-changed"].body_text
    assert sent["login-email-changed-old"].to_email == "ines@example.fr"
    assert "i…@example.fr" in sent["login-email-changed-old"].body_text
    assert sent["registration-changed-partner"].to_email == world.admin.email
    assert "adresse e-mail de connexion" in sent["registration-changed-partner"].body_text
    assert _audit("registration.edited")[-1].reason == "Demande écrite de la candidate"


def test_referent_not_following_every_partner_leaves_the_login_to_the_coordinator(
        client, login, world, make_org, make_user, make_session, make_registration):
    elsewhere = make_org("partner", referent_centre=make_org("cel"))
    make_registration(make_session(elsewhere), candidate=world.reg.candidate)
    before = _snapshot()
    login(world.referent)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier", data=_enrolment_form(
        world.reg, email="autre@example.fr", reason="Demande de la candidate"))
    assert response.status_code == 422 and "seul le coordinateur" in _text(response)
    assert _snapshot() == before
    client.post("/logout")
    login(make_user("coordinator", org=world.cel))
    response = client.post(f"/inscriptions/{world.reg.id}/modifier", data=_enrolment_form(
        world.reg, email="autre@example.fr", reason="Demande de la candidate"))
    assert response.status_code == 303


def test_after_the_start_the_partner_asks_the_referent_who_edits_with_a_reason(
        client, login, world):
    _start(world.reg, "written_done")
    login(world.admin)
    page = _text(client.get(f"/suivi/candidats/{world.reg.candidate_id}"))
    assert f"/inscriptions/{world.reg.id}/modifier" not in page and edits.REGISTRATION_STARTED in page
    assert f"/inscriptions/{world.reg.id}/retrait" not in page
    before = _snapshot()
    response = client.post(f"/inscriptions/{world.reg.id}/modifier",
                           data=_enrolment_form(world.reg, target_level="B2"))
    assert response.status_code == 409 and edits.REGISTRATION_STARTED in _text(response)
    assert _snapshot() == before
    client.post("/logout")
    login(world.referent)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier", data=_enrolment_form(
        world.reg, target_level="B2", reason="Niveau mal saisi à l'inscription"))
    assert response.status_code == 303
    assert _audit("registration.edited")[-1].details["after_start"] is True


def test_accommodations_can_be_asked_and_withdrawn_before_the_test(client, login, world):
    db.session.add(AccommodationRequest(registration_id=world.reg.id, kind="extra_time",
                                        status="pending"))
    db.session.add(AccommodationRequest(registration_id=world.reg.id, kind="secretary",
                                        status="refused", comment="Pas de justificatif"))
    db.session.commit()
    login(world.admin)
    response = client.post(f"/inscriptions/{world.reg.id}/modifier", data=_enrolment_form(
        world.reg, accommodations=["interpreter", "secretary"],
        accommodation_details="Certificat médical joint"))
    assert response.status_code == 303
    db.session.expire_all()
    requests = [(a.kind, a.status, a.details) for a in db.session.scalars(
        db.select(AccommodationRequest).order_by(AccommodationRequest.id))]
    assert requests == [("extra_time", "withdrawn", None),
                        ("secretary", "refused", None),
                        ("interpreter", "pending", "Certificat médical joint"),
                        ("secretary", "pending", "Certificat médical joint")]
    entry = _audit("registration.edited")[-1]
    assert entry.details["accommodations_added"] == ["interpreter", "secretary"]
    assert entry.details["accommodations_withdrawn"] == ["extra_time"]


# --- 2b. withdraw a candidate ------------------------------------------------------------------


def test_partner_withdraws_a_candidate_before_the_test(client, login, world):
    db.session.add(AccommodationRequest(registration_id=world.reg.id, kind="extra_time",
                                        status="pending"))
    world.reg.status = "identity_done"
    db.session.commit()
    login(world.admin)
    page = _text(client.get(f"/inscriptions/{world.reg.id}/retrait"))
    assert "Abandon" in page and "Financement refusé" in page
    response = client.post(f"/inscriptions/{world.reg.id}/retrait",
                           data={"reason": "illness", "note": "Hospitalisée jusqu'en avril"})
    assert response.status_code == 303
    db.session.expire_all()
    reg = db.session.get(Registration, world.reg.id)
    assert (reg.status, reg.withdrawal_reason, reg.withdrawal_note) == (
        "withdrawn", "illness", "Hospitalisée jusqu'en avril")
    assert reg.is_closed
    assert db.session.scalar(db.select(AccommodationRequest.status)) == "withdrawn"
    status_entry = _audit("registration.status")[-1]
    assert status_entry.details == {"from": "identity_done", "to": "withdrawn"}
    assert status_entry.reason == "Maladie — Hospitalisée jusqu'en avril"
    entry = _audit("registration.withdrawn")[-1]
    assert entry.actor_id == world.admin.id and entry.details["reason"] == "illness"
    mails = {m.kind: m for m in _outbox()}
    assert mails["withdrawal"].to_email == "ines@example.fr"
    assert "Motif : Maladie — Hospitalisée jusqu'en avril" in mails["withdrawal"].body_text
    assert mails["withdrawal-partner"].to_email == world.admin.email
    page = _text(client.get(response.headers["Location"]))
    assert "est retiré(e) de la session" in page and "Retirée le 01/03/2030" in page
    assert f"/inscriptions/{world.reg.id}/modifier" not in page  # closed: no more edits
    # Nothing is deleted: the row stays, and the dashboard counts and filters it.
    dashboard = _text(client.get("/suivi/?status=withdrawn"))
    assert 'data-status="withdrawn">1<' in dashboard and "Inès LEFEVRE" in dashboard
    export = client.get("/suivi/export.csv").get_data(as_text=True)
    assert "Retirée" in export
    sessions = _text(client.get("/sessions/"))
    assert ">1<" in sessions  # one candidate still under way in the session


def test_withdrawal_needs_a_reason_and_a_text_for_other(client, login, world):
    login(world.admin)
    before = _snapshot()
    response = client.post(f"/inscriptions/{world.reg.id}/retrait", data={})
    assert response.status_code == 422 and 'id="reason-error"' in _text(response)
    response = client.post(f"/inscriptions/{world.reg.id}/retrait",
                           data={"reason": "other", "note": "  "})
    assert response.status_code == 422 and 'id="note-error"' in _text(response)
    assert "Précisez le motif du retrait" in _text(response)
    response = client.post(f"/inscriptions/{world.reg.id}/retrait", data={"reason": "moved"})
    assert response.status_code == 422
    assert _snapshot() == before
    with pytest.raises(edits.ChangeRefused) as refused:
        edits.withdraw(world.admin, world.reg, "other", None)
    assert refused.value.problems == {"note": "Précisez le motif du retrait (motif « Autre »)."}


def test_withdrawal_is_refused_once_the_written_test_started_or_twice(client, login, world):
    _start(world.reg)
    login(world.admin)
    before = _snapshot()
    page = client.get(f"/inscriptions/{world.reg.id}/retrait")
    assert 'name="reason"' not in _text(page) and edits.WITHDRAWAL_TOO_LATE in _text(page)
    response = client.post(f"/inscriptions/{world.reg.id}/retrait", data={"reason": "abandon"})
    assert response.status_code == 409 and edits.WITHDRAWAL_TOO_LATE in _text(response)
    assert _snapshot() == before
    assert client.post(f"/inscriptions/{world.second.id}/retrait",
                       data={"reason": "abandon"}).status_code == 303
    before = _snapshot()
    response = client.post(f"/inscriptions/{world.second.id}/retrait", data={"reason": "abandon"})
    assert response.status_code == 409 and "déjà close" in _text(response)
    assert client.post(f"/inscriptions/{world.second.id}/modifier", data=_enrolment_form(
        world.second, target_level="C1")).status_code == 409
    assert _snapshot() == before


def test_a_withdrawn_registration_is_final_and_leaves_the_candidate_s_open_list(
        client, login, world):
    from cloe_portal.candidates.services import closed_registrations, open_registrations
    from cloe_portal.written.services import start_problems

    edits.withdraw(world.admin, world.reg, "funding_refused")
    db.session.commit()
    person = world.reg.candidate
    assert world.reg not in open_registrations(person)
    assert world.reg in closed_registrations(person)
    assert any("retiré cette inscription" in p for p in start_problems(world.reg))
    with pytest.raises(ValueError):
        set_status(world.reg, "identity_done")
    with pytest.raises(ValueError):  # only before the written test
        set_status(world.second, "written_done")
        set_status(world.second, "withdrawn")
    set_password(person, "Un-mot-de-passe-2030")
    db.session.commit()
    login(person, "Un-mot-de-passe-2030")
    home = _text(client.get("/candidat/"))
    history = home.split("Historique de vos inscriptions")[1]
    assert "Anglais B1 — mars" in history and "Retirée" in history


def test_withdrawal_releases_what_the_registration_held_in_the_oral_calendar(
        world, make_user, make_registration):
    """Defensive: a waitlist entry and a slot held for the registration are given up, and
    the slot goes to the next candidate waiting in that language."""
    from cloe_portal.orals.models import OralSlot, OralWaitlistEntry

    assessor = make_user("assessor", org=world.cel)
    starts = NOW + dt.timedelta(days=3)
    slot = OralSlot(assessor_id=assessor.id, language="en", starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=30),
                    held_for_registration_id=world.reg.id, held_until=NOW + dt.timedelta(hours=12))
    db.session.add(slot)
    db.session.add(OralWaitlistEntry(registration_id=world.reg.id, language="en",
                                     status="offered", created_at=NOW))
    db.session.commit()
    edits.withdraw(world.admin, world.reg, "abandon")
    db.session.commit()
    db.session.expire_all()
    entry = db.session.scalar(db.select(OralWaitlistEntry))
    assert entry.status == "closed"
    assert db.session.get(OralSlot, slot.id).held_for_registration_id is None
    details = _audit("registration.withdrawn")[-1].details
    assert details["waitlist_ids"] == [entry.id] and details["held_slot_ids"] == [slot.id]


def test_referent_partner_list_counts_withdrawn_as_ended(client, login, world):
    edits.withdraw(world.admin, world.reg, "abandon")
    db.session.commit()
    login(world.referent)
    page = _text(client.get("/suivi/organismes"))
    row = page.split(">Langues Plus</a>")[1].split("</tr>")[0]
    cells = [c.split("</td>")[0].strip() for c in row.split("<td>")[1:]]
    assert cells[1:3] == ["2", "1"]  # 2 candidates, 1 under way (the withdrawn one is not)
