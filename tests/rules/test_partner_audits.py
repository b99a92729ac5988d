"""Follow-up audit rules: the period, the due window and what each outcome needs."""

from __future__ import annotations

from datetime import date

from cloe_portal.rules.partner_audits import (
    anniversary,
    due_state,
    next_audit_date,
    outcome_problems,
)

TODAY = date(2027, 3, 10)


def _problems(outcome, **kwargs):
    args = {"all_conforming": True, "audit_date": TODAY, "today": TODAY,
            "earliest": date(2025, 1, 1), "summary": None, "actions": None, "deadline": None}
    return outcome_problems(outcome, **{**args, **kwargs})


def test_the_next_audit_falls_on_the_anniversary_of_the_last_one():
    assert next_audit_date(date(2025, 6, 30), 2) == date(2027, 6, 30)
    assert next_audit_date(date(2025, 6, 30), 3) == date(2028, 6, 30)
    assert anniversary(date(2024, 2, 29), 2) == date(2026, 2, 28)  # never later than due
    assert anniversary(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_corrective_actions_bring_the_next_audit_to_their_deadline():
    assert next_audit_date(TODAY, 2, "actions_required", date(2027, 6, 1)) == date(2027, 6, 1)
    assert next_audit_date(TODAY, 2, "suspension_proposed") == date(2029, 3, 10)


def test_an_audit_is_due_sixty_days_ahead_and_overdue_once_passed():
    assert due_state(date(2027, 3, 9), TODAY) == "overdue"
    assert due_state(TODAY, TODAY) == "due"
    assert due_state(date(2027, 5, 9), TODAY) == "due"  # 60 days ahead
    assert due_state(date(2027, 5, 10), TODAY) is None


def test_compliant_needs_every_point_conforming_and_a_past_date():
    assert _problems("compliant") == {}
    assert "chaque point" in _problems("compliant", all_conforming=False)["outcome"]
    assert "futur" in _problems("compliant", audit_date=date(2027, 3, 11))["audit_date"]
    assert "Indiquez" in _problems("compliant", audit_date=None)["audit_date"]
    assert "inscription du partenaire (01/01/2025)" in _problems(
        "compliant", audit_date=date(2024, 12, 31))["audit_date"]


def test_corrective_actions_need_the_actions_and_a_deadline_within_a_year():
    missing = _problems("actions_required", all_conforming=False)
    assert set(missing) == {"actions", "actions_deadline"}
    assert "postérieure" in _problems("actions_required", actions="x", deadline=TODAY)["actions_deadline"]
    assert "un an" in _problems("actions_required", actions="x",
                                deadline=date(2028, 3, 11))["actions_deadline"]
    assert _problems("actions_required", actions="Mettre à jour le programme",
                     deadline=date(2027, 6, 1)) == {}


def test_a_suspension_proposal_needs_its_reason():
    assert "Motivez" in _problems("suspension_proposed", all_conforming=False)["summary"]
    assert _problems("suspension_proposed", summary="Démarchage abusif") == {}
    assert "résultat" in _problems("closed")["outcome"]
