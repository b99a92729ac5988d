"""SIRET and upload checks the public form relies on."""

from __future__ import annotations

from cloe_portal.applications import checks

from .conftest import JPEG, PDF, PNG, VALID_SIRET


def test_siret_needs_14_digits_and_a_valid_luhn_key():
    assert checks.siret_problem(VALID_SIRET) is None
    assert checks.siret_problem("732 829 320 00074") is None  # spaces as printed on a Kbis
    assert "14 chiffres" in checks.siret_problem("7328293200007")
    assert "clé de contrôle" in checks.siret_problem("73282932000075")


def test_la_poste_establishments_use_their_own_key():
    assert checks.siret_problem("35600000000048") is None  # La Poste head office
    assert checks.siret_problem("35600000000049") is not None


def test_files_are_typed_by_their_content_not_their_name():
    assert checks.upload_problem("a.pdf", PDF) is None
    assert checks.upload_problem("a.PNG", PNG) is None
    assert checks.upload_problem("a.jpeg", JPEG) is None
    # A PNG renamed .pdf, a text file renamed .pdf, an executable: refused.
    assert "ne correspond pas" in checks.upload_problem("scan.pdf", PNG)
    assert "Format refusé" in checks.upload_problem("lettre.pdf", b"Bonjour, voici notre convention")
    assert "Format refusé" in checks.upload_problem("setup.pdf", b"MZ\x90\x00" + b"\x00" * 60)


def test_files_over_5_mb_or_empty_are_refused():
    big = PDF + b"0" * (5 * 1024 * 1024)
    assert "5 Mo" in checks.upload_problem("big.pdf", big)
    assert checks.upload_problem("empty.pdf", b"") == "Le fichier est vide."


def test_only_france_is_accepted_as_country():
    assert checks.is_france("France") and checks.is_france(" FRANCE ")
    assert not checks.is_france("Belgique")
