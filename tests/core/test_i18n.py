"""French by default; the language switch gives an English interface."""

from __future__ import annotations

from tests.conftest import csrf_token


def test_french_by_default_english_on_switch(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="fr"' in page and "Mot de passe oublié ?" in page and "Adresse e-mail" in page
    token = csrf_token(client, "/login")
    response = client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    english = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in english
    assert "Forgot your password?" in english and "Email address" in english
    token = csrf_token(client, "/login")
    client.post("/lang/fr", data={"csrf_token": token})
    assert "Mot de passe oublié ?" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    token = csrf_token(client, "/login")
    client.post("/lang/xx", data={"csrf_token": token})
    assert 'lang="fr"' in client.get("/login").get_data(as_text=True)


def test_navigation_follows_the_language(client, make_user, login):
    login(make_user("partner"))
    french = client.get("/dashboard").get_data(as_text=True)
    assert ">Tableau de bord<" in french and ">Sessions<" in french
    client.post("/lang/en", data={"csrf_token": csrf_token(client, "/dashboard")})
    english = client.get("/dashboard").get_data(as_text=True)
    nav = english.split('aria-label="Main navigation"')[1].split("</nav>")[0]
    assert ">Dashboard<" in nav and ">Candidates<" in nav and ">EDOF extracts<" in nav
    assert "Tableau de bord" not in nav and "Extractions EDOF" not in nav


def test_every_interface_message_has_an_english_translation():
    """The English interface never falls back to French for a message marked for translation
    (the catalogue is kept by hand: a new _("…") needs its English line)."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    ids = set()
    for directory, pattern, method in ((root / "cloe_portal", "**.py", "python"),
                                       (root / "templates", "**.html", "jinja2")):
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(directory), [(pattern, method)], keywords={"_": None, "_l": None,
                                                               "gettext": None,
                                                               "ngettext": (1, 2),
                                                               "lazy_gettext": None}):
            ids.add(message[0] if isinstance(message, tuple) else message)
    with open(root / "cloe_portal/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(i for i in ids if i and (i not in catalogue or not catalogue[i].string))
    assert len(ids) > 1000  # the extraction found the interface's messages
    assert missing == []
