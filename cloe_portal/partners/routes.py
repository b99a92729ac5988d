"""Partner dashboard (pipeline, filters, alerts), candidate file, exports; referents' partner list."""

from __future__ import annotations

import datetime as dt
import functools

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user

from cloe_portal import clock
from cloe_portal.accounts.models import PARTNER_STATUS_LABELS_FR, User
from cloe_portal.audit.timeline import candidate_timeline
from cloe_portal.core.access import role_required
from cloe_portal.core.htmx import page_or_fragment
from cloe_portal.core.nav import register_nav, set_home
from cloe_portal.core.urls import id_url
from cloe_portal.edof.services import month_rates, partners_missing_month
from cloe_portal.extensions import db
from cloe_portal.partners import exports, services
from cloe_portal.partners.scope import may_see_partner, visible_partners
from cloe_portal.privacy.services import may_manage_candidate
from cloe_portal.reference.languages import LANGUAGES
from cloe_portal.rules.windows import days_left, written_window
from cloe_portal.sessions.models import (
    CLOSED_STATUSES,
    REGISTRATION_STATUS_LABELS_FR,
    REGISTRATION_STATUSES,
)

bp = Blueprint("partners", __name__, url_prefix="/suivi")
register_nav(("partner", "referent"), "Candidats", "partners.dashboard", order=10)
register_nav(("referent",), "Organismes partenaires", "partners.index", order=15)
set_home("partner", "partners.dashboard")


def _filters() -> services.Filters:
    f = services.parse_filters(request.args)
    if current_user.role == "partner":
        f.partner_id = None
    elif f.partner_id and not may_see_partner(current_user, f.partner_id):
        abort(404)
    return f


@bp.route("/")
@role_required("partner", "referent")
def dashboard():
    """Pipeline by status, filtered candidate list (htmx), and the alerts that need action."""
    f = _filters()
    counts = services.pipeline_counts(current_user, f)
    rows, total = services.candidate_page(current_user, f, counts)
    context = {
        "f": f, "rows": rows, "total": total, "counts": counts,
        "pages": max(1, -(-total // services.PAGE_SIZE)),
        "statuses": REGISTRATION_STATUS_LABELS_FR, "languages": LANGUAGES,
        "candidate_url": id_url("partners.candidate", "candidate_id"),
    }
    if request.headers.get("HX-Request") == "true":
        return page_or_fragment("partners/dashboard.html", "partners/_candidates.html", **context)
    context.update(
        alerts=services.alerts(current_user, clock.now(), clock.today_paris()),
        sessions=services.filter_sessions(current_user),
        partners=visible_partners(current_user) if current_user.role != "partner" else [],
        months=_months(clock.today_paris().replace(day=1)),
    )
    return page_or_fragment("partners/dashboard.html", "partners/_candidates.html", **context)


@functools.lru_cache(maxsize=4)
def _months(first: dt.date) -> tuple[tuple[str, str], ...]:
    """The last 12 and next 3 months around this month's first day, for the month filter.

    A pure function of the month: cached, it is never stale.
    """
    from cloe_portal.formatting import MONTHS_FR
    from cloe_portal.rules.windows import add_calendar_months

    out = []
    for delta in range(3, -13, -1):
        day = add_calendar_months(first, delta)
        out.append((day.strftime("%Y-%m"), f"{MONTHS_FR[day.month - 1]} {day.year}"))
    return tuple(out)


@bp.route("/candidats/<int:candidate_id>")
@role_required("partner", "referent")
def candidate(candidate_id: int):
    """A candidate: identity, registrations, status, accommodations, window days left, and the
    history of every event of those registrations (a partner: its own registrations only)."""
    registrations = services.candidate_registrations(current_user, candidate_id)
    if not registrations:
        abort(404)
    person = db.session.get(User, candidate_id)
    now = clock.now()
    windows = {
        r.id: (written_window(r.session.written_date, r.window_extension_days),
               days_left(now, r.session.written_date, r.window_extension_days))
        for r in registrations
    }
    can_book = "orals.partner_book" in current_app.view_functions
    # The account belongs to the partner that created it: another partner enrolling the same
    # address learns nothing of it (activated or not), only its own registrations.
    show_account = may_see_partner(current_user, person.organisation_id)
    return render_template(
        "partners/candidate.html", person=person, registrations=registrations,
        timeline=candidate_timeline(current_user, registrations),
        timeline_sessions={r.id: r.session.name for r in registrations}
        if len(registrations) > 1 else None,
        latest=registrations[-1], windows=windows, languages=LANGUAGES, can_book=can_book,
        bookable_statuses=("written_done", "oral_booked"), show_account=show_account,
        privacy_url=(url_for("privacy.candidate", candidate_id=person.id)
                     if "privacy.candidate" in current_app.view_functions
                     and may_manage_candidate(current_user, person) else None),
        rectify_url=(url_for("results.rectify_identity", candidate_id=person.id)
                     if may_manage_candidate(current_user, person) else None),
        retakes=_retake_appeals(registrations),
    )


def _retake_appeals(registrations: list) -> dict:
    """Registration id → the appeal that granted it as a free retake (flag on the page)."""
    from cloe_portal.appeals.services import retake_appeals

    return retake_appeals([r.id for r in registrations])


@bp.route("/export.csv")
@role_required("partner", "referent")
def export_csv():
    """Download the (filtered) candidates as CSV."""
    data = exports.to_csv(services.all_registrations(current_user, _filters()))
    return Response(data, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="candidats-cloe-{clock.today_paris():%Y-%m-%d}.csv"'})


@bp.route("/export.xlsx")
@role_required("partner", "referent")
def export_xlsx():
    """Download the (filtered) candidates as XLSX."""
    data = exports.to_xlsx(services.all_registrations(current_user, _filters()))
    return Response(
        data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition":
                 f'attachment; filename="candidats-cloe-{clock.today_paris():%Y-%m-%d}.xlsx"'})


@bp.route("/organismes")
@role_required("referent")
def index():
    """Partners the referent follows: candidates per status, this month's EDOF extract, rate."""
    today = clock.today_paris()
    partners = visible_partners(current_user)
    missing = {p.id for p in partners_missing_month(current_user, today)}
    latest_rate = {}
    for m in month_rates(current_user, today):
        latest_rate.setdefault(m.partner.id, m)
    return render_template(
        "partners/index.html", partners=partners, counts=services.partner_counts(current_user),
        missing=missing, latest_rate=latest_rate, statuses=REGISTRATION_STATUSES,
        status_labels=REGISTRATION_STATUS_LABELS_FR, partner_status=PARTNER_STATUS_LABELS_FR,
        closed_statuses=CLOSED_STATUSES,
        today=today,
    )
