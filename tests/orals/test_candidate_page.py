"""The candidate's (and the partner's) oral page tells the truth at every status: booked,
locked, absent, done, results published — and the change/cancel actions exist only where
they are allowed, on the page and on the server."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from cloe_portal.extensions import db
from cloe_portal.jury import services as jury
from cloe_portal.orals import services
from cloe_portal.orals.models import OralBooking
from cloe_portal.rules.cefr import ORAL_CRITERIA, SECTION_ORDER
from cloe_portal.written.models import WrittenAttempt

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
FIRST = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # Tuesday 10 March, 10:00 Paris
SECOND = dt.datetime(2026, 3, 17, 9, 0, tzinfo=UTC)  # Tuesday 17 March, 10:00 Paris
REPORT = ("Le candidat se présente avec aisance et développe ses réponses. Vocabulaire "
          "professionnel adapté, quelques erreurs de temps sans gêne pour la compréhension. "
          "Bonne interaction pendant la mise en situation ; la discussion reste un peu "
          "descriptive. Prononciation claire, intonation naturelle.")
CHANGE_ACTIONS = ("Modifier le RDV", "Annuler le rendez-vous", "Je ne pourrai pas venir")
CALENDAR = "Calendrier — du"
WRITTEN_FIRST = "après le test écrit"


@pytest.fixture
def world(app, frozen_clock, make_assessor, make_registration, make_slot, make_user, make_org):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(NOW)
    cel = make_org("cel")
    partner = make_org("partner", referent_centre=cel)
    assessor = make_assessor(("en",))
    registration = make_registration("en", partner=partner)
    db.session.add(WrittenAttempt(
        candidate_id=registration.candidate_id, registration_id=registration.id,
        mode="certification", language="en", target_level="B1", seed=1, pool_snapshot={},
        status="finished", section_scores={s: 50 for s in SECTION_ORDER},
        started_at=dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
        finished_at=dt.datetime(2026, 3, 2, 10, tzinfo=UTC)))
    first, second = make_slot(assessor, FIRST), make_slot(assessor, SECOND)
    referent = make_user("referent", org=cel)
    db.session.commit()
    return assessor, registration, first, second, referent


def _page(client, url: str = "/oral/reservation") -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def _main(page: str) -> str:
    """The page's content, without the navigation (whose labels may repeat words)."""
    return page[page.index("<main"):page.index("</main>")]


def _assert_no_change(client, registration, *pages: str) -> None:
    for page in pages:
        main = _main(page)
        for action in CHANGE_ACTIONS:
            assert action not in main, action
        assert CALENDAR not in main and WRITTEN_FIRST not in main
    cancel_url = f"/oral/reservation/{registration.id}/annuler"
    status = registration.status
    response = client.get(cancel_url)
    assert response.status_code == 303  # no cancellation page to fill in
    assert client.post(cancel_url, data={"late": "1"}).status_code == 303
    db.session.expire_all()
    assert registration.status == status
    assert db.session.scalar(db.select(db.func.count(OralBooking.id)).where(
        OralBooking.status.in_(("cancelled", "late_cancelled")))) == 0


def test_candidate_oral_page_walks_through_every_status(world, client, login, frozen_clock):
    assessor, registration, first, second, referent = world
    inscription = f"/oral/reservation?inscription={registration.id}"
    login(registration.candidate)
    assert "Réserver mon entretien oral" in _main(_page(client, "/candidat/"))
    assert client.post(f"/oral/reservation/{registration.id}/creneau/{first.id}").status_code == 303

    # Booked, more than 24 h away: change and cancel are offered.
    main = _main(_page(client))
    assert "Rendez-vous pris avec un évaluateur" in main
    assert "Mardi 10 mars 2026, de 10:00 à 10:30" in main
    assert "Modifier le RDV" in main and "Annuler le rendez-vous" in main
    assert CALENDAR in _main(_page(client, f"{inscription}&modifier=1"))
    home = _main(_page(client, "/candidat/"))
    assert "Mon rendez-vous oral : mardi 10 mars 2026 à 10:00" in home
    assert "Réserver mon entretien oral" not in home

    # Locked, less than 24 h away: no change; why, and what to do.
    frozen_clock(FIRST - dt.timedelta(hours=23))
    main = _main(_page(client))
    assert "Rendez-vous verrouillé" in main and "moins de 24 heures" in main
    assert "organisme de formation" in main and "force majeure" in main
    assert "Modifier le RDV" not in main and "Annuler le rendez-vous" not in main
    assert "Je ne pourrai pas venir" in main  # the late cancellation, explained on its page
    assert CALENDAR not in _main(_page(client, f"{inscription}&modifier=1"))

    # Absent: the oral is closed as not taken; say so and who to contact.
    frozen_clock(FIRST + dt.timedelta(minutes=15))
    services.record_attendance(assessor, services.active_booking(registration), None, "absent")
    db.session.commit()
    page = _page(client)
    main = _main(page)
    assert "absent(e)" in main and "n'a pas été passé" in main
    assert "Contactez votre organisme de formation" in main
    assert "Rendez-vous pris avec un évaluateur" not in main
    _assert_no_change(client, registration, page, _page(client, f"{inscription}&modifier=1"))

    # Force majeure granted by the referent: the calendar is back, a new slot is booked.
    services.grant_force_majeure(referent, registration, "Certificat médical")
    db.session.commit()
    main = _main(_page(client))
    assert CALENDAR in main and f"/creneau/{second.id}" in main
    assert client.post(f"/oral/reservation/{registration.id}/creneau/{second.id}").status_code == 303

    # The oral is under way, then its grid is validated: it took place, results follow.
    frozen_clock(SECOND + dt.timedelta(minutes=1))
    booking = services.active_booking(registration)
    services.record_attendance(assessor, booking, True, "present")
    db.session.commit()
    page = _page(client)
    assert "Votre entretien oral a lieu en ce moment" in _main(page)
    _assert_no_change(client, registration, page)
    frozen_clock(SECOND + dt.timedelta(minutes=40))
    services.save_grid(assessor, booking, {c: "B1" for c in ORAL_CRITERIA}, REPORT)
    services.validate_grid(assessor, booking)
    db.session.commit()
    page = _page(client)
    main = _main(page)
    assert "Votre entretien oral a eu lieu le mardi 17 mars 2026 à 10:00" in main
    assert "après la validation du jury" in main
    _assert_no_change(client, registration, page, _page(client, f"{inscription}&modifier=1"),
                      _page(client, f"{inscription}&semaine=2026-03-23"))
    home = _main(_page(client, "/candidat/"))
    assert "Mon entretien oral" in home and "Réserver mon entretien oral" not in home
    assert client.post(f"/oral/reservation/{registration.id}/creneau/{first.id}").status_code == 303
    assert services.active_booking(registration).slot_id == second.id

    # Results published by the jury: a link to them, never "take the written test first".
    jury.decide(referent, registration, identity_ok=True, written_ok=True, oral_ok=True,
                fraud=False, fraud_description=None, decision="validated", reason=None)
    jury.sign_pv(referent, registration.session, "Julien Moreau", "JE CERTIFIE")
    db.session.commit()
    assert registration.status == "results_issued"
    for page in (_page(client), _page(client, inscription)):
        main = _main(page)
        assert "Vos résultats sont disponibles" in main and 'href="/resultats"' in main
        assert "Entretien oral du mardi 17 mars 2026 à 10:00" in main
    _assert_no_change(client, registration, _page(client), _page(client, inscription))
    home = _main(_page(client, "/candidat/"))
    assert "Mes résultats" in home
    assert "Réserver mon entretien oral" not in home and "Mon entretien oral" not in home


def test_partner_booking_page_follows_the_same_states(world, client, login, frozen_clock,
                                                      make_user):
    assessor, registration, first, second, referent = world
    login(make_user("partner", org=registration.partner))
    url = f"/partenaire/oral/{registration.id}"
    assert client.post(f"{url}/creneau/{first.id}").status_code == 303
    main = _main(_page(client, url))
    assert "Modifier le RDV" in main and "Annuler le rendez-vous" in main
    frozen_clock(FIRST + dt.timedelta(minutes=12))
    services.record_attendance(assessor, services.active_booking(registration), True,
                               "late_refused")
    db.session.commit()
    main = _main(_page(client, url))
    assert "refusé(e) pour retard" in main and "Votre candidat" in main
    for action in CHANGE_ACTIONS:
        assert action not in main
    assert CALENDAR not in _main(_page(client, f"{url}?modifier=1"))
    assert client.get(f"{url}/annuler").status_code == 303
    assert client.post(f"{url}/annuler", data={"late": "1"}).status_code == 303
    assert client.post(f"{url}/creneau/{second.id}").status_code == 303
    db.session.expire_all()
    assert registration.status == "oral_done"
    assert services.active_booking(registration).slot_id == first.id
