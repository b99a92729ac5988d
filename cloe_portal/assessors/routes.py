"""Referents manage assessors and their accreditation; an assessor sees its own standing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.assessors import services
from cloe_portal.assessors.forms import (
    AssessorForm,
    AttemptForm,
    LanguageForm,
    TrainingForm,
    VideoLinkForm,
)
from cloe_portal.assessors.models import Accreditation
from cloe_portal.audit.services import history
from cloe_portal.core.access import load_or_404, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db
from cloe_portal.reference.languages import LANGUAGES

bp = Blueprint("assessors", __name__, url_prefix="/evaluateurs")
register_nav(("coordinator", "referent"), "Évaluateurs", "assessors.index", order=40)
register_nav(("assessor",), "Mon habilitation", "assessors.mine", order=80)


def may_manage(user: User, assessor: User) -> bool:
    """Coordinator: every assessor; referent: the assessors of its centre."""
    if assessor.role != "assessor":
        return False
    return user.role == "coordinator" or (
        user.role == "referent" and assessor.organisation_id == user.organisation_id
    )


def _centre_filter() -> int | None:
    return None if current_user.role == "coordinator" else current_user.organisation_id


@bp.route("/")
@role_required("referent")
def index():
    """Assessors with their standing per language; expiring within 60 days and expired first."""
    today = clock.today_paris()
    centre_id = _centre_filter()
    stmt = db.select(User).where(User.role == "assessor").order_by(User.last_name, User.first_name)
    if centre_id is not None:
        stmt = stmt.where(User.organisation_id == centre_id)
    assessors = [(a, services.language_statuses(a.id, today)) for a in db.session.scalars(stmt)]
    expiring, expired = services.expiry_watch(today, centre_id)
    return render_template("assessors/index.html", assessors=assessors, expiring=expiring,
                           expired=expired, warning_days=services.EXPIRY_WARNING_DAYS)


@bp.route("/nouveau", methods=["GET", "POST"])
@role_required("referent")
def create():
    """Create an assessor account (welcome email) with the languages it will assess."""
    form = AssessorForm()
    if form.validate_on_submit():
        try:
            assessor = services.create_assessor(
                current_user, form.email.data, form.first_name.data, form.last_name.data,
                form.languages.data, form.video_link.data,
            )
        except services.AccreditationError as exc:
            db.session.rollback()
            form.languages.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Compte créé : %(name)s a reçu un lien de première connexion.", name=assessor.full_name), "success")
            return redirect(url_for(".detail", assessor_id=assessor.id), 303)
    return render_template("assessors/create.html", form=form), 422 if form.errors else 200


def _cycle_forms(acc: Accreditation, overrides: dict) -> dict:
    forms = overrides.get(acc.id, {})
    return {
        "training": forms.get("training") or TrainingForm(formdata=None, prefix=f"t{acc.id}"),
        "attempt": forms.get("attempt") or AttemptForm(formdata=None, prefix=f"a{acc.id}"),
    }


def _detail(assessor: User, overrides: dict | None = None, video_form=None, status: int = 200):  # noqa: ANN001, ANN202
    overrides = overrides or {}
    profile = services.profile_for(assessor, create=False)
    cycles = [
        (acc, services.attempts(acc), services.attempt_block(acc), _cycle_forms(acc, overrides))
        for acc in services.cycles(assessor.id)
    ]
    statuses = services.language_statuses(assessor.id)
    open_languages = {acc.language for acc, *_ in cycles if acc.status == "in_training"}
    renewable = [s for s in statuses if s.state in ("accredited", "expiring", "expired")
                 and s.language not in open_languages]
    if video_form is None:
        video_form = VideoLinkForm(formdata=None, video_link=profile.video_link if profile else None)
    return render_template(
        "assessors/detail.html", assessor=assessor, profile=profile, cycles=cycles,
        statuses=statuses, renewable=renewable, video_form=video_form,
        language_form=LanguageForm(formdata=None), modes=services.TRAINING_MODES, languages=LANGUAGES,
        entries=history("user_account", assessor.id),
    ), status


def _load(assessor_id: int) -> User:
    return load_or_404(User, assessor_id, may_manage)


def _load_cycle(acc_id: int) -> Accreditation:
    acc = db.session.get(Accreditation, acc_id)
    if acc is None or not may_manage(current_user, acc.assessor):
        abort(404)
    return acc


@bp.route("/<int:assessor_id>")
@role_required("referent")
def detail(assessor_id: int):
    """An assessor: profile, accreditation cycles per language, attempts, history."""
    return _detail(_load(assessor_id))


@bp.route("/<int:assessor_id>/profil", methods=["POST"])
@role_required("referent")
def update_profile(assessor_id: int):
    """Change the video-conference link."""
    assessor = _load(assessor_id)
    form = VideoLinkForm()
    if not form.validate_on_submit():
        return _detail(assessor, video_form=form, status=422)
    services.set_video_link(current_user, assessor, form.video_link.data)
    db.session.commit()
    flash(_("Lien de visioconférence enregistré."), "success")
    return redirect(url_for(".detail", assessor_id=assessor.id), 303)


@bp.route("/<int:assessor_id>/langue", methods=["POST"])
@role_required("referent")
def add_language(assessor_id: int):
    """Open a training cycle in another language."""
    assessor = _load(assessor_id)
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            services.add_language(current_user, assessor, form.language.data)
        except services.AccreditationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Langue ajoutée : enregistrez la formation puis la validation."), "success")
    return redirect(url_for(".detail", assessor_id=assessor.id), 303)


@bp.route("/<int:assessor_id>/renouvellement", methods=["POST"])
@role_required("referent")
def renew(assessor_id: int):
    """Open a renewal cycle (same procedure as the first accreditation)."""
    assessor = _load(assessor_id)
    form = LanguageForm()
    if form.validate_on_submit():
        try:
            services.start_renewal(current_user, assessor, form.language.data)
        except services.AccreditationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Renouvellement ouvert : enregistrez la formation puis la validation."), "success")
    return redirect(url_for(".detail", assessor_id=assessor.id), 303)


@bp.route("/habilitations/<int:acc_id>/formation", methods=["POST"])
@role_required("referent")
def training(acc_id: int):
    """Record the training of a cycle."""
    acc = _load_cycle(acc_id)
    form = TrainingForm(prefix=f"t{acc.id}")
    if form.validate_on_submit():
        try:
            services.record_training(current_user, acc, form.training_date.data, form.training_mode.data)
        except services.AccreditationError as exc:
            db.session.rollback()
            form.training_date.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Formation enregistrée."), "success")
            return redirect(url_for(".detail", assessor_id=acc.assessor_id) + f"#cycle-{acc.id}", 303)
    return _detail(_load(acc.assessor_id), overrides={acc.id: {"training": form}}, status=422)


@bp.route("/habilitations/<int:acc_id>/validation", methods=["POST"])
@role_required("referent")
def attempt(acc_id: int):
    """Record a role-play validation attempt."""
    acc = _load_cycle(acc_id)
    form = AttemptForm(prefix=f"a{acc.id}")
    if form.validate_on_submit():
        try:
            services.record_attempt(current_user, acc, form.attempted_on.data,
                                    form.result.data == "passed", form.notes.data)
        except services.AccreditationError as exc:
            db.session.rollback()
            form.attempted_on.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Habilitation accordée pour deux ans.") if form.result.data == "passed"
                  else _("Échec enregistré."), "success")
            return redirect(url_for(".detail", assessor_id=acc.assessor_id) + f"#cycle-{acc.id}", 303)
    return _detail(_load(acc.assessor_id), overrides={acc.id: {"attempt": form}}, status=422)


@bp.app_template_global("assessor_standing")
def assessor_standing(user: User) -> dict:
    """For `assessors/_my_status.html`, which any page (e.g. the assessor's home) may include."""
    return {"statuses": services.language_statuses(user.id),
            "profile": services.profile_for(user, create=False)}


@bp.route("/mon-habilitation")
@role_required("assessor")
def mine():
    """The assessor's own standing: languages, validity, and why it may not be booked."""
    return render_template("assessors/mine.html")
