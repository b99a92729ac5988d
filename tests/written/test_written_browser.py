"""The whole candidate journey in Chromium: identity, equipment and photos, the demo mini-test
(one screenshot per item type), then a 50-item certification answered through the UI with one
item left to the timer, a get-ready pause, a reload mid-item and an incident restart."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from cloe_portal.extensions import db
from cloe_portal.written import services
from cloe_portal.written.models import IntegrityEvent, WrittenAttempt, WrittenResponse
from tests.conftest import assert_accessible, browser_login
from tests.written.conftest import answer_form

SHOTS = Path("/tmp/cloe-shots")


def _fresh():
    db.session.rollback()
    db.session.expire_all()


def _current(attempt_id: int) -> WrittenResponse:
    _fresh()
    return db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt_id, WrittenResponse.status == "pending")).one()


def _zone_sequence(page) -> int:
    return int(page.locator("[data-test-zone]").get_attribute("data-sequence"))


def _wait_next(page, sequence: int) -> None:
    """Wait until the item after `sequence` is shown, or the test has left the item page."""
    page.wait_for_function(
        "s => { const z = document.querySelector('[data-test-zone]');"
        " return !z || (z.dataset.sequence !== s && z.dataset.jsReady === '1'); }",
        arg=str(sequence), timeout=15_000)


def _fill(page, response: WrittenResponse, keyboard: bool = False) -> None:
    """Answer the shown item correctly through the widgets, without validating."""
    right = services.expected_response(response.item_type, response.content)
    # Options are shown in the attempt's own order: the form values of the right answer.
    values = answer_form(response)
    kind = response.item_type
    form = page.locator("[data-answer-form]")
    if kind == "listening":
        page.locator("[data-play-audio]").click()
        page.wait_for_function("() => document.querySelector('[data-audio-box]')"
                               ".getAttribute('data-plays-done') !== null")
        kind = "mcq" if response.content["question"]["kind"] == "mcq" else "gap_free"
    if kind == "mcq":
        if keyboard:
            form.locator(f"#choice-{values['choice']}").focus()
            page.keyboard.press("Space")
        else:
            form.locator(f"label[for=choice-{values['choice']}]").click()
    elif kind == "gap_free":
        for i, word in enumerate(right):
            form.locator(f"[name=gap-{i}]").fill(word)
    elif kind in ("gap_dropdown", "word_bank"):
        for i in range(len(right)):
            form.locator(f"select[name=gap-{i}]").select_option(value=values[f"gap-{i}"])
    elif kind in ("word_order", "sentence_order"):
        # Each chip carries the position it is shown at: the right ones, in the right order.
        for value in values.getlist("order"):
            chip = form.locator(f'[data-bank] button.chip[data-value="{value}"]')
            if keyboard:
                chip.focus()
                page.keyboard.press("Enter")
            else:
                chip.click()


def open_test(app, page, make_registration, pause: float = 0) -> int:
    """A started certification test shown in the browser, its script ready; its id."""
    app.config.update(WRITTEN_GET_READY_SECONDS=pause, ITEM_TIME_LIMIT_OVERRIDE=60)
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    db.session.commit()
    attempt_id = attempt.id
    browser_login(page, registration.candidate)
    page.goto(f"/ecrit/tentative/{attempt_id}")
    page.locator('[data-test-zone][data-js-ready="1"]').wait_for()
    return attempt_id


def _answer(page, attempt_id: int, keyboard: bool = False) -> WrittenResponse:
    response = _current(attempt_id)
    assert _zone_sequence(page) == response.sequence
    _fill(page, response, keyboard)
    page.locator("[data-submit]").click()
    _wait_next(page, response.sequence)
    return response


@pytest.mark.browser
def test_whole_written_journey_in_chromium(app, page, bank, make_registration, tmp_path):
    app.config.update(WRITTEN_GET_READY_SECONDS=0, ITEM_TIME_LIMIT_OVERRIDE=60)
    registration = make_registration(language="en", target="B1")
    candidate = registration.candidate
    browser_login(page, candidate)
    page.goto("/candidat/")
    assert page.get_by_role("heading", name="Votre certification CLOE").is_visible()
    assert "jours restants" in page.locator("[data-window-state]").inner_text()
    assert_accessible(page, "home")

    # --- identity -----------------------------------------------------------------------
    page.get_by_role("link", name="Compléter le formulaire").click()
    assert_accessible(page, "identity")
    page.get_by_label("Nom de naissance", exact=True).fill("Durand")
    page.get_by_label("Prénom(s)").fill("Camille Marie")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance").fill("1990-05-17")
    page.get_by_label("Commune de naissance").fill("Lyon")
    page.get_by_label("Département de naissance").fill("69")
    page.get_by_label("Adresse postale").fill("3 rue Neuve")
    page.get_by_label("Code postal").fill("69001")
    page.get_by_label("Ville", exact=True).fill("Lyon")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/candidat/")
    assert "Vos informations d'identité sont enregistrées" in page.content()

    # --- equipment and photos (fake camera and microphone) ------------------------------
    page.get_by_role("link", name="Vérifier mon matériel").click()
    assert_accessible(page, "equipment")
    page.get_by_role("button", name="Jouer un son").click()
    page.get_by_role("button", name="Enregistrer 3 secondes").click()
    page.locator('[data-mic-status][data-recorded="1"]').wait_for(timeout=8_000)
    page.get_by_role("button", name="Activer la webcam").click()
    page.get_by_role("button", name="Prendre la photo du visage").click()
    page.locator('[data-photo-state="face"][data-saved="1"]').wait_for()
    page.get_by_role("button", name="Photographier ma pièce d'identité").click()
    page.locator('[data-photo-state="id_document"][data-saved="1"]').wait_for()

    # --- demo mini-test: one item of each type, a screenshot of each ----------------------
    page.goto("/candidat/demo")
    page.get_by_role("button", name="Commencer le mini-test").click()
    page.locator("[data-test-zone][data-js-ready]").wait_for()
    assert_accessible(page, "demo item")
    demo_id = int(re.search(r"/tentative/(\d+)", page.url).group(1))
    SHOTS.mkdir(parents=True, exist_ok=True)
    seen_types = []
    for _ in range(7):
        response = _current(demo_id)
        seen_types.append(response.item_type)
        shot = tmp_path / f"item-{response.item_type}.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copy(shot, SHOTS / shot.name)
        _answer(page, demo_id, keyboard=response.item_type in ("sentence_order", "mcq"))
    assert sorted(seen_types) == sorted(["mcq", "gap_free", "gap_dropdown", "word_order",
                                         "sentence_order", "word_bank", "listening"])
    page.wait_for_url(f"**/ecrit/tentative/{demo_id}/fin")
    assert "Mini-test terminé" in page.content()

    # --- certification ------------------------------------------------------------------
    page.goto("/candidat/")
    page.get_by_role("link", name="Commencer mon test écrit").click()
    page.get_by_role("button", name="Commencer le test écrit").click()
    page.locator("[data-test-zone][data-js-ready]").wait_for()
    assert_accessible(page, "certification item")
    attempt_id = int(re.search(r"/tentative/(\d+)", page.url).group(1))
    assert page.locator(".test-meta").inner_text().startswith("Question 1")
    page.on("dialog", lambda dialog: dialog.accept())

    sequence = 0
    while True:
        _fresh()
        attempt = db.session.get(WrittenAttempt, attempt_id)
        if attempt.status == "finished":
            break
        response = _current(attempt_id)
        sequence = response.sequence
        if sequence == 3:
            app.config["ITEM_TIME_LIMIT_OVERRIDE"] = 3  # the next item gets 3 seconds
        if sequence == 4:
            app.config["ITEM_TIME_LIMIT_OVERRIDE"] = 60
            # Answer without validating: at zero the answer is sent as it stands.
            _fill(page, response)
            _wait_next(page, sequence)
            continue
        if sequence == 6:
            app.config["WRITTEN_GET_READY_SECONDS"] = 4  # long enough for a busy machine
        if sequence == 7:
            app.config["WRITTEN_GET_READY_SECONDS"] = 0
        if sequence == 8:
            page.reload()
            page.locator("[data-test-zone][data-js-ready]").wait_for()
            assert _zone_sequence(page) == 8
            assert float(page.locator("[data-test-zone]").get_attribute("data-remaining")) < 60
        if sequence == 13:
            page.get_by_role("button", name="Incident technique ?").click()
            _wait_next(page, 13)
            assert "la section recommence" in page.locator("[data-test-zone] [role=alert]").inner_text()
            continue
        _answer(page, attempt_id)
        if sequence == 6:
            get_ready = page.locator("[data-get-ready]")
            assert get_ready.is_visible() and not page.locator("[data-answer-form]").is_visible()
            page.locator("[data-answer-form]").wait_for(state="visible", timeout=10_000)
            assert get_ready.is_hidden()

    page.wait_for_url(lambda url: not re.search(r"/tentative/\d+$", url))
    _fresh()
    rows = db.session.scalars(db.select(WrittenResponse).where(
        WrittenResponse.attempt_id == attempt_id).order_by(WrittenResponse.sequence)).all()
    assert len(rows) == 53
    assert [r.sequence for r in rows if r.status == "discarded"] == [11, 12, 13]
    kept = [r for r in rows if r.status != "discarded"]
    assert len(kept) == 50 and {r.status for r in kept} == {"answered"}
    # Every item type, answered through its widget, was scored right.
    assert all(r.score == 1.0 for r in kept), [(r.sequence, r.item_type, r.response) for r in kept
                                               if r.score != 1.0]
    timed = rows[3]
    assert timed.submitted_by_timer and timed.time_limit == 3 and timed.time_taken >= 2.5
    assert timed.response == services.expected_response(timed.item_type, timed.content)
    assert [r.skill for r in kept[::10]] == ["vocabulary", "grammar", "expressions", "reading",
                                            "listening"]
    events = {e.kind for e in db.session.scalars(db.select(IntegrityEvent).where(
        IntegrityEvent.attempt_id == attempt_id))}
    assert {"started", "resumed", "incident_restart", "finished"} <= events
    registration = db.session.get(type(registration), registration.id)
    assert registration.status == "written_done"
    scores = services.section_scores(registration)
    levels = services.section_levels(scores)
    assert set(levels) == {"vocabulary", "grammar", "expressions", "reading", "listening"}
    assert all(score >= 60 for score in scores.values()), scores
    assert services.replay(db.session.get(WrittenAttempt, attempt_id)).scores == scores


@pytest.mark.browser
def test_phone_is_refused_with_a_clear_message(app, _playwright, live_server, make_registration):
    registration = make_registration()
    context = _playwright.new_context(base_url=live_server, viewport={"width": 390, "height": 844},
                                      screen={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, locale="fr-FR")
    try:
        phone = context.new_page()
        browser_login(phone, registration.candidate)
        phone.goto("/candidat/materiel")
        assert phone.locator("[data-phone-block]").is_visible()
        assert "ne fonctionne pas sur téléphone" in phone.locator("[data-phone-block]").inner_text()
        assert not phone.get_by_role("button", name="Jouer un son").is_visible()
    finally:
        context.close()
