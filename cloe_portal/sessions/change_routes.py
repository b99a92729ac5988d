"""After enrolment: edit a session or an enrolment, withdraw a candidate (partner, referent).

The partner acts before the written test; the referent following the partner acts after
it too, always with a reason (`sessions.edits` holds the rules). Another organisation's
session or registration answers 404; a refusal (too late, closed, missing reason) answers
the page again with the message beside the field or as an alert, and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.core.access import STAFF, load_or_404, role_required
from cloe_portal.extensions import db
from cloe_portal.partners.scope import may_see_partner
from cloe_portal.reference.cefr_text import TARGET_LEVEL_HELP
from cloe_portal.sessions import edits
from cloe_portal.sessions.forms import EnrolmentEditForm, SessionEditForm, WithdrawalForm
from cloe_portal.sessions.models import (
    ACCOMMODATION_STATUSES,
    WITHDRAWAL_REASONS,
    ExamSession,
    Registration,
)

bp = Blueprint("session_changes", __name__)


def _may_see_session(user, session: ExamSession) -> bool:  # noqa: ANN001
    return may_see_partner(user, session.partner_id)


def _may_see_registration(user, registration: Registration) -> bool:  # noqa: ANN001
    return may_see_partner(user, registration.partner_id)


def _refused(form, refused: edits.ChangeRefused) -> str | None:  # noqa: ANN001
    """Put each problem beside its field; return the one about the whole form, if any."""
    general = None
    for name, message in refused.problems.items():
        if name and hasattr(form, name):
            getattr(form, name).errors.append(message)
        else:
            general = message
    return general


# What the session and candidate pages show (their partials call these): template globals,
# so the pages' own views need not know about the changes.


@bp.app_template_global()
def session_change_lock(session: ExamSession) -> str | None:
    """Why the current user may not edit this session now (None: the link is shown)."""
    return edits.session_lock(current_user, session)


@bp.app_template_global()
def registration_change_locks(registration: Registration) -> dict[str, str | None]:
    """Why the current user may not edit / withdraw this registration (None: link shown)."""
    return {"edit": edits.registration_lock(current_user, registration),
            "withdraw": edits.withdrawal_lock(registration)}


@bp.app_template_global()
def withdrawal_reason_label(code: str | None) -> str:
    """The French label of a withdrawal reason."""
    return WITHDRAWAL_REASONS.get(code or "", code or "")


# --- 1. edit a session ---------------------------------------------------------------------


def _session_form(session: ExamSession) -> SessionEditForm:
    form = SessionEditForm(obj=session, current_date=session.written_date)
    if request.method == "GET":
        form.domain.data = session.domain or ""
    form.reason_required = current_user.role in STAFF
    return form


def _submit(form, lock: str | None, change: Callable[[], Any]) -> tuple[bool, Any, str | None]:  # noqa: ANN001
    """Make the change when nothing locks it and the form is valid: (True, its result, None)
    committed; else (False, None, the message about the whole form if any), rolled back."""
    if lock is not None or not form.validate_on_submit():
        return False, None, None
    try:
        result = change()
    except edits.ChangeRefused as refused:
        db.session.rollback()
        return False, None, _refused(form, refused)
    db.session.commit()
    return True, result, None


def _status(form, lock: str | None) -> int:  # noqa: ANN001
    """200 for the page; after a POST, 409 when it came too late, else 422 (errors shown)."""
    if request.method != "POST":
        return 200
    return 409 if lock else 422


@bp.route("/sessions/<int:session_id>/modifier", methods=["GET", "POST"])
@role_required("partner", "referent")
def edit_session(session_id: int):
    """Edit a session: the partner before any written test started, the referent with a reason."""
    session = load_or_404(ExamSession, session_id, _may_see_session)
    lock = edits.session_lock(current_user, session)
    form = _session_form(session)
    done, edited, general = _submit(form, lock, lambda: edits.edit_session(
        current_user, session, edits.SessionChanges(
            name=form.name.data, kind=form.kind.data, language=form.language.data,
            domain=form.domain.data or None, written_date=form.written_date.data,
            target_level=form.target_level.data or None), form.reason.data))
    if done:
        flash(_session_message(edited), "success")
        return redirect(url_for("sessions.detail", session_id=session.id), 303)
    return render_template("sessions/edit.html", session=session, form=form, lock=lock,
                           general_error=general,
                           started=len(edits.started_registrations(session))), _status(form, lock)


def _session_message(edited: edits.SessionEdited) -> str:
    parts = [_("Session modifiée.")]
    if edited.levels_changed:
        parts.append(_("Niveau visé changé pour %(n)s candidat(s).", n=edited.levels_changed))
    if edited.levels_kept:
        parts.append(_("%(n)s candidat(s) ayant commencé le test écrit garde(nt) son niveau.",
                       n=edited.levels_kept))
    if edited.emailed:
        parts.append(_("%(n)s candidat(s) prévenu(s) par e-mail.", n=edited.emailed))
    return " ".join(parts)


# --- 2. edit an enrolment --------------------------------------------------------------------


def _enrolment_form(registration: Registration) -> EnrolmentEditForm:
    form = EnrolmentEditForm(obj=registration)
    if request.method == "GET":
        standing = edits.active_accommodations(registration)
        form.first_name.data = registration.candidate_first_name
        form.last_name.data = registration.candidate_last_name
        form.email.data = registration.candidate.email
        form.accommodations.data = list(standing)
        form.accommodation_details.data = next(
            (a.details for a in standing.values() if a.details), None)
    form.reason_required = current_user.role in STAFF
    return form


@bp.route("/inscriptions/<int:registration_id>/modifier", methods=["GET", "POST"])
@role_required("partner", "referent")
def edit_registration(registration_id: int):
    """Edit an enrolment: the partner before the written test, the referent with a reason."""
    registration = load_or_404(Registration, registration_id, _may_see_registration)
    lock = edits.registration_lock(current_user, registration)
    form = _enrolment_form(registration)
    done, edited, general = _submit(form, lock, lambda: edits.edit_enrolment(
        current_user, registration, form.enrolment(), form.reason.data))
    if done:
        flash(_enrolment_message(edited), "success")
        return redirect(url_for("partners.candidate", candidate_id=registration.candidate_id), 303)
    return render_template(
        "sessions/registration_edit.html", registration=registration, form=form, lock=lock,
        general_error=general, level_help=TARGET_LEVEL_HELP, statuses=ACCOMMODATION_STATUSES,
        email_note=_email_note(registration)), _status(form, lock)


def _email_note(registration: Registration) -> str | None:
    """Says, before the partner tries, that the login address is the referent's to change."""
    if current_user.role in STAFF:
        return None
    person = registration.candidate
    if (edits.account_is_partners_alone(registration) and person.password_hash is None
            and person.last_login_at is None):
        return None
    return edits.PARTNER_EMAIL_REFUSED


def _enrolment_message(edited: edits.EnrolmentEdited) -> str:
    parts = [_("Inscription modifiée.")]
    if "email" in edited.changes:
        parts.append(_("La nouvelle adresse a reçu ses identifiants ; les liens envoyés à "
                       "l'ancienne ne fonctionnent plus."))
    if edited.accommodations_added:
        parts.append(_("Demande(s) d'aménagement transmise(s) au CEL référent."))
    if edited.accommodations_withdrawn:
        parts.append(_("Aménagement(s) retiré(s) : %(n)s.", n=len(edited.accommodations_withdrawn)))
    return " ".join(parts)


# --- 2b. withdraw a candidate ---------------------------------------------------------------


@bp.route("/inscriptions/<int:registration_id>/retrait", methods=["GET", "POST"])
@role_required("partner", "referent")
def withdraw(registration_id: int):
    """Withdraw a candidate before the written test, with a reason from the list."""
    registration = load_or_404(Registration, registration_id, _may_see_registration)
    lock = edits.withdrawal_lock(registration)
    form = WithdrawalForm()
    done, _result, general = _submit(form, lock, lambda: edits.withdraw(
        current_user, registration, form.reason.data, form.note.data))
    if done:
        flash(_("%(name)s est retiré(e) de la session « %(session)s ». Le candidat et votre "
                "organisme ont été prévenus par e-mail.", name=registration.candidate_name,
                session=registration.session.name), "success")
        return redirect(url_for("partners.candidate", candidate_id=registration.candidate_id), 303)
    return render_template("sessions/withdraw.html", registration=registration, form=form,
                           lock=lock, general_error=general), _status(form, lock)
