"""Assessor accreditation: training, at most two attempts per training, two-year validity, renewal."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from cloe_portal.assessors import services
from cloe_portal.assessors.models import Accreditation, AssessorProfile, is_accredited
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)


@pytest.fixture
def setup(make_org, make_user):
    cel = make_org("cel", name="CEL Lyon")
    referent = make_user("referent", org=cel)
    assessor = make_user("assessor", org=cel)
    return referent, assessor


def _cycle(assessor, language="en") -> Accreditation:
    acc = Accreditation(assessor_id=assessor.id, language=language, status="in_training")
    db.session.add(acc)
    db.session.flush()
    return acc


def test_valid_until_is_the_day_before_the_second_anniversary():
    assert services.valid_until_for(date(2026, 1, 10)) == date(2028, 1, 9)
    assert services.valid_until_for(date(2028, 2, 29)) == date(2030, 2, 28)


def test_accredited_on_day_730_and_no_longer_on_day_731(setup, frozen_clock):
    referent, assessor = setup
    validated = date(2026, 1, 10)  # no 29 February in the two years that follow
    frozen_clock(_noon(validated))
    acc = _cycle(assessor)
    services.record_training(referent, acc, date(2026, 1, 5), "remote")
    services.record_attempt(referent, acc, validated, passed=True)
    db.session.commit()
    assert acc.valid_until == date(2028, 1, 9)

    frozen_clock(_noon(validated + timedelta(days=729)))  # day 730, the validation day being day 1
    assert is_accredited(assessor.id, "en")
    assert assessor.id not in services.expired_assessor_ids()
    assert services.language_statuses(assessor.id)[0].state == "expiring"

    frozen_clock.advance(timedelta(days=1))  # day 731: the second anniversary
    assert not is_accredited(assessor.id, "en")
    assert assessor.id in services.expired_assessor_ids()
    assert services.language_statuses(assessor.id)[0].state == "expired"


def test_over_a_29_february_the_two_years_hold_731_days(setup, frozen_clock):
    referent, assessor = setup
    validated = date(2027, 3, 1)
    frozen_clock(_noon(validated))
    acc = _cycle(assessor, "de")
    services.record_training(referent, acc, validated, "in_person")
    services.record_attempt(referent, acc, validated, passed=True)
    frozen_clock(_noon(validated + timedelta(days=730)))  # 28 February 2029: day 731, still valid
    assert is_accredited(assessor.id, "de")
    frozen_clock.advance(timedelta(days=1))
    assert not is_accredited(assessor.id, "de")


def test_a_second_failure_requires_the_training_again(setup, frozen_clock):
    referent, assessor = setup
    frozen_clock(_noon(date(2026, 3, 20)))
    acc = _cycle(assessor)
    with pytest.raises(services.AccreditationError, match="formation suivie"):
        services.record_attempt(referent, acc, date(2026, 3, 1), passed=True)
    services.record_training(referent, acc, date(2026, 3, 1), "in_person")
    services.record_attempt(referent, acc, date(2026, 3, 5), passed=False)
    services.record_attempt(referent, acc, date(2026, 3, 10), passed=False)
    with pytest.raises(services.AccreditationError, match="refaire la formation"):
        services.record_attempt(referent, acc, date(2026, 3, 12), passed=True)
    assert not is_accredited(assessor.id, "en")
    with pytest.raises(services.AccreditationError, match="postérieure"):
        services.record_training(referent, acc, date(2026, 3, 9), "remote")
    services.record_training(referent, acc, date(2026, 3, 15), "remote")
    services.record_attempt(referent, acc, date(2026, 3, 18), passed=True)
    assert is_accredited(assessor.id, "en")
    assert acc.valid_until == date(2028, 3, 17)
    actions = list(db.session.scalars(db.select(AuditEntry.action).where(
        AuditEntry.object_type == "user_account", AuditEntry.object_id == assessor.id)))
    assert actions.count("assessor.validation_failed") == 2
    assert actions.count("assessor.training") == 2 and "assessor.validation_passed" in actions


def test_the_form_refuses_a_third_attempt_before_a_new_training(app, setup, login, frozen_clock):
    referent, assessor = setup
    frozen_clock(_noon(date(2026, 3, 20)))
    acc = _cycle(assessor)
    services.record_training(referent, acc, date(2026, 3, 1), "in_person")
    services.record_attempt(referent, acc, date(2026, 3, 5), passed=False)
    services.record_attempt(referent, acc, date(2026, 3, 10), passed=False)
    db.session.commit()
    c = app.test_client()
    login(referent, test_client=c)
    html = c.get(f"/evaluateurs/{assessor.id}").get_data(as_text=True)
    assert "refaire la formation" in html
    assert f'action="/evaluateurs/habilitations/{acc.id}/validation"' not in html
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    response = c.post(f"/evaluateurs/habilitations/{acc.id}/validation", data={
        "csrf_token": token, f"a{acc.id}-attempted_on": "2026-03-12", f"a{acc.id}-result": "passed"})
    assert response.status_code == 422
    assert "refaire la formation" in response.get_data(as_text=True)
    assert not is_accredited(assessor.id, "en")


def test_renewal_is_a_new_cycle_by_the_same_procedure(setup, frozen_clock):
    referent, assessor = setup
    frozen_clock(_noon(date(2026, 1, 10)))
    first = _cycle(assessor)
    services.record_training(referent, first, date(2026, 1, 5), "remote")
    services.record_attempt(referent, first, date(2026, 1, 10), passed=True)
    frozen_clock(_noon(date(2027, 12, 1)))
    renewal = services.start_renewal(referent, assessor, "en")
    assert renewal.id != first.id and renewal.status == "in_training"
    with pytest.raises(services.AccreditationError, match="déjà ouvert"):
        services.start_renewal(referent, assessor, "en")
    services.record_training(referent, renewal, date(2027, 11, 28), "remote")
    services.record_attempt(referent, renewal, date(2027, 12, 1), passed=True)
    assert renewal.valid_until == date(2029, 11, 30)
    frozen_clock(_noon(date(2028, 6, 1)))  # the first cycle has lapsed, the renewal holds
    assert is_accredited(assessor.id, "en")
    assert assessor.id not in services.expired_assessor_ids()


def test_only_the_accredited_language_counts(setup, frozen_clock):
    referent, assessor = setup
    frozen_clock(_noon(date(2026, 5, 4)))
    acc = _cycle(assessor, "es")
    _cycle(assessor, "it")
    services.record_training(referent, acc, date(2026, 5, 1), "remote")
    services.record_attempt(referent, acc, date(2026, 5, 4), passed=True)
    assert is_accredited(assessor.id, "es") and not is_accredited(assessor.id, "it")


def test_referent_creates_an_assessor_with_welcome_email_and_https_video_link(app, setup, login):
    referent, _ = setup
    c = app.test_client()
    login(referent, test_client=c)
    html = c.get("/evaluateurs/nouveau").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    data = {"csrf_token": token, "first_name": "Ana", "last_name": "Ruiz", "email": "ana.ruiz@cel.fr",
            "languages": ["es", "fr"], "video_link": "http://visio.example.fr/ana"}
    response = c.post("/evaluateurs/nouveau", data=data)
    assert response.status_code == 422
    assert "https://" in response.get_data(as_text=True)
    assert 'value="ana.ruiz@cel.fr"' in response.get_data(as_text=True)
    response = c.post("/evaluateurs/nouveau", data={**data, "video_link": "https://visio.example.fr/ana"})
    assert response.status_code == 303
    from cloe_portal.accounts.models import User

    ana = db.session.scalars(db.select(User).where(User.email == "ana.ruiz@cel.fr")).one()
    assert ana.role == "assessor" and ana.organisation_id == referent.organisation_id
    assert db.session.scalars(db.select(AssessorProfile).where(AssessorProfile.user_id == ana.id)).one().video_link == "https://visio.example.fr/ana"
    assert sorted(c.language for c in services.cycles(ana.id)) == ["es", "fr"]
    assert not is_accredited(ana.id, "es")  # training and validation still to come
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.to_email == ana.email)).one()
    assert mail.kind == "welcome"


def test_referent_of_another_centre_cannot_manage_the_assessor(app, setup, login, make_user, make_org):
    _, assessor = setup
    other = make_user("referent", org=make_org("cel", name="CEL Brest"))
    c = app.test_client()
    login(other, test_client=c)
    assert c.get(f"/evaluateurs/{assessor.id}").status_code == 404
    assert assessor.full_name not in c.get("/evaluateurs/").get_data(as_text=True)


def test_referent_list_shows_expiring_within_60_days_and_expired(app, setup, login, make_user, frozen_clock):
    referent, soon = setup
    gone = make_user("assessor", org=referent.organisation, first_name="Gaston", last_name="Parti")
    fine = make_user("assessor", org=referent.organisation, first_name="Fanny", last_name="Stable")
    today = date(2026, 11, 26)
    frozen_clock(_noon(today))
    for assessor, validated in ((soon, today - timedelta(days=700)), (gone, today - timedelta(days=800)),
                                (fine, today - timedelta(days=100))):
        acc = Accreditation(assessor_id=assessor.id, language="en", status="accredited",
                            training_date=validated, validated_on=validated,
                            valid_until=services.valid_until_for(validated))
        db.session.add(acc)
    db.session.commit()
    expiring, expired = services.expiry_watch(today, referent.organisation_id)
    assert [a.id for a, _ in expiring] == [soon.id]
    assert [a.id for a, _ in expired] == [gone.id]
    c = app.test_client()
    login(referent, test_client=c)
    html = c.get("/evaluateurs/").get_data(as_text=True)
    section = html.split("Expirent dans les 60 jours")[1].split("Tous les évaluateurs")[0]
    assert soon.full_name in section and gone.full_name in section and fine.full_name not in section
    home = c.get("/reseau/accueil").get_data(as_text=True)
    assert gone.full_name in home and soon.full_name in home


def test_an_expired_assessor_sees_why_on_its_page(app, setup, login, frozen_clock):
    _, assessor = setup
    today = date(2026, 11, 26)
    frozen_clock(_noon(today))
    validated = today - timedelta(days=731)
    db.session.add(Accreditation(assessor_id=assessor.id, language="en", status="accredited",
                                 validated_on=validated, valid_until=services.valid_until_for(validated)))
    db.session.commit()
    c = app.test_client()
    login(assessor, test_client=c)
    html = c.get("/evaluateurs/mon-habilitation").get_data(as_text=True)
    assert "Habilitation expirée" in html and "Anglais" in html
    assert "ne pouvez plus publier de disponibilités" in html


def test_standing_lines_follow_the_interface_language(app, setup, login, make_user, frozen_clock):
    referent, soon = setup
    gone = make_user("assessor", org=referent.organisation, first_name="Gaston", last_name="Parti")
    today = date(2026, 11, 26)
    frozen_clock(_noon(today))
    rows = {}
    for assessor, validated in ((soon, today - timedelta(days=700)), (gone, today - timedelta(days=800))):
        rows[assessor.id] = Accreditation(
            assessor_id=assessor.id, language="en", status="accredited", training_date=validated,
            validated_on=validated, valid_until=services.valid_until_for(validated))
        db.session.add(rows[assessor.id])
    db.session.commit()
    until = f"{rows[soon.id].valid_until:%d/%m/%Y}"
    expired_on = f"{rows[gone.id].valid_until + timedelta(days=1):%d/%m/%Y}"
    c = app.test_client()
    login(referent, test_client=c)
    french = c.get("/evaluateurs/").get_data(as_text=True)
    assert f"Habilité jusqu'au {until} — renouvellement à prévoir" in french.replace("&#39;", "'")
    assert f"Anglais : expirée le {expired_on}" in french
    assert f"Habilitation expirée le {expired_on}" in french

    token = re.search(r'name="csrf-token" content="([^"]+)"', french).group(1)
    assert c.post("/lang/en", data={"csrf_token": token, "next": "/"}).status_code == 303
    english = c.get("/evaluateurs/").get_data(as_text=True)
    assert f"Accredited until {until} — renewal due" in english
    assert f"English: expired on {expired_on}" in english
    assert f"Accreditation expired on {expired_on}" in english
    assert "Habilit" not in english and "expirée" not in english
