"""The referent's side of orals: follow bookings, reassign, force majeure, reopen a grid."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.assessors.models import Accreditation
from cloe_portal.audit.timeline import registration_timeline
from cloe_portal.core.access import STAFF, load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.blueprint import bp
from cloe_portal.orals.forms import ForceMajeureForm, ReasonForm, ReassignForm
from cloe_portal.orals.models import OralBooking, OralSlot
from cloe_portal.partners.scope import may_see_partner, partner_filter
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules import windows
from cloe_portal.rules.calendar import paris_date
from cloe_portal.sessions.models import Registration

register_nav(("coordinator", "referent"), "Oraux", "orals.referent_list", order=45)


def _staff(user, registration: Registration) -> bool:  # noqa: ANN001
    """The coordinator follows every oral; a referent those of its centre's partners."""
    return user.role in STAFF and may_see_partner(user, registration.partner_id)


@bp.route("/referent/oraux")
@role_required("referent")
def referent_list():
    """Booked orals from a week ago onwards, and those closed as not taken."""
    since = clock.now() - dt.timedelta(days=7)
    bookings = list(db.session.scalars(
        db.select(OralBooking)
        .join(OralSlot, OralBooking.slot_id == OralSlot.id)
        .options(joinedload(OralBooking.slot).joinedload(OralSlot.assessor),
                 joinedload(OralBooking.registration).joinedload(Registration.candidate),
                 joinedload(OralBooking.registration).joinedload(Registration.partner),
                 joinedload(OralBooking.assessment))
        .join(Registration, OralBooking.registration_id == Registration.id)
        .where(OralSlot.starts_at >= since,
               OralBooking.status.in_(("booked", "late_cancelled")),
               partner_filter(current_user, Registration.partner_id))
        .order_by(OralSlot.starts_at)
        .limit(500)
    ))
    return render_template("orals/referent_list.html", bookings=bookings, languages=LANGUAGES,
                           now=clock.now(), unaccredited=_unaccredited(bookings))


def _unaccredited(bookings: list[OralBooking]) -> set[int]:
    """Ids of upcoming booked orals whose assessor is not accredited in that language on the
    oral's date (expired or withdrawn accreditation): the referent must reassign them."""
    now = clock.now()
    upcoming = [b for b in bookings if b.status == "booked" and b.slot.starts_at > now]
    if not upcoming:
        return set()
    accreditations = list(db.session.scalars(db.select(Accreditation).where(
        Accreditation.assessor_id.in_({b.slot.assessor_id for b in upcoming}),
        Accreditation.status == "accredited")))
    flagged = set()
    for booking in upcoming:
        day = paris_date(booking.slot.starts_at)
        if not any(a.assessor_id == booking.slot.assessor_id and a.language == booking.slot.language
                   and a.is_valid_on(day) for a in accreditations):
            flagged.add(booking.id)
    return flagged


def _manage_context(registration: Registration, **forms):
    current = services.active_booking(registration)
    bookings = list(db.session.scalars(
        db.select(OralBooking).options(joinedload(OralBooking.slot).joinedload(OralSlot.assessor),
                                       joinedload(OralBooking.assessment))
        .where(OralBooking.registration_id == registration.id).order_by(OralBooking.id)
    ))
    reassign = forms.get("reassign") or ReassignForm(prefix="reassign")
    if current is not None:
        reassign.assessor_id.choices = [
            SelectChoice(u.id, u.full_name) for u in services.reassign_candidates(current)
        ]
    outcome = services.oral_outcome(registration)
    latest = services.latest_booking(registration)
    now = clock.now()
    return dict(
        registration=registration, current=current, bookings=bookings, outcome=outcome,
        locked=current is not None and services.is_locked(current),
        reassign=reassign,
        can_reassign=current is not None and services.reassign_blocker(current, now) is None,
        force=forms.get("force") or ForceMajeureForm(prefix="fm"),
        reopen=forms.get("reopen") or ReasonForm(prefix="reopen"),
        can_force=registration.status == "oral_booked"
        or (registration.status == "oral_done" and outcome is not None and not outcome.taken),
        history=registration_timeline(registration, current_user), languages=LANGUAGES,
        latest=latest,
        grid_state=services.scoring_state(latest, now) if latest and latest.status == "booked"
        else None,
        grid_deadline=services.grid_deadline(latest) if latest else None,
        can_reopen=latest is not None and services.reopen_blocker(latest, now) is None,
        reopen_until=windows.grid_deadline(latest.slot.starts_at, now) if latest else None,
    )


@bp.route("/referent/oraux/inscription/<int:registration_id>")
@role_required("referent")
def referent_registration(registration_id: int):
    """One registration's oral: bookings, outcome, and the referent's actions."""
    registration = load_or_404(Registration, registration_id, _staff)
    return render_template("orals/referent_registration.html", **_manage_context(registration))


@bp.route("/referent/oraux/inscription/<int:registration_id>/reattribuer", methods=["POST"])
@role_required("referent")
def referent_reassign(registration_id: int):
    """Give the booked oral to another accredited assessor; the candidate is emailed."""
    registration = load_or_404(Registration, registration_id, _staff)
    context = _manage_context(registration)
    form = context["reassign"]
    if context["current"] is None or not form.validate_on_submit():
        return render_template("orals/referent_registration.html", **context), 422
    assessor = db.session.get(User, form.assessor_id.data)
    try:
        services.reassign_booking(current_user, context["current"], assessor, form.reason.data)
    except services.OralError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".referent_registration", registration_id=registration.id), 303)
    db.session.commit()
    flash(_("Oral réattribué à %(name)s. Le candidat est prévenu par e-mail.", name=assessor.full_name), "success")
    return redirect(url_for(".referent_registration", registration_id=registration.id), 303)


@bp.route("/referent/oraux/inscription/<int:registration_id>/force-majeure", methods=["POST"])
@role_required("referent")
def referent_force_majeure(registration_id: int):
    """Force majeure with proof: the candidate may book a new slot."""
    registration = load_or_404(Registration, registration_id, _staff)
    form = ForceMajeureForm(prefix="fm")
    if not form.validate_on_submit():
        return render_template("orals/referent_registration.html",
                               **_manage_context(registration, force=form)), 422
    try:
        services.grant_force_majeure(current_user, registration, form.reason.data,
                                     form.extension_days.data or 0)
    except services.OralError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".referent_registration", registration_id=registration.id), 303)
    db.session.commit()
    flash(_("Force majeure accordée : le candidat peut réserver un nouveau créneau."), "success")
    return redirect(url_for(".referent_registration", registration_id=registration.id), 303)


@bp.route("/referent/oraux/inscription/<int:registration_id>/rouvrir", methods=["POST"])
@role_required("referent")
def referent_reopen(registration_id: int):
    """Give the grid back to its assessor: to correct a validated grid, or after the entry
    deadline (end of the working day after the oral) has passed."""
    registration = load_or_404(Registration, registration_id, _staff)
    form = ReasonForm(prefix="reopen")
    booking = services.latest_booking(registration)
    if booking is None or not form.validate_on_submit():
        return render_template("orals/referent_registration.html",
                               **_manage_context(registration, reopen=form)), 422
    try:
        services.reopen_assessment(current_user, booking, form.reason.data)
    except services.OralError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".referent_registration", registration_id=registration.id), 303)
    db.session.commit()
    flash(_("Grille rouverte : l'évaluateur peut la corriger puis la valider à nouveau."), "success")
    return redirect(url_for(".referent_registration", registration_id=registration.id), 303)
