"""Steps several browser tests go through the same way."""

from __future__ import annotations


def jury_validates(page) -> None:  # noqa: ANN001 - a Playwright page
    """On a candidate's jury page: the three checks conform, validate, save."""
    for legend in ("Contrôle d'identité", "Conformité de l'écrit surveillé",
                   "Conformité de l'oral"):
        page.get_by_role("group", name=legend).get_by_label("✓ Conforme").check()
    page.get_by_label("Valider le résultat").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_load_state("networkidle")


def jury_signs(page) -> None:  # noqa: ANN001 - a Playwright page
    """On the session's PV page: confirm and sign."""
    page.get_by_label("Confirmation").fill("JE CERTIFIE")
    page.get_by_role("button", name="Signer et publier les résultats").click()
    page.wait_for_load_state("networkidle")
