"""Emails go through real SMTP (aiosmtpd on loopback) and are always kept in the outbox."""

from __future__ import annotations

import re

from cloe_portal.extensions import db
from cloe_portal.notifications.mail import queue_email
from cloe_portal.notifications.models import OutboxMessage
from tests.conftest import csrf_token


def test_password_reset_mail_reaches_smtp_with_a_working_link(app, client, make_user, smtp_server):
    user = make_user("partner", email="sophie@partenaire.fr")
    token = csrf_token(client, "/password/forgot")
    response = client.post("/password/forgot", data={"email": "Sophie@Partenaire.fr", "csrf_token": token})
    assert response.status_code == 303
    response.close()  # the reset mail leaves once the answer is sent (no timing tell)
    assert len(smtp_server.messages) == 1
    rcpt, message = smtp_server.messages[0]
    assert rcpt == [user.email]
    assert "Réinitialisation" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"(http\S+/password/reset/\S+)", body).group(1)
    path = link.removeprefix(app.config["BASE_URL"])
    form = client.get(path)
    assert form.status_code == 200
    t = csrf_token(client, path)
    done = client.post(path, data={"password": "Tout-neuf-2026", "confirm": "Tout-neuf-2026", "csrf_token": t})
    assert done.status_code == 303
    stored = db.session.scalars(db.select(OutboxMessage)).one()
    assert stored.status == "sent" and stored.to_email == user.email


def test_unknown_email_gets_the_same_answer_and_no_mail(client, smtp_server):
    token = csrf_token(client, "/password/forgot")
    response = client.post("/password/forgot", data={"email": "nobody@nowhere.fr", "csrf_token": token},
                           follow_redirects=True)
    assert "Si un compte existe" in response.get_data(as_text=True)
    assert smtp_server.messages == []


def test_smtp_down_marks_message_failed_and_page_still_answers(app, client, make_user):
    from tests.conftest import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    make_user("partner", email="down@partenaire.fr")
    token = csrf_token(client, "/password/forgot")
    response = client.post("/password/forgot", data={"email": "down@partenaire.fr", "csrf_token": token})
    assert response.status_code == 303
    response.close()  # the reset mail leaves once the answer is sent (no timing tell)
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.status == "failed"
    assert message.last_error
    assert message.next_attempt_at is not None


def test_without_smtp_messages_are_recorded(app, client, make_user):
    make_user("partner", email="demo@partenaire.fr")
    token = csrf_token(client, "/password/forgot")
    client.post("/password/forgot", data={"email": "demo@partenaire.fr", "csrf_token": token}).close()
    message = db.session.scalars(db.select(OutboxMessage)).one()
    assert message.status == "recorded"


def test_unique_key_sends_a_notification_once(app, make_user):
    user = make_user("candidate")
    with app.test_request_context():
        first = queue_email(user.email, "welcome", key="welcome:user-1", user=user, link="x", hours=1)
        second = queue_email(user.email, "welcome", key="welcome:user-1", user=user, link="x", hours=1)
    db.session.commit()
    assert first is not None and second is None
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 1


def test_referent_searches_outbox_and_resends_failed(app, client, make_user, login, smtp_server):
    referent = make_user("referent")
    user = make_user("candidate", email="cand@x.fr")
    with app.test_request_context():
        msg = queue_email(user.email, "welcome", user=user, link="http://x", hours=1)
    msg.status = "failed"
    db.session.commit()
    login(referent)
    listing = client.get("/outbox/?q=cand@x", headers={"HX-Request": "true"})
    text = listing.get_data(as_text=True)
    assert "<html" not in text and "cand@x.fr" in text
    other = client.get("/outbox/?q=nobody", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "cand@x.fr" not in other
    token = csrf_token(client, f"/outbox/{msg.id}")
    response = client.post(f"/outbox/{msg.id}/resend", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(msg)
    assert msg.status == "sent"
    assert len(smtp_server.messages) == 1
