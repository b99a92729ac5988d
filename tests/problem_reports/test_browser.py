"""In Chromium: the partner reports a problem with an attachment, the referent replies from its
queue, the partner reads the reply and answers; the referent closes the report."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cloe_portal.extensions import db
from cloe_portal.problem_reports.models import ProblemReport
from tests.conftest import assert_accessible, browser_login


@pytest.mark.browser
def test_problem_reported_answered_and_closed(page, world, tmp_path):
    reg = world.registration(last_name="Girard")
    capture = tmp_path / "capture.png"
    capture.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)
    wrong = tmp_path / "notes.txt"
    wrong.write_text("pas une image")

    browser_login(page, world.admin_a)
    page.goto(f"/suivi/candidats/{reg.candidate_id}")
    page.get_by_role("link", name=re.compile("Signaler un problème")).click()
    expect(page.get_by_role("heading", name="Signaler un problème au centre référent")).to_be_visible()
    expect(page.get_by_label("Candidat concerné (facultatif)")).to_have_value(str(reg.id))
    assert_accessible(page, "report form")
    page.get_by_label("Type de problème").select_option("technical")
    page.get_by_label("Description").fill("Écran figé pendant la compréhension orale, deux fois.")
    page.get_by_label("Pièce jointe (facultatif)").set_input_files(str(wrong))
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator("#attachment-error")).to_contain_text("Format refusé")
    assert_accessible(page, "report form refused")
    page.get_by_label("Pièce jointe (facultatif)").set_input_files(str(capture))
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.get_by_text("Signalement envoyé au centre référent")).to_be_visible()
    expect(page.get_by_role("link", name="capture.png")).to_be_visible()
    assert_accessible(page, "report sent")

    page.context.clear_cookies()
    browser_login(page, world.referent)
    page.goto("/reseau/accueil")
    card = page.locator("section", has=page.get_by_role("heading", name=re.compile("Signalements ouverts")))
    card.get_by_role("link", name=re.compile("Incident technique")).click()
    expect(page.locator(".thread")).to_contain_text("Écran figé pendant la compréhension orale, deux fois.")
    assert_accessible(page, "report (referent)")
    page.get_by_label("Votre réponse").fill("Nous vérifions le journal du test et revenons vers vous.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_text(re.compile("Réponse enregistrée"))).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("En cours")

    page.context.clear_cookies()
    browser_login(page, world.admin_a)
    page.goto("/signalements/")
    page.get_by_role("link", name=re.compile("Incident technique")).click()
    expect(page.locator(".thread")).to_contain_text("Nous vérifions le journal du test")
    page.get_by_label("Votre réponse").fill("Merci. Le candidat confirme l'heure : 10 h 12.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".thread")).to_contain_text("10 h 12")
    assert_accessible(page, "thread (partner)")

    page.context.clear_cookies()
    browser_login(page, world.referent)
    page.goto("/signalements/")
    page.get_by_role("link", name=re.compile("Incident technique")).click()
    page.get_by_label("Statut du signalement").select_option("closed")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".facts")).to_contain_text("Clos")
    db.session.expire_all()
    report = db.session.scalars(db.select(ProblemReport)).one()
    assert report.status == "closed" and len(report.messages) == 2
    errors = page.console_errors  # type: ignore[attr-defined]
    assert [e for e in errors if not e.startswith("Failed to load resource")] == [], errors
