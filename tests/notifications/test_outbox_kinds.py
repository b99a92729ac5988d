"""The outbox says what each message is in words, not the code's keys (enrolment, results)."""

from __future__ import annotations

import ast
from pathlib import Path

import cloe_portal
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OUTBOX_KINDS, OutboxMessage

PACKAGE = Path(cloe_portal.__file__).parent


def _queued_kinds() -> set[str]:
    """Every literal `kind=` (or template name without a kind) given to queue_email."""
    kinds = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "queue_email"):
                continue
            kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            if kind is None and len(node.args) > 1:
                kind = node.args[1]
            if isinstance(kind, ast.Constant):
                kinds.add(kind.value)
    return kinds


def test_every_kind_the_code_queues_has_a_label():
    kinds = _queued_kinds()
    assert {"enrolment", "results", "welcome"} <= kinds  # the walk finds the calls
    assert kinds - OUTBOX_KINDS.keys() == set()


def test_outbox_shows_labels(demo_data, client, login):
    from cloe_portal.accounts.models import User

    referent = db.session.scalars(db.select(User).where(User.role == "referent")).first()
    login(referent, password="cloe-demo-2026")
    kinds = set(db.session.scalars(db.select(OutboxMessage.kind).distinct()))
    assert kinds and kinds <= OUTBOX_KINDS.keys()
    html = client.get("/outbox/").get_data(as_text=True)
    for kind in kinds:
        assert f"<code>{kind}</code>" not in html
        # the filter lists the kinds by their labels too
        label = OUTBOX_KINDS[kind].replace("'", "&#39;")
        assert f'<option value="{kind}" >{label}</option>' in html, kind
