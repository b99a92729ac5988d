"""Partner dashboard: pipeline, filters (htmx and plain), alerts, candidate file, exports, isolation."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from cloe_portal.extensions import db
from cloe_portal.sessions.models import AccommodationRequest
from tests.sessions.conftest import bulk_candidates

HX = {"HX-Request": "true"}


@pytest.fixture
def world(make_user, make_session, make_registration, frozen_clock):
    frozen_clock(datetime(2026, 3, 20, 9, tzinfo=UTC))
    admin = make_user("partner")
    org = admin.organisation
    en = make_session(org, "en", date(2026, 2, 20), name="Anglais février")   # closes 21/03
    de = make_session(org, "de", date(2026, 3, 18), name="Allemand mars")
    old = make_session(org, "es", date(2026, 1, 5), name="Espagnol janvier")
    regs = {
        "closing": make_registration(en, first_name="Chloé", last_name="Urgent", cpf_file_number="9001"),
        "no_oral": make_registration(de, first_name="Noé", last_name="Sansoral", status="written_done",
                                     written_done_at=datetime(2026, 3, 18, 10, tzinfo=UTC)),
        "missed": make_registration(old, first_name="Mia", last_name="Manque", status="oral_booked"),
        "calm": make_registration(de, first_name="Zen", last_name="Tranquille"),
    }
    return admin, {"en": en, "de": de, "old": old}, regs


def test_pipeline_counts_and_filters_work_with_and_without_htmx(client, login, world):
    admin, sessions, _ = world
    login(admin)
    page = client.get("/suivi/").get_data(as_text=True)
    assert 'data-status="enrolled">2<' in page and 'data-status="written_done">1<' in page
    assert 'data-status="oral_booked">1<' in page
    by_language = client.get("/suivi/?language=de", headers=HX)
    html = by_language.get_data(as_text=True)
    assert "<html" not in html, html[html.find("<html") - 200:][:400]
    assert "SANSORAL" in html and "TRANQUILLE" in html and "URGENT" not in html
    assert "HX-Request" in by_language.headers.get("Vary", "")
    plain = client.get("/suivi/?status=written_done").get_data(as_text=True)
    table = plain.split('<table class="table">')[1]
    assert "<html" in plain and "SANSORAL" in table and "TRANQUILLE" not in table
    assert "MANQUE" in client.get(f"/suivi/?session={sessions['old'].id}").get_data(as_text=True)
    month = client.get("/suivi/?month=2026-02", headers=HX).get_data(as_text=True)
    assert "URGENT" in month and "SANSORAL" not in month
    by_cpf = client.get("/suivi/?q=9001", headers=HX).get_data(as_text=True)
    assert "URGENT" in by_cpf and "TRANQUILLE" not in by_cpf
    by_name = client.get("/suivi/?q=noé sans", headers=HX).get_data(as_text=True)
    assert "SANSORAL" in by_name and "URGENT" not in by_name


def test_alerts_list_what_needs_action(client, login, world):
    admin, _, regs = world
    login(admin)
    page = client.get("/suivi/").get_data(as_text=True)
    alerts = page.split('id="alerts-title"')[1].split('id="list-title"')[0]
    closing = alerts.split("Accès au test écrit bientôt fermé")[1].split("</div>")[0]
    assert "Chloé URGENT" in closing and "Anglais février : 2 jours restants" in closing and "Tranquille" not in closing
    assert "Noé SANSORAL" in alerts.split("oral non réservé")[1].split("</div>")[0]
    assert "Mia MANQUE" in alerts.split("Oral manqué")[1].split("</div>")[0]


def test_candidate_page_shows_history_accommodations_and_days_left(client, login, world, make_session,
                                                                   make_registration):
    admin, sessions, regs = world
    reg = regs["closing"]
    db.session.add(AccommodationRequest(registration_id=reg.id, kind="extra_time", status="approved",
                                        decided_at=datetime(2026, 3, 1, tzinfo=UTC), comment="Justificatif reçu"))
    retake = make_session(admin.organisation, "en", date(2026, 4, 15), name="Anglais avril")
    make_registration(retake, candidate=reg.candidate)
    login(admin)
    page = client.get(f"/suivi/candidats/{reg.candidate_id}").get_data(as_text=True)
    assert "Inscriptions (2)" in page and "Anglais avril" in page and "Anglais février" in page
    assert "Temps majoré d&#39;un tiers" in page or "Temps majoré d'un tiers" in page
    assert "accordé" in page and "Justificatif reçu" in page
    assert "2 jours restants" in page and "21/03/2026" in page
    assert "orals/" not in page  # no booking link until the orals feature exists


def test_other_partners_candidates_are_404_and_absent_from_lists_and_exports(client, app, login, world,
                                                                              make_org, make_user,
                                                                              make_session, make_registration):
    admin, _, regs = world
    stranger_session = make_session(make_org("partner"), name="Ailleurs")
    stranger = make_registration(stranger_session, first_name="Secret", last_name="Ailleurs")
    # a candidate shared by two partners: each sees only its own registrations
    make_registration(stranger_session, candidate=regs["calm"].candidate)
    login(admin)
    assert client.get(f"/suivi/candidats/{stranger.candidate_id}").status_code == 404
    shared = client.get(f"/suivi/candidats/{regs['calm'].candidate_id}").get_data(as_text=True)
    assert "Ailleurs" not in shared and "Inscriptions (1)" in shared
    assert "AILLEURS" not in client.get("/suivi/?q=Ailleurs").get_data(as_text=True).split("<table")[1]
    assert "Ailleurs" not in client.get("/suivi/export.csv").get_data(as_text=True)
    assert client.get(f"/suivi/?partner={stranger_session.partner_id}").status_code == 200  # ignored for partners
    assert "AILLEURS" not in client.get(f"/suivi/?partner={stranger_session.partner_id}").get_data(as_text=True).split("<table")[1]


def test_exports_list_candidates_with_status(client, login, world):
    admin, _, _ = world
    login(admin)
    csv_response = client.get("/suivi/export.csv?status=written_done")
    text = csv_response.get_data(as_text=True)
    assert csv_response.mimetype == "text/csv" and text.startswith("\ufeffOrganisme;Session")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "SANSORAL;Noé" in lines[1] and "Écrit terminé" in lines[1]
    assert "Niveau global;Certificat" in lines[0]
    xlsx = client.get("/suivi/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Organisme" and len(rows) == 5
    assert {r[5] for r in rows[1:]} == {"URGENT", "SANSORAL", "MANQUE", "TRANQUILLE"}


def test_referent_sees_followed_partners_and_coordinator_all(app, make_org, make_user, login,
                                                             make_session, make_registration):
    cel = make_org("cel")
    mine = make_registration(make_session(make_org("partner", referent_centre=cel)), last_name="Suivi")
    other = make_registration(make_session(make_org("partner")), last_name="Etranger")
    referent = app.test_client()
    login(make_user("referent", org=cel), test_client=referent)
    listing = referent.get("/suivi/").get_data(as_text=True)
    assert "SUIVI" in listing and "ETRANGER" not in listing
    assert referent.get(f"/suivi/candidats/{mine.candidate_id}").status_code == 200
    assert referent.get(f"/suivi/candidats/{other.candidate_id}").status_code == 404
    assert referent.get(f"/suivi/?partner={other.partner_id}").status_code == 404
    coordinator = app.test_client()
    login(make_user("coordinator", org=cel), test_client=coordinator)
    assert "ETRANGER" in coordinator.get("/suivi/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/suivi/", "/suivi/?status=enrolled&q=Num", "/sessions/", "/edof/"])
def test_dashboard_queries_do_not_grow_with_candidates(client, login, make_user, make_session,
                                                       count_queries, frozen_clock, path):
    frozen_clock(datetime(2026, 3, 20, 9, tzinfo=UTC))
    admin = make_user("partner")
    session = make_session(admin.organisation, "en", date(2026, 2, 20))
    other = make_session(admin.organisation, "de", date(2026, 1, 2))
    login(admin)
    bulk_candidates(session, 5, prefix="a")
    bulk_candidates(other, 5, status="oral_booked", prefix="b")
    client.get(path)
    db.session.expire_all()
    with count_queries() as small:
        assert client.get(path).status_code == 200
    bulk_candidates(session, 500, prefix="c")
    bulk_candidates(other, 490, status="oral_booked", prefix="d")
    db.session.expire_all()
    with count_queries() as large:
        html = client.get(path).get_data(as_text=True)
    assert large() == small(), (small(), large())
    if path == "/suivi/":
        assert 'data-status="enrolled">505<' in html


def test_dashboard_is_the_partner_home(client, login, make_user):
    response = login(make_user("partner"))
    assert client.get("/").headers["Location"].endswith("/suivi/")
    assert response.status_code == 303


def test_window_left_is_zero_after_closing(client, login, world, frozen_clock):
    admin, _, regs = world
    frozen_clock.advance(timedelta(days=5))
    login(admin)
    page = client.get(f"/suivi/candidats/{regs['closing'].candidate_id}").get_data(as_text=True)
    assert '<span class="overdue">fermé</span>' in page


def test_dashboard_shows_changes_at_once(client, login, world, make_registration, make_session):
    """The dashboard reuses built statements, never their results: every change shows at once."""
    admin, sessions, regs = world
    login(admin)
    for path in ("/suivi/", "/suivi/?status=enrolled", "/suivi/?q=Nouvelle"):
        client.get(path)
    make_registration(sessions["de"], first_name="Nina", last_name="Nouvelle", cpf_file_number="7007")
    regs["no_oral"].status = "oral_booked"
    make_session(admin.organisation, "it", date(2026, 3, 19), name="Italien tout neuf")
    db.session.commit()
    page = client.get("/suivi/").get_data(as_text=True)
    assert "NOUVELLE" in page and 'data-status="enrolled">3<' in page and "Italien tout neuf" in page
    assert "SANSORAL" not in page.split('id="list-title"')[0]  # no longer in the no-oral alert
    assert "NOUVELLE" in client.get("/suivi/?status=enrolled", headers=HX).get_data(as_text=True)
    assert "NOUVELLE" in client.get("/suivi/?q=Nouvelle", headers=HX).get_data(as_text=True)
