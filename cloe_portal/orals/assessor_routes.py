"""The assessor's side: availability (week view), the day's orals, and the scoring form."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.htmx import is_htmx, page_or_fragment
from cloe_portal.core.nav import register_nav, set_home
from cloe_portal.core.urls import id_url
from cloe_portal.extensions import db
from cloe_portal.orals import services
from cloe_portal.orals.blueprint import bp
from cloe_portal.orals.forms import (
    AbsenceForm,
    AttendanceForm,
    OneOffForm,
    WeeklyForm,
    language_choices,
)
from cloe_portal.orals.models import OralBooking, OralSlot
from cloe_portal.reference.cefr_text import oral_criterion_descriptor
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.reference.oral_prompts import prompts_for
from cloe_portal.rules import windows
from cloe_portal.rules.cefr import CRITERION_LABELS_FR, ORAL_CRITERIA, SUBLEVELS

register_nav(("assessor",), "Mes oraux", "orals.assessor_day", order=10)
register_nav(("assessor",), "Mes disponibilités", "orals.assessor_availability", order=20)
set_home("assessor", "orals.assessor_day")

ORAL_PARTS = (
    ("intro", "1. Questions d'introduction", "3 à 5 min", 3, 5),
    ("roleplay", "2. Mise en situation", "4 à 6 min", 4, 6),
    ("discussion", "3. Discussion autour d'un thème", "4 à 6 min", 4, 6),
)


def _day_arg(name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return clock.today_paris()


def _own_booking(user, booking: OralBooking) -> bool:
    return services.may_open(user, booking)


# --- day view ------------------------------------------------------------------------------


@bp.route("/evaluateur/oraux")
@role_required("assessor")
def assessor_day():
    """The assessor's orals of a day: candidate, level, accommodations, video link, grid."""
    day = _day_arg("jour")
    bookings = services.assessor_day(current_user, day)
    return render_template(
        "orals/assessor_day.html", day=day, bookings=bookings,
        prev_day=day - dt.timedelta(days=1), next_day=day + dt.timedelta(days=1),
        video_link=services.video_link(current_user.id), languages=LANGUAGES,
        today=clock.today_paris(), grid_url=id_url("orals.assessor_oral", "booking_id"),
    )


# --- availability ----------------------------------------------------------------------------


def _availability_forms():
    languages = services.languages_for(current_user)
    one_off, weekly, absence = OneOffForm(prefix="ponctuel"), WeeklyForm(prefix="hebdo"), AbsenceForm(prefix="absence")
    for form in (one_off, weekly):
        form.language.choices = language_choices(languages)
    return languages, one_off, weekly, absence


def _render_availability(monday: dt.date, one_off, weekly, absence, languages, status=200):
    slots = services.assessor_week(current_user, monday)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    by_day: dict[dt.date, list[OralSlot]] = {d: [] for d in days}
    for slot in slots:
        by_day[windows.paris_date(slot.starts_at)].append(slot)
    return page_or_fragment(
        "orals/availability.html", "orals/_assessor_week.html", http_status=status,
        monday=monday, days=days, by_day=by_day, one_off=one_off, weekly=weekly,
        absence=absence, languages=languages, language_names=LANGUAGES,
        prev_week=monday - dt.timedelta(days=7), next_week=monday + dt.timedelta(days=7),
        now=clock.now(), free_count=sum(1 for s in slots if s.active_booking is None),
        booked_count=sum(1 for s in slots if s.active_booking is not None),
    )


@bp.route("/evaluateur/disponibilites")
@role_required("assessor")
def assessor_availability():
    """Week view of free and booked slots, with the forms to publish availability."""
    monday = services.week_start(_day_arg("semaine"))
    languages, one_off, weekly, absence = _availability_forms()
    return _render_availability(monday, one_off, weekly, absence, languages)


def _publish_summary(result: services.PublishResult) -> str:
    parts = [_("%(n)s créneau(x) publié(s)", n=len(result.created))]
    if result.skipped_existing:
        parts.append(_("%(n)s déjà présent(s)", n=result.skipped_existing))
    if result.skipped_past:
        parts.append(_("%(n)s dans le passé, ignoré(s)", n=result.skipped_past))
    if result.skipped_exception:
        parts.append(_("%(n)s retiré(s) par l'exception", n=result.skipped_exception))
    return ", ".join(parts) + "."


@bp.route("/evaluateur/disponibilites/ponctuel", methods=["POST"])
@role_required("assessor")
def publish_one_off():
    """Publish a one-off block of 30-minute slots."""
    languages, one_off, weekly, absence = _availability_forms()
    if not one_off.validate_on_submit():
        return _render_availability(services.week_start(clock.today_paris()), one_off, weekly,
                                    absence, languages, 422)
    try:
        result = services.publish_block(current_user, current_user, one_off.language.data,
                                        one_off.day.data, one_off.start.data, one_off.end.data)
    except services.OralError as exc:
        db.session.rollback()
        one_off.form_errors.append(exc.message)
        return _render_availability(services.week_start(one_off.day.data), one_off, weekly,
                                    absence, languages, 422)
    db.session.commit()
    flash(_publish_summary(result), "success")
    return redirect(url_for(".assessor_availability",
                            semaine=services.week_start(one_off.day.data).isoformat()), 303)


@bp.route("/evaluateur/disponibilites/hebdomadaire", methods=["POST"])
@role_required("assessor")
def publish_weekly():
    """Publish a block repeated every week (with an optional exception range)."""
    languages, one_off, weekly, absence = _availability_forms()
    if not weekly.validate_on_submit():
        return _render_availability(services.week_start(clock.today_paris()), one_off, weekly,
                                    absence, languages, 422)
    try:
        result = services.publish_weekly(
            current_user, current_user, weekly.language.data, weekly.first_day.data,
            weekly.start.data, weekly.end.data, weekly.weeks.data,
            weekly.except_from.data, weekly.except_to.data)
    except services.OralError as exc:
        db.session.rollback()
        weekly.form_errors.append(exc.message)
        return _render_availability(services.week_start(weekly.first_day.data), one_off,
                                    weekly, absence, languages, 422)
    db.session.commit()
    flash(_publish_summary(result), "success")
    return redirect(url_for(".assessor_availability",
                            semaine=services.week_start(weekly.first_day.data).isoformat()), 303)


@bp.route("/evaluateur/disponibilites/absence", methods=["POST"])
@role_required("assessor")
def add_absence():
    """Holidays: remove the free slots of a date range (booked ones stay)."""
    languages, one_off, weekly, absence = _availability_forms()
    if not absence.validate_on_submit():
        return _render_availability(services.week_start(clock.today_paris()), one_off, weekly,
                                    absence, languages, 422)
    try:
        removed, kept = services.remove_free_slots(current_user, current_user,
                                                   absence.from_day.data, absence.to_day.data)
    except services.OralError as exc:
        db.session.rollback()
        absence.form_errors.append(exc.message)
        return _render_availability(services.week_start(clock.today_paris()), one_off, weekly,
                                    absence, languages, 422)
    db.session.commit()
    message = _("%(n)s créneau(x) libre(s) retiré(s).", n=removed)
    if kept:
        message += " " + _("%(n)s créneau(x) réservé(s) conservé(s) : demandez au référent de les "
                             "réattribuer si vous êtes absent(e).", n=kept)
    flash(message, "warning" if kept else "success")
    return redirect(url_for(".assessor_availability",
                            semaine=services.week_start(absence.from_day.data).isoformat()), 303)


@bp.route("/evaluateur/creneaux/<int:slot_id>/supprimer", methods=["POST"])
@role_required("assessor")
def delete_slot(slot_id: int):
    """Remove one free slot (a booked slot cannot be removed)."""
    slot = load_or_404(OralSlot, slot_id, lambda user, s: s.assessor_id == user.id
                       and s.withdrawn_at is None)
    monday = services.week_start(windows.paris_date(slot.starts_at))
    try:
        services.delete_slot(current_user, slot)
    except services.OralError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".assessor_availability", semaine=monday.isoformat()), 303)
    db.session.commit()
    if is_htmx():
        languages, one_off, weekly, absence = _availability_forms()
        return _render_availability(monday, one_off, weekly, absence, languages)
    flash(_("Créneau supprimé."), "success")
    return redirect(url_for(".assessor_availability", semaine=monday.isoformat()), 303)


# --- scoring ----------------------------------------------------------------------------------


def _grid_context(booking: OralBooking, **extra):
    registration = booking.registration
    assessment = booking.assessment
    prompts = prompts_for(booking.slot.language, registration.target_level,
                          registration.session.domain)
    levels = {c: getattr(assessment, c) if assessment else None for c in ORAL_CRITERIA}
    context = dict(
        booking=booking, registration=registration, assessment=assessment,
        can_score=services.may_score(current_user, booking),
        prompts=prompts, parts=ORAL_PARTS, criteria=ORAL_CRITERIA,
        criterion_labels=CRITERION_LABELS_FR, sublevels=SUBLEVELS, levels=levels,
        descriptors={c: oral_criterion_descriptor(c, v) if v else None for c, v in levels.items()},
        report_min=services.REPORT_MIN_LENGTH,
        written_questions=registration.approved("written_oral_questions"),
        video_link=services.video_link(booking.slot.assessor_id),
        language_name=LANGUAGES.get(booking.slot.language, booking.slot.language),
        errors={},
        attendance_form=AttendanceForm(),
        arrival_now=windows.to_paris(clock.now()).strftime("%H:%M:%S"),
        scoring=services.scoring_state(booking),
        scoring_blocker=services.scoring_blocker(booking),
        grid_deadline=services.grid_deadline(booking),
    )
    context.update(extra)
    return context


def _load_scorable(booking_id: int) -> OralBooking:
    booking = load_or_404(OralBooking, booking_id, _own_booking)
    if not services.may_score(current_user, booking):
        abort(403)
    return booking


@bp.route("/evaluateur/oraux/<int:booking_id>")
@role_required("assessor")
def assessor_oral(booking_id: int):
    """The scoring screen: attendance, prompt bank with timings, the 5 criteria, the report."""
    booking = load_or_404(OralBooking, booking_id, _own_booking)
    return render_template("orals/oral.html", **_grid_context(booking))


@bp.route("/evaluateur/oraux/<int:booking_id>/presence", methods=["POST"])
@role_required("assessor")
def assessor_attendance(booking_id: int):
    """Record identity check and attendance (the server applies the 10-minute rule)."""
    booking = _load_scorable(booking_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return render_template("orals/oral.html", **_grid_context(booking, attendance_form=form)), 422
    arrival = None
    if form.attendance.data != "absent" and form.arrival.data is not None:
        day = windows.paris_date(booking.slot.starts_at)
        arrival = services.paris_to_utc(day, form.arrival.data)
    identity = {"yes": True, "no": False}.get(form.identity_checked.data or "")
    try:
        assessment = services.record_attendance(current_user, booking, identity,
                                                form.attendance.data, arrival)
    except services.OralError as exc:
        db.session.rollback()
        form.attendance.errors = [exc.message]
        return render_template("orals/oral.html", **_grid_context(booking, attendance_form=form)), 422
    db.session.commit()
    if assessment.validated_at is not None:
        flash(_("Oral clos comme non passé : %(attendance)s.", attendance=assessment.attendance_label.lower()), "warning")
    else:
        flash(_("Présence enregistrée. Bon entretien !"), "success")
    return redirect(url_for(".assessor_oral", booking_id=booking.id) + "#grille", 303)


def posted_grid() -> tuple[dict[str, str | None], str | None]:
    """The criteria levels and report posted from a grid's form (only those sent)."""
    levels = {c: request.form.get(c) or None for c in ORAL_CRITERIA if c in request.form}
    return levels, request.form.get("report") if "report" in request.form else None


@bp.route("/evaluateur/oraux/<int:booking_id>/grille", methods=["POST"])
@role_required("assessor")
def assessor_save(booking_id: int):
    """Autosave the grid (htmx: answers the "Enregistré à HH:MM" status)."""
    booking = _load_scorable(booking_id)
    levels, report = posted_grid()
    return autosave_response(
        lambda: services.save_grid(current_user, booking, levels, report), services.OralError,
        url_for(".assessor_oral", booking_id=booking.id))


def autosave_response(save, refused: type[Exception], page: str):  # noqa: ANN001, ANN201
    """Run a grid's autosave: htmx gets the "Enregistré à HH:MM" status (or the refusal,
    422); a plain form post is redirected back to the grid with a message."""
    try:
        grid = save()
    except refused as exc:
        db.session.rollback()
        if is_htmx():
            return render_template("orals/_autosave.html", error=exc.message), 422
        flash(exc.message, "error")
        return redirect(page, 303)
    db.session.commit()
    if is_htmx():
        return render_template("orals/_autosave.html", saved_at=grid.saved_at)
    flash(_("Grille enregistrée."), "success")
    return redirect(page + "#grille", 303)


@bp.route("/evaluateur/oraux/<int:booking_id>/valider", methods=["POST"])
@role_required("assessor")
def assessor_validate(booking_id: int):
    """Save, check the grid is complete, then validate it (read-only afterwards)."""
    booking = _load_scorable(booking_id)
    levels, report = posted_grid()
    try:
        assessment = services.save_grid(current_user, booking, levels, report)
        errors = services.grid_errors(assessment)
        if errors:
            db.session.commit()  # keep what was typed
            return render_template("orals/oral.html", **_grid_context(booking, errors=errors)), 422
        services.validate_grid(current_user, booking)
    except services.OralError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".assessor_oral", booking_id=booking.id), 303)
    db.session.commit()
    flash(_("Grille validée. Elle est transmise au jury."), "success")
    return redirect(url_for(".assessor_oral", booking_id=booking.id), 303)


@bp.route("/evaluateur/descripteur")
@role_required("assessor")
def assessor_descriptor():
    """htmx fragment: the CEFR descriptor of a criterion at a chosen sub-level."""
    criterion = request.args.get("critere", "")
    level = request.args.get(criterion) or request.args.get("niveau") or ""
    known = criterion in ORAL_CRITERIA and level in SUBLEVELS
    text = oral_criterion_descriptor(criterion, level) if known else None
    return render_template("orals/_descriptor.html", criterion=criterion, level=level, text=text)
