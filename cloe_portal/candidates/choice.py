"""Which of the candidate's registrations a page acts on.

A candidate may be enrolled several times at once (two languages, a retake, two partners).
Every registration-specific page takes the registration explicitly, ``?inscription=<id>``
in the URL or an ``inscription`` form field, checked to be the candidate's own (404
otherwise). Without it, the one registration the page can be about is taken, so the
simple URLs keep working for a candidate enrolled once; with several, the candidate is
sent to the home, which lists each registration with its own links.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cloe_portal.candidates import services
from cloe_portal.core.access import load_or_404
from cloe_portal.core.params import MAX_ID
from cloe_portal.sessions.models import Registration

PARAM = "inscription"


def own_registration(user, registration: Registration) -> bool:  # noqa: ANN001
    """A candidate acts only on its own registrations."""
    return user.role == "candidate" and registration.candidate_id == user.id


def not_started(registration: Registration) -> bool:
    return registration.status in services.NOT_STARTED_STATUSES


def after_written(registration: Registration) -> bool:
    return registration.status in services.AFTER_WRITTEN_STATUSES


def chosen_registration(relevant: Callable[[Registration], bool] | None = None
                        ) -> Registration | None:
    """The registration named by the request (404 unless the candidate's own), else the only
    open one the page is about (`relevant`); None when there is none. With several and none
    named, the candidate goes home to choose (a redirect raised through abort)."""
    raw = request.values.get(PARAM)
    if raw is not None:
        raw = raw.strip()
        if not raw.isdecimal() or len(raw) > 10 or int(raw) > MAX_ID:
            abort(404)
        return load_or_404(Registration, int(raw), own_registration)
    pool = [r for r in services.open_registrations(current_user)
            if relevant is None or relevant(r)]
    if len(pool) <= 1:
        return pool[0] if pool else None
    flash(_("Vous avez plusieurs inscriptions : choisissez-en une dans votre espace."), "info")
    abort(redirect(url_for("candidates.home"), 303))
