"""Coordinator manages centres and referents; the staff home lists what needs action."""

from __future__ import annotations

import re

from cloe_portal.accounts.models import Organisation, User
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage


def _token(c, path):
    return re.search(r'name="csrf-token" content="([^"]+)"', c.get(path).get_data(as_text=True)).group(1)


def test_staff_land_on_the_back_office_home(app, login, make_user):
    for role in ("referent", "coordinator"):
        c = app.test_client()
        response = login(make_user(role), test_client=c)
        assert response.headers["Location"].endswith("/reseau/accueil")
        html = c.get("/reseau/accueil").get_data(as_text=True)
        assert "Candidatures à auditer" in html and "Aménagements à décider" in html


def test_coordinator_creates_a_centre_and_a_referent_who_gets_a_welcome_email(app, login, make_user):
    coordinator = make_user("coordinator")
    c = app.test_client()
    login(coordinator, test_client=c)
    response = c.post("/reseau/centres", data={"csrf_token": _token(c, "/reseau/centres"),
                                                "name": "CEL CCI Bordeaux", "postcode": "33000",
                                                "city": "Bordeaux"})
    assert response.status_code == 303
    centre = db.session.scalars(db.select(Organisation).where(Organisation.name == "CEL CCI Bordeaux")).one()
    assert centre.kind == "cel"
    response = c.post("/reseau/referents", data={"csrf_token": _token(c, "/reseau/centres"),
                                                  "centre_id": centre.id, "first_name": "Paul",
                                                  "last_name": "Lemoine", "email": "p.lemoine@cel-bdx.fr"})
    assert response.status_code == 303
    referent = db.session.scalars(db.select(User).where(User.email == "p.lemoine@cel-bdx.fr")).one()
    assert (referent.role, referent.organisation_id) == ("referent", centre.id)
    mail = db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.to_email == referent.email)).one()
    assert mail.kind == "welcome"


def test_a_deactivated_referent_can_no_longer_log_in(app, login, make_user):
    coordinator = make_user("coordinator")
    referent = make_user("referent")
    c = app.test_client()
    login(coordinator, test_client=c)
    response = c.post(f"/reseau/comptes/{referent.id}/actif", data={
        "csrf_token": _token(c, "/reseau/centres"), "active": "0", "reason": "A quitté le CEL",
        "next": "/reseau/centres"})
    assert response.status_code == 303
    db.session.refresh(referent)
    assert not referent.active
    other = app.test_client()
    response = other.post("/login", data={"email": referent.email, "password": "Mot-de-passe-2026",
                                          "csrf_token": _token(other, "/login")})
    assert response.status_code == 401
    assert "désactivé" in response.get_data(as_text=True)


def test_referents_cannot_manage_centres_or_other_referents(app, login, make_user):
    referent = make_user("referent")
    colleague = make_user("referent", org=referent.organisation)
    c = app.test_client()
    login(referent, test_client=c)
    assert c.get("/reseau/centres").status_code == 403
    response = c.post(f"/reseau/comptes/{colleague.id}/actif", data={
        "csrf_token": _token(c, "/reseau/accueil"), "active": "0", "reason": "x"})
    assert response.status_code == 404
    db.session.refresh(colleague)
    assert colleague.active
