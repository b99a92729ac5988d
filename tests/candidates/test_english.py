"""A candidate can read their own pages in English through the language switch."""

from __future__ import annotations

from datetime import timedelta

from cloe_portal import clock


def _switch(client, csrf, code, next_url):
    response = client.post(f"/lang/{code}", data={"csrf_token": csrf(next_url), "next": next_url})
    assert response.status_code == 303 and response.headers["Location"].endswith(next_url)


def test_candidate_switches_to_english_and_back(client, login, csrf, make_registration):
    registration = make_registration(written_date=clock.today_paris() - timedelta(days=10))
    login(registration.candidate)

    _switch(client, csrf, "en", "/candidat/")
    home = client.get("/candidat/").get_data(as_text=True)
    assert 'lang="en"' in home
    assert "Your CLOE certification" in home and "20 days left" in home
    assert "Complete the form" in home and "Demo mini-test" in home and "Succeed at CLOE" in home
    assert "Votre certification CLOE" not in home and "jours restants" not in home
    assert "Compléter le formulaire" not in home

    identity = client.get("/candidat/identite").get_data(as_text=True)
    assert "Identity form" in identity and "Birth name" in identity
    assert "Date of birth" in identity and "Contact details" in identity and "— Choose —" in identity
    assert "Formulaire d&#39;identité" not in identity and "Nom de naissance" not in identity
    assert "Date de naissance" not in identity and "Coordonnées" not in identity

    # Validation messages follow the language too.
    response = client.post("/candidat/identite", data={"csrf_token": csrf("/candidat/identite")})
    assert "This field is required." in response.get_data(as_text=True)

    _switch(client, csrf, "fr", "/candidat/")
    home = client.get("/candidat/").get_data(as_text=True)
    assert 'lang="fr"' in home and "Votre certification CLOE" in home and "20 jours restants" in home
    assert "Your CLOE certification" not in home
    identity = client.get("/candidat/identite").get_data(as_text=True)
    assert "Nom de naissance" in identity and "Birth name" not in identity


def test_long_dates_follow_the_interface_language(app, client, csrf):
    from datetime import date

    from cloe_portal.formatting import fr_long_date

    with app.test_request_context("/"):
        assert fr_long_date(date(2026, 12, 16)) == "mercredi 16 décembre 2026"
        from flask import session

        session["lang"] = "en"
        assert fr_long_date(date(2026, 12, 16)) == "Wednesday 16 December 2026"
