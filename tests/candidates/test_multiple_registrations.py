"""A candidate enrolled more than once (two languages, two partners, a retake) reaches each
registration from the home: its own window, written test, photos, oral and results."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from cloe_portal import clock
from cloe_portal.candidates import services as candidate_services
from cloe_portal.candidates.models import CandidatePhoto
from cloe_portal.extensions import db
from cloe_portal.sessions.models import ExamSession, Registration
from cloe_portal.written import services as written
from cloe_portal.written.models import WrittenAttempt
from tests.written.conftest import IDENTITY, JPEG, PNG


@pytest.fixture
def two_partners(make_org, make_user):
    """Partners A (Alpha Langues) and B (Beta Formation) and a candidate A created."""
    cel = make_org("cel")
    alpha = make_org("partner", name="Alpha Langues", referent_centre=cel)
    beta = make_org("partner", name="Beta Formation", referent_centre=cel)
    candidate = make_user("candidate", org=alpha, first_name="Camille", last_name="Durand")
    return alpha, beta, candidate


def register(candidate, partner, language: str, written_date: date, status: str = "enrolled",
             name: str | None = None) -> Registration:
    """A registration of `candidate` with `partner` in a new session."""
    session = ExamSession(partner_id=partner.id, name=name or f"{partner.name} {language}",
                          language=language, written_date=written_date)
    db.session.add(session)
    db.session.flush()
    registration = Registration(session_id=session.id, candidate_id=candidate.id,
                                partner_id=partner.id, target_level="B1",
                                training_hours=Decimal("20"), status=status,
                                written_done_at=clock.now() if status == "written_done" else None)
    db.session.add(registration)
    db.session.commit()
    return registration


def make_ready(candidate, *registrations: Registration) -> None:
    """Identity once (one per person), then the two photos of each registration."""
    candidate_services.save_identity(candidate, dict(IDENTITY))
    for registration in registrations:
        candidate_services.save_photo(candidate, registration, "face", JPEG, "webcam")
        candidate_services.save_photo(candidate, registration, "id_document", PNG, "upload")
    db.session.commit()


def section(html: str, registration: Registration) -> str:
    """The home's block for one registration (from its id to the next block)."""
    match = re.search(rf'<section[^>]*id="inscription-{registration.id}".*?</section>', html, re.S)
    assert match, f"no block for registration {registration.id}"
    return match.group(0)


def test_home_lists_every_open_registration_with_its_own_window(client, login, two_partners):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    english = register(candidate, alpha, "en", today - timedelta(days=10))
    french = register(candidate, beta, "fr", today - timedelta(days=3))
    login(candidate)
    html = client.get("/candidat/").get_data(as_text=True)
    for registration, language, partner in ((english, "Anglais", "Alpha Langues"),
                                            (french, "Français langue étrangère", "Beta Formation")):
        block = section(html, registration)
        assert language in block and partner in block and registration.session.name in block
        left = written.window_info(registration).days_left
        assert f"{left} jours restants" in block
    # Each block has its own window: the two counts differ by the 7 days between the sessions.
    assert (written.window_info(french).days_left - written.window_info(english).days_left) == 7


def test_candidate_reaches_each_written_test_from_the_home(client, login, csrf, bank, two_partners):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    english = register(candidate, alpha, "en", today - timedelta(days=2))
    french = register(candidate, beta, "fr", today)
    make_ready(candidate, english, french)
    login(candidate)
    home = client.get("/candidat/").get_data(as_text=True)
    token = csrf("/candidat/")
    for registration, language in ((english, "Anglais"), (french, "Français")):
        link = f"/ecrit/?inscription={registration.id}"
        assert link in section(home, registration)
        overview = client.get(link)
        assert overview.status_code == 200
        assert language in overview.get_data(as_text=True)
        started = client.post("/ecrit/commencer",
                              data={"inscription": registration.id, "csrf_token": token})
        assert started.status_code == 303
    attempts = {a.registration_id: a.language for a in db.session.scalars(
        db.select(WrittenAttempt).where(WrittenAttempt.mode == "certification"))}
    assert attempts == {english.id: "en", french.id: "fr"}
    # Back home, each block offers to resume its own attempt.
    home = client.get("/candidat/").get_data(as_text=True)
    for registration in (english, french):
        attempt = written.attempt_for(registration)
        assert f"/ecrit/tentative/{attempt.id}" in section(home, registration)


def test_photos_are_taken_for_the_chosen_registration(client, login, csrf, two_partners):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    english = register(candidate, alpha, "en", today)
    french = register(candidate, beta, "fr", today)
    login(candidate)
    page = client.get(f"/candidat/materiel?inscription={english.id}")
    assert page.status_code == 200
    assert f"/candidat/photos/face?inscription={english.id}" in page.get_data(as_text=True)
    token = csrf(f"/candidat/materiel?inscription={english.id}")
    response = client.post(f"/candidat/photos/face?inscription={english.id}", data=JPEG,
                           headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"})
    assert response.status_code == 200, response.get_data(as_text=True)
    photo = db.session.scalars(db.select(CandidatePhoto)).one()
    assert photo.registration_id == english.id
    assert "face" in written.latest_photos(candidate, english)
    assert written.latest_photos(candidate, french) == {}


def test_candidate_reaches_each_oral_from_the_home(client, login, two_partners):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    english = register(candidate, alpha, "en", today - timedelta(days=5), status="written_done")
    french = register(candidate, beta, "fr", today - timedelta(days=4), status="written_done")
    login(candidate)
    home = client.get("/candidat/").get_data(as_text=True)
    for registration, language in ((english, "anglais"), (french, "français")):
        link = f"/oral/reservation?inscription={registration.id}"
        assert link in section(home, registration)
        page = client.get(link)
        assert page.status_code == 200
        assert language in page.get_data(as_text=True).lower()
    # The menu's "Mon entretien oral" names no registration: with two, choose on the home.
    landing = client.get("/oral/reservation")
    assert landing.status_code == 303 and landing.headers["Location"].endswith("/candidat/")


def test_closed_registrations_are_listed_as_history_with_their_results(client, login,
                                                                         two_partners):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    done = register(candidate, alpha, "en", today - timedelta(days=90), status="results_issued",
                    name="Anglais 2025")
    cancelled = register(candidate, alpha, "de", today - timedelta(days=80), status="cancelled",
                         name="Allemand annulé")
    retake = register(candidate, alpha, "en", today, name="Anglais, seconde chance")
    login(candidate)
    html = client.get("/candidat/").get_data(as_text=True)
    current, history = html.split('id="historique"')
    assert "Anglais, seconde chance" in current
    assert f"/candidat/materiel?inscription={retake.id}" in current
    assert "Anglais 2025" in history and "Allemand annulé" in history
    assert "Anglais 2025" not in current
    assert "/resultats" in section(html, done)
    assert "/ecrit/" not in section(html, cancelled)


def test_without_a_choice_several_open_registrations_send_the_candidate_home(client, login,
                                                                               two_partners):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    register(candidate, alpha, "en", today)
    register(candidate, beta, "fr", today)
    login(candidate)
    for path in ("/ecrit/", "/candidat/materiel"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"].endswith("/candidat/")


def test_a_single_open_registration_keeps_the_simple_urls(client, login, csrf, two_partners):
    alpha, beta, candidate = two_partners
    register(candidate, alpha, "en", clock.today_paris() - timedelta(days=100),
             status="results_issued")
    only = register(candidate, beta, "fr", clock.today_paris())
    login(candidate)
    overview = client.get("/ecrit/")
    assert overview.status_code == 200 and "Français" in overview.get_data(as_text=True)
    token = csrf("/candidat/materiel")
    response = client.post("/candidat/photos/face", data=JPEG,
                           headers={"X-CSRFToken": token, "Content-Type": "image/jpeg"})
    assert response.status_code == 200
    assert db.session.scalars(db.select(CandidatePhoto)).one().registration_id == only.id


def test_another_candidates_registration_answers_404(client, login, csrf, make_user,
                                                     two_partners):
    alpha, beta, candidate = two_partners
    mine = register(candidate, alpha, "en", clock.today_paris())
    other = register(make_user("candidate", org=beta), beta, "fr", clock.today_paris())
    login(candidate)
    token = csrf("/candidat/")
    for path in (f"/ecrit/?inscription={other.id}", f"/candidat/materiel?inscription={other.id}",
                 f"/oral/reservation?inscription={other.id}", "/ecrit/?inscription=999999"):
        assert client.get(path).status_code == 404, path
    assert client.post("/ecrit/commencer", data={"inscription": other.id,
                                                 "csrf_token": token}).status_code == 404
    assert client.post(f"/candidat/photos/face?inscription={other.id}", data=JPEG, headers={
        "X-CSRFToken": token, "Content-Type": "image/jpeg"}).status_code == 404
    assert db.session.scalar(db.select(db.func.count(CandidatePhoto.id))) == 0
    assert client.get(f"/ecrit/?inscription={mine.id}").status_code == 200


def test_one_identity_serves_every_registration(client, login, csrf, two_partners):
    alpha, beta, candidate = two_partners
    english = register(candidate, alpha, "en", clock.today_paris())
    french = register(candidate, beta, "fr", clock.today_paris())
    login(candidate)
    token = csrf("/candidat/identite")
    form = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in IDENTITY.items()}
    response = client.post("/candidat/identite", data={**form, "csrf_token": token})
    assert response.status_code == 303
    for registration in (english, french):
        db.session.refresh(registration)
        assert registration.status == "identity_done"


def test_the_identity_is_locked_while_any_certification_is_under_way(two_partners, bank):
    alpha, beta, candidate = two_partners
    today = clock.today_paris()
    english = register(candidate, alpha, "en", today)
    french = register(candidate, beta, "fr", today)
    assert not candidate_services.identity_locked(candidate)  # nothing filled yet
    make_ready(candidate, english)
    assert not candidate_services.identity_locked(candidate)
    written.start_certification(english, candidate)
    db.session.commit()
    # The English test is under way: the jury will check this identity, French or not.
    assert candidate_services.identity_locked(candidate)
    with pytest.raises(candidate_services.CandidateError):
        candidate_services.save_identity(candidate, dict(IDENTITY))
    english.status = "results_issued"
    db.session.commit()
    # English is over; the French registration has not started: the identity opens again.
    assert not candidate_services.identity_locked(candidate)
    french.status = "cancelled"
    db.session.commit()
    # Nothing left to take and a certificate issued on this identity: read-only.
    assert candidate_services.identity_locked(candidate)


def test_the_home_with_several_registrations_reads_in_english(client, login, csrf, two_partners):
    alpha, beta, candidate = two_partners
    register(candidate, alpha, "en", clock.today_paris())
    register(candidate, beta, "fr", clock.today_paris(), status="written_done")
    login(candidate)
    response = client.post("/lang/en", data={"csrf_token": csrf("/candidat/"), "next": "/candidat/"})
    assert response.status_code == 303
    home = client.get("/candidat/").get_data(as_text=True)
    assert "Your CLOE certifications" in home and "It applies to all your registrations." in home
    assert "Book my oral interview" in home and "Training organisation" in home
    assert "Vos certifications CLOE" not in home and "Organisme de formation" not in home


@pytest.mark.browser
def test_two_registrations_in_chromium(page, bank, two_partners):
    from tests.conftest import assert_accessible, browser_login

    alpha, beta, candidate = two_partners
    english = register(candidate, alpha, "en", clock.today_paris() - timedelta(days=1))
    register(candidate, beta, "fr", clock.today_paris() - timedelta(days=6),
             status="written_done")
    make_ready(candidate, english)
    browser_login(page, candidate)
    page.goto("/candidat/")
    assert page.get_by_role("heading", name="Vos certifications CLOE").is_visible()
    assert page.get_by_role("heading", name="Anglais — Alpha Langues").is_visible()
    assert page.get_by_role("heading", name="Français langue étrangère (FLE) — Beta Formation"
                            ).is_visible()
    assert_accessible(page, "home with two registrations")

    page.get_by_role("link", name="Vérifier mon matériel — Anglais").click()
    assert "Anglais — Alpha Langues" in page.locator("[data-registration]").inner_text()
    assert_accessible(page, "equipment of one registration")

    page.goto("/candidat/")
    page.get_by_role("link", name="Commencer mon test écrit — Anglais").click()
    assert "Anglais — Alpha Langues" in page.locator("[data-registration]").inner_text()
    assert_accessible(page, "overview of one registration")

    page.goto("/candidat/")
    page.get_by_role("link", name="Réserver mon entretien oral — Français").click()
    page.wait_for_url("**/oral/reservation?inscription=*")
    assert "français" in page.content().lower()
    assert_accessible(page, "booking of the other registration")
