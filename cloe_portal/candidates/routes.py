"""Candidate pages: home, identity form, equipment check and photos, demo mini-test, practice."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.routing import BuildError

from cloe_portal.candidates import services
from cloe_portal.candidates.choice import chosen_registration, not_started
from cloe_portal.candidates.forms import IdentityForm, PhotoUploadForm
from cloe_portal.candidates.models import PHOTO_KINDS, CandidatePhoto
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav, set_home
from cloe_portal.extensions import db
from cloe_portal.itembank.models import Item
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.cefr import SECTION_ORDER, SKILL_LABELS_FR
from cloe_portal.sessions.models import Registration
from cloe_portal.written import services as written
from cloe_portal.written.models import WrittenAttempt

bp = Blueprint("candidates", __name__, url_prefix="/candidat")

set_home("candidate", "candidates.home")
register_nav(("candidate",), "Mon espace CLOE", "candidates.home", order=1)
register_nav(("candidate",), "Réussir CLOE", "candidates.practice", order=30)

GUIDES = (
    ("Le guide du candidat CLOE", "guides/guide-candidat.html"),
    ("Le guide Réussir CLOE", "guides/reussir-cloe.html"),
)


def optional_url(endpoint: str, **values: object) -> str | None:
    """URL of another feature's page, or None while that feature is not installed."""
    if endpoint not in current_app.view_functions:
        return None
    for attempt in (values, {}):
        try:
            return url_for(endpoint, **attempt)
        except BuildError:
            continue
    return None


@dataclass(frozen=True)
class RegistrationCard:
    """One registration on the candidate's home, with its own window, test, oral and results."""

    registration: Registration
    window: written.WindowInfo
    attempt: WrittenAttempt | None
    photos: dict[str, CandidatePhoto]
    problems: list[str]
    booking_url: str | None
    results_url: str | None


def _card(registration: Registration) -> RegistrationCard:
    attempt = written.attempt_for(registration)
    results_url = optional_url("results.candidate_results")
    return RegistrationCard(
        registration=registration,
        window=written.window_info(registration),
        attempt=attempt,
        photos=written.latest_photos(current_user, registration),
        problems=[] if registration.is_closed else written.start_problems(registration),
        booking_url=(optional_url("orals.candidate_booking", inscription=registration.id)
                     if registration.status in services.WITH_ORAL_PAGE_STATUSES else None),
        results_url=(f"{results_url}#inscription-{registration.id}"
                     if results_url and registration.status == "results_issued" else None),
    )


@bp.route("/")
@role_required("candidate")
def home():
    """The candidate's space: each open registration (its window, written test, oral), the
    closed ones as history, and the guides, demo and practice."""
    return render_template(
        "candidates/home.html", guides=GUIDES, identity=services.identity_of(current_user),
        cards=[_card(r) for r in services.open_registrations(current_user)],
        history=[_card(r) for r in services.closed_registrations(current_user)],
        languages=LANGUAGES,
    )


@bp.route("/identite", methods=["GET", "POST"])
@role_required("candidate")
def identity():
    """The identity form (one per person): editable until a written test starts, then read-only."""
    record = services.identity_of(current_user)
    locked = services.identity_locked(current_user)
    # 18 on the day of the written test: the earliest test of the person's open registrations.
    upcoming = services.open_registrations(current_user)
    form = IdentityForm(obj=record,
                        test_day=upcoming[0].session.written_date if upcoming else None)
    if request.method == "GET" and record is None:
        form.email.data = current_user.email
        form.birth_name.data = current_user.last_name
        form.first_names.data = current_user.first_name
    if not locked and form.validate_on_submit():
        try:
            services.save_identity(current_user, form.data)
        except services.CandidateError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Vos informations d'identité sont enregistrées.", "success")
            return redirect(url_for("candidates.home"), 303)
    elif locked and request.method == "POST":
        flash("Votre test a commencé : vos informations ne peuvent plus être modifiées.", "error")
    return render_template("candidates/identity.html", form=form, locked=locked, record=record)


@bp.route("/materiel")
@role_required("candidate")
def equipment():
    """Sound, microphone and webcam check, then the face and ID photos of one registration."""
    registration = chosen_registration(not_started)
    return render_template(
        "candidates/equipment.html", registration=registration, kinds=PHOTO_KINDS,
        photos=written.latest_photos(current_user, registration), form=PhotoUploadForm(),
        locked=registration is not None and services.registration_started(registration),
        languages=LANGUAGES, choice=_choice_args(registration),
    )


def _choice_args(registration: Registration | None) -> dict[str, int]:
    """URL arguments naming the registration a page acts on (none without one)."""
    return {"inscription": registration.id} if registration is not None else {}


@bp.route("/photos/<kind>", methods=["POST"])
@role_required("candidate")
def upload_photo(kind: str):
    """Store a photo: a JPEG blob from the webcam (fetch), or a file from the fallback form."""
    if kind not in PHOTO_KINDS:
        abort(404)
    registration = chosen_registration(not_started)
    back = url_for("candidates.equipment", **_choice_args(registration))
    from_form = "photo" in request.files
    data = request.files["photo"].read(services.MAX_PHOTO_BYTES + 1) if from_form else (
        request.get_data(cache=False)[: services.MAX_PHOTO_BYTES + 1])
    try:
        photo = services.save_photo(current_user, registration, kind, data,
                                    "upload" if from_form else "webcam")
    except services.CandidateError as exc:
        if from_form:
            flash(str(exc), "error")
            return redirect(back, 303)
        return jsonify(error=str(exc)), 400
    db.session.commit()
    if from_form:
        flash(f"{photo.kind_label} enregistrée.", "success")
        return redirect(back, 303)
    return jsonify(id=photo.id, url=url_for("candidates.photo", photo_id=photo.id))


@bp.route("/photos/<int:photo_id>")
@role_required("candidate", "referent")
def photo(photo_id: int):
    """A stored photo, for its candidate and the referents (jury) only."""
    found = load_or_404(CandidatePhoto, photo_id, services.may_see_photo)
    path = services.photo_path(found)
    if not path.exists():
        abort(404)
    # Photos are small (≤ 5 MB): read them whole so no file handle outlives the request.
    response = send_file(BytesIO(path.read_bytes()), mimetype=found.mime, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _languages() -> list[str]:
    """The languages of the candidate's open registrations (else of any), in order."""
    registrations = services.open_registrations(current_user) or services.registrations_of(
        current_user)
    return list(dict.fromkeys(r.session.language for r in registrations))


def _language_arg() -> str:
    """The language asked for (one of the candidate's), else the first of them, else English."""
    languages = _languages()
    asked = request.values.get("langue", "")
    if asked in languages:
        return asked
    return languages[0] if languages else "en"


@bp.route("/demo", methods=["GET", "POST"])
@role_required("candidate")
def demo():
    """The demo mini-test: 7 items, one per type, not scored, in one of the candidate's languages."""
    if request.method == "POST":
        language = _language_arg()
        try:
            attempt = written.start_demo(current_user, language)
        except written.WrittenError as exc:
            flash(str(exc), "error")
            return redirect(url_for("candidates.demo"), 303)
        db.session.commit()
        return redirect(url_for("written.take", attempt_id=attempt.id), 303)
    return render_template("candidates/demo.html", languages=_languages(), names=LANGUAGES)


@bp.route("/entrainement")
@role_required("candidate")
def practice():
    """Réussir CLOE: practise each skill, with a progress summary."""
    return render_template("candidates/practice.html", skills=SECTION_ORDER, labels=SKILL_LABELS_FR,
                           summary=services.practice_summary(current_user),
                           languages=_languages(), language=_language_arg(), names=LANGUAGES)


@bp.route("/entrainement/<skill>")
@role_required("candidate")
def practice_item(skill: str):
    """One practice item of a skill (pool practice only)."""
    if skill not in SECTION_ORDER:
        abort(404)
    language = _language_arg()
    item = services.next_practice_item(current_user, language, skill)
    return render_template("candidates/practice_item.html", skill=skill, label=SKILL_LABELS_FR[skill],
                           item=item, shown=_shown(item) if item else None, feedback=None,
                           language=language)


def _shown(item: Item) -> dict:
    """A practice item as this candidate sees it: options in the candidate's own order."""
    from cloe_portal.rules.scoring import display_seed, shuffle_for_display

    return shuffle_for_display(item.type, item.content, display_seed(current_user.id, item.id))


@bp.route("/entrainement/<skill>/<int:item_id>", methods=["POST"])
@role_required("candidate")
def practice_answer(skill: str, item_id: int):
    """Score a practice answer and show the right answer with its explanation."""
    item = db.session.get(Item, item_id)
    if item is None or item.pool != "practice" or item.skill != skill:
        abort(404)
    shown = _shown(item)
    answer = services.answer_practice(current_user, item, written.parse_answer(shown, request.form))
    db.session.commit()
    feedback = {"score": answer.score,
                "correct": services.correct_answer_text(item.type, item.content),
                "explanation": item.explanation}
    return render_template("candidates/practice_item.html", skill=skill, label=SKILL_LABELS_FR[skill],
                           item=item, shown=shown, feedback=feedback, language=item.language)


@bp.route("/entrainement/audio/<int:item_id>")
@role_required("candidate")
def practice_audio(item_id: int):
    """The audio clip of a practice listening item."""
    item = db.session.get(Item, item_id)
    if item is None or item.pool != "practice" or item.type != "listening":
        abort(404)
    return written.send_item_audio(item.content.get("audio", ""))
