"""The referent's demo clock page (non-production instances only)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.core.access import role_required
from cloe_portal.democlock import services
from cloe_portal.democlock.forms import AdvanceForm, MoveToForm
from cloe_portal.extensions import db

bp = Blueprint("democlock", __name__, url_prefix="/demo")


def _only_when_enabled() -> None:
    """The page exists only on non-production instances (after the role check: 403 first)."""
    if not current_app.config.get("DEMO_CLOCK"):
        abort(404)


def _page(advance: AdvanceForm | None = None, move: MoveToForm | None = None, status: int = 200):  # noqa: ANN202
    now = clock.now()
    if move is None:
        move = MoveToForm(formdata=None)
        local = now.astimezone(clock.PARIS)
        move.day.data, move.at.data = local.date(), local.time().replace(second=0, microsecond=0)
    return render_template(
        "democlock/clock.html", now=now, simulated=clock.is_simulated(),
        advance=advance or AdvanceForm(formdata=None, unit="hours"), move=move,
        orals=services.upcoming_orals(current_user)), status


@bp.route("/horloge")
@role_required("referent")
def page():
    """The simulated time, and ways to move it forward."""
    _only_when_enabled()
    return _page()


def _moved(target: datetime | None = None, delta: timedelta | None = None):  # noqa: ANN202
    try:
        if delta is not None:
            services.move_forward(current_user, delta)
        else:
            services.move_to(current_user, target)
    except services.DemoClockError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("democlock.page"), 303)
    db.session.commit()
    flash(_("L'horloge de démonstration est avancée."), "success")
    return redirect(url_for("democlock.page"), 303)


@bp.route("/horloge/avancer", methods=["POST"])
@role_required("referent")
def advance():
    """Move the clock forward by a number of minutes, hours or days."""
    _only_when_enabled()
    form = AdvanceForm()
    if not form.validate_on_submit():
        return _page(advance=form, status=422)
    return _moved(delta=timedelta(**{form.unit.data: form.amount.data}))


@bp.route("/horloge/aller", methods=["POST"])
@role_required("referent")
def move_to():
    """Move the clock forward to a date and time (Paris)."""
    _only_when_enabled()
    form = MoveToForm()
    if not form.validate_on_submit():
        return _page(move=form, status=422)
    target = datetime.combine(form.day.data, form.at.data, tzinfo=clock.PARIS)
    return _moved(target=clock.as_utc(target))


@bp.route("/horloge/oral", methods=["POST"])
@role_required("referent")
def to_oral():
    """Move the clock to the start of a booked oral."""
    _only_when_enabled()
    booking_id = request.form.get("booking_id", type=int)
    start = next((s for b, s, _c, _a in services.upcoming_orals(current_user, limit=500)
                  if b == booking_id), None)
    if start is None:
        abort(404)
    return _moved(target=clock.as_utc(start))
