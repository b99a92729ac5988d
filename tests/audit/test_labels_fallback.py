"""An action no table lists yet (a feature added in parallel) still reads as French words."""

from __future__ import annotations

from cloe_portal.audit.labels import action_label


def test_a_new_features_action_reads_as_its_family_and_what_happened():
    assert action_label("appeal.opened") == "Contestation : ouverture"
    assert action_label("registration.rejected") == "Inscription : rejet"
    assert action_label("extension.request.granted") == "Prolongation : accord"
    # Without a known family or verb, the code stays beside the family (never alone).
    assert action_label("oral.teleport") == "Oral (oral.teleport)"
    assert action_label("martian.filed") == "Autre action (martian.filed)"
