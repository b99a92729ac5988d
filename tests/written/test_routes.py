"""Written test over HTTP: start, htmx item swap, 409 on a stale item, isolation, webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import timedelta

from cloe_portal.extensions import db
from cloe_portal.written import services
from cloe_portal.written.models import WrittenAttempt, WrittenResponse
from tests.written.conftest import correct_answer


def _start(client, login, csrf, registration):
    login(registration.candidate)
    token = csrf("/ecrit/")
    response = client.post("/ecrit/commencer", data={"csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    return db.session.scalars(db.select(WrittenAttempt)).one(), token


def _current(attempt):
    db.session.expire_all()
    return db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt.id, WrittenResponse.status == "pending")).one()


def test_item_page_then_htmx_answer_returns_next_item_fragment(app, client, login, csrf, bank,
                                                               make_registration):
    app.config["WRITTEN_GET_READY_SECONDS"] = 0
    attempt, token = _start(client, login, csrf, make_registration(ready=True))
    page = client.get(f"/ecrit/tentative/{attempt.id}").get_data(as_text=True)
    assert re.search(r"Question 1\b", page) and "Temps total" in page and "Incident technique ?" in page
    first = _current(attempt)
    data = {"csrf_token": token, "sequence": "1"}
    if first.item_type == "mcq":
        data["choice"] = str(correct_answer(first))
    fragment = client.post(f"/ecrit/tentative/{attempt.id}/reponse", data=data,
                           headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in body and "Question 2" in body

    # The first item again: already answered, nothing changes (idempotent).
    again = client.post(f"/ecrit/tentative/{attempt.id}/reponse", data=data)
    assert again.status_code == 303
    assert db.session.scalar(db.select(db.func.count(WrittenResponse.id))) == 2


def test_answer_to_an_item_that_is_not_current_is_refused_with_409(app, client, login, csrf, bank,
                                                                   make_registration):
    attempt, token = _start(client, login, csrf, make_registration(ready=True))
    client.get(f"/ecrit/tentative/{attempt.id}")
    response = client.post(f"/ecrit/tentative/{attempt.id}/reponse",
                           data={"csrf_token": token, "sequence": "5", "choice": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "plus la question en cours" in html and "Question 1" in html


def test_reload_resumes_the_same_item_and_logs_it(app, client, login, csrf, bank,
                                                  make_registration):
    attempt, _ = _start(client, login, csrf, make_registration(ready=True))
    client.get(f"/ecrit/tentative/{attempt.id}")
    client.get(f"/ecrit/tentative/{attempt.id}")
    assert _current(attempt).sequence == 1
    kinds = [e.kind for e in db.session.get(WrittenAttempt, attempt.id).events]
    assert "resumed" in kinds


def test_a_candidate_cannot_see_another_candidates_attempt(app, client, login, csrf, bank,
                                                           make_registration):
    attempt, _ = _start(client, login, csrf, make_registration(ready=True))
    intruder = app.test_client()
    login(make_registration().candidate, test_client=intruder)
    assert intruder.get(f"/ecrit/tentative/{attempt.id}").status_code == 404
    token = re.search(r'name="csrf-token" content="([^"]+)"',
                      intruder.get("/candidat/").get_data(as_text=True)).group(1)
    assert intruder.post(f"/ecrit/tentative/{attempt.id}/incident",
                         data={"csrf_token": token}).status_code == 404


def test_incident_restarts_section_and_is_logged(app, client, login, csrf, bank,
                                                 make_registration):
    attempt, token = _start(client, login, csrf, make_registration(ready=True))
    client.get(f"/ecrit/tentative/{attempt.id}")
    response = client.post(f"/ecrit/tentative/{attempt.id}/incident",
                           data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Question 2" in response.get_data(as_text=True)
    statuses = [r.status for r in db.session.scalars(db.select(WrittenResponse)
                                                     .order_by(WrittenResponse.sequence))]
    assert statuses == ["discarded", "pending"]


def test_audio_endpoint_counts_plays_over_http(app, client, login, csrf, bank, make_registration,
                                               frozen_clock):
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    while (current := services.current_item(attempt)).skill != "listening":
        frozen_clock.advance(timedelta(seconds=5))  # past the get-ready pause
        services.submit_answer(attempt, current.sequence, None)
    db.session.commit()
    login(registration.candidate)
    token = csrf(f"/ecrit/tentative/{attempt.id}")
    url = f"/ecrit/tentative/{attempt.id}/ecoute"
    assert client.get(f"/ecrit/tentative/{attempt.id}/audio/{current.sequence}").status_code == 404
    for left in (1, 0):
        answer = client.post(url, data={"sequence": current.sequence}, headers={"X-CSRFToken": token})
        assert answer.get_json()["left"] == left
    clip = client.get(answer.get_json()["url"])
    assert clip.status_code == 200 and clip.data[:4] == b"OggS"
    clip.close()
    third = client.post(url, data={"sequence": current.sequence}, headers={"X-CSRFToken": token})
    assert third.status_code == 409 and "2 fois" in third.get_json()["error"]


def _sign(secret, body):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_proctoring_webhook_checks_signature(app, client, bank, make_registration):
    app.config["PROCTORING_WEBHOOK_SECRET"] = "s3cret"
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    db.session.commit()
    body = json.dumps({"attempt_id": attempt.id, "verdict": "doubtful", "comment": "2 visages"}).encode()
    bad = client.post("/ecrit/surveillance/webhook", data=body,
                      headers={"X-Signature": _sign("wrong", body), "Content-Type": "application/json"})
    assert bad.status_code == 403
    db.session.expire_all()
    assert db.session.get(WrittenAttempt, attempt.id).proctoring_verdict is None
    ok = client.post("/ecrit/surveillance/webhook", data=body,
                     headers={"X-Signature": _sign("s3cret", body), "Content-Type": "application/json"})
    assert ok.status_code == 200
    db.session.expire_all()
    stored = db.session.get(WrittenAttempt, attempt.id)
    assert stored.proctoring_verdict == "doubtful" and stored.verdict_source == "webhook"


def test_referent_sets_verdict_and_other_centre_gets_404(app, login, make_user, bank,
                                                         make_registration):
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    db.session.commit()
    centre = registration.candidate.organisation.referent_centre
    referent = app.test_client()
    login(make_user("referent", org=centre), test_client=referent)
    page = referent.get(f"/ecrit/referent/tentative/{attempt.id}").get_data(as_text=True)
    assert "Journal d'intégrité" in page and "Début du test" in page
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    referent.post(f"/ecrit/referent/tentative/{attempt.id}",
                  data={"csrf_token": token, "verdict": "non_compliant", "comment": "Tiers présent"})
    db.session.expire_all()
    assert db.session.get(WrittenAttempt, attempt.id).proctoring_verdict == "non_compliant"
    other = app.test_client()
    login(make_user("referent"), test_client=other)
    assert other.get(f"/ecrit/referent/tentative/{attempt.id}").status_code == 404


def test_end_of_test_goes_to_oral_booking_or_done_page(app, client, login, csrf, bank,
                                                       make_registration, frozen_clock):
    from datetime import timedelta

    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    while (current := services.current_item(attempt)) is not None:
        frozen_clock.advance(timedelta(seconds=5))
        services.submit_answer(attempt, current.sequence, None)
    db.session.commit()
    login(registration.candidate)
    response = client.get(f"/ecrit/tentative/{attempt.id}/fin")
    if "orals.candidate_booking" in app.view_functions:
        assert response.status_code == 302
        assert f"inscription={registration.id}" in response.headers["Location"]
    else:
        html = response.get_data(as_text=True)
        assert "Quitter sans réserver" in html and "est terminée" in html
    # The item page of a finished test sends to the end page, never to a new item.
    assert client.get(f"/ecrit/tentative/{attempt.id}").status_code == 302


def test_referent_extends_a_closed_window(app, login, make_user, make_registration):
    from datetime import timedelta

    from cloe_portal import clock

    registration = make_registration(written_date=clock.today_paris() - timedelta(days=45))
    centre = registration.candidate.organisation.referent_centre
    referent = app.test_client()
    login(make_user("referent", org=centre), test_client=referent)
    page = referent.get("/ecrit/referent").get_data(as_text=True)
    assert registration.candidate.full_name in page
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    referent.post(f"/ecrit/referent/inscription/{registration.id}/prolonger",
                  data={"csrf_token": token, "days": "20", "reason": "Force majeure"})
    db.session.expire_all()
    assert services.window_info(registration).state == "open"
    other = app.test_client()
    login(make_user("referent"), test_client=other)
    other_token = re.search(r'name="csrf-token" content="([^"]+)"',
                            other.get("/ecrit/referent").get_data(as_text=True)).group(1)
    assert other.post(f"/ecrit/referent/inscription/{registration.id}/prolonger",
                      data={"csrf_token": other_token, "days": "5"}).status_code == 404
