"""A referent creates an MCQ in Chromium, watching the live preview; list and editor pass axe."""

from __future__ import annotations

import pytest

from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from tests.conftest import assert_accessible, browser_login

pytestmark = pytest.mark.browser


def test_referent_creates_an_mcq_with_live_preview(page, make_user, make_item):
    for difficulty in (20, 45, 70):
        make_item(difficulty=difficulty)
    browser_login(page, make_user("referent"))

    page.get_by_role("link", name="Banque d'items").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", name="Banque d'items").is_visible()
    assert_accessible(page, "item bank list")

    page.get_by_role("link", name="Nouvelle question").click()
    page.get_by_role("link", name="Choix multiple").click()
    page.get_by_label("Code").fill("en-voc-777")
    page.get_by_label("Difficulté (0 à 100)").fill("35")
    page.get_by_label("Consigne").fill("You drink tea from a ___.")
    page.get_by_label("Options").fill("spoon\nmug\ntable")
    page.get_by_label("Numéro de la bonne option").fill("2")

    preview = page.locator("#item-preview")
    preview.get_by_text("You drink tea from a ___.").wait_for()
    assert preview.get_by_text("table").is_visible()
    assert "⌚ 45 secondes" in preview.inner_text()
    assert_accessible(page, "item editor")

    page.get_by_role("button", name="Créer la question").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Question en-voc-777 créée").is_visible()
    assert_accessible(page, "item edit page")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]

    db.session.expire_all()
    created = db.session.scalars(db.select(Item).where(Item.code == "en-voc-777")).one()
    assert created.content["options"] == ["spoon", "mug", "table"]
    assert created.content["answer"] == 1


def test_listening_editor_and_import_page_are_accessible(page, make_user):
    browser_login(page, make_user("coordinator"))
    page.goto("/items/new/listening")
    page.get_by_label("Fichier audio existant").select_option("en-lis-001.ogg")
    page.get_by_label("Forme de la question").select_option("gap")
    assert page.get_by_label("Réponses acceptées").is_visible()
    assert not page.get_by_label("Options").is_visible()  # mcq fields hidden for a gap question
    page.locator("#item-preview audio").wait_for()
    assert_accessible(page, "listening editor")
    page.goto("/items/import")
    assert_accessible(page, "import page")
