"""The action → French label table covers every action the code records."""

from __future__ import annotations

import ast
from pathlib import Path

from cloe_portal.applications.models import DECISIONS, OPINIONS
from cloe_portal.applications.services import TRANSITION_TO
from cloe_portal.audit.labels import (
    ACTION_LABELS,
    FAMILY_LABELS,
    OBJECT_TYPE_LABELS,
    action_label,
    object_type_label,
)
from cloe_portal.rules.partner_audits import OUTCOMES

ROOT = Path(__file__).resolve().parents[2] / "cloe_portal"

# Actions built at run time, per file that builds them: the test lists them by hand, and
# fails when a new file starts building action codes so that its codes get listed here too.
DYNAMIC = {
    "accommodations/services.py": {"accommodation.approved", "accommodation.refused"},
    "access_extensions/services.py": {"access_extension.granted", "access_extension.refused"},
    "applications/services.py": {
        *(f"application.opinion_{o}" for o in OPINIONS),
        *(f"application.{d}" for d in DECISIONS),
        *(f"partner.{a}" for a in TRANSITION_TO),
    },
    "itembank/services.py": {"item.retire", "item.restore", "item.draft"},
    "partner_audits/services.py": {f"partner_audit.{o}" for o in OUTCOMES},
}


def _recorded_actions() -> tuple[set[str], set[str]]:
    """Literal action codes given to audit `record(...)`, and the files building them."""
    literal, dynamic_files = set(), set()
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "record" or len(node.args) < 2:
                continue
            action = node.args[1]
            if isinstance(action, ast.Constant) and isinstance(action.value, str):
                literal.add(action.value)
            elif isinstance(action, ast.IfExp):
                literal.update(n.value for n in (action.body, action.orelse)
                               if isinstance(n, ast.Constant))
            else:
                dynamic_files.add(path.relative_to(ROOT).as_posix())
    return literal, dynamic_files


def test_every_recorded_action_has_a_french_label():
    literal, dynamic_files = _recorded_actions()
    assert len(literal) > 50  # the walk found the code's record() calls
    assert dynamic_files == set(DYNAMIC), "list the action codes these files build in DYNAMIC"
    actions = literal | set().union(*DYNAMIC.values())
    assert sorted(a for a in actions if a not in ACTION_LABELS) == []


def test_every_family_has_a_label():
    assert {a.split(".", 1)[0] for a in ACTION_LABELS} <= set(FAMILY_LABELS)


def test_unknown_actions_read_as_their_family_and_code():
    assert action_label("partner.suspend") == "Partenariat suspendu"
    assert action_label("oral.teleport") == "Oral (oral.teleport)"
    assert action_label("martian") == "Autre action (martian)"


def test_every_label_has_an_english_translation():
    """Pages show the labels through |label, which reads the English catalogue."""
    from babel.messages.pofile import read_po

    with open(ROOT / "translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    labels = set(ACTION_LABELS.values()) | set(FAMILY_LABELS.values()) | set(OBJECT_TYPE_LABELS.values())
    assert sorted(t for t in labels if t not in catalogue or not catalogue[t].string) == []


def test_object_types_are_the_tables_entries_point_at(app):
    from cloe_portal.extensions import db

    assert set(OBJECT_TYPE_LABELS) - set(db.metadata.tables) == {"system"}
    assert object_type_label("registration") == "Inscription"
    assert object_type_label("appeal") == "appeal"  # unknown: shown as stored
