"""The mail service: render French templates, record every message, deliver over SMTP.

`queue_email` inserts the outbox row first (its unique key makes a notification happen
once even across restarts or two schedulers), then the message is delivered after the
request's commit (or by `deliver_pending` from jobs and the CLI). Without MAIL_SERVER the
message is only recorded, which is what the demo does.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import Response, current_app, g, has_request_context, render_template
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from cloe_portal import clock
from cloe_portal.extensions import db
from cloe_portal.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
# A message left "sending" by a crashed process is retried after this delay.
SENDING_TIMEOUT = timedelta(minutes=10)


def render_email(template: str, **context: Any) -> tuple[str, str, str]:
    """Render templates/email/<template>.txt (first line = subject) and its .html; return both."""
    context.setdefault("base_url", current_app.config["BASE_URL"])
    context.setdefault("centre_contact", current_app.config["CENTRE_CONTACT"])
    text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.partition("\n")
    subject = subject.removeprefix("Objet :").strip()
    body = body.strip() + "\n"
    html = render_template(f"email/{template}.html", subject=subject, **context)
    return subject, body, html


def queue_email(
    to_email: str,
    template: str,
    *,
    kind: str | None = None,
    key: str | None = None,
    recipient_id: int | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Record a message in the outbox; None when a message with this key already exists."""
    subject, body, html = render_email(template, **context)
    message = OutboxMessage(
        key=key,
        kind=kind or template,
        to_email=to_email,
        recipient_id=recipient_id,
        subject=subject,
        body_text=body,
        body_html=html,
        attachments=[
            {"filename": name, "mimetype": mime, "content": base64.b64encode(data).decode()}
            for name, mime, data in (attachments or [])
        ]
        or None,
        status="pending",
        message_id=make_msgid(domain="cloe.local"),
        created_at=clock.now(),
        next_attempt_at=clock.now(),
    )
    if key is not None:
        try:
            with db.session.begin_nested():
                db.session.add(message)
        except IntegrityError:
            return None
    else:
        db.session.add(message)
        db.session.flush()
    if has_request_context():
        g.setdefault("outbox_ids", []).append(message.id)
    return message


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_email
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id or make_msgid(domain="cloe.local")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for att in message.attachments or []:
        maintype, _, subtype = att["mimetype"].partition("/")
        email.add_attachment(
            base64.b64decode(att["content"]),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=att["filename"],
        )
    return email


def _smtp_send(email: EmailMessage) -> None:
    cfg = current_app.config
    timeout = cfg["MAIL_TIMEOUT"]
    if cfg["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=timeout)
    with smtp:
        if cfg["MAIL_USE_TLS"] and not cfg["MAIL_USE_SSL"]:
            smtp.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)


def _claim(message: OutboxMessage) -> bool:
    """Atomically mark a due message "sending" (committed); False if another process has it."""
    now = clock.now()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message.id,
            OutboxMessage.status.in_(("pending", "failed", "sending")),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(status="sending", next_attempt_at=now + SENDING_TIMEOUT,
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        return False
    db.session.refresh(message)
    return True


def deliver(message: OutboxMessage) -> bool:
    """Try to deliver one due message now and record the outcome on the row (committed).

    The row is claimed ("sending", committed) before the SMTP dialogue: a process killed
    mid-send leaves it claimed, and it is retried only after SENDING_TIMEOUT with the same
    Message-ID; two live processes never send the same message.
    """
    if not current_app.config.get("MAIL_SERVER"):
        message.status = "recorded"
        message.next_attempt_at = None
        return True
    if not _claim(message):
        return False
    try:
        _smtp_send(_build(message))
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "abandoned"
            message.next_attempt_at = None
        else:
            message.status = "failed"
            delay = BACKOFF_MINUTES[min(message.attempts - 1, len(BACKOFF_MINUTES) - 1)]
            message.next_attempt_at = clock.now() + timedelta(minutes=delay)
        log.warning("email %s to %s failed: %s", message.id, message.to_email, exc)
        db.session.commit()
        return False
    message.status = "sent"
    message.sent_at = clock.now()
    message.last_error = None
    message.next_attempt_at = None
    db.session.commit()
    return True


def deliver_ids(ids: list[int]) -> None:
    """Deliver the given outbox messages that are still pending, committing each outcome."""
    for message_id in ids:
        message = db.session.get(OutboxMessage, message_id)
        if message is None or message.status != "pending":
            continue
        deliver(message)
        db.session.commit()


def deliver_pending(limit: int = 200) -> int:
    """Deliver pending messages and failed ones whose retry time has come; return how many sent."""
    now = clock.now()
    stmt = (
        db.select(OutboxMessage.id)
        .where(
            OutboxMessage.status.in_(("pending", "failed", "sending")),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    sent = 0
    ids = list(db.session.scalars(stmt))
    while ids:
        for message_id in ids:
            message = db.session.get(OutboxMessage, message_id)
            if message is not None and deliver(message):
                sent += 1
            db.session.commit()
        if len(ids) < limit:
            break
        ids = list(db.session.scalars(stmt.where(OutboxMessage.id > ids[-1])))
    return sent


def resend(message: OutboxMessage) -> bool:
    """Send a failed message again at once (referent's outbox action)."""
    message.status = "pending"
    message.attempts = 0
    message.next_attempt_at = clock.now()
    db.session.commit()
    return deliver(message)


def deliver_after_request() -> None:
    """Deliver what this request queued, once its transaction is committed."""
    ids = g.pop("outbox_ids", None)
    if not ids:
        return
    try:
        db.session.rollback()  # anything uncommitted by the view is not ours to keep
        deliver_ids(ids)
    except Exception:  # noqa: BLE001 - a mail failure must never break the page
        log.exception("delivering queued email failed")
        db.session.rollback()


def deliver_after_response(response: Response) -> Response:
    """Deliver what this request queued only once `response` has been sent.

    For public pages whose answer must not depend on whether an email went out (password
    reset, lock-out notice): the SMTP dialogue would otherwise tell, by its delay, that an
    account exists."""
    ids = g.pop("outbox_ids", None)
    if ids:
        app = current_app._get_current_object()  # noqa: SLF001

        def deliver_later() -> None:
            with app.app_context():
                try:
                    deliver_ids(ids)
                except Exception:  # noqa: BLE001 - the answer is gone; the outbox job retries
                    log.exception("delivering queued email failed")
                    db.session.rollback()

        response.call_on_close(deliver_later)
    return response
