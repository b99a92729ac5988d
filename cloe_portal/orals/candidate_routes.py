"""Booking the oral: the candidate's calendar, and the partner booking for its candidate.

Both roles share the same views through ``_calendar``/``_confirm``/``_cancel``; the
endpoint prefix (``candidate_`` or ``partner_``) is passed to the templates.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.candidates.choice import after_written, chosen_registration
from cloe_portal.core.access import load_or_404, role_required, same_partner
from cloe_portal.core.htmx import page_or_fragment
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.blueprint import bp
from cloe_portal.orals.models import OralSlot
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules import windows
from cloe_portal.sessions.models import Registration

register_nav(("candidate",), "Mon entretien oral", "orals.candidate_booking", order=30)


def _candidate_owns(user, registration: Registration) -> bool:
    return user.role == "candidate" and registration.candidate_id == user.id


def _partner_owns(user, registration: Registration) -> bool:
    return user.role == "partner" and same_partner(user, registration.partner_id)


def _week_arg(registration: Registration) -> dt.date:
    """The Monday of the week to show: ?semaine=YYYY-MM-DD, else the first useful week."""
    raw = request.args.get("semaine", "")
    try:
        return services.week_start(dt.date.fromisoformat(raw))
    except ValueError:
        pass
    current = services.active_booking(registration)
    if current is not None and request.args.get("modifier") is None:
        return services.week_start(windows.paris_date(current.slot.starts_at))
    window = services.booking_window(registration)
    today = clock.today_paris()
    first = today
    if window is not None and not window.is_empty:
        first = max(today, windows.paris_date(window.opens_at))
        upcoming = services.next_free_slot(registration, services.paris_to_utc(first, dt.time()))
        if upcoming is not None:
            first = windows.paris_date(upcoming.starts_at)
    return services.week_start(first)


def _calendar(registration: Registration, kind: str):
    """Render the booking page (or its calendar fragment for htmx)."""
    oral = services.oral_page_state(registration)
    monday = _week_arg(registration)
    window = services.booking_window(registration)
    slots = services.free_slots(registration, monday) if oral.can_choose_slot else []
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    by_day: dict[dt.date, list[OralSlot]] = {d: [] for d in days}
    for slot in slots:
        by_day[windows.paris_date(slot.starts_at)].append(slot)
    _, week_end = services.week_bounds_utc(monday)
    next_slot = None if slots or not oral.can_choose_slot else services.next_free_slot(
        registration, week_end)
    current = oral.booking if oral.state in ("booked", "locked") else None
    prev_week = monday - dt.timedelta(days=7)
    opens_monday = services.week_start(windows.paris_date(window.opens_at)) if window else None
    closes_monday = services.week_start(windows.paris_date(window.closes_at)) if window else None
    context = dict(
        registration=registration,
        kind=kind,
        ep=f"orals.{kind}_",
        monday=monday,
        sunday=monday + dt.timedelta(days=6),
        days=days,
        by_day=by_day,
        slot_count=len(slots),
        next_slot=next_slot,
        next_slot_monday=services.week_start(windows.paris_date(next_slot.starts_at)).isoformat()
        if next_slot else None,
        prev_week=prev_week if opens_monday is None or prev_week >= min(
            opens_monday, services.week_start(clock.today_paris())) else None,
        next_week=monday + dt.timedelta(days=7) if closes_monday and monday < closes_monday
        else None,
        window=window,
        oral=oral,
        current=current,
        waitlist=services.waitlist_entry(registration) if oral.state == "to_book" else None,
        language_name=LANGUAGES.get(registration.session.language, ""),
        show_calendar=oral.state == "to_book" or oral.can_choose_slot and (
            request.args.get("modifier") is not None or request.args.get("semaine") is not None),
        results_url=url_for("results.candidate_results" if kind == "candidate"
                            else "results.partner_results"),
        page_url=lambda **args: _home(registration, kind, **args),
    )
    return page_or_fragment("orals/booking.html", "orals/_calendar.html", **context)


def _confirm(registration: Registration, slot_id: int, kind: str):
    """GET: the confirmation step; POST: book the slot."""
    slot = db.session.get(OralSlot, slot_id) or abort(404)
    back = _home(registration, kind, semaine=services.week_start(
        windows.paris_date(slot.starts_at)).isoformat())
    if request.method == "POST":
        try:
            services.book_slot(current_user, registration, slot.id)
        except services.OralError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(back, 303)
        db.session.commit()
        flash(_("Votre rendez-vous est réservé. Une confirmation part par e-mail."), "success")
        return redirect(_home(registration, kind), 303)
    problem = services.bookable_slot(registration, slot)
    if problem is None and slot.active_booking is not None:
        problem = _("Ce créneau vient d'être réservé. Choisissez un autre créneau.")
    return render_template("orals/confirm.html", registration=registration, slot=slot,
                           kind=kind, ep=f"orals.{kind}_", problem=problem, back=back,
                           current=services.active_booking(registration),
                           locks_at_once=windows.is_locked(slot.starts_at, clock.now()))


def _cancel(registration: Registration, kind: str):
    """GET: explain (and warn after the lock); POST: cancel. Only while the oral is ahead."""
    oral = services.oral_page_state(registration)
    if not (oral.can_cancel or oral.can_cancel_late):
        flash(_("Aucun rendez-vous à annuler.") if oral.booking is None else
              _("L'entretien oral a commencé, a eu lieu ou est clos : le rendez-vous ne peut "
                "plus être annulé."), "error")
        return redirect(_home(registration, kind), 303)
    current = oral.booking
    locked = oral.can_cancel_late
    if request.method == "POST":
        try:
            services.cancel_booking(current_user, registration,
                                    late_ok=locked and request.form.get("late") == "1")
        except services.OralError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(_home(registration, kind), 303)
        db.session.commit()
        flash(_("Le rendez-vous est annulé.") if not locked else
              _("Le rendez-vous est annulé. L'épreuve orale est comptée comme passée."), "success")
        return redirect(_home(registration, kind), 303)
    return render_template("orals/cancel.html", registration=registration, booking=current,
                           locked=locked, kind=kind, ep=f"orals.{kind}_")


def _waitlist(registration: Registration, kind: str):
    try:
        services.join_waitlist(current_user, registration)
    except services.OralError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(_home(registration, kind), 303)
    db.session.commit()
    flash(_("C'est noté : vous recevrez un e-mail dès qu'un créneau se libère."), "success")
    return redirect(_home(registration, kind), 303)


@bp.app_template_global("oral_page_state")
def oral_page_state(registration: Registration) -> services.OralPageState:
    """For the oral actions of pages outside this blueprint (the candidate's home)."""
    return services.oral_page_state(registration)


def _home(registration: Registration, kind: str, **args: str) -> str:
    """The booking page of this registration for this role (with query arguments)."""
    if kind == "candidate":
        return url_for("orals.candidate_booking", inscription=registration.id, **args)
    return url_for("orals.partner_book", registration_id=registration.id, **args)


# --- candidate ---------------------------------------------------------------------------


def _candidate_registration() -> Registration | None:
    """The registration shown: ?inscription=<id> (the candidate's own, else 404), else the
    only one under way past the written test (with several, the candidate chooses on the
    home), else the latest whose oral page still has something to show (results)."""
    registration = chosen_registration(after_written)
    if registration is not None:
        return registration
    return db.session.scalar(
        db.select(Registration)
        .where(Registration.candidate_id == current_user.id,
               Registration.status.in_(services.ORAL_PAGE_STATUSES))
        .order_by(Registration.created_at.desc(), Registration.id.desc()).limit(1)
    )


@bp.route("/oral/reservation")
@role_required("candidate")
def candidate_booking():
    """The candidate's booking page: current appointment and the week calendar of free slots."""
    registration = _candidate_registration()
    if registration is None:
        return render_template("orals/nothing_to_book.html")
    return _calendar(registration, "candidate")


@bp.route("/oral/reservation/<int:registration_id>/creneau/<int:slot_id>",
          methods=["GET", "POST"])
@role_required("candidate")
def candidate_confirm(registration_id: int, slot_id: int):
    """Confirm, then book, a slot."""
    registration = load_or_404(Registration, registration_id, _candidate_owns)
    return _confirm(registration, slot_id, "candidate")


@bp.route("/oral/reservation/<int:registration_id>/annuler", methods=["GET", "POST"])
@role_required("candidate")
def candidate_cancel(registration_id: int):
    """Cancel the appointment (until 24 h before; later it counts as taken)."""
    return _cancel(load_or_404(Registration, registration_id, _candidate_owns), "candidate")


@bp.route("/oral/reservation/<int:registration_id>/liste-attente", methods=["POST"])
@role_required("candidate")
def candidate_waitlist(registration_id: int):
    """Ask to be told when a slot frees up."""
    return _waitlist(load_or_404(Registration, registration_id, _candidate_owns), "candidate")


@bp.route("/oral/reservation/<int:registration_id>/quitter", methods=["POST"])
@role_required("candidate")
def candidate_leave(registration_id: int):
    """Leave the booking page: confirmed booking, or the centre booked for the candidate."""
    registration = load_or_404(Registration, registration_id, _candidate_owns)
    if request.form.get("why") == "centre":
        flash(_("Votre organisme de formation réserve votre entretien oral : vous recevrez la "
                "confirmation par e-mail."), "info")
    elif services.active_booking(registration) is not None:
        flash(_("Votre rendez-vous est confirmé. À bientôt pour votre entretien oral."), "success")
    return redirect(url_for("core.index"), 303)


# --- partner -------------------------------------------------------------------------------


@bp.route("/partenaire/oral/<int:registration_id>")
@role_required("partner")
def partner_book(registration_id: int):
    """The partner books (or moves) its candidate's oral."""
    return _calendar(load_or_404(Registration, registration_id, _partner_owns), "partner")


@bp.route("/partenaire/oral/<int:registration_id>/creneau/<int:slot_id>",
          methods=["GET", "POST"])
@role_required("partner")
def partner_confirm(registration_id: int, slot_id: int):
    """Confirm, then book, a slot for the partner's candidate."""
    registration = load_or_404(Registration, registration_id, _partner_owns)
    return _confirm(registration, slot_id, "partner")


@bp.route("/partenaire/oral/<int:registration_id>/annuler", methods=["GET", "POST"])
@role_required("partner")
def partner_cancel(registration_id: int):
    """Cancel the candidate's appointment."""
    return _cancel(load_or_404(Registration, registration_id, _partner_owns), "partner")


@bp.route("/partenaire/oral/<int:registration_id>/liste-attente", methods=["POST"])
@role_required("partner")
def partner_waitlist(registration_id: int):
    """Put the candidate on the waitlist."""
    return _waitlist(load_or_404(Registration, registration_id, _partner_owns), "partner")
