"""The public partner application and a referent's home page can be read in English."""

from __future__ import annotations


def _switch(client, csrf, code, next_url):
    response = client.post(f"/lang/{code}", data={"csrf_token": csrf(next_url), "next": next_url})
    assert response.status_code == 303 and response.headers["Location"].endswith(next_url)


def test_public_application_form_in_english(client, csrf):
    _switch(client, csrf, "en", "/candidature-partenaire")
    html = client.get("/candidature-partenaire").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Become a CLOE partner" in html and "Company name" in html and "SIRET number" in html
    assert "CPF code of ethics — the 10 criteria" in html and "Criterion 1: " in html
    assert "Send my application" in html and "Qualiopi certificate" in html
    assert "No partnership may be approved with organisations established abroad" in html
    assert "Devenir partenaire CLOE" not in html and "Raison sociale" not in html
    assert "Envoyer ma candidature" not in html and "Critère 1" not in html

    # Validation messages follow the language too.
    response = client.post("/candidature-partenaire",
                           data={"csrf_token": csrf("/candidature-partenaire")})
    errors = response.get_data(as_text=True)
    assert "Enter an estimated volume for at least one language." in errors
    assert "Attach this document." in errors and "Joignez ce document." not in errors

    partners = client.get(_partner_list_url(client)).get_data(as_text=True)
    assert "CLOE partners" in partners and "No partner is listed yet." in partners
    assert "Partenaires CLOE" not in partners


def _partner_list_url(client) -> str:
    from flask import url_for

    with client.application.test_request_context():
        return url_for("applications.partner_list")


def test_referent_home_in_english(client, csrf, login, make_user):
    referent = make_user("referent")
    login(referent)
    home_url = _home_url(client)
    _switch(client, csrf, "en", home_url)
    html = client.get(home_url).get_data(as_text=True)
    assert 'lang="en"' in html
    assert "Hello Alex" in html and "Awaiting your action:" in html
    assert "Applications to audit" in html and "Awaiting the committee" in html
    assert "Accommodations to decide" in html and "Assessor accreditations" in html
    assert "Your centre does not follow any partner yet." in html
    assert "Candidatures à auditer" not in html and "Ce qui attend votre action" not in html
    assert "Aménagements à décider" not in html and "Votre centre ne suit encore aucun partenaire." not in html


def _home_url(client) -> str:
    from flask import url_for

    with client.application.test_request_context():
        return url_for("network.home")
