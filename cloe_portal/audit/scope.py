"""Which audit-log entries a member of staff may read (the searchable log and its export).

The coordinator reads every entry. A referent reads an entry when either:

1. **its own centre did it**: the actor belongs to the referent's centre (its referents
   and assessors) — whatever the object;
2. **it is about one of its centre's partners**, or something that hangs off one: the
   partner organisation itself; its users (admins, and candidates registered with it);
   its sessions and registrations, and each registration's written attempts, oral
   bookings and grids, waiting-list places, accommodation requests, results,
   certificates, jury PVs, candidate identity and photos; its EDOF uploads; its
   follow-up audits;
3. **it is about its own centre or its people**: the centre's organisation, the accounts
   of its referents and assessors, the assessors' oral slots;
4. **it is about a partner application not listed yet**: the application queue is shared
   (every referent sees and may audit any application on /candidatures/), so its history
   is too; once listed, an application follows its partner (rule 2).

Entries whose object is tied to no partner and no centre — the item bank, the demo clock,
outbox messages, scheduled jobs (``system``), another centre — are read by the
coordinator only, unless rule 1 applies. So is any object type this module does not
know yet (a new feature adds its line to ``_objects_in_scope``). A candidate registered
with partners of two centres is followed by both: both read the entries on its account.

Everything is one SQL condition (``IN`` sub-selects), so a page costs the same number of
queries whatever the size of the log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true

from cloe_portal.accounts.models import Organisation, User
from cloe_portal.audit.models import AuditEntry


def _objects_in_scope(centre_id: int) -> dict[str, Any]:
    """Object type → a select of the ids of that type the centre's referents may read."""
    from cloe_portal.access_extensions.models import AccessExtensionRequest
    from cloe_portal.applications.models import PartnerApplication
    from cloe_portal.candidates.models import CandidateIdentity, CandidatePhoto
    from cloe_portal.edof.models import EdofUpload
    from cloe_portal.jury.models import ProcesVerbal
    from cloe_portal.orals.models import OralAssessment, OralBooking, OralSlot, OralWaitlistEntry
    from cloe_portal.partner_audits.models import PartnerAudit
    from cloe_portal.problem_reports.models import ProblemReport
    from cloe_portal.results.models import Certificate, Result
    from cloe_portal.sessions.models import AccommodationRequest, ExamSession, Registration
    from cloe_portal.written.models import WrittenAttempt

    partners = select(Organisation.id).where(Organisation.kind == "partner",
                                             Organisation.referent_centre_id == centre_id)
    registrations = select(Registration.id).where(Registration.partner_id.in_(partners))
    candidates = select(Registration.candidate_id).where(Registration.partner_id.in_(partners))
    sessions = select(ExamSession.id).where(ExamSession.partner_id.in_(partners))
    centre_people = select(User.id).where(User.organisation_id == centre_id)
    bookings = select(OralBooking.id).where(OralBooking.registration_id.in_(registrations))
    return {
        "organisation": select(Organisation.id).where(
            or_(Organisation.id.in_(partners), Organisation.id == centre_id)),
        "partner_application": select(PartnerApplication.id).where(or_(
            PartnerApplication.organisation_id.in_(partners),
            PartnerApplication.organisation_id.is_(None))),
        "user_account": select(User.id).where(or_(
            User.organisation_id.in_(partners), User.organisation_id == centre_id,
            User.id.in_(candidates))),
        "exam_session": sessions,
        "registration": registrations,
        "accommodation_request": select(AccommodationRequest.id).where(
            AccommodationRequest.registration_id.in_(registrations)),
        "candidate_identity": select(CandidateIdentity.id).where(
            CandidateIdentity.user_id.in_(candidates)),
        "candidate_photo": select(CandidatePhoto.id).where(or_(
            CandidatePhoto.registration_id.in_(registrations),
            CandidatePhoto.user_id.in_(candidates))),
        "written_attempt": select(WrittenAttempt.id).where(
            WrittenAttempt.registration_id.in_(registrations)),
        "oral_slot": select(OralSlot.id).where(OralSlot.assessor_id.in_(centre_people)),
        "oral_booking": bookings,
        "oral_assessment": select(OralAssessment.id).where(OralAssessment.booking_id.in_(bookings)),
        "oral_waitlist": select(OralWaitlistEntry.id).where(
            OralWaitlistEntry.registration_id.in_(registrations)),
        "jury_pv": select(ProcesVerbal.id).where(ProcesVerbal.session_id.in_(sessions)),
        "result": select(Result.id).where(Result.partner_id.in_(partners)),
        "certificate": select(Certificate.id).where(Certificate.partner_id.in_(partners)),
        "edof_upload": select(EdofUpload.id).where(EdofUpload.partner_id.in_(partners)),
        "partner_audit": select(PartnerAudit.id).where(PartnerAudit.organisation_id.in_(partners)),
        "access_extension_request": select(AccessExtensionRequest.id).where(
            AccessExtensionRequest.partner_id.in_(partners)),
        "problem_report": select(ProblemReport.id).where(ProblemReport.partner_id.in_(partners)),
    }


def visible_to(user: User) -> ColumnElement[bool]:
    """The condition on AuditEntry selecting what `user` may read (see the module's rules)."""
    if user.role == "coordinator":
        return true()
    if user.role != "referent" or user.organisation_id is None:
        return AuditEntry.id.is_(None)  # nothing
    centre_id = user.organisation_id
    own_centre = select(User.id).where(User.organisation_id == centre_id)
    return or_(
        AuditEntry.actor_id.in_(own_centre),
        *(and_(AuditEntry.object_type == object_type, AuditEntry.object_id.in_(ids))
          for object_type, ids in _objects_in_scope(centre_id).items()),
    )
