"""Incidents on a small bank: two restarts of a section, then the attempt is suspended and the
referent decides (restart granted, or cancelled for force majeure). Never a server error."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from cloe_portal import clock
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.rules.calendar import paris_date
from cloe_portal.rules.cefr import SECTION_ORDER
from cloe_portal.written import services
from cloe_portal.written.models import IntegrityEvent, WrittenAttempt, WrittenResponse
from tests.written.conftest import answer_form

START = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
TEST_DAY = date(2026, 1, 15)
HTMX = {"HX-Request": "true"}
GRAMMAR = SECTION_ORDER.index("grammar")  # 25 items in French: the smallest shipped pool


def _token(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


class Candidate:
    """The candidate's browser: answers the current item, reports incidents."""

    def __init__(self, app, login, registration) -> None:
        self.client = app.test_client()
        login(registration.candidate, test_client=self.client)
        self.token = _token(self.client.get("/ecrit/").get_data(as_text=True))
        started = self.client.post("/ecrit/commencer", data={"csrf_token": self.token})
        assert started.status_code == 303
        self.attempt_id = services.attempt_for(registration).id
        assert self.client.get(f"/ecrit/tentative/{self.attempt_id}").status_code == 200

    def pending(self) -> WrittenResponse | None:
        db.session.expire_all()
        return db.session.scalars(db.select(WrittenResponse).where(
            WrittenResponse.attempt_id == self.attempt_id,
            WrittenResponse.status == "pending")).first()

    def answer(self, right: bool = True):
        """Answer the current item after the get-ready pause (htmx, as the page does)."""
        current = self.pending()
        clock.advance(timedelta(seconds=5))
        form = answer_form(current, "right" if right else None)
        form["csrf_token"] = self.token
        response = self.client.post(f"/ecrit/tentative/{self.attempt_id}/reponse", data=form,
                                    headers=HTMX)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response

    def incident(self):
        response = self.client.post(f"/ecrit/tentative/{self.attempt_id}/incident",
                                    data={"csrf_token": self.token}, headers=HTMX)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response

    def attempt(self) -> WrittenAttempt:
        db.session.expire_all()
        return db.session.get(WrittenAttempt, self.attempt_id)


def _referent(app, login, make_user, centre):
    client = app.test_client()
    login(make_user("referent", org=centre), test_client=client)
    return client, _token(client.get("/ecrit/referent").get_data(as_text=True))


def _suspend_in_grammar(candidate: Candidate) -> list:
    """Answer the vocabulary section, then in grammar: 9 answers and an incident, three times."""
    for _ in range(10):
        candidate.answer()
    outcomes = []
    for _ in range(3):
        for _ in range(9):
            candidate.answer()
        outcomes.append(candidate.incident())
    return outcomes


def _setup(app, login, make_user, make_registration, frozen_clock, written_date=TEST_DAY):
    frozen_clock(START)
    registration = make_registration(written_date=written_date, ready=True, language="fr")
    partner_org = registration.candidate.organisation
    make_user("partner", org=partner_org, email="admin@partenaire.fr")
    centre = partner_org.referent_centre
    make_user("referent", org=centre, email="referente@cel.fr")
    return registration, centre


def test_five_incidents_in_a_row_on_the_smallest_bank_never_error(
        app, login, make_user, bank, make_registration, frozen_clock):
    registration, _ = _setup(app, login, make_user, make_registration, frozen_clock)
    candidate = Candidate(app, login, registration)
    first, second, third = _suspend_in_grammar(candidate)

    # The first two incidents restart the section (numbering continues).
    for fragment, warning in ((first, "Vous pouvez encore signaler 1 incident"),
                              (second, "Un nouvel incident dans cette section suspendra")):
        html = fragment.get_data(as_text=True)
        assert "<html" not in html and "la section recommence" in html
        assert "Question" in html and warning in html
    # Before the third incident, the button's confirmation says the test will be suspended.
    assert "déjà été relancée deux fois" in second.get_data(as_text=True)
    assert "déjà été relancée deux fois" not in first.get_data(as_text=True)
    # The third suspends the attempt: no item, a page that says what happens next.
    suspended_url = f"/ecrit/tentative/{candidate.attempt_id}/suspendu"
    assert third.headers["HX-Redirect"] == suspended_url
    attempt = candidate.attempt()
    assert attempt.status == "suspended" and attempt.current_section == GRAMMAR
    page = candidate.client.get(suspended_url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Test suspendu" in text and "le centre a été prévenu" in text
    assert "vous recevrez un e-mail" in text

    # Two more incidents, an answer, the item page: the same suspended page, never an error.
    for _ in range(2):
        again = candidate.incident()
        assert again.headers["HX-Redirect"] == suspended_url
        plain = candidate.client.post(f"/ecrit/tentative/{candidate.attempt_id}/incident",
                                      data={"csrf_token": candidate.token})
        assert plain.status_code == 303 and plain.headers["Location"] == suspended_url
    answer = candidate.client.post(f"/ecrit/tentative/{candidate.attempt_id}/reponse",
                                   data={"csrf_token": candidate.token, "sequence": "40"},
                                   headers=HTMX)
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == suspended_url
    take = candidate.client.get(f"/ecrit/tentative/{candidate.attempt_id}")
    assert take.status_code == 302 and take.headers["Location"] == suspended_url
    done = candidate.client.get(f"/ecrit/tentative/{candidate.attempt_id}/fin")
    assert done.status_code == 302 and done.headers["Location"] == suspended_url
    home = candidate.client.get("/candidat/").get_data(as_text=True)
    assert "suspendu" in home

    # Nothing was served while suspended; the log says what happened.
    attempt = candidate.attempt()
    assert attempt.status == "suspended"
    assert [r for r in attempt.responses if r.status == "pending"] == []
    kinds = [e.kind for e in attempt.events]
    assert kinds.count("incident_restart") == 2 and kinds.count("suspended") == 1
    # The third round drew the 5 unseen grammar items, then reused the least-exposed ones.
    grammar = [r for r in attempt.responses if r.section == GRAMMAR]
    assert len(grammar) == 30 and len({r.item_id for r in grammar}) == 25
    third_round = [r.item_id for r in grammar if r.round == 2]
    assert len(set(third_round)) == 10  # no item twice in one round

    # The partner's admin and the centre's referent are told by email.
    recipients = {m.to_email: m for m in db.session.scalars(
        db.select(OutboxMessage).where(OutboxMessage.kind.like("written-suspended%")))}
    assert set(recipients) == {"admin@partenaire.fr", "referente@cel.fr"}
    assert registration.candidate.full_name in recipients["referente@cel.fr"].body_text


def test_referent_grants_a_restart_and_the_candidate_finishes(
        app, login, make_user, bank, make_registration, frozen_clock):
    registration, centre = _setup(app, login, make_user, make_registration, frozen_clock)
    candidate = Candidate(app, login, registration)
    _suspend_in_grammar(candidate)

    referent, token = _referent(app, login, make_user, centre)
    home = referent.get("/reseau/accueil").get_data(as_text=True)
    assert "Tests écrits suspendus" in home and registration.candidate.full_name in home
    listing = referent.get("/ecrit/referent").get_data(as_text=True)
    assert "Tests suspendus" in listing and registration.candidate.full_name in listing
    url = f"/ecrit/referent/tentative/{candidate.attempt_id}"
    page = referent.get(url).get_data(as_text=True)
    assert "Accorder une relance de la section" in page
    assert "Section 2 relancée (incident n° 1)" in page

    # A reason is required: the error is shown beside the field, nothing changes.
    refused = referent.post(f"{url}/relancer", data={"csrf_token": token, "grant-reason": ""})
    assert refused.status_code == 422 and "Indiquez le motif" in refused.get_data(as_text=True)
    assert candidate.attempt().status == "suspended"
    granted = referent.post(f"{url}/relancer", data={"csrf_token": token,
                                                     "grant-reason": "Coupure réseau confirmée"})
    assert granted.status_code == 303
    attempt = candidate.attempt()
    assert attempt.status == "in_progress" and attempt.current_round == 3
    entry = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "written.restart_granted")).one()
    assert entry.reason == "Coupure réseau confirmée"
    mail = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.to_email == registration.candidate.email,
        OutboxMessage.kind == "written-decision")).one()
    assert "reprendre" in mail.body_text

    # The candidate carries on: the grammar section restarts, then the test ends normally.
    page = candidate.client.get(f"/ecrit/tentative/{candidate.attempt_id}")
    assert page.status_code == 200 and "section 2 sur 5" in page.get_data(as_text=True)
    finished = None
    while candidate.pending() is not None:
        finished = candidate.answer()
    assert finished.headers["HX-Redirect"] == f"/ecrit/tentative/{candidate.attempt_id}/fin"
    attempt = candidate.attempt()
    kept = [r for r in attempt.responses if r.status != "discarded"]
    assert attempt.status == "finished" and registration.status == "written_done"
    assert len(kept) == 50
    assert [(r.sequence, r.item_type, r.status, r.score) for r in kept
            if r.status != "answered" or r.score != 1.0] == []
    assert set(attempt.section_scores) == set(SECTION_ORDER)
    replay = services.replay(attempt)
    assert replay.path_matches, replay.mismatches
    assert replay.scores == attempt.section_scores and not replay.rescored_mismatches


def test_force_majeure_cancels_the_attempt_and_a_new_one_can_start(
        app, login, make_user, bank, make_registration, frozen_clock):
    # The window closes in two days: cancelling leaves the candidate time for a new test.
    registration, centre = _setup(app, login, make_user, make_registration, frozen_clock,
                                  written_date=TEST_DAY - timedelta(days=28))
    candidate = Candidate(app, login, registration)
    for _ in range(3):
        candidate.answer()
        candidate.incident()
    assert candidate.attempt().status == "suspended"

    referent, token = _referent(app, login, make_user, centre)
    url = f"/ecrit/referent/tentative/{candidate.attempt_id}"
    cancelled = referent.post(f"{url}/annuler", data={
        "csrf_token": token, "cancel-reason": "Panne d'électricité (attestation fournie)",
        "cancel-extension_days": "0"})
    assert cancelled.status_code == 303
    old = candidate.attempt()
    assert old.status == "cancelled" and old.registration_id == registration.id
    assert services.attempt_for(registration) is None
    closes = paris_date(services.window_info(registration).closes_at)
    assert closes == paris_date(clock.now()) + timedelta(days=services.DAYS_AFTER_DECISION)
    assert db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "written.cancelled_force_majeure")).one().reason.startswith("Panne")
    mail = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.to_email == registration.candidate.email,
        OutboxMessage.kind == "written-decision")).one()
    assert "force majeure" in mail.body_text

    # The candidate starts a new attempt of the same registration; the old one is history.
    overview = candidate.client.get("/ecrit/")
    assert overview.status_code == 200 and "Commencer le test écrit" in overview.get_data(as_text=True)
    assert candidate.client.post("/ecrit/commencer",
                                 data={"csrf_token": candidate.token}).status_code == 303
    new = services.attempt_for(registration)
    assert new.id != old.id and new.status == "in_progress"
    seen = {r.item_id for r in old.responses}
    assert seen <= set(new.excluded_item_ids)
    assert candidate.client.get(f"/ecrit/tentative/{new.id}").status_code == 200
    assert candidate.client.get(f"/ecrit/tentative/{old.id}").status_code == 302
    listing = referent.get("/ecrit/referent").get_data(as_text=True)
    assert "Annulé (force majeure)" in listing
    assert "Test annulé pour force majeure" in referent.get(url).get_data(as_text=True)


def test_only_the_candidates_centre_decides(app, login, make_user, make_org, bank,
                                            make_registration, frozen_clock):
    registration, centre = _setup(app, login, make_user, make_registration, frozen_clock)
    candidate = Candidate(app, login, registration)
    for _ in range(3):
        candidate.incident()
    assert candidate.attempt().status == "suspended"

    other, token = _referent(app, login, make_user, make_org("cel"))
    url = f"/ecrit/referent/tentative/{candidate.attempt_id}"
    assert other.get(url).status_code == 404
    for action, field in (("relancer", "grant-reason"), ("annuler", "cancel-reason")):
        response = other.post(f"{url}/{action}", data={"csrf_token": token, field: "Motif"})
        assert response.status_code == 404
    assert registration.candidate.full_name not in other.get("/reseau/accueil").get_data(as_text=True)
    assert registration.candidate.full_name not in other.get("/ecrit/referent").get_data(as_text=True)
    # The candidate cannot decide for the referent either.
    response = candidate.client.post(f"{url}/relancer",
                                     data={"csrf_token": candidate.token, "grant-reason": "x"})
    assert response.status_code == 403
    assert candidate.attempt().status == "suspended"

    # The coordinator may decide for any centre.
    coordinator = app.test_client()
    login(make_user("coordinator"), test_client=coordinator)
    coordinator_token = _token(coordinator.get("/ecrit/referent").get_data(as_text=True))
    assert coordinator.post(f"{url}/relancer", data={
        "csrf_token": coordinator_token, "grant-reason": "Accord"}).status_code == 303
    assert candidate.attempt().status == "in_progress"


def test_decisions_apply_only_to_a_suspended_attempt(bank, make_registration, make_user,
                                                     frozen_clock):
    frozen_clock(START)
    registration = make_registration(written_date=TEST_DAY, ready=True, language="fr")
    attempt = services.start_certification(registration, registration.candidate)
    services.current_item(attempt)
    referent = make_user("referent", org=registration.candidate.organisation.referent_centre)
    for decide in (services.grant_restart, services.cancel_for_force_majeure):
        try:
            decide(attempt, referent, "Motif")
        except services.WrittenError as exc:
            assert "suspendu" in str(exc)
        else:
            raise AssertionError("a running attempt cannot be decided on")
    assert attempt.status == "in_progress"
    assert not db.session.scalar(db.select(db.func.count(IntegrityEvent.id)).where(
        IntegrityEvent.kind.in_(("restart_granted", "cancelled"))))


def test_the_demo_mini_test_restarts_without_limit(app, bank, make_user, frozen_clock):
    frozen_clock(START)
    user = make_user("candidate")
    attempt = services.start_demo(user, "fr")
    for _ in range(5):
        services.current_item(attempt)
        assert services.report_incident(attempt, user) == "restarted"
    assert attempt.status == "in_progress" and services.current_item(attempt) is not None


def test_a_double_click_on_the_incident_button_restarts_once(app, login, make_user, bank,
                                                            make_registration, frozen_clock):
    registration, _ = _setup(app, login, make_user, make_registration, frozen_clock)
    candidate = Candidate(app, login, registration)
    shown = candidate.pending().sequence
    for _ in range(2):  # the same form sent twice
        response = candidate.client.post(f"/ecrit/tentative/{candidate.attempt_id}/incident",
                                         data={"csrf_token": candidate.token,
                                               "sequence": str(shown)}, headers=HTMX)
        assert response.status_code == 200 and "Question 2" in response.get_data(as_text=True)
    attempt = candidate.attempt()
    assert attempt.current_round == 1 and services.restarts_left(attempt) == 1
    assert [e.kind for e in attempt.events].count("incident_restart") == 1
