"""The referent's page of a written test reads as French: the integrity log's details in
words (never a Python dict) and the declared birth date as dd/mm/yyyy."""

from __future__ import annotations

from datetime import timedelta

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.written import services
from cloe_portal.written.models import describe_details


def _page(app, login, make_user, attempt) -> str:
    referent = app.test_client()
    centre = attempt.candidate.organisation.referent_centre
    login(make_user("referent", org=centre), test_client=referent)
    response = referent.get(f"/ecrit/referent/tentative/{attempt.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_integrity_log_details_are_french_sentences(app, login, make_user, bank,
                                                        make_registration, frozen_clock):
    frozen_clock(clock.now())
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    first = services.current_item(attempt)
    frozen_clock.advance(timedelta(seconds=5))
    services.submit_answer(attempt, first.sequence, None)
    services.current_item(attempt)
    services.restart_section(attempt, registration.candidate)
    second = services.current_item(attempt, count_display=True)
    services.current_item(attempt, count_display=True)  # shown again: a resumption
    services.set_verdict(attempt, "doubtful", "referent", None, "Deux visages")
    db.session.commit()
    assert second.displays == 2

    page = _page(app, login, make_user, attempt)
    assert "Section 1 relancée (incident n° 1), 2 questions annulées" in page
    assert "Temps restant sur la question :" in page
    assert "Douteux (référent)" in page
    assert "{" not in page.split("Journal d'intégrité")[1].split("</table>")[0]


def test_event_details_of_every_kind_read_as_french():
    assert describe_details("incident_restart", {"section": 1, "round": 0, "discarded": 1}) == (
        "Section 2 relancée (incident n° 1), 1 question annulée")
    assert describe_details("suspended", {"section": 2, "incident": 3, "discarded": 10}) == (
        "Section 3 : incident n° 3, test suspendu, 10 questions annulées")
    assert describe_details("restart_granted", {"section": 0, "reason": "Coupure"}) == (
        "Section 1 relancée par le référent, motif : Coupure")
    assert describe_details("cancelled", {"reason": "Panne"}) == "Motif : Panne"
    assert describe_details("resumed", {"remaining_seconds": 32.5}) == (
        "Temps restant sur la question : 32,5 s")
    assert describe_details("verdict", {"verdict": "compliant", "source": "webhook"}) == (
        "Conforme (service de surveillance)")
    assert describe_details("started", None) == ""
    # An unexpected shape is still shown plainly, never as a dict.
    assert describe_details("incident_restart", {"section": "x"}) == "section : x"


def test_the_declared_birth_date_is_shown_the_french_way(app, login, make_user, bank,
                                                         make_registration):
    registration = make_registration(ready=True)  # born on 17 May 1990
    attempt = services.start_certification(registration, registration.candidate)
    db.session.commit()
    page = _page(app, login, make_user, attempt)
    assert "<dd>17/05/1990</dd>" in page and "1990-05-17" not in page
