"""The history on the candidate's page: the referent's and the partner's, scoped, in English."""

from __future__ import annotations

import html
import re

from cloe_portal.extensions import db
from tests.audit.conftest import enrol, new_session
from tests.conftest import csrf_token


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _history(page: str) -> str:
    """The history section's lines, tags removed."""
    section = page.split('id="historique"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", section))


def test_partner_reads_the_history_of_its_candidate(client, login, journey):
    login(journey.partner_admin)
    response = client.get(f"/suivi/candidats/{journey.candidate.id}")
    assert response.status_code == 200
    history = _history(_text(response))
    assert ("Le 22/02/2026 à 10:00 — Accès au test écrit prolongé : +5 jours, par le "
            "centre référent. Motif : Hospitalisation du candidat.") in history
    assert "Procès-verbal signé : PV n° 1, par le centre référent." in history
    assert "Décision du jury" not in history and "THOMPSON" not in history
    assert history.index("Candidat inscrit") < history.index("Test écrit terminé") < \
        history.index("Certificat délivré")


def test_referent_reads_every_event_on_the_candidate_and_oral_pages(client, login, journey):
    login(journey.referent)
    page = _history(_text(client.get(f"/suivi/candidats/{journey.candidate.id}")))
    assert "Décision du jury : Résultat validé, niveau global B1, certificat, par Julien MOREAU" \
        in page
    assert "Signal de surveillance pendant le test écrit : Onglet masqué" in page
    oral = _text(client.get(f"/referent/oraux/inscription/{journey.registration.id}"))
    assert "oral déplacé au 05/03/2026 à 10:00 avec David THOMPSON" in _history(oral)
    assert "oral.book" not in oral  # sentences, not action codes
    jury = _text(client.get(f"/jury/candidat/{journey.registration.id}"))
    assert f'href="/suivi/candidats/{journey.candidate.id}#historique"' in jury


def test_another_partner_or_centre_gets_404_by_id(app, login, journey, make_org, make_user):
    elsewhere = make_org("cel", name="CEL Bretagne")
    stranger = make_user("referent", org=elsewhere)
    other = make_user("partner", org=make_org("partner", referent_centre=elsewhere))
    db.session.commit()
    for outsider in (stranger, other):
        client = app.test_client()
        login(outsider, test_client=client)
        assert client.get(f"/suivi/candidats/{journey.candidate.id}").status_code == 404
    client = app.test_client()
    login(stranger, test_client=client)
    assert client.get(f"/referent/oraux/inscription/{journey.registration.id}").status_code == 404


def test_the_history_reads_in_english(client, login, journey):
    login(journey.partner_admin)
    url = f"/suivi/candidats/{journey.candidate.id}"
    client.post("/lang/en", data={"csrf_token": csrf_token(client, url), "next": url})
    page = _text(client.get(url))
    assert '<h2 id="historique">History</h2>' in page
    history = _history(page)
    assert ("On 22/02/2026 at 10:00 — Written test access extended: +5 days, by the referent "
            "centre. Reason: Hospitalisation du candidat.") in history
    assert "Oral booked: oral on 04/03/2026 at 10:00, by the candidate. Status: Written test " \
        "done → Oral booked." in history
    assert "Historique" not in page and "par le centre" not in history


def test_a_second_partner_reads_only_its_own_registration_of_a_shared_candidate(
        app, login, journey, make_org, make_user):
    other = make_org("partner", name="Formalangues", referent_centre=journey.referent.organisation)
    other_admin = make_user("partner", org=other)
    with app.test_request_context():
        enrol(other_admin, new_session(other.id, "Espagnol avril"), journey.candidate.email)
        db.session.commit()
    client = app.test_client()
    login(other_admin, test_client=client)
    history = _history(_text(client.get(f"/suivi/candidats/{journey.candidate.id}")))
    assert "Candidat inscrit : session « Espagnol avril »" in history
    for theirs in ("Anglais mars 2026", "Hospitalisation", "Oral réservé",
                   "Identité renseignée", "Certificat"):
        assert theirs not in history
