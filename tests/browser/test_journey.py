"""The whole certification in Chromium, as the people who run it click through it: the partner
enrols, the candidate activates the account from the email and takes the written test, books
tomorrow's oral, the referent moves the demo clock to the oral's start, the assessor scores it,
the referent runs the jury and signs the PV, the candidate downloads the certificate and its
printed verification address says it is authentic. No page answers 4xx/5xx, the console stays
clean, and axe finds no serious or critical issue on the pages on the way."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from cloe_portal import clock
from cloe_portal.assessors.models import Accreditation, AssessorProfile
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage
from cloe_portal.orals.models import OralSlot
from cloe_portal.written.models import WrittenAttempt
from tests.conftest import assert_accessible, browser_login
from tests.written.test_written_browser import _current, _fill, _fresh, _wait_next

pytestmark = pytest.mark.browser

REPORT = ("Entretien fluide : la candidate présente son poste avec précision et développe ses "
          "réponses. Mise en situation bien menée, reformulations pertinentes. Quelques "
          "erreurs de temps et d'accord, sans gêne pour la compréhension. Prononciation claire "
          "et intonation naturelle ; interaction active pendant la discussion.")


def _logout(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/login")


def test_partner_to_verified_certificate(app, page, bank, make_org, make_user, live_server):
    app.config.update(WRITTEN_GET_READY_SECONDS=0, ITEM_TIME_LIMIT_OVERRIDE=60, DEMO_CLOCK=True)
    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)

    cel = make_org("cel", name="CEL CCI Lyon")
    referent = make_user("referent", org=cel, first_name="Julien", last_name="Moreau")
    partner = make_org("partner", name="Lingua Pro Formation", referent_centre=cel)
    admin = make_user("partner", org=partner)
    assessor = make_user("assessor", org=cel, first_name="David", last_name="Thompson")
    db.session.add_all([
        Accreditation(assessor_id=assessor.id, language="en", status="accredited",
                      validated_on=dt.date(2025, 9, 1), valid_until=dt.date(2099, 12, 31)),
        AssessorProfile(user_id=assessor.id, video_link="https://visio.example.fr/thompson"),
    ])
    tomorrow = clock.today_paris() + dt.timedelta(days=1)
    oral_start = dt.datetime.combine(tomorrow, dt.time(10), tzinfo=clock.PARIS).astimezone(dt.UTC)
    db.session.add(OralSlot(assessor_id=assessor.id, language="en", starts_at=oral_start,
                            ends_at=oral_start + dt.timedelta(minutes=30)))
    db.session.commit()

    # --- the partner creates today's session and enrols the candidate ---------------------
    browser_login(page, admin)
    page.goto("/sessions/new")
    page.fill("#name", "Anglais B1 — décembre")
    page.select_option("#language", "en")
    page.fill("#written_date", clock.today_paris().isoformat())
    page.get_by_role("button", name="Créer la session").click()
    expect(page.get_by_role("heading", name="Anglais B1 — décembre")).to_be_visible()
    page.fill("#last_name", "Lefèvre")
    page.fill("#first_name", "Élodie")
    page.fill("#email", "elodie.lefevre@example.fr")
    page.fill("#birth_date", "1992-06-14")
    page.check("input[name=target_level][value=B1]")
    page.select_option("#funding", "cpf")
    page.fill("#training_hours", "24")
    page.fill("#cpf_file_number", "123456789")
    page.get_by_role("button", name="Inscrire le candidat").click()
    expect(page.locator("#enrolment .alert-success")).to_contain_text("Élodie LEFÈVRE est inscrit(e)")
    assert_accessible(page, "session with its candidate")
    _logout(page)

    # --- the candidate activates the account from the enrolment email --------------------
    mail = db.session.scalars(db.select(OutboxMessage).where(
        OutboxMessage.to_email == "elodie.lefevre@example.fr")).one()
    link = re.search(r"(http://\S+/welcome/\S+)", mail.body_text).group(1)
    assert link.startswith(live_server)  # BASE_URL is where the portal answers
    page.goto(link)
    page.get_by_label("Nouveau mot de passe").fill("Un-mot-de-passe-2026")
    page.get_by_label("Confirmez le mot de passe").fill("Un-mot-de-passe-2026")
    page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    page.wait_for_url("**/candidat/")
    assert_accessible(page, "candidate home")

    page.get_by_role("link", name="Compléter le formulaire").click()
    page.get_by_label("Nom de naissance", exact=True).fill("Lefèvre")
    page.get_by_label("Prénom(s)").fill("Élodie")
    page.get_by_label("Sexe").select_option("F")
    page.get_by_label("Date de naissance").fill("1992-06-14")
    page.get_by_label("Commune de naissance").fill("Lyon")
    page.get_by_label("Département de naissance").fill("69")
    page.get_by_label("Adresse postale").fill("3 rue Neuve")
    page.get_by_label("Code postal").fill("69001")
    page.get_by_label("Ville", exact=True).fill("Lyon")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/candidat/")

    page.get_by_role("link", name=re.compile("Vérifier mon matériel")).click()
    page.get_by_role("button", name="Activer la webcam").click()
    page.get_by_role("button", name="Prendre la photo du visage").click()
    page.locator('[data-photo-state="face"][data-saved="1"]').wait_for()
    page.get_by_role("button", name="Photographier ma pièce d'identité").click()
    page.locator('[data-photo-state="id_document"][data-saved="1"]').wait_for()

    # --- the written test, 50 items answered through their widgets -------------------------
    page.goto("/candidat/")
    page.get_by_role("link", name=re.compile("Commencer mon test écrit")).click()
    page.get_by_role("button", name="Commencer le test écrit").click()
    page.locator("[data-test-zone][data-js-ready]").wait_for()
    assert_accessible(page, "written test item")
    attempt_id = int(re.search(r"/tentative/(\d+)", page.url).group(1))
    while True:
        _fresh()
        if db.session.get(WrittenAttempt, attempt_id).status == "finished":
            break
        response = _current(attempt_id)
        _fill(page, response)
        page.locator("[data-submit]").click()
        _wait_next(page, response.sequence)
    page.wait_for_url(lambda url: not re.search(r"/tentative/\d+$", url))

    # --- the candidate books tomorrow's oral ---------------------------------------------
    page.goto("/candidat/")
    page.get_by_role("link", name=re.compile("Réserver mon entretien oral")).click()
    week = oral_start.astimezone(clock.PARIS).date()
    page.goto(f"/oral/reservation?semaine={week - dt.timedelta(days=week.weekday())}")
    assert_accessible(page, "booking calendar")
    page.get_by_role("link", name=re.compile("10:00 – 10:30")).click()
    page.get_by_role("button", name="Réserver").click()
    page.get_by_role("heading", name="Rendez-vous pris avec un évaluateur").wait_for()
    _logout(page)

    # --- the referent moves the demo clock to the oral's start ------------------------------
    browser_login(page, referent)
    page.get_by_role("link", name="avancer l'horloge de démonstration").click()
    assert_accessible(page, "demo clock")
    page.get_by_role("button", name=re.compile("Aller au début — Élodie LEFÈVRE")).click()
    expect(page.locator(".demo-clock-banner")).to_contain_text("à 10:00")
    _logout(page)

    # --- the assessor scores the oral ---------------------------------------------------------
    browser_login(page, assessor)
    page.goto(f"/evaluateur/oraux?jour={tomorrow.isoformat()}")
    page.get_by_role("link", name=re.compile("Ouvrir la grille")).click()
    page.get_by_label("Oui").check()
    page.get_by_label("Présent", exact=True).check()
    page.get_by_role("button", name="Enregistrer la présence").click()
    page.get_by_role("heading", name="2. Grille d'évaluation").wait_for()
    for criterion, level in {"range": "B1+", "accuracy": "B1", "fluency": "B1+",
                             "pronunciation": "B2-", "interaction": "B1+"}.items():
        page.locator(f"#crit-{criterion}").select_option(level)
    page.locator("#report").fill(REPORT)
    page.locator("#autosave-status").get_by_text(re.compile(r"Enregistré à \d\d:\d\d")).wait_for()
    page.get_by_role("button", name="Valider la grille").click()
    page.get_by_text(re.compile("Grille validée le")).wait_for()
    assert_accessible(page, "validated grid")
    _logout(page)

    # --- the referent runs the jury and signs the PV ----------------------------------------
    browser_login(page, referent)
    page.get_by_role("link", name="Jury").first.click()
    page.get_by_role("link", name="Élodie LEFÈVRE").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("attestation et Certificat CLOE").is_visible()
    for legend in ("Contrôle d'identité", "Conformité de l'écrit surveillé",
                   "Conformité de l'oral"):
        page.get_by_role("group", name=legend).get_by_label("✓ Conforme").check()
    page.get_by_label("Valider le résultat").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.get_by_text("Décision enregistrée").wait_for()
    page.get_by_label("Confirmation").fill("JE CERTIFIE")
    page.get_by_role("button", name="Signer et publier les résultats").click()
    page.get_by_text(re.compile("Procès-verbal n° \\d+ signé")).wait_for()
    _logout(page)

    # --- the candidate downloads the certificate; its verification address confirms it ------
    page.get_by_label("Adresse e-mail").fill("elodie.lefevre@example.fr")
    page.get_by_label("Mot de passe").fill("Un-mot-de-passe-2026")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/candidat/")
    page.get_by_role("link", name=re.compile("Mes résultats")).first.click()
    assert_accessible(page, "results")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Certificat CLOE")).first.click()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(info.value.path().read_bytes())).pages)
    # Every item answered right (Écrit C2); oral criteria around B1+/B2- with listening C2.
    assert "Élodie LEFÈVRE" in text and "Global B2 · Écrit C2 · Oral B2" in text
    verify_url = re.search(r"(http://\S+/verify/[\w-]+)", text).group(1)
    assert verify_url.startswith(live_server)
    page.goto(verify_url)
    expect(page.get_by_text("Certificat authentique")).to_be_visible()
    assert_accessible(page, "verification")

    assert failures == []
    assert page.console_errors == []  # type: ignore[attr-defined]
