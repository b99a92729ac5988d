"""French labels of the audit log's actions, for every page that shows the log.

The audit log stores an action code (``partner.suspend``); people read a sentence
(« Partenariat suspendu »). One table serves the partner and application histories, the
searchable log, its CSV export and the candidate timeline. The labels are plain French
strings: pages show them through the ``|label`` filter, which looks them up in the English
catalogue for the English interface; the CSV export keeps them in French.

An action missing from the table (a new feature that forgot to add its line, or an entry
written by an older version) still reads sensibly: the label of its family (the part
before the first dot) followed by what happened when its last part says it (« appeal.filed »
→ « Contestation : dépôt »), else by the code, e.g. « Oral (oral.new_thing) ».
tests/audit/test_labels.py checks that every action the code records has its line.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    # Accounts and security
    "account.password_set": "Mot de passe défini",
    "account.locked": "Compte verrouillé après plusieurs échecs de connexion",
    "account.deactivated": "Compte désactivé",
    "account.reactivated": "Compte réactivé",
    "account.session_ended": "Session de connexion fermée",
    "account.other_sessions_ended": "Autres sessions de connexion fermées",
    "account.sessions_ended": "Toutes les sessions de connexion fermées",
    "account.second_factor_enabled": "Double authentification activée",
    "account.second_factor_disabled": "Double authentification désactivée",
    "account.second_factor_reset": "Double authentification réinitialisée",
    "account.recovery_code_used": "Code de secours utilisé",
    "account.recovery_codes_renewed": "Codes de secours renouvelés",
    # Network: centres, referents, partners
    "centre.created": "Centre créé",
    "referent.created": "Compte référent créé",
    "application.submitted": "Candidature déposée",
    "application.audit_saved": "Grille d'audit enregistrée",
    "application.opinion_favourable": "Avis favorable du CEL référent",
    "application.opinion_unfavourable": "Avis défavorable du CEL référent",
    "application.validated": "Partenariat validé par la commission",
    "application.rejected": "Partenariat rejeté par la commission",
    "application.listed": "Inscrit sur la liste des partenaires",
    "partner.listed": "Inscrit sur la liste des partenaires",
    "partner.suspend": "Partenariat suspendu",
    "partner.end": "Partenariat terminé",
    "partner.reactivate": "Partenariat réactivé",
    "partner_audit.opened": "Audit de suivi ouvert",
    "partner_audit.saved": "Grille de l'audit de suivi enregistrée",
    "partner_audit.compliant": "Audit de suivi : conforme",
    "partner_audit.actions_required": "Audit de suivi : actions correctives demandées",
    "partner_audit.suspension_proposed": "Audit de suivi : suspension proposée",
    "edof.uploaded": "Extrait EDOF déposé",
    # Assessors
    "assessor.created": "Compte évaluateur créé",
    "assessor.profile_updated": "Profil mis à jour",
    "assessor.language_added": "Langue ajoutée",
    "assessor.training": "Formation enregistrée",
    "assessor.validation_passed": "Validation réussie : habilitation accordée",
    "assessor.validation_failed": "Validation échouée",
    "assessor.renewal_started": "Renouvellement ouvert",
    # Sessions and registrations
    "session.created": "Session créée",
    "registration.enrolled": "Candidat inscrit",
    "registration.status": "Changement de statut de l'inscription",
    "session.edited": "Session modifiée",
    "registration.edited": "Inscription modifiée",
    "registration.withdrawn": "Candidat retiré",
    "access_extension.requested": "Prolongation d'accès demandée",
    "access_extension.withdrawn": "Demande de prolongation retirée",
    "access_extension.granted": "Prolongation d'accès accordée",
    "access_extension.refused": "Prolongation d'accès refusée",
    "oral.booking_window_extended": "Période de réservation de l'oral prolongée",
    "accommodation.requested": "Aménagement demandé par le partenaire après l'inscription",
    "problem_report.created": "Signalement envoyé au référent",
    "problem_report.status": "Signalement : changement de statut",
    "appeal.filed": "Contestation déposée",
    "appeal.decided": "Décision sur la contestation",
    "appeal.sent_to_jury": "Contestation : résultat renvoyé au jury",
    "appeal.remark_validated": "Contestation : seconde évaluation de l'oral validée",
    "appeal.closed": "Contestation close",
    "written.rescored": "Test écrit recorrigé (rejeu)",
    "results.reissued": "Résultats réédités sous un nouveau numéro",
    "results.withdrawn": "Résultats retirés",
    "candidate.identity.rectified": "État civil rectifié",
    "accommodation.approved": "Aménagement accordé",
    "accommodation.refused": "Aménagement refusé",
    "candidate.identity_saved": "Formulaire d'identité enregistré",
    "candidate.photo_saved": "Photo enregistrée",
    # Written test
    "written.started": "Test écrit commencé",
    "written.window_extended": "Accès au test écrit prolongé",
    "written.incident_restart": "Section reprise après un incident technique",
    "written.suspended": "Test écrit suspendu après des incidents répétés",
    "written.restart_granted": "Reprise de la section accordée",
    "written.cancelled_force_majeure": "Test écrit annulé pour force majeure",
    "written.verdict": "Verdict de surveillance du test écrit",
    # Not audit entries: events the candidate history reads from the written test's own
    # tables (its end, and the proctoring signals of its integrity log).
    "written.finished": "Test écrit terminé",
    "written.signal": "Signal de surveillance pendant le test écrit",
    # Orals
    "oral.availability.publish": "Disponibilités publiées",
    "oral.availability.exception": "Indisponibilité enregistrée",
    "oral.slot.delete": "Créneau supprimé",
    "oral.book": "Oral réservé",
    "oral.cancel": "Réservation de l'oral annulée",
    "oral.cancel_late": "Oral annulé moins de 24 h avant (compté comme passé)",
    "oral.waitlist.join": "Inscription sur la liste d'attente",
    "oral.waitlist.offer": "Créneau proposé depuis la liste d'attente",
    "oral.waitlist.lapsed": "Proposition de la liste d'attente expirée",
    "oral.reassign": "Oral confié à un autre évaluateur",
    "oral.force_majeure": "Force majeure accordée pour l'oral",
    "oral.attendance": "Présence à l'oral enregistrée",
    "oral.assessment.validate": "Grille de l'oral validée",
    "oral.assessment.reopen": "Grille de l'oral rouverte",
    # Jury and results
    "jury.decision": "Décision du jury",
    "jury.decision.withdrawn": "Décision du jury retirée",
    "jury.pv.sign": "Procès-verbal signé",
    "results.attestation.issue": "Attestation de résultats délivrée",
    "results.certificate.issue": "Certificat délivré",
    "results.certificate.revoke": "Certificat révoqué",
    # Item bank
    "item.create": "Item créé",
    "item.update": "Item modifié",
    "item.import": "Items importés",
    "item.load_files": "Banque d'items chargée depuis les fichiers",
    "item.retire": "Item retiré",
    "item.restore": "Item remis en service",
    "item.draft": "Item repassé en brouillon",
    # Personal data, outbox, demo, the log itself
    "privacy.export": "Export des données personnelles",
    "privacy.candidate_erased": "Données du candidat effacées",
    "privacy.evidence_purge": "Photos et journaux d'intégrité purgés",
    "outbox.resend": "Courriel renvoyé",
    "demo_clock.moved": "Horloge de démonstration avancée",
    "audit.exported": "Journal d'audit exporté",
}

# The first part of an action code → what it is about (fallback for unknown actions).
FAMILY_LABELS: dict[str, str] = {
    "account": "Compte",
    "centre": "Centre",
    "referent": "Référent",
    "application": "Candidature de partenariat",
    "partner": "Partenariat",
    "partner_audit": "Audit de suivi",
    "edof": "Extrait EDOF",
    "assessor": "Évaluateur",
    "session": "Session",
    "registration": "Inscription",
    "accommodation": "Aménagement",
    "candidate": "Candidat",
    "written": "Test écrit",
    "oral": "Oral",
    "jury": "Jury",
    "results": "Résultats",
    "item": "Banque d'items",
    "privacy": "Données personnelles",
    "outbox": "Courriels",
    "demo_clock": "Horloge de démonstration",
    "audit": "Journal d'audit",
    # Families of the corrections and appeals being added (issue 18): their actions read
    # « Contestation : dépôt » until their own lines are added above.
    "appeal": "Contestation",
    "extension": "Prolongation",
    "identity": "Identité du candidat",
    "problem": "Signalement",
    "access_extension": "Prolongation d'accès",
    "problem_report": "Signalement",
}
UNKNOWN_FAMILY = "Autre action"

# The last part of an unknown action, when it says what happened → a French noun, so that a
# new feature's « appeal.filed » reads « Contestation : dépôt » rather than its code.
EVENT_NOUNS: dict[str, str] = {
    "added": "ajout",
    "approved": "accord",
    "assigned": "attribution",
    "cancelled": "annulation",
    "changed": "modification",
    "closed": "clôture",
    "created": "création",
    "decided": "décision",
    "deleted": "suppression",
    "edited": "modification",
    "extended": "prolongation",
    "filed": "dépôt",
    "granted": "accord",
    "issued": "délivrance",
    "opened": "ouverture",
    "rectified": "rectification",
    "refused": "refus",
    "reissued": "réédition",
    "rejected": "rejet",
    "replied": "réponse",
    "requested": "demande",
    "revoked": "révocation",
    "scored": "notation",
    "updated": "modification",
    "withdrawn": "retrait",
}


def action_label(action: str) -> str:
    """The French label of an action code; unknown codes read « <family> : <what happened> »
    when both parts are known, else « <family> (<code>) »."""
    known = ACTION_LABELS.get(action)
    if known is not None:
        return known
    head, _, rest = action.partition(".")
    family = FAMILY_LABELS.get(head, UNKNOWN_FAMILY)
    event = EVENT_NOUNS.get(action.rsplit(".", 1)[-1]) if rest else None
    if event is not None and head in FAMILY_LABELS:
        return f"{family} : {event}"
    return f"{family} ({action})"


# What an entry is about: the object's table → a French noun (the log's « Objet » column).
OBJECT_TYPE_LABELS: dict[str, str] = {
    "organisation": "Organisme ou centre",
    "partner_application": "Candidature de partenariat",
    "user_account": "Compte utilisateur",
    "exam_session": "Session",
    "registration": "Inscription",
    "accommodation_request": "Demande d'aménagement",
    "candidate_identity": "Identité du candidat",
    "candidate_photo": "Photo du candidat",
    "written_attempt": "Test écrit",
    "oral_slot": "Créneau d'oral",
    "oral_booking": "Réservation d'oral",
    "oral_assessment": "Grille d'oral",
    "oral_waitlist": "Liste d'attente de l'oral",
    "jury_pv": "Procès-verbal de jury",
    "result": "Résultat",
    "certificate": "Certificat",
    "edof_upload": "Extrait EDOF",
    "item": "Item",
    "outbox_message": "Courriel",
    "demo_clock": "Horloge de démonstration",
    "audit_entry": "Journal d'audit",
    "access_extension_request": "Demande de prolongation",
    "problem_report": "Signalement",
    "system": "Système",
}


def object_type_label(object_type: str) -> str:
    """The French noun of an object type; unknown types are shown as stored."""
    return OBJECT_TYPE_LABELS.get(object_type, object_type)
