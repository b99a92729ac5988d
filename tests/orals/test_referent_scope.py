"""A referent follows the orals of the partners its centre follows, and no others (each role
sees only its own data): the list, the registration page and every action on it."""

from __future__ import annotations

import datetime as dt

from cloe_portal.extensions import db
from cloe_portal.orals import services

UTC = dt.UTC


def test_referents_see_only_the_orals_of_their_centres_partners(
        app, client, login, make_org, make_user, make_assessor, make_registration, make_slot,
        frozen_clock):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(dt.datetime(2026, 3, 5, 9, tzinfo=UTC))
    lyon, nantes = make_org("cel", name="CEL Lyon"), make_org("cel", name="CEL Nantes")
    ours = make_registration("en", partner=make_org("partner", referent_centre=lyon))
    theirs = make_registration("en", partner=make_org("partner", referent_centre=nantes))
    assessor = make_assessor(("en",))
    for registration, hour in ((ours, 9), (theirs, 10)):
        slot = make_slot(assessor, dt.datetime(2026, 3, 10, hour, tzinfo=UTC))
        services.book_slot(registration.candidate, registration, slot.id)
    db.session.commit()

    login(make_user("referent", org=lyon))
    listing = client.get("/referent/oraux").get_data(as_text=True)
    assert ours.candidate.full_name in listing
    assert theirs.candidate.full_name not in listing
    assert client.get(f"/referent/oraux/inscription/{ours.id}").status_code == 200
    base = f"/referent/oraux/inscription/{theirs.id}"
    assert client.get(base).status_code == 404
    for action, data in (("reattribuer", {"assessor_id": assessor.id, "reason": "Test"}),
                         ("force-majeure", {"reason": "Test", "extension_days": "7"}),
                         ("rouvrir", {"reason": "Test"})):
        assert client.post(f"{base}/{action}", data=data).status_code == 404, action
    db.session.expire_all()
    assert services.active_booking(theirs) is not None  # nothing changed

    coordinator = app.test_client()
    login(make_user("coordinator", org=nantes), test_client=coordinator)
    listing = coordinator.get("/referent/oraux").get_data(as_text=True)
    assert ours.candidate.full_name in listing and theirs.candidate.full_name in listing


def test_an_oral_that_is_over_is_not_offered_for_reassignment(
        app, client, login, make_user, make_assessor, make_registration, make_slot, frozen_clock):
    app.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(dt.datetime(2026, 3, 5, 9, tzinfo=UTC))
    registration = make_registration("en")
    first, other = make_assessor(("en",)), make_assessor(("en",))
    start = dt.datetime(2026, 3, 10, 9, tzinfo=UTC)
    booking = services.book_slot(registration.candidate, registration,
                                 make_slot(first, start).id)
    db.session.commit()
    login(make_user("referent", org=registration.partner.referent_centre))
    url = f"/referent/oraux/inscription/{registration.id}"
    assert "Réattribuer à un autre évaluateur" in client.get(url).get_data(as_text=True)

    frozen_clock(start + dt.timedelta(minutes=31))  # the slot has ended, no grid yet
    assert "Réattribuer à un autre évaluateur" not in client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/reattribuer", data={"assessor_id": other.id,
                                                        "reason": "Évaluateur malade"})
    assert response.status_code in (303, 422)
    db.session.expire_all()
    assert db.session.get(type(booking), booking.id).slot.assessor_id == first.id
