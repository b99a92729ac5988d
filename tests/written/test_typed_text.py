"""Referents' free text on written attempts gets the portal's text cleaning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cloe_portal import clock
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.written import services


def test_verdict_comment_and_extension_reason_refuse_control_characters(
        app, make_user, bank, make_registration):
    registration = make_registration(ready=True)
    attempt = services.start_certification(registration, registration.candidate)
    db.session.commit()
    referent = make_user("referent")
    with pytest.raises(services.WrittenError,
                       match=r"^Commentaire : caractère de contrôle de direction du texte "
                             r"U\+202E non autorisé \(position 7\)\.$"):
        services.set_verdict(attempt, "compliant", "referent", referent, "Aucun \u202eproblème")
    assert attempt.proctoring_verdict is None
    services.set_verdict(attempt, "compliant", "referent", referent, " Aucun\r\nproblème ")
    assert attempt.verdict_comment == "Aucun\nproblème"

    closed = make_registration(written_date=clock.today_paris() - timedelta(days=45))
    with pytest.raises(services.WrittenError, match=r"^Motif : caractère de contrôle U\+0000"):
        services.extend_window(closed, referent, 10, "Force\x00 majeure")
    assert closed.window_extension_days in (0, None)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "written.window_extended")) == 0
