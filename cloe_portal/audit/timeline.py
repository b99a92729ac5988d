"""A candidate's history: every event of its registrations, oldest first, one French sentence
each (when in Paris time, what, who, why, before → after).

Built from the audit log, found through the objects each registration owns (its written
attempts, oral bookings and grids, waitlist entries, accommodation requests, results,
certificates, photos, the signed PV, the candidate's identity form), plus the domain tables
where the log has no entry: the end of a written test and the proctoring signals live in the
test's integrity log, and an enrolment made before the log existed (or by a bulk loader) is
dated by the registration itself. The session's own entries (its creation, its edits) count
as events of each of its registrations. Each source is one query, whatever the number of events.

Who sees what — decided here, in one place:
- A referent sees every event of the registrations of the partners its centre follows (the
  coordinator: all), with names, reasons and details.
- A partner sees only its own registrations (`Registration.partner_id`): a candidate enrolled
  by two partners shows each partner its own events, never the other's. Of those events:
  * the centre's internal work is left out (PARTNER_HIDDEN): the proctoring verdict and its
    comment, proctoring signals, an oral grid given back to its assessor, the jury's draft
    decisions and their withdrawal (the partner learns the outcome from the signed PV and the
    published results, as its emails say), the purge of proctoring evidence;
  * the candidate's own account events (its identity form) are left out: they belong to the
    person, not to this partner's registration, and a second partner must not learn from them
    that the candidate was active elsewhere (the registration's status change says enough);
  * people outside the partner are named by their role: "le candidat", "le centre référent",
    "l'évaluateur" (an assessor's identity stays internal: a second marking on appeal is
    blind); the partner's own staff are named;
  * reasons and before → after are shown for the actions in PARTNER_REASONS (decisions the
    partner is told about anyway) and for anything its own staff did (its own words);
  * details that are internal (the assessor of a booking, the oral criteria before the jury,
    the proctoring verdict) are shown to staff only.
An action missing from these tables (a feature added later) is shown to a partner as its
label, its date and who did it — never its reason or details — until it is listed here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Integer, String, and_, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from cloe_portal.accounts.models import User
from cloe_portal.audit.labels import action_label as french_label
from cloe_portal.audit.models import AuditEntry
from cloe_portal.extensions import db
from cloe_portal.formatting import fr_date, fr_datetime, label

STAFF = ("referent", "coordinator")

PARTNER_HIDDEN = frozenset({
    "written.verdict", "written.signal", "oral.assessment.reopen", "jury.decision",
    "jury.decision.withdrawn", "privacy.evidence_purge",
})
PARTNER_REASONS = frozenset({
    "registration.status", "written.window_extended", "written.restart_granted",
    "written.cancelled_force_majeure", "oral.force_majeure", "oral.cancel_late",
    "accommodation.approved", "accommodation.refused", "results.certificate.revoke",
    "session.edited", "registration.edited", "registration.withdrawn",
    "access_extension.requested", "access_extension.withdrawn", "access_extension.granted",
    "access_extension.refused", "oral.booking_window_extended", "accommodation.requested",
    "problem_report.created", "problem_report.status",
    "appeal.filed", "appeal.decided", "appeal.closed", "results.reissued", "results.withdrawn",
})
# Integrity-log kinds that are not in the audit log (the others are recorded there too).
SIGNAL_KINDS = ("tab_hidden", "window_blur", "fullscreen_exit", "resumed")
# A status change this close to an event of the same person that causes such changes is
# shown as part of it; any other status change keeps a line of its own.
SAME_OPERATION = timedelta(seconds=2)
STATUS_HOSTS = frozenset({
    "candidate.identity_saved", "written.finished", "written.cancelled_force_majeure",
    "oral.book", "oral.cancel", "oral.cancel_late", "oral.force_majeure", "oral.attendance",
    "oral.assessment.validate", "oral.assessment.reopen", "jury.pv.sign",
    "results.attestation.issue", "registration.withdrawn", "appeal.sent_to_jury",
    "results.reissued",
})


@dataclass
class Event:
    """One line of the history."""

    at: datetime
    action: str
    what: str
    who: str | None = None
    automatic: bool = False
    reason: str | None = None
    change: str | None = None
    registration_id: int | None = None
    actor_id: int | None = None
    order: tuple = field(default=(), repr=False)

    @property
    def when(self) -> str:
        return _("Le %(datetime)s", datetime=fr_datetime(self.at))

    @property
    def body(self) -> str:
        """The sentence after its date: what, by whom, why, and the status it led to."""
        if self.who:
            text = _("%(what)s, par %(who)s.", what=self.what, who=self.who)
        elif self.automatic:
            text = _("%(what)s (automatiquement).", what=self.what)
        else:
            text = _("%(what)s.", what=self.what)
        if self.reason:
            text += " " + _("Motif : %(reason)s.", reason=self.reason.strip().rstrip("."))
        if self.change:
            text += " " + self.change
        return text

    @property
    def sentence(self) -> str:
        return f"{self.when} — {self.body}"


@dataclass
class _Context:
    """What the sources loaded, for the sentences (no query is made while writing them)."""

    viewer: User
    full: bool
    registrations: dict[int, Any]
    owner: dict[tuple[str, int], int | None]
    bookings: dict[int, Any]
    slots: dict[int, Any] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)


def registration_timeline(registration: Any, viewer: User) -> list[Event]:
    """One registration's history as the viewer may see it, oldest first."""
    return candidate_timeline(viewer, [registration])


def candidate_timeline(viewer: User, registrations: Sequence[Any]) -> list[Event]:
    """The history of these registrations (one candidate's) that the viewer may see."""
    from cloe_portal.partners.scope import followed_partner_ids

    if viewer.role not in (*STAFF, "partner"):
        return []
    allowed = followed_partner_ids(viewer)
    regs = {r.id: r for r in registrations if allowed is None or r.partner_id in allowed}
    if not regs:
        return []
    full = viewer.role in STAFF
    ctx = _Context(viewer=viewer, full=full, registrations=regs,
                   owner={("registration", rid): rid for rid in regs},
                   bookings=_load_bookings(list(regs)))
    # The session's own entries (its creation, a moved test date) are part of each of its
    # registrations' history: a candidate has one registration per session.
    ctx.owner.update({("exam_session", r.session_id): r.id for r in regs.values()})
    for booking in ctx.bookings.values():
        ctx.owner[("oral_booking", booking.id)] = booking.registration_id
        ctx.slots[booking.slot_id] = booking.slot
        if booking.assessment is not None:
            ctx.owner[("oral_assessment", booking.assessment.id)] = booking.registration_id
    attempts = _load_attempts(list(regs))
    for attempt in attempts:
        ctx.owner[("written_attempt", attempt.id)] = attempt.registration_id
    pvs = _load_pvs(list(regs))
    for registration_id, pv in pvs:
        ctx.owner[("jury_pv", pv.id)] = registration_id
    candidate_ids = sorted({r.candidate_id for r in regs.values()})
    for object_type, object_id, registration_id in db.session.execute(
            _owned_objects(list(regs), candidate_ids)):
        ctx.owner[(object_type, object_id)] = registration_id
    entries = _load_entries(ctx.owner)
    _load_referenced(ctx, entries)
    pv_signed = {(pv.id): pv.signed_at for _reg, pv in pvs}

    events = [_from_entry(ctx, e, pv_signed) for e in entries]
    events += _written_finished(ctx, attempts)
    if full:
        events += _signals(ctx, attempts)
    events += _enrolments_without_entry(ctx, entries)
    if not full:
        events = [e for e in events if e.registration_id is not None
                  and e.action not in PARTNER_HIDDEN]
    events.sort(key=lambda e: (e.at, *e.order))
    return _fold_status_changes(events)


# --- the sources (one query each) -------------------------------------------------------------


def _load_bookings(reg_ids: list[int]) -> dict[int, Any]:
    from cloe_portal.orals.models import OralBooking, OralSlot

    stmt = (select(OralBooking).where(OralBooking.registration_id.in_(reg_ids))
            .options(joinedload(OralBooking.slot).joinedload(OralSlot.assessor),
                     joinedload(OralBooking.assessment)))
    return {b.id: b for b in db.session.scalars(stmt).unique()}


def _load_attempts(reg_ids: list[int]) -> list[Any]:
    from cloe_portal.written.models import WrittenAttempt

    return list(db.session.scalars(select(WrittenAttempt).where(
        WrittenAttempt.registration_id.in_(reg_ids), WrittenAttempt.mode == "certification")
        .options(joinedload(WrittenAttempt.candidate))))


def _load_pvs(reg_ids: list[int]) -> list[tuple[int, Any]]:
    from cloe_portal.jury.models import JuryReview, ProcesVerbal

    return [(row[0], row[1]) for row in db.session.execute(
        select(JuryReview.registration_id, ProcesVerbal)
        .join(ProcesVerbal, ProcesVerbal.id == JuryReview.pv_id)
        .where(JuryReview.registration_id.in_(reg_ids)))]


def _owned_objects(reg_ids: list[int], candidate_ids: list[int]):  # noqa: ANN202 - a Select
    """(object_type, object_id, registration_id) of the other objects the log points at, in
    one UNION query. A new feature whose objects belong to a registration adds a line here."""
    from cloe_portal.access_extensions.models import AccessExtensionRequest
    from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto
    from cloe_portal.orals.models import OralWaitlistEntry
    from cloe_portal.problem_reports.models import ProblemReport
    from cloe_portal.results.models import Certificate, Result
    from cloe_portal.sessions.models import AccommodationRequest

    def owned(object_type: str, model: Any) -> Any:
        return select(literal(object_type, String).label("object_type"), model.id,
                      model.registration_id).where(model.registration_id.in_(reg_ids))

    return union_all(
        owned("accommodation_request", AccommodationRequest),
        owned("oral_waitlist", OralWaitlistEntry),
        owned("result", Result),
        owned("certificate", Certificate),
        owned("candidate_photo", CandidatePhoto),
        owned("access_extension_request", AccessExtensionRequest),
        owned("problem_report", ProblemReport),
        select(literal("candidate_identity", String), CandidateIdentity.id,
               null().cast(Integer)).where(CandidateIdentity.user_id.in_(candidate_ids)),
    )


def _load_entries(owner: dict[tuple[str, int], int | None]) -> list[AuditEntry]:
    ids: dict[str, list[int]] = {}
    for object_type, object_id in owner:
        ids.setdefault(object_type, []).append(object_id)
    stmt = (select(AuditEntry)
            .where(or_(*(and_(AuditEntry.object_type == t, AuditEntry.object_id.in_(v))
                         for t, v in sorted(ids.items()))))
            .options(joinedload(AuditEntry.actor).joinedload(User.organisation))
            .order_by(AuditEntry.at, AuditEntry.id))
    return list(db.session.scalars(stmt))


def _load_referenced(ctx: _Context, entries: list[AuditEntry]) -> None:
    """Slots and people that entries name by id only (waitlist offers, reassignments)."""
    from cloe_portal.orals.models import OralSlot

    slot_ids, user_ids = set(), set()
    for e in entries:
        details = e.details or {}
        if e.action.startswith("oral.waitlist.") and isinstance(details.get("slot_id"), int):
            slot_ids.add(details["slot_id"])
        if e.action == "oral.reassign" and ctx.full:
            user_ids.update(v for k in ("from_assessor", "to_assessor")
                            if isinstance(v := details.get(k), int))
    slot_ids -= set(ctx.slots)
    if slot_ids:
        ctx.slots.update((s.id, s) for s in db.session.scalars(
            select(OralSlot).where(OralSlot.id.in_(slot_ids))))
    if user_ids:
        ctx.users.update((u.id, u) for u in db.session.scalars(
            select(User).where(User.id.in_(user_ids))))


# --- events from the domain tables ------------------------------------------------------------


def _written_finished(ctx: _Context, attempts: list[Any]) -> list[Event]:
    return [
        Event(at=a.finished_at, action="written.finished", what=action_label("written.finished"),
              who=_who(ctx, a.candidate), registration_id=a.registration_id,
              actor_id=a.candidate_id, order=(1, 0))
        for a in attempts if a.finished_at is not None
    ]


def _signals(ctx: _Context, attempts: list[Any]) -> list[Event]:
    from cloe_portal.written.models import IntegrityEvent

    if not attempts:
        return []
    by_id = {a.id: a for a in attempts}
    out = []
    for sig in db.session.scalars(select(IntegrityEvent).where(
            IntegrityEvent.attempt_id.in_(list(by_id)), IntegrityEvent.kind.in_(SIGNAL_KINDS))
            .order_by(IntegrityEvent.at, IntegrityEvent.id)):
        attempt = by_id[sig.attempt_id]
        kind = label(sig.label)
        if sig.sequence is not None:
            kind += " " + _("(question %(n)s)", n=sig.sequence)
        what = _with(action_label("written.signal"), kind)
        out.append(Event(at=sig.at, action="written.signal", what=what,
                         who=_who(ctx, attempt.candidate), registration_id=attempt.registration_id,
                         actor_id=attempt.candidate_id, order=(1, 0)))
    return out


def _enrolments_without_entry(ctx: _Context, entries: list[AuditEntry]) -> list[Event]:
    """An enrolment the log does not hold (older rows, bulk loads): dated by the registration."""
    logged = {e.object_id for e in entries
              if e.action == "registration.enrolled" and e.object_type == "registration"}
    return [
        Event(at=r.created_at, action="registration.enrolled",
              what=_with(action_label("registration.enrolled"), _session(r)),
              registration_id=r.id, order=(0, 0))
        for r in ctx.registrations.values() if r.id not in logged
    ]


# --- events from the audit log ----------------------------------------------------------------


def _from_entry(ctx: _Context, entry: AuditEntry, pv_signed: dict[int, datetime]) -> Event:
    registration_id = ctx.owner.get((entry.object_type, entry.object_id))
    details = entry.details if isinstance(entry.details, dict) else {}
    own_words = (ctx.viewer.role == "partner" and entry.actor is not None
                 and entry.actor.role == "partner"
                 and entry.actor.organisation_id == ctx.viewer.organisation_id)
    open_ = ctx.full or own_words or entry.action in PARTNER_REASONS
    describe = DESCRIBERS.get(entry.action)
    specifics = describe(ctx, entry, details) if describe else None
    what = _with(action_label(entry.action), specifics)
    change = None
    reason = entry.reason if open_ else None
    if entry.action == "registration.status":
        change, reason = _status_change(details, reason), None
    elif describe is None and open_:
        change = _generic_change(details)
    at = entry.at
    order: tuple = (1, entry.id)
    if entry.action == "jury.pv.sign":
        # The PV is signed before the results it publishes are issued.
        at = min(at, pv_signed.get(entry.object_id, at))
        order = (0, entry.id)
    return Event(at=at, action=entry.action, what=what, who=_who(ctx, entry.actor),
                 automatic=entry.actor is None, reason=reason,
                 change=change, registration_id=registration_id, actor_id=entry.actor_id,
                 order=order)


def action_label(action: str) -> str:
    """The action's label in the interface's language (French table, English catalogue)."""
    return label(french_label(action))


def _with(text: str, specifics: str | None) -> str:
    return _("%(label)s : %(specifics)s", label=text, specifics=specifics) if specifics else text


def _session(registration: Any) -> str:
    return _("session « %(name)s »", name=registration.session.name)


def _slot_text(ctx: _Context, slot: Any | None, with_assessor: bool = True,
               moved: bool = False) -> str | None:
    if slot is None:
        return None
    text = (_("oral déplacé au %(datetime)s", datetime=fr_datetime(slot.starts_at)) if moved
            else _("oral du %(datetime)s", datetime=fr_datetime(slot.starts_at)))
    if with_assessor and ctx.full and slot.assessor is not None:
        text += " " + _("avec %(name)s", name=slot.assessor.full_name)
    return text


def _booking_slot(ctx: _Context, entry: AuditEntry) -> Any | None:
    booking = ctx.bookings.get(entry.object_id)
    return booking.slot if booking is not None else None


def _session_created(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    registration = ctx.registrations.get(ctx.owner.get(("exam_session", entry.object_id)))
    if registration is None:
        return None
    return _("%(session)s, test écrit le %(date)s", session=_session(registration),
             date=fr_date(registration.session.written_date))


def _enrolled(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    registration = ctx.registrations.get(entry.object_id)
    parts = [_session(registration)] if registration is not None else []
    from cloe_portal.sessions.models import ACCOMMODATION_KINDS

    asked = [label(ACCOMMODATION_KINDS.get(k, k)) for k in d.get("accommodations") or []]
    if asked:
        parts.append(_("aménagements demandés : %(list)s", list=", ".join(asked)))
    return ", ".join(parts) or None


def _window_extended(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    if not isinstance(d.get("days"), int):
        return None
    text = ngettext("+%(num)d jour", "+%(num)d jours", d["days"])
    if isinstance(d.get("total"), int) and d["total"] != d["days"]:
        text += ", " + ngettext("%(num)d jour au total", "%(num)d jours au total", d["total"])
    return text


def _section(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    if not isinstance(d.get("section"), int):
        return None
    parts = [_("section %(n)s", n=d["section"] + 1)]
    if isinstance(d.get("incident"), int):
        parts.append(_("incident n° %(n)s", n=d["incident"]))
    if isinstance(d.get("discarded"), int) and d["discarded"]:
        parts.append(ngettext("%(num)d question annulée", "%(num)d questions annulées",
                              d["discarded"]))
    return ", ".join(parts)


def _verdict(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    from cloe_portal.written.models import VERDICTS

    if "verdict" not in d:
        return None
    source = (_("référent") if d.get("source") == "referent"
              else _("service de surveillance"))
    return f"{label(VERDICTS.get(d['verdict'], d['verdict']))}, {source}"


def _booked(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    return _slot_text(ctx, _booking_slot(ctx, entry), moved=bool(d.get("previous_booking_id")))


def _cancelled(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    return _slot_text(ctx, _booking_slot(ctx, entry), with_assessor=False)


def _reassigned(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    old, new = ctx.users.get(d.get("from_assessor")), ctx.users.get(d.get("to_assessor"))
    if not ctx.full or old is None or new is None:
        return None
    return _("de %(old)s à %(new)s", old=old.full_name, new=new.full_name)


def _force_majeure(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    days = d.get("extension_days")
    if not isinstance(days, int) or days <= 0:
        return _("le candidat peut réserver un nouvel oral")
    return ngettext("le candidat peut réserver un nouvel oral, %(num)d jour de plus",
                    "le candidat peut réserver un nouvel oral, %(num)d jours de plus", days)


def _waitlist_slot(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    return _slot_text(ctx, ctx.slots.get(d.get("slot_id")), with_assessor=False)


def _attendance(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    from cloe_portal.orals.models import ATTENDANCE

    if d.get("attendance") not in ATTENDANCE:
        return None
    text = label(ATTENDANCE[d["attendance"]])
    if ctx.full and d.get("identity_checked"):
        text += ", " + _("identité vérifiée")
    return text


def _grid(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    from cloe_portal.rules.cefr import CRITERION_LABELS_FR, ORAL_CRITERIA

    if not ctx.full:
        return None
    levels = [f"{label(CRITERION_LABELS_FR[c])} {d[c]}" for c in ORAL_CRITERIA if d.get(c)]
    return ", ".join(levels) or None


def _reopened(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    try:
        until = datetime.fromisoformat(d["deadline"])
    except (KeyError, TypeError, ValueError):
        return None
    return _("jusqu'au %(datetime)s", datetime=fr_datetime(until))


def _jury(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    from cloe_portal.jury.models import DECISIONS

    if d.get("decision") not in DECISIONS:
        return None
    parts = [label(DECISIONS[d["decision"]])]
    if d.get("global"):
        parts.append(_("niveau global %(level)s", level=d["global"]))
    if d.get("certificate"):
        parts.append(_("certificat"))
    if d.get("fraud"):
        parts.append(_("fraude constatée"))
    return ", ".join(parts)


def _pv(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    return _("PV n° %(number)s", number=d["number"]) if d.get("number") else None


def _number(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    return _("n° %(number)s", number=d["number"]) if d.get("number") else None


def _accommodation(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    from cloe_portal.sessions.models import ACCOMMODATION_KINDS

    kind = d.get("kind")
    return label(ACCOMMODATION_KINDS.get(kind, kind)) if kind else None


def _photo(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    from cloe_portal.candidates.models import PHOTO_KINDS

    kind = d.get("kind")
    return label(PHOTO_KINDS.get(kind, kind)) if kind else None


def _nothing(ctx: _Context, entry: AuditEntry, d: dict) -> str | None:
    """Known action whose details are technical (hashes, ids): the label says it all."""
    return None


Describer = Callable[[_Context, AuditEntry, dict], "str | None"]
# action → the specifics shown after its label. An action not here gets the label, and for
# those who may read them, its before → after (details "from"/"to", "before"/"after").
DESCRIBERS: dict[str, Describer] = {
    "session.created": _session_created,
    "registration.enrolled": _enrolled,
    "registration.status": _nothing,
    "written.window_extended": _window_extended,
    "written.started": _nothing,
    "written.incident_restart": _section,
    "written.suspended": _section,
    "written.restart_granted": _section,
    "written.cancelled_force_majeure": _nothing,
    "written.verdict": _verdict,
    "oral.book": _booked,
    "oral.cancel": _cancelled,
    "oral.cancel_late": _cancelled,
    "oral.reassign": _reassigned,
    "oral.force_majeure": _force_majeure,
    "oral.waitlist.join": _nothing,
    "oral.waitlist.offer": _waitlist_slot,
    "oral.waitlist.lapsed": _waitlist_slot,
    "oral.attendance": _attendance,
    "oral.assessment.validate": _grid,
    "oral.assessment.reopen": _reopened,
    "jury.decision": _jury,
    "jury.decision.withdrawn": _jury,
    "jury.pv.sign": _pv,
    "results.attestation.issue": _nothing,
    "results.certificate.issue": _number,
    "results.certificate.revoke": _number,
    "accommodation.approved": _accommodation,
    "accommodation.refused": _accommodation,
    "candidate.identity_saved": _nothing,
    "candidate.photo_saved": _photo,
    "privacy.evidence_purge": _nothing,
}


# --- who, and before → after ------------------------------------------------------------------


def _who(ctx: _Context, actor: User | None) -> str | None:
    """The actor as the viewer may know it: named for staff, by role for a partner."""
    if actor is None:
        return None
    viewer = ctx.viewer
    if actor.role == "candidate" and not ctx.full:
        return _("le candidat")
    if actor.role == "partner":
        org = actor.organisation.name if actor.organisation is not None else label("Organisme partenaire")
        if ctx.full or actor.organisation_id == viewer.organisation_id:
            return f"{actor.full_name} ({org})"
        return _("un autre organisme")
    if not ctx.full:
        return _("l'évaluateur") if actor.role == "assessor" else _("le centre référent")
    return f"{actor.full_name} ({label(actor.role_label)})"


def _status_change(d: dict, reason: str | None) -> str | None:
    from cloe_portal.sessions.models import REGISTRATION_STATUS_LABELS_FR as LABELS

    if "to" not in d:
        return None
    before = label(LABELS.get(d.get("from"), d.get("from") or "—"))
    after = label(LABELS.get(d["to"], d["to"]))
    if reason:
        return _("Statut : %(before)s → %(after)s (%(reason)s).", before=before, after=after,
                 reason=reason.strip().rstrip("."))
    return _("Statut : %(before)s → %(after)s.", before=before, after=after)


# Field names an edit's before → after may carry (enrolment and session edits): in French.
FIELD_LABELS = {
    "birth_date": "Date de naissance", "cpf_file_number": "N° de dossier CPF",
    "domain": "Domaine", "email": "E-mail", "first_name": "Prénom", "funding": "Financement",
    "kind": "Type de session", "language": "Langue", "last_name": "Nom", "name": "Nom",
    "target_level": "Niveau visé", "training_hours": "Heures de formation",
    "written_date": "Date du test écrit",
}


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, str) and len(value) == 10:
        try:
            return fr_date(date.fromisoformat(value))
        except ValueError:
            pass
    return str(value)


def _field(name: str) -> str:
    known = FIELD_LABELS.get(name)
    return label(known) if known else name.replace("_", " ")


def _generic_change(d: dict) -> str | None:
    """Before → after for an action without a describer: {"from", "to"} or
    {"before": {...}, "after": {...}} (field by field)."""
    if "from" in d and "to" in d and not isinstance(d["to"], dict):
        return _("Avant → après : %(before)s → %(after)s.", before=_plain(d["from"]),
                 after=_plain(d["to"]))
    before, after = d.get("before"), d.get("after")
    if isinstance(before, dict) and isinstance(after, dict):
        fields = [f"{_field(k)} : {_plain(before.get(k))} → {_plain(after.get(k))}"
                  for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
        if fields:
            return _("Modifié : %(fields)s.", fields=" ; ".join(fields))
    return None


def _fold_status_changes(events: list[Event]) -> list[Event]:
    """Show a status change as part of the event that caused it (same person, same moment,
    an action of STATUS_HOSTS), instead of a line of its own; a change with no such event
    keeps its line."""
    folded: set[int] = set()
    for i, event in enumerate(events):
        if event.action != "registration.status" or event.change is None:
            continue
        host = _host(events, i, folded)
        if host is not None:
            host.change = event.change
            folded.add(i)
    return [e for i, e in enumerate(events) if i not in folded]


def _host(events: list[Event], i: int, folded: set[int]) -> Event | None:
    status = events[i]
    best, best_distance = None, None
    for j, other in enumerate(events):
        if (j in folded or other.action not in STATUS_HOSTS or other.change is not None
                or other.actor_id != status.actor_id
                or other.registration_id not in (status.registration_id, None)
                or abs(other.at - status.at) > SAME_OPERATION):
            continue
        distance = (abs(j - i), j > i)  # the nearest; on a tie, the one before
        if best_distance is None or distance < best_distance:
            best, best_distance = other, distance
    return best
