"""Labels that come from Python dictionaries of French labels (languages, proctoring verdicts,
integrity log events) follow the interface language when shown, and stay French in French."""

from __future__ import annotations

import re

from cloe_portal.extensions import db
from cloe_portal.written import services


def _switch(client, code: str, page: str) -> None:
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(f"/lang/{code}", data={"csrf_token": token, "next": "/"})
    assert response.status_code == 303


def test_referent_reads_verdict_events_and_language_in_english(app, login, make_user, bank,
                                                               make_registration):
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    services.current_item(attempt)  # the first item (vocabulary) is served
    db.session.commit()
    centre = registration.candidate.organisation.referent_centre
    referent = app.test_client()
    login(make_user("referent", org=centre), test_client=referent)
    url = f"/ecrit/referent/tentative/{attempt.id}"
    page = referent.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    referent.post(url, data={"csrf_token": token, "verdict": "non_compliant", "comment": "x"})

    french = referent.get(url).get_data(as_text=True)
    assert "<td>Début du test</td>" in french and "<dd>Non conforme" in french

    _switch(referent, "en", french)
    english = referent.get(url).get_data(as_text=True)
    assert 'lang="en"' in english
    assert "<td>Test started</td>" in english and "Début du test" not in english
    assert "<dd>Non-compliant" in english and "Non conforme" not in english
    assert "<dt>Monitoring</dt>" in english and "<dd>No</dd>" in english  # not extra time
    assert '<th scope="row">Vocabulary</th>' not in english  # no section scores yet
    assert "<td>Vocabulary</td>" in english and "<td>Vocabulaire</td>" not in english
    listing = referent.get("/ecrit/referent").get_data(as_text=True)
    assert "<td>Non-compliant</td>" in listing and "Non conforme" not in listing

    sessions = referent.get(f"/sessions/{registration.session_id}").get_data(as_text=True)
    language = {"en": "English", "de": "German", "es": "Spanish", "it": "Italian",
                "fr": "French as a foreign language (FLE)"}[registration.session.language]
    assert f"<dd>{language}</dd>" in sessions and "<dd>Group</dd>" in sessions
