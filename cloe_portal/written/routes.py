"""The written test: checklist and start, the item screen, incidents, audio, integrity events;
the referent's attempt page (log, photos, verdict); the proctoring webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import re

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.candidates.choice import chosen_registration, not_started
from cloe_portal.candidates.services import latest_photos_any
from cloe_portal.core.access import load_or_404, public, role_required
from cloe_portal.core.htmx import hx_redirect, is_htmx, page_or_fragment
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import csrf, db
from cloe_portal.partners.scope import may_see_partner
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.cefr import SECTION_ORDER, SKILL_LABELS_FR
from cloe_portal.sessions.models import Registration
from cloe_portal.written import services
from cloe_portal.written.forms import CancelAttemptForm, GrantRestartForm
from cloe_portal.written.models import VERDICTS, WrittenAttempt, WrittenResponse

bp = Blueprint("written", __name__, url_prefix="/ecrit")

register_nav(("referent",), "Tests écrits", "written.referent_attempts", order=40)

_GAP = re.compile(r"\{(\d+)\}")


@bp.app_template_filter("gap_parts")
def gap_parts(text: str) -> list[tuple[str, object]]:
    """Split a text with {0}, {1}… gaps into ("text", str) and ("gap", n) parts."""
    parts: list[tuple[str, object]] = []
    position = 0
    for match in _GAP.finditer(text or ""):
        parts.append(("text", text[position:match.start()]))
        parts.append(("gap", int(match.group(1))))
        position = match.end()
    parts.append(("text", (text or "")[position:]))
    return parts


def _own_attempt(user, attempt: WrittenAttempt) -> bool:  # noqa: ANN001
    return attempt.candidate_id == user.id


def _referent_may_see(user, attempt: WrittenAttempt) -> bool:  # noqa: ANN001
    # Keyed on the attempt's registration (its partner), not on the candidate's account: a
    # candidate enrolled by two partners has one account and a registration with each.
    if user.role == "coordinator":
        return True
    registration = attempt.registration
    return (user.role == "referent" and registration is not None
            and may_see_partner(user, registration.partner_id))


def _referent_may_see_registration(user, registration: Registration) -> bool:  # noqa: ANN001
    if user.role == "coordinator":
        return True
    return registration.partner.referent_centre_id == user.organisation_id


# --- candidate: before the test ---------------------------------------------------------


@bp.route("/")
@role_required("candidate")
def overview():
    """Last checks before the certification test of one registration (?inscription=<id>, or
    the candidate's only one still to take): identity, photos, window."""
    registration = chosen_registration(not_started)
    if registration is None:
        flash("Aucun test écrit n'est à passer pour vous en ce moment.", "info")
        return redirect(url_for("candidates.home"))
    attempt = services.attempt_for(registration)
    if attempt is not None:
        return redirect(url_for("written.take", attempt_id=attempt.id))
    return render_template("written/overview.html", registration=registration,
                           window=services.window_info(registration),
                           problems=services.start_problems(registration), languages=LANGUAGES)


@bp.route("/commencer", methods=["POST"])
@role_required("candidate")
def start():
    """Start the certification test of a registration (the ``inscription`` form field, or the
    candidate's only one still to take), or resume it when already started."""
    registration = chosen_registration(not_started)
    if registration is None:
        abort(404)
    try:
        attempt = services.start_certification(registration, current_user)
    except services.WrittenError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("written.overview", inscription=registration.id), 303)
    db.session.commit()
    return redirect(url_for("written.take", attempt_id=attempt.id), 303)


# --- candidate: the test ------------------------------------------------------------------


LATE_MESSAGE = "Le temps imparti était écoulé : votre réponse a été conservée mais n'est pas comptée."


def _item_context(attempt: WrittenAttempt, response: WrittenResponse, position: int) -> dict:
    now = clock.now()
    return {
        "attempt": attempt,
        "response": response,
        "shown": services.current_shape(response.shown or {}),
        "remaining": services.remaining_seconds(response, now),
        "ready": services.ready_seconds(response, now),
        "elapsed": max(0.0, (now - attempt.started_at).total_seconds()),
        "section_label": (SKILL_LABELS_FR.get(response.skill, response.skill)
                          if attempt.mode == "certification" else "Mini-test démo"),
        "position": position,
        "section_length": services._section_length(attempt),  # noqa: SLF001
        "section_number": response.section + 1,
        "sections": services._section_count(attempt),  # noqa: SLF001
        "restarts_left": services.restarts_left(attempt),
    }


def _go(target: str):  # noqa: ANN202
    """Send the candidate to another page (htmx: HX-Redirect; otherwise 303)."""
    return hx_redirect(target) if is_htmx() else redirect(target, 303)


def _end_url(attempt: WrittenAttempt) -> str:
    """Where a candidate goes when the attempt serves no item: suspended page or end page."""
    endpoint = "written.suspended" if attempt.status == "suspended" else "written.done"
    return url_for(endpoint, attempt_id=attempt.id)


def _show_current(attempt: WrittenAttempt, message: str | None = None, level: str = "info",
                  status: int = 200, count_display: bool = True):  # noqa: ANN202
    """Render the current item (page or fragment), or go to the end page, then commit."""
    try:
        response, position = services.current_with_position(attempt,
                                                            count_display=count_display)
    except services.WrittenError as exc:
        db.session.commit()
        flash(str(exc), "error")
        return _go(url_for("candidates.home"))
    if response is None:
        db.session.commit()
        return _go(_end_url(attempt))
    # Rendered before the commit: after it every object is expired and the template would
    # reload the attempt, the response and the user (three more SELECTs per answer).
    page = page_or_fragment("written/take.html", "written/_item.html", http_status=status,
                            message=message, level=level,
                            **_item_context(attempt, response, position))
    db.session.commit()
    return page


@bp.route("/tentative/<int:attempt_id>")
@role_required("candidate")
def take(attempt_id: int):
    """The current item of the attempt; a reload resumes exactly where the candidate was."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    if attempt.status != "in_progress":
        return redirect(_end_url(attempt))
    return _show_current(attempt)


@bp.route("/tentative/<int:attempt_id>/reponse", methods=["POST"])
@role_required("candidate")
def answer(attempt_id: int):
    """Record the answer to the current item, then show the next one."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    sequence = request.form.get("sequence", "")
    if not sequence.isdecimal() or len(sequence) > 6:
        abort(400)
    by_timer = request.form.get("timer") == "1"
    if is_htmx():
        step = services.plan_answer(attempt, int(sequence), request.form, by_timer=by_timer)
        if step is not None:
            page = page_or_fragment(
                "written/take.html", "written/_item.html",
                message=LATE_MESSAGE if step.kind == "late" else None, level="warning",
                **_item_context(attempt, step.next_item, step.position))
            if services.save_step(step):
                return page
            # Another request of this candidate got there first: the general path says what.
    try:
        outcome = services.submit_form(attempt, int(sequence), request.form, by_timer=by_timer)
    except services.AnswerTooEarly as exc:
        # The same item stays on screen for the rest of its pause (not a new display).
        return _show_current(attempt, str(exc), "warning", status=409, count_display=False)
    except services.NotCurrentItem as exc:
        db.session.commit()
        if attempt.status != "in_progress":
            return _go(_end_url(attempt))
        return _show_current(attempt, str(exc), "error", status=409, count_display=is_htmx())
    message = LATE_MESSAGE if outcome.kind == "late" else None
    if not is_htmx():
        db.session.commit()
        if message:
            flash(message, "warning")
        return redirect(url_for("written.take", attempt_id=attempt.id), 303)
    # One transaction: the answer and the next item it leads to are saved together (a
    # failure in between saves neither; static/js/written.js sends the answer again).
    return _show_current(attempt, message, "warning")


@bp.route("/tentative/<int:attempt_id>/incident", methods=["POST"])
@role_required("candidate")
def incident(attempt_id: int):
    """Incident button: the current section restarts with new items (logged for the jury);
    past the restarts allowed in a section, the test is suspended for the referent."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    sequence = request.form.get("sequence", "")
    try:
        outcome = services.report_incident(
            attempt, current_user, int(sequence) if sequence.isdecimal() and len(sequence) < 7
            else None)
    except services.WrittenError:
        db.session.rollback()
        return _go(_end_url(attempt))  # the test is over: its end page says so
    db.session.commit()
    if outcome == "suspended":
        return _go(_end_url(attempt))
    message = ("Incident enregistré : la section recommence avec de nouvelles questions. "
               "Vos réponses précédentes sont conservées pour le jury.")
    left = services.restarts_left(attempt)
    if left:
        plural = "s" if left > 1 else ""
        message += (f" Vous pouvez encore signaler {left} incident{plural} dans cette section ; "
                    "au-delà, le test sera suspendu et votre centre prévenu.")
    elif left == 0:
        message += (" Un nouvel incident dans cette section suspendra le test : votre centre "
                    "sera prévenu et décidera de la suite.")
    if not is_htmx():
        flash(message, "info")
        return redirect(url_for("written.take", attempt_id=attempt.id), 303)
    return _show_current(attempt, message)


@bp.route("/tentative/<int:attempt_id>/suspendu")
@role_required("candidate")
def suspended(attempt_id: int):
    """The attempt waits for the referent's decision after repeated incidents."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    if attempt.status != "suspended":
        return redirect(url_for("written.take", attempt_id=attempt.id))
    return render_template("written/suspended.html", attempt=attempt)


@bp.route("/tentative/<int:attempt_id>/ecoute", methods=["POST"])
@role_required("candidate")
def play(attempt_id: int):
    """Count one play of the current clip (two at most); the browser plays only when allowed."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    sequence = request.form.get("sequence", "")
    if not sequence.isdecimal() or len(sequence) > 6:
        abort(400)
    try:
        left = services.record_play(attempt, int(sequence))
    except services.WrittenError as exc:
        db.session.rollback()
        return jsonify(error=str(exc)), 409
    db.session.commit()
    return jsonify(left=left,
                   url=url_for("written.audio", attempt_id=attempt.id, sequence=int(sequence)))


@bp.route("/tentative/<int:attempt_id>/audio/<int:sequence>")
@role_required("candidate")
def audio(attempt_id: int, sequence: int):
    """The clip of the current listening item, once a play has been counted."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    response = db.session.scalars(
        db.select(WrittenResponse).where(WrittenResponse.attempt_id == attempt.id,
                                         WrittenResponse.sequence == sequence)).first()
    if (response is None or response.status != "pending" or response.item_type != "listening"
            or response.audio_plays < 1):
        abort(404)
    return services.send_item_audio(response.content.get("audio", ""))


@bp.route("/tentative/<int:attempt_id>/evenement", methods=["POST"])
@role_required("candidate")
def event(attempt_id: int):
    """Integrity events sent by the page: tab hidden, window left, fullscreen left."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    stored = services.log_client_event(attempt, request.form.get("kind", ""))
    db.session.commit()
    return ("", 204) if stored else ("", 202)


@bp.route("/tentative/<int:attempt_id>/fin")
@role_required("candidate")
def done(attempt_id: int):
    """End of the test: on to the oral booking when available, else a done page."""
    from cloe_portal.candidates.routes import optional_url

    attempt = load_or_404(WrittenAttempt, attempt_id, _own_attempt)
    if attempt.status == "in_progress":
        return redirect(url_for("written.take", attempt_id=attempt.id))
    if attempt.status == "suspended":
        return redirect(_end_url(attempt))
    booking_url = None
    if attempt.mode == "certification" and attempt.registration is not None:
        booking_url = optional_url("orals.candidate_booking",
                                   inscription=attempt.registration_id)
        if booking_url and attempt.registration.status == "written_done":
            return redirect(booking_url)
    return render_template("written/done.html", attempt=attempt, booking_url=booking_url)


# --- referents ------------------------------------------------------------------------------


@bp.route("/referent")
@role_required("referent")
def referent_attempts():
    """Written tests of the referent's partners, most recent first; closed windows to extend."""
    stmt = db.select(WrittenAttempt).where(WrittenAttempt.mode == "certification")
    attempts = [a for a in db.session.scalars(stmt.order_by(WrittenAttempt.started_at.desc())
                                              .limit(300))
                if _referent_may_see(current_user, a)]
    waiting = [r for r in db.session.scalars(
        db.select(Registration).where(Registration.status.in_(services.STARTABLE_STATUSES))
        .order_by(Registration.id.desc()).limit(500))
        if _referent_may_see_registration(current_user, r)
        and services.window_info(r).state == "closed"]
    return render_template("written/referent_list.html", attempts=attempts, waiting=waiting,
                           window_info=services.window_info,
                           suspended=services.suspended_attempts(current_user),
                           section_labels=SKILL_LABELS_FR, skills=SECTION_ORDER)


@bp.route("/referent/tentative/<int:attempt_id>", methods=["GET", "POST"])
@role_required("referent")
def referent_attempt(attempt_id: int):
    """One attempt for the jury: integrity log, photos, answers, proctoring verdict."""
    attempt = load_or_404(WrittenAttempt, attempt_id, _referent_may_see)
    if request.method == "POST":
        try:
            services.set_verdict(attempt, request.form.get("verdict", ""), "referent",
                                 current_user, request.form.get("comment"))
        except services.WrittenError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Avis de surveillance enregistré.", "success")
        return redirect(url_for("written.referent_attempt", attempt_id=attempt.id), 303)
    return _attempt_page(attempt)


def _attempt_page(attempt: WrittenAttempt, grant: GrantRestartForm | None = None,
                  cancel: CancelAttemptForm | None = None, status: int = 200):  # noqa: ANN202
    return render_template(
        "written/referent_attempt.html", attempt=attempt, verdicts=VERDICTS,
        photos=latest_photos_any(attempt.candidate, attempt.registration_id),
        levels=services.section_levels(attempt.section_scores), labels=SKILL_LABELS_FR,
        skills=SECTION_ORDER,
        grant=grant or GrantRestartForm(prefix="grant", formdata=None),
        cancel=cancel or CancelAttemptForm(prefix="cancel", formdata=None),
        days_after_decision=services.DAYS_AFTER_DECISION,
    ), status


# A decision on a suspended test: (form class, form prefix, service call, message).
DECISIONS = {
    "relancer": (GrantRestartForm, "grant",
                 lambda attempt, form: services.grant_restart(attempt, current_user,
                                                              form.reason.data),
                 "Relance accordée : le candidat peut reprendre son test. Il est prévenu par "
                 "e-mail."),
    "annuler": (CancelAttemptForm, "cancel",
                lambda attempt, form: services.cancel_for_force_majeure(
                    attempt, current_user, form.reason.data, form.extension_days.data or 0),
                "Test annulé pour force majeure : le candidat peut passer un nouveau test. Il "
                "est prévenu par e-mail."),
}


@bp.route("/referent/tentative/<int:attempt_id>/<action>", methods=["POST"])
@role_required("referent")
def decide(attempt_id: int, action: str):
    """Referent decision on a suspended test: grant a restart of the section (the candidate
    goes on), or cancel it for force majeure (a new test allowed). Reason required."""
    if action not in DECISIONS:
        abort(404)
    attempt = load_or_404(WrittenAttempt, attempt_id, _referent_may_see)
    form_class, prefix, apply, done_message = DECISIONS[action]
    form = form_class(prefix=prefix)
    if not form.validate_on_submit():
        return _attempt_page(attempt, **{prefix: form}, status=422)
    try:
        apply(attempt, form)
    except services.WrittenError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done_message, "success")
    return redirect(url_for("written.referent_attempt", attempt_id=attempt.id), 303)


@bp.route("/referent/inscription/<int:registration_id>/prolonger", methods=["POST"])
@role_required("referent")
def extend(registration_id: int):
    """Extend a registration's written window by a number of days."""
    registration = load_or_404(Registration, registration_id, _referent_may_see_registration)
    days = request.form.get("days", "")
    try:
        days_int = int(days) if days.isdecimal() and len(days) < 4 else 0
        services.extend_window(registration, current_user, days_int,
                               request.form.get("reason", "").strip()[:500] or "Prolongation")
    except services.WrittenError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("La période du test écrit a été prolongée.", "success")
    return redirect(url_for("written.referent_attempts"), 303)


# --- proctoring service ---------------------------------------------------------------------


@bp.route("/surveillance/webhook", methods=["POST"])
@public
@csrf.exempt
def proctoring_webhook():
    """Verdict from the proctoring service: body signed with HMAC-SHA256 (X-Signature header).

    Body: {"attempt_id": int, "verdict": "compliant"|"doubtful"|"non_compliant",
    "comment": str}. Header: ``X-Signature: sha256=<hex of HMAC-SHA256(body, secret)>``
    with ``PROCTORING_WEBHOOK_SECRET``. A missing secret disables the webhook.
    """
    secret = current_app.config.get("PROCTORING_WEBHOOK_SECRET")
    if not secret:
        abort(404)
    body = request.get_data(cache=False)
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
        return jsonify(error="bad signature"), 403
    try:
        payload = json.loads(body)
        attempt_id = int(payload["attempt_id"])
        verdict = str(payload["verdict"])
    except (ValueError, KeyError, TypeError):
        return jsonify(error="bad payload"), 400
    attempt = db.session.get(WrittenAttempt, attempt_id)
    if attempt is None or attempt.mode != "certification":
        return jsonify(error="unknown attempt"), 404
    try:
        services.set_verdict(attempt, verdict, "webhook", None, str(payload.get("comment") or ""))
    except services.WrittenError:
        return jsonify(error="unknown verdict"), 400
    db.session.commit()
    return jsonify(status="ok")
