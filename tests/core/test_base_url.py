"""Links that work where the portal runs: the referent's home warns when BASE_URL (used in
every email link and on certificates) is not the address the portal is reached on."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD


def _home(client, user, base_url: str) -> str:
    """Log in and open the referent's home through `base_url` (cookies are per host)."""
    html = client.get("/login", base_url=base_url).get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    client.post("/login", base_url=base_url, headers={"Referer": f"{base_url}/login"}, data={
        "email": user.email, "password": PASSWORD, "csrf_token": token})
    return client.get("/reseau/accueil", base_url=base_url).get_data(as_text=True)


def test_referent_home_warns_when_base_url_is_not_where_the_portal_answers(app, make_user):
    referent = make_user("referent")
    app.config["BASE_URL"] = "http://127.0.0.1:5000"
    page = _home(app.test_client(), referent, "http://cloe.cel-lyon.fr:8080")
    assert "Adresse du portail à vérifier." in page
    assert "http://127.0.0.1:5000" in page and "http://cloe.cel-lyon.fr:8080" in page

    app.config["BASE_URL"] = "http://cloe.cel-lyon.fr:8080"
    page = _home(app.test_client(), referent, "http://cloe.cel-lyon.fr:8080")
    assert "Partenaires suivis" in page
    assert "Adresse du portail à vérifier." not in page

    # Behind the TLS proxy the host is the same; default ports are the same address.
    app.config["BASE_URL"] = "https://CLOE.cel-lyon.fr:443"
    page = _home(app.test_client(), referent, "https://cloe.cel-lyon.fr")
    assert "Partenaires suivis" in page
    assert "Adresse du portail à vérifier." not in page
