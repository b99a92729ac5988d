"""Results pages: candidate and partner lists, downloads (ownership, 3-year retention), public
certificate verification, the referent's ledger check, revocation and the CDC export."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from cloe_portal import clock
from cloe_portal.accounts.models import User
from cloe_portal.core.access import load_or_404, public, role_required
from cloe_portal.core.nav import register_nav
from cloe_portal.extensions import db, limiter
from cloe_portal.privacy.services import may_manage_candidate
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.results import rectification, services
from cloe_portal.results.forms import CdcExportForm, RectifyIdentityForm, RevokeForm, VerifyForm
from cloe_portal.results.models import Certificate, IdentityRectification, LedgerEntry, Result
from cloe_portal.results.uploads import send_private

bp = Blueprint("results", __name__)

register_nav(("candidate",), "Mes résultats", "results.candidate_results", order=60)
register_nav(("partner",), "Résultats", "results.partner_results", order=60)
register_nav(("referent",), "Registre des certificats", "results.ledger", order=62)


def _download_name(result: Result, kind: str) -> str:
    reg = result.registration
    base = f"{reg.candidate_last_name}-{reg.candidate_first_name}".replace(" ", "-")
    return f"CLOE-{kind}-{base}-{result.id}.pdf"


@bp.route("/resultats")
@role_required("candidate")
def candidate_results():
    """The candidate's own results with their documents."""
    results = services.results_of_candidate(current_user)
    return render_template(
        "results/candidate.html", results=results,
        cancelled=services.cancelled_of_candidate(current_user), now=clock.now(),
        languages=LANGUAGES, is_expired=services.is_expired, appeals=_appeal_states(results),
    )


def _appeal_states(results: list[Result]) -> dict:
    from cloe_portal.appeals.services import appeal_states

    return appeal_states(results)


@bp.route("/resultats/partenaire")
@role_required("partner")
def partner_results():
    """Results of the partner's own candidates."""
    results = services.results_of_partner(current_user.organisation_id)
    return render_template(
        "results/partner.html", results=results, now=clock.now(), languages=LANGUAGES,
        is_expired=services.is_expired, appeals=_appeal_states(results),
    )


@bp.route("/resultats/<int:result_id>/<kind>.pdf")
@role_required("candidate", "partner", "referent")
def download(result_id: int, kind: str):
    """A result's attestation or certificate PDF; 410 once the 3 years online have passed."""
    result = load_or_404(Result, result_id, services.may_see_result)
    if kind not in ("attestation", "certificat") or (
            kind == "certificat" and result.certificate is None):
        abort(404)
    if services.is_expired(result):
        return render_template("results/expired.html", result=result), 410
    if result.replaced and current_user.role in ("candidate", "partner"):
        # Staff keep the history; the holder is sent to the documents in force.
        return render_template("results/replaced.html", result=result), 410
    data = result.attestation_pdf if kind == "attestation" else result.certificate.pdf
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_download_name(result, kind)}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response


# --- public verification ------------------------------------------------------------------------


@bp.route("/verify", methods=["GET"])
@public
@limiter.limit("60 per minute")
def verify_form():
    """Type a certificate number to check it is genuine."""
    form = VerifyForm(request.args, meta={"csrf": False})
    if request.args.get("numero") and form.validate():
        return redirect(url_for("results.verify",
                                number=services.normalise_number(form.numero.data)), 303)
    return render_template("results/verify_form.html", form=form)


@bp.route("/verify/<number>")
@public
@limiter.limit("60 per minute")
def verify(number: str):
    """Whether a certificate is genuine: holder, level, language, date, centre — nothing more."""
    certificate = services.find_certificate(number)
    status = 200 if certificate is not None else 404
    return render_template("results/verify.html", certificate=certificate,
                           number=services.normalise_number(number), languages=LANGUAGES,
                           form=VerifyForm(meta={"csrf": False})), status


# --- referent: ledger, revocation, CDC export -----------------------------------------------------


@bp.route("/resultats/registre")
@role_required("referent")
def ledger():
    """The certificate ledger and the result of checking its chain."""
    report = services.verify_ledger()
    entries = list(db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq.desc())
                                      .limit(200)))
    revoked = {e.certificate_number for e in entries if e.kind == "revoke"}
    replaced = dict(db.session.execute(
        select(Certificate.number, Certificate.replaced_by_number).where(
            Certificate.number.in_(revoked), Certificate.replaced_by_number.is_not(None))).all()) \
        if revoked else {}
    return render_template("results/ledger.html", report=report, entries=entries,
                           replaced=replaced, form=RevokeForm())


@bp.route("/resultats/registre/revoquer", methods=["POST"])
@role_required("referent")
def revoke():
    """Revoke a certificate (a ledger entry is appended; nothing is deleted)."""
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Indiquez le numéro du certificat et le motif de la révocation."), "error")
        return redirect(url_for("results.ledger"), 303)
    certificate = services.find_certificate(form.number.data)
    if certificate is None:
        flash(_("Aucun certificat ne porte ce numéro."), "error")
        return redirect(url_for("results.ledger"), 303)
    try:
        services.revoke_certificate(current_user, certificate, form.reason.data)
    except services.ResultsError as exc:
        flash(exc.message, "error")
        return redirect(url_for("results.ledger"), 303)
    db.session.commit()
    flash(_("Certificat %(number)s révoqué.", number=certificate.number), "success")
    return redirect(url_for("results.ledger"), 303)


@bp.route("/resultats/export-cdc")
@role_required("referent")
def cdc_export():
    """Certified holders of a period for the Caisse des Dépôts, as CSV or XML."""
    form = CdcExportForm(request.args, meta={"csrf": False})
    if request.args.get("debut") and form.validate():
        start, end = form.debut.data, form.fin.data
        rows = services.cdc_rows(start, end)
        stamp = f"{start:%Y%m%d}-{end:%Y%m%d}"
        if form.format.data == "xml":
            body, mime, ext = services.cdc_xml(rows, start, end), "application/xml", "xml"
        else:
            body, mime, ext = services.cdc_csv(rows), "text/csv; charset=utf-8", "csv"
        response = Response(body, mimetype=mime)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="cloe-certifies-{stamp}.{ext}"')
        return response
    if not request.args.get("debut"):
        today = clock.today_paris()
        form.debut.data = form.debut.data or today.replace(day=1)
        form.fin.data = form.fin.data or today
    return render_template("results/cdc_export.html", form=form)


# --- referent: identity rectification ------------------------------------------------------------


def _test_day(candidate: User):  # noqa: ANN202 - a date or None
    """The candidate's first written test day (the identity form checks adulthood on it)."""
    from cloe_portal.candidates.services import registrations_of

    days = [r.session.written_date for r in registrations_of(candidate)]
    return min(days) if days else None


@bp.route("/resultats/candidats/<int:candidate_id>/etat-civil", methods=["GET", "POST"])
@role_required("referent")
def rectify_identity(candidate_id: int):
    """Correct a candidate's civil status with a reason and evidence; reissue its documents."""
    from cloe_portal.candidates.services import identity_of

    candidate = load_or_404(User, candidate_id, may_manage_candidate)
    identity = identity_of(candidate)
    form = RectifyIdentityForm(obj=identity if request.method == "GET" else None,
                               test_day=_test_day(candidate))
    status = 200
    if identity is not None and form.validate_on_submit():
        upload = form.evidence.data
        try:
            done = rectification.rectify_identity(
                current_user, candidate, {name: form[name].data for name in
                                          rectification.CIVIL_STATUS_FIELDS},
                form.reason.data, (upload.filename or "", upload.read()) if upload else None)
        except rectification.RectificationError as exc:
            db.session.rollback()
            if exc.field:
                form[exc.field].errors = [*form[exc.field].errors, exc.message]
            else:
                form.form_errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            numbers = [r["new_number"] for r in done.reissued or [] if r["new_number"]]
            message = _("État civil rectifié.")
            if done.reissued:
                message += " " + _("%(n)s résultat(s) réédité(s) et envoyé(s) au candidat et à "
                                   "l'organisme.", n=len(done.reissued))
            if numbers:
                message += " " + _("Nouveau(x) certificat(s) : %(numbers)s.",
                                   numbers=", ".join(numbers))
            flash(message, "success")
            return redirect(url_for("results.rectify_identity", candidate_id=candidate.id), 303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "results/rectify.html", candidate=candidate, identity=identity, form=form,
        preview=rectification.results_to_reissue(candidate),
        past=rectification.rectifications_of(candidate), languages=LANGUAGES,
    ), status


@bp.route("/resultats/rectifications/<int:rectification_id>/justificatif")
@role_required("referent")
def rectification_evidence(rectification_id: int):
    """The evidence file of a rectification (referents of the candidate only)."""
    done = load_or_404(IdentityRectification, rectification_id,
                       lambda user, r: may_manage_candidate(user, r.candidate))
    return send_private(rectification.EVIDENCE_FOLDER, done.evidence_stored, done.evidence_mime,
                        f"justificatif-rectification-{done.id}")
