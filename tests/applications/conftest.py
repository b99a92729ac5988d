"""Helpers for the partner application tests: valid answers and documents."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from cloe_portal.reference.charter import CPF_CHARTER_CRITERIA

VALID_SIRET = "73282932000074"  # passes the Luhn check
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def application_fields(**overrides) -> dict:
    """Form fields of a valid application (without files and CSRF)."""
    data = {
        "org_name": "Langues & Métiers Formation",
        "siret": VALID_SIRET,
        "address": "5 place Bellecour",
        "postcode": "69002",
        "city": "Lyon",
        "country": "France",
        "foreign_call_centre": "no",
        "website": "https://langues-metiers.example.fr",
        "founded_year": "2012",
        "staff_count": "18",
        "contact_first_name": "Inès",
        "contact_last_name": "Garnier",
        "contact_role": "Directrice pédagogique",
        "contact_email": "ines.garnier@langues-metiers.example.fr",
        "contact_phone": "04 78 00 00 00",
        "volume_en": "120",
        "volume_es": "30",
        "elearning_share": "30",
        "teaching_formats": ["group", "virtual_class"],
        "trainer_count": "9",
        "satisfaction_rate": "94",
        "positioning_process": "Test de positionnement puis entretien oral avec un formateur.",
        "certified_rate": "88",
        "follow_up_process": "Relance par e-mail à J+7 puis appel du formateur référent.",
        "human_led": "y",
    }
    for n in range(1, len(CPF_CHARTER_CRITERIA) + 1):
        data[f"charter_{n}"] = "y"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def application_files(**overrides) -> dict:
    """The four documents, as file storages for the multipart body."""
    files = {
        "qualiopi": (PDF, "qualiopi.pdf"),
        "programme": (PDF, "programme.pdf"),
        "establishment": (JPEG, "kbis.jpg"),
        "agreement": (PNG, "convention-signee.png"),
    }
    files.update(overrides)
    return {k: FileStorage(io.BytesIO(content), filename=name, content_type="application/octet-stream")
            for k, (content, name) in files.items() if content is not None}


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


@pytest.fixture
def submit_application(client) -> Callable:
    """Post the public form (valid unless overridden); return the response."""

    def submit(fields: dict | None = None, files: dict | None = None, test_client=None):
        c = test_client or client
        token = csrf_from(c.get("/candidature-partenaire").get_data(as_text=True))
        data = {**(fields if fields is not None else application_fields()),
                **(files if files is not None else application_files()), "csrf_token": token}
        # Encoded in memory: the test client would spool a big body to an unclosed temp file.
        boundary, body = encode_multipart(data)
        return c.post("/candidature-partenaire", data=body,
                      content_type=f"multipart/form-data; boundary={boundary}")

    return submit
