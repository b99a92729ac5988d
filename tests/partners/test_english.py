"""A partner reads the tracking dashboard and the sessions pages in English through the language switch."""

from __future__ import annotations

from datetime import UTC, date, datetime


def _switch(client, csrf, code, next_url):
    response = client.post(f"/lang/{code}", data={"csrf_token": csrf(next_url), "next": next_url})
    assert response.status_code == 303 and response.headers["Location"].endswith(next_url)


def test_partner_switches_to_english_and_back(client, login, csrf, make_user, make_session,
                                              make_registration, frozen_clock):
    frozen_clock(datetime(2026, 3, 20, 9, tzinfo=UTC))
    partner = make_user("partner")
    session = make_session(partner.organisation, "en", date(2026, 2, 20), name="Anglais février")
    make_registration(session, first_name="Chloé", last_name="Urgent", cpf_file_number="9001")
    login(partner)

    _switch(client, csrf, "en", "/suivi/")
    dashboard = client.get("/suivi/").get_data(as_text=True)
    assert 'lang="en"' in dashboard
    assert "Candidate tracking" in dashboard and "To do (1)" in dashboard
    assert "Written test access closing soon, test not taken (1)" in dashboard
    assert "Anglais février: 2 days left" in dashboard and "Filter candidates" in dashboard
    assert "Name or CPF file number" in dashboard and "1</span> candidate\n" in dashboard
    assert "Suivi des candidats" not in dashboard and "À traiter" not in dashboard
    assert "jours restants" not in dashboard and "Filtrer les candidats" not in dashboard
    # Status and role labels come from Python dictionaries of French labels, translated
    # when shown: the pipeline, the status column and the filter, and the role badge.
    assert '<span class="pipeline-label">Enrolled</span>' in dashboard
    assert '<span class="status status-enrolled">Enrolled</span>' in dashboard
    assert '<option value="awaiting_jury" >Awaiting the jury</option>' in dashboard
    assert '<span class="role-badge">Partner organisation</span>' in dashboard
    assert ">Inscrit<" not in dashboard and "Organisme partenaire" not in dashboard

    sessions = client.get("/sessions/").get_data(as_text=True)
    assert "CLOE sessions" in sessions and "Create a session" in sessions
    assert "Written test" in sessions and "Access ends" in sessions
    assert "Sessions CLOE" not in sessions and "Créer une session" not in sessions
    assert "Fin d&#39;accès" not in sessions and "Fin d'accès" not in sessions

    detail = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Enrol a candidate" in detail and "Enrolled candidates (1)" in detail
    assert "Target level (CEFR)" in detail and "Bulk enrolment from a file" in detail
    assert "Inscrire un candidat" not in detail and "Candidats inscrits" not in detail

    # Validation messages of the session form follow the language too.
    response = client.post("/sessions/new", data={"csrf_token": csrf("/sessions/new")})
    page = response.get_data(as_text=True)
    assert "This field is required." in page and "Session name" in page
    assert "Ce champ est obligatoire." not in page and "Nom de la session" not in page

    _switch(client, csrf, "fr", "/suivi/")
    dashboard = client.get("/suivi/").get_data(as_text=True)
    assert 'lang="fr"' in dashboard and "Suivi des candidats" in dashboard
    assert "2 jours restants" in dashboard and "Candidate tracking" not in dashboard
    assert "Sessions CLOE" in client.get("/sessions/").get_data(as_text=True)
