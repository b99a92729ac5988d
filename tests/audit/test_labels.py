"""The audit log's action labels: every recorded action reads as French, unknown ones too."""

from __future__ import annotations

import re
from pathlib import Path

from cloe_portal.audit.labels import ACTION_LABELS, action_label, object_label

ROOT = Path(__file__).resolve().parents[2]


def test_known_actions_have_their_label(app):
    with app.test_request_context():
        assert action_label("written.window_extended") == "Prolongation de l'accès au test écrit"
        assert action_label("registration.enrolled") == "Inscription du candidat"
        assert object_label("oral_booking") == "Réservation d'oral"


def test_unknown_actions_are_built_from_their_parts(app):
    with app.test_request_context():
        assert action_label("appeal.filed") == "Contestation : dépôt"
        assert action_label("registration.withdrawn") == "Inscription : retrait"
        assert action_label("extension.request.granted") == "Prolongation : accord"
        # Unknown words still read as words, never as a dotted code.
        assert action_label("widget.frobbed_twice") == "Widget : frobbed twice"
        assert action_label("") == "Action sans nom"
        assert object_label("appeal_case") == "Appeal case"


def test_english_interface_reads_the_labels_in_english(app):
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert action_label("oral.book") == "Oral booked"
        assert action_label("appeal.filed") == "Appeal: filing"


def test_every_action_the_code_records_has_a_label():
    """A literal action given to record() in the code is in the table (f-string actions are
    checked by their known values)."""
    recorded = set()
    for path in (ROOT / "cloe_portal").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        recorded.update(re.findall(r'\brecord\(\s*[\w.]+,\s*"([a-z_.]+)"', text))
    missing = sorted(a for a in recorded if a not in ACTION_LABELS and "." in a)
    assert len(recorded) > 40
    assert missing == []
