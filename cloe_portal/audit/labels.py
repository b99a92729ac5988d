"""What each audit-log action means, in French: one table for every page that shows the log
(a candidate's history, the audit-log search and its CSV export).

`action_label("written.window_extended")` gives "Prolongation de l'accès au test écrit".
An action missing from the table still reads well: its label is built from its parts, the
feature (first part) and what happened (last part): "appeal.filed" → "Contestation : dépôt",
"registration.withdrawn" → "Inscription : retrait". A new action therefore never shows a raw
code; adding it to ACTION_LABELS only gives it a better wording.

Labels are lazy French strings (`_l`): the English interface reads them from the catalogue.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# action → label (a noun phrase: it heads a line of the history, a cell of the search page).
ACTION_LABELS = {
    # enrolment and the registration's pipeline
    "session.created": _l("Création de la session"),
    "registration.enrolled": _l("Inscription du candidat"),
    "registration.status": _l("Changement de statut de l'inscription"),
    "accommodation.approved": _l("Aménagement accordé"),
    "accommodation.refused": _l("Aménagement refusé"),
    "candidate.identity_saved": _l("Formulaire d'identité enregistré"),
    "candidate.photo_saved": _l("Photo enregistrée avant le test écrit"),
    "edof.uploaded": _l("Dépôt de l'extraction EDOF"),
    # written test
    "written.window_extended": _l("Prolongation de l'accès au test écrit"),
    "written.started": _l("Début du test écrit"),
    "written.finished": _l("Fin du test écrit"),
    "written.incident_restart": _l("Section du test écrit relancée après un incident technique"),
    "written.suspended": _l("Test écrit suspendu (incidents répétés)"),
    "written.restart_granted": _l("Reprise de la section accordée par le référent"),
    "written.cancelled_force_majeure": _l("Test écrit annulé pour force majeure"),
    "written.verdict": _l("Avis de surveillance du test écrit"),
    "written.signal": _l("Signal de surveillance pendant le test écrit"),
    # oral
    "oral.book": _l("Réservation de l'oral"),
    "oral.cancel": _l("Annulation de l'oral"),
    "oral.cancel_late": _l("Annulation de l'oral moins de 24 h avant (compté comme passé)"),
    "oral.reassign": _l("Oral réattribué à un autre évaluateur"),
    "oral.force_majeure": _l("Force majeure accordée pour l'oral"),
    "oral.waitlist.join": _l("Inscription sur la liste d'attente des oraux"),
    "oral.waitlist.offer": _l("Créneau libéré proposé (liste d'attente)"),
    "oral.waitlist.lapsed": _l("Créneau proposé non retenu à temps (liste d'attente)"),
    "oral.attendance": _l("Présence à l'oral"),
    "oral.assessment.validate": _l("Grille d'évaluation de l'oral validée"),
    "oral.assessment.reopen": _l("Grille d'évaluation de l'oral rouverte"),
    "oral.availability.publish": _l("Disponibilités d'oral publiées"),
    "oral.availability.exception": _l("Disponibilités d'oral retirées (absence)"),
    "oral.slot.delete": _l("Créneau d'oral supprimé"),
    # jury and results
    "jury.decision": _l("Décision du jury"),
    "jury.decision.withdrawn": _l("Décision du jury retirée"),
    "jury.pv.sign": _l("Signature du procès-verbal du jury"),
    "results.attestation.issue": _l("Résultats publiés et attestation délivrée"),
    "results.certificate.issue": _l("Certificat délivré"),
    "results.certificate.revoke": _l("Certificat révoqué"),
    # personal data
    "privacy.evidence_purge": _l("Effacement des preuves de surveillance (durée de conservation)"),
    "privacy.export": _l("Export des données personnelles"),
    "privacy.candidate_erased": _l("Effacement des données du candidat"),
    # partners and their applications
    "application.submitted": _l("Candidature d'habilitation déposée"),
    "application.audit_saved": _l("Grille d'audit de la candidature enregistrée"),
    "application.opinion_favourable": _l("Avis favorable du référent sur la candidature"),
    "application.opinion_unfavourable": _l("Avis défavorable du référent sur la candidature"),
    "application.validated": _l("Candidature validée par la commission"),
    "application.rejected": _l("Candidature rejetée par la commission"),
    "application.listed": _l("Candidature inscrite sur la liste des partenaires"),
    "partner.listed": _l("Organisme ajouté à la liste des partenaires"),
    "partner.suspend": _l("Partenariat suspendu"),
    "partner.end": _l("Partenariat terminé"),
    "partner.reactivate": _l("Partenariat rétabli"),
    # assessors
    "assessor.created": _l("Évaluateur créé"),
    "assessor.profile_updated": _l("Profil de l'évaluateur modifié"),
    "assessor.language_added": _l("Langue ajoutée à l'évaluateur"),
    "assessor.training": _l("Formation de l'évaluateur enregistrée"),
    "assessor.validation_passed": _l("Validation de l'évaluateur réussie"),
    "assessor.validation_failed": _l("Validation de l'évaluateur échouée"),
    "assessor.renewal_started": _l("Renouvellement de l'habilitation de l'évaluateur commencé"),
    # item bank
    "item.create": _l("Item créé"),
    "item.update": _l("Item modifié"),
    "item.retire": _l("Item retiré"),
    "item.restore": _l("Item remis en service"),
    "item.draft": _l("Item remis en brouillon"),
    "item.import": _l("Items importés"),
    "item.load_files": _l("Items chargés depuis les fichiers"),
    # network and accounts
    "centre.created": _l("Centre référent créé"),
    "referent.created": _l("Référent créé"),
    "account.reactivated": _l("Compte réactivé"),
    "account.deactivated": _l("Compte désactivé"),
    "account.locked": _l("Compte verrouillé (trop d'essais de connexion)"),
    "account.password_set": _l("Mot de passe choisi"),
    "account.session_ended": _l("Session de connexion fermée"),
    "account.other_sessions_ended": _l("Autres sessions de connexion fermées"),
    "account.sessions_ended": _l("Sessions de connexion fermées par un responsable"),
    "account.second_factor_enabled": _l("Double authentification activée"),
    "account.second_factor_disabled": _l("Double authentification désactivée"),
    "account.second_factor_reset": _l("Double authentification réinitialisée"),
    "account.recovery_code_used": _l("Code de secours utilisé"),
    "account.recovery_codes_renewed": _l("Codes de secours renouvelés"),
    # operations
    "outbox.resend": _l("E-mail renvoyé"),
    "demo_clock.moved": _l("Horloge de démonstration déplacée"),
}

# First part of an action → the feature it belongs to (for actions missing from the table).
FEATURE_LABELS = {
    "accommodation": _l("Aménagement"),
    "account": _l("Compte"),
    "appeal": _l("Contestation"),
    "application": _l("Candidature d'habilitation"),
    "assessor": _l("Évaluateur"),
    "audit": _l("Audit de l'organisme"),
    "candidate": _l("Candidat"),
    "centre": _l("Centre référent"),
    "certificate": _l("Certificat"),
    "edof": _l("Extraction EDOF"),
    "enrolment": _l("Inscription"),
    "extension": _l("Prolongation"),
    "identity": _l("Identité du candidat"),
    "item": _l("Item"),
    "jury": _l("Jury"),
    "oral": _l("Oral"),
    "partner": _l("Organisme partenaire"),
    "privacy": _l("Données personnelles"),
    "problem": _l("Signalement"),
    "referent": _l("Référent"),
    "registration": _l("Inscription"),
    "report": _l("Signalement"),
    "results": _l("Résultats"),
    "session": _l("Session"),
    "written": _l("Test écrit"),
}

# Last part of an action (what happened) → a French noun.
EVENT_NOUNS = {
    "added": _l("ajout"),
    "answered": _l("réponse"),
    "approved": _l("accord"),
    "assigned": _l("attribution"),
    "cancelled": _l("annulation"),
    "changed": _l("modification"),
    "closed": _l("clôture"),
    "created": _l("création"),
    "decided": _l("décision"),
    "deleted": _l("suppression"),
    "edited": _l("modification"),
    "extended": _l("prolongation"),
    "filed": _l("dépôt"),
    "granted": _l("accord"),
    "issued": _l("délivrance"),
    "moved": _l("déplacement"),
    "opened": _l("ouverture"),
    "rectified": _l("rectification"),
    "refused": _l("refus"),
    "reissued": _l("réédition"),
    "rejected": _l("rejet"),
    "remarked": _l("nouvelle évaluation"),
    "reopened": _l("réouverture"),
    "replied": _l("réponse"),
    "requested": _l("demande"),
    "rescored": _l("nouveau calcul du score"),
    "revoked": _l("révocation"),
    "scored": _l("notation"),
    "signed": _l("signature"),
    "submitted": _l("dépôt"),
    "updated": _l("modification"),
    "withdrawn": _l("retrait"),
}

# The objects the log points at (AuditEntry.object_type), for a search page's column.
OBJECT_LABELS = {
    "accommodation_request": _l("Demande d'aménagement"),
    "candidate_identity": _l("Identité du candidat"),
    "candidate_photo": _l("Photo du candidat"),
    "certificate": _l("Certificat"),
    "edof_upload": _l("Extraction EDOF"),
    "exam_session": _l("Session"),
    "item": _l("Item"),
    "jury_pv": _l("Procès-verbal du jury"),
    "oral_assessment": _l("Grille d'oral"),
    "oral_booking": _l("Réservation d'oral"),
    "oral_slot": _l("Créneau d'oral"),
    "oral_waitlist": _l("Liste d'attente des oraux"),
    "organisation": _l("Organisme"),
    "partner_application": _l("Candidature d'habilitation"),
    "registration": _l("Inscription"),
    "result": _l("Résultats"),
    "user_account": _l("Compte"),
    "written_attempt": _l("Test écrit"),
}


def _words(code: str) -> str:
    return code.replace("_", " ").replace("-", " ").strip()


def action_label(action: str) -> str:
    """The action's label in the interface's language; built from its parts when unknown."""
    known = ACTION_LABELS.get(action)
    if known is not None:
        return str(known)
    parts = [p for p in (action or "").split(".") if p]
    if not parts:
        return str(_l("Action sans nom"))
    feature = FEATURE_LABELS.get(parts[0])
    feature_text = str(feature) if feature is not None else _words(parts[0]).capitalize()
    if len(parts) == 1:
        return feature_text
    event = EVENT_NOUNS.get(parts[-1])
    event_text = str(event) if event is not None else _words(" ".join(parts[1:]))
    return str(_l("%(feature)s : %(event)s", feature=feature_text, event=event_text))


def object_label(object_type: str | None) -> str:
    """What kind of object an entry points at, in the interface's language."""
    known = OBJECT_LABELS.get(object_type or "")
    return str(known) if known is not None else _words(object_type or "—").capitalize()
