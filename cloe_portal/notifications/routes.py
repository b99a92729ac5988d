"""The outbox: staff browse every message, search it and resend failed ones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from cloe_portal.audit.services import record
from cloe_portal.core.access import role_required
from cloe_portal.core.htmx import page_or_fragment
from cloe_portal.core.nav import register_nav
from cloe_portal.core.params import int_arg
from cloe_portal.extensions import db
from cloe_portal.notifications.mail import resend
from cloe_portal.notifications.models import OUTBOX_KINDS, OUTBOX_STATUSES, OutboxMessage

bp = Blueprint("notifications", __name__, url_prefix="/outbox")
register_nav(("coordinator", "referent"), "Courriels envoyés", "notifications.outbox", order=90)

PAGE_SIZE = 50


@bp.route("/")
@role_required("referent")
def outbox():
    """List messages, newest first, filtered by recipient, kind and status."""
    q = (request.args.get("q") or "").strip()[:200]
    kind = (request.args.get("kind") or "").strip()[:60]
    status = request.args.get("status") or ""
    page = max(1, int_arg("page", 1))
    stmt = db.select(OutboxMessage)
    if q:
        stmt = stmt.where(OutboxMessage.to_email.ilike(f"%{q}%"))
    if kind:
        stmt = stmt.where(OutboxMessage.kind == kind)
    if status in OUTBOX_STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    total = db.session.scalar(db.select(db.func.count()).select_from(stmt.subquery()))
    messages = list(
        db.session.scalars(
            stmt.order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
    )
    kinds = list(db.session.scalars(db.select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)))
    return page_or_fragment(
        "notifications/outbox.html",
        "notifications/_outbox_rows.html",
        messages=messages,
        total=total,
        q=q,
        kind=kind,
        status=status,
        kinds=kinds,
        kind_labels=OUTBOX_KINDS,
        statuses=OUTBOX_STATUSES,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.route("/<int:message_id>")
@role_required("referent")
def message(message_id: int):
    """Show one message as it was sent."""
    msg = db.session.get(OutboxMessage, message_id) or abort(404)
    return render_template("notifications/message.html", message=msg)


@bp.route("/<int:message_id>/resend", methods=["POST"])
@role_required("referent")
def resend_message(message_id: int):
    """Send a failed message again now."""
    from flask_login import current_user

    msg = db.session.get(OutboxMessage, message_id) or abort(404)
    if msg.status not in ("failed", "abandoned"):
        flash(_("Seul un message en échec peut être renvoyé."), "error")
        return redirect(url_for(".message", message_id=msg.id), 303)
    ok = resend(msg)
    record(current_user, "outbox.resend", msg, details={"ok": ok})
    db.session.commit()
    if ok:
        flash(_("Le message a été renvoyé."), "success")
    else:
        flash(_("Nouvel échec de l'envoi : %(error)s", error=msg.last_error), "error")
    return redirect(url_for(".message", message_id=msg.id), 303)
