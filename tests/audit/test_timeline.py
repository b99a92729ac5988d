"""A candidate's history: every event in order, one French sentence each, scoped by viewer."""

from __future__ import annotations

import datetime as dt

from cloe_portal.audit.services import record
from cloe_portal.audit.timeline import candidate_timeline, registration_timeline
from cloe_portal.extensions import db
from cloe_portal.sessions.models import Registration
from tests.audit.conftest import enrol, new_session

REFERENT_ACTIONS = [
    "registration.enrolled", "accommodation.approved", "written.window_extended",
    "candidate.identity_saved", "candidate.photo_saved", "candidate.photo_saved",
    "written.started", "written.signal", "written.incident_restart", "written.finished",
    "oral.book", "oral.book", "oral.attendance", "oral.assessment.validate", "jury.decision",
    "jury.pv.sign", "results.attestation.issue", "results.certificate.issue",
]


def _sentences(events) -> list[str]:
    return [e.sentence for e in events]


def test_referent_reads_every_event_in_order_as_french_sentences(app, journey):
    with app.test_request_context():
        events = registration_timeline(journey.registration, journey.referent)
        sentences = _sentences(events)
    assert [e.action for e in events] == REFERENT_ACTIONS
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert sentences[0] == (
        "Le 20/02/2026 à 10:00 — Candidat inscrit : session « Anglais mars 2026 », "
        "aménagements demandés : Temps majoré d'un tiers (test écrit), "
        "par Sophie BERNARD (Lingua Pro Formation).")
    assert sentences[2] == (
        "Le 22/02/2026 à 10:00 — Accès au test écrit prolongé : +5 jours, "
        "par Julien MOREAU (Référent CEL). Motif : Hospitalisation du candidat.")
    assert sentences[7] == ("Le 02/03/2026 à 09:12 — Signal de surveillance pendant le test "
                            "écrit : Onglet masqué, par Camille DURAND (Candidat).")
    # A status change is told with the event that caused it (Paris time: UTC+1 in March).
    assert sentences[9] == ("Le 02/03/2026 à 10:02 — Test écrit terminé, par Camille DURAND "
                            "(Candidat). Statut : Identité renseignée → Écrit terminé.")
    assert sentences[10] == (
        "Le 02/03/2026 à 12:02 — Oral réservé : oral du 04/03/2026 à 10:00 avec "
        "David THOMPSON, par Camille DURAND (Candidat). Statut : Écrit terminé → Oral réservé.")
    assert sentences[11].startswith(
        "Le 02/03/2026 à 13:02 — Oral réservé : oral déplacé au 05/03/2026 à 10:00 "
        "avec David THOMPSON, par Sophie BERNARD (Lingua Pro Formation).")
    assert "Décision du jury : Résultat validé, niveau global B1, certificat" in sentences[14]
    assert sentences[16].endswith(
        "Statut : Oral passé → Résultats publiés (PV n° 1 signé).")
    assert not any(e.action == "registration.status" for e in events)


def test_partner_reads_its_events_without_the_centres_internal_work(app, journey):
    with app.test_request_context():
        events = registration_timeline(journey.registration, journey.partner_admin)
        text = "\n".join(_sentences(events))
    # The identity form is the candidate's own: the partner reads the status change it made.
    expected = ["registration.status" if a == "candidate.identity_saved" else a
                for a in REFERENT_ACTIONS if a not in ("jury.decision", "written.signal")]
    assert [e.action for e in events] == expected
    # Decisions the partner is told about keep their reason; people outside it, their role.
    assert ("Accès au test écrit prolongé : +5 jours, par le centre référent. "
            "Motif : Hospitalisation du candidat.") in text
    assert "Oral réservé : oral du 04/03/2026 à 10:00, par le candidat." in text
    assert "Grille de l'oral validée, par l'évaluateur. Statut : Oral réservé" in text
    assert "oral déplacé au 05/03/2026 à 10:00, par Sophie BERNARD (Lingua Pro Formation)" in text
    assert ("Changement de statut de l'inscription, par le candidat. "
            "Statut : Inscrit → Identité renseignée.") in text
    for internal in ("MOREAU", "THOMPSON", "DURAND", "Onglet masqué", "niveau global", "Aisance"):
        assert internal not in text


def test_a_second_partner_sees_only_its_own_registration(app, journey, make_org, make_user,
                                                          frozen_clock):
    other = make_org("partner", name="Formalangues", referent_centre=journey.referent.organisation)
    other_admin = make_user("partner", org=other, first_name="Léa", last_name="Petit")
    frozen_clock(dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC))
    with app.test_request_context():
        second = enrol(other_admin, new_session(other.id, "Espagnol avril"),
                       journey.candidate.email, first="Camila", last="Durant")
        from cloe_portal.written import services as written

        frozen_clock(dt.datetime(2026, 4, 2, 8, tzinfo=dt.UTC))
        written.extend_window(second, journey.referent, 3, "Motif connu du second organisme")
        db.session.commit()
        assert second.candidate_id == journey.candidate.id
        both = list(db.session.scalars(db.select(Registration).where(
            Registration.candidate_id == journey.candidate.id).order_by(Registration.id)))
        mine = "\n".join(_sentences(candidate_timeline(other_admin, both)))
        theirs = "\n".join(_sentences(candidate_timeline(journey.partner_admin, both)))
        referent = candidate_timeline(journey.referent, both)
    assert mine.count("\n") == 1  # its enrolment and the extension of its window
    assert "Espagnol avril" in mine and "Motif connu du second organisme" in mine
    assert "Anglais mars 2026" not in mine and "Hospitalisation" not in mine
    assert "Espagnol avril" not in theirs and "Motif connu du second organisme" not in theirs
    # The referent reads both, and the candidate's own identity form (no registration).
    assert {e.registration_id for e in referent} == {journey.registration.id, second.id, None}


def test_nobody_outside_the_scope_gets_events(app, journey, make_org, make_user):
    elsewhere = make_org("cel", name="CEL Bretagne")
    stranger = make_user("referent", org=elsewhere)
    other_partner = make_user("partner", org=make_org("partner", referent_centre=elsewhere))
    candidate = journey.candidate
    with app.test_request_context():
        for viewer in (stranger, other_partner, candidate, journey.assessor):
            assert registration_timeline(journey.registration, viewer) == []


def test_an_action_missing_from_the_tables_still_reads_well(app, journey):
    reg = journey.registration
    with app.test_request_context():
        record(journey.referent, "appeal.opened", reg, reason="Contestation du score",
               details={"before": {"score": 40, "level": "B1"}, "after": {"score": 45, "level": "B1"}})
        record(journey.partner_admin, "registration.rejected", reg, reason="Abandon",
               details={"from": "oral_done", "to": "rejected"})
        # The session's entries are part of its registrations' history.
        record(journey.partner_admin, "session.updated", reg.session,
               details={"before": {"written_date": "2026-03-02", "kind": "group"},
                        "after": {"written_date": "2026-03-09", "kind": "group"}})
        db.session.commit()
        staff = _sentences(registration_timeline(reg, journey.referent))[-3:]
        partner = _sentences(registration_timeline(reg, journey.partner_admin))[-3:]
    assert staff[0].endswith("— Contestation : ouverture, par Julien MOREAU (Référent CEL). "
                             "Motif : Contestation du score. Modifié : score : 40 → 45.")
    # A partner sees a new action's label and who, not the centre's reason or details…
    assert partner[0].endswith("— Contestation : ouverture, par le centre référent.")
    # …but always its own words.
    assert partner[1].endswith("— Inscription : rejet, par Sophie BERNARD (Lingua Pro "
                               "Formation). Motif : Abandon. Avant → après : oral_done → rejected.")
    assert partner[2].endswith("— Session : modification, par Sophie BERNARD (Lingua Pro "
                               "Formation). Modifié : Date du test écrit : 02/03/2026 → 09/03/2026.")
    assert staff[2] == partner[2]


def test_an_enrolment_the_log_does_not_hold_is_dated_by_the_registration(app, make_ready, world,
                                                                         frozen_clock):
    frozen_clock(dt.datetime(2026, 2, 1, 9, tzinfo=dt.UTC))
    reg = make_ready()  # rows made directly, as a bulk loader does
    with app.test_request_context():
        events = registration_timeline(reg, world.referent)
    assert events[0].action == "registration.enrolled"
    assert events[0].at == reg.created_at
    assert events[0].body == f"Candidat inscrit : session « {reg.session.name} »."


def test_every_action_the_history_treats_apart_has_a_label():
    """A typo in the timeline's tables would silently show or hide the wrong events."""
    from cloe_portal.audit.labels import ACTION_LABELS
    from cloe_portal.audit.timeline import DESCRIBERS, PARTNER_HIDDEN, PARTNER_REASONS, STATUS_HOSTS

    for table in (DESCRIBERS, PARTNER_HIDDEN, PARTNER_REASONS, STATUS_HOSTS):
        assert set(table) <= set(ACTION_LABELS)
