"""Application documents are served to staff only, always as attachments."""

from __future__ import annotations

import pytest

from cloe_portal.applications.models import ApplicationDocument
from cloe_portal.extensions import db

from .conftest import PDF, PNG


@pytest.fixture
def documents(submit_application):
    assert submit_application().status_code == 303
    return {d.kind: d for d in db.session.scalars(db.select(ApplicationDocument))}


def test_referent_downloads_a_document_as_an_attachment_with_its_real_type(app, login, make_user, documents):
    c = app.test_client()
    login(make_user("referent"), test_client=c)
    response = c.get(f"/candidatures/documents/{documents['qualiopi'].id}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "-qualiopi.pdf" in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    png = c.get(f"/candidatures/documents/{documents['agreement'].id}")
    assert png.mimetype == "image/png" and png.data == PNG


@pytest.mark.parametrize("role", ["partner", "candidate", "assessor"])
def test_other_roles_cannot_read_documents_by_direct_url(app, login, make_user, documents, role):
    c = app.test_client()
    login(make_user(role), test_client=c)
    for doc in documents.values():
        response = c.get(f"/candidatures/documents/{doc.id}")
        assert response.status_code in (403, 404)
        assert PDF not in response.data and PNG not in response.data


def test_anonymous_visitor_cannot_read_documents(client, documents):
    response = client.get(f"/candidatures/documents/{documents['qualiopi'].id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert PDF not in response.data


def test_documents_are_not_reachable_under_static(client, documents):
    doc = documents["qualiopi"]
    assert client.get(f"/static/{doc.stored_name}").status_code == 404
    assert client.get(f"/static/uploads/applications/{doc.stored_name}").status_code == 404
