"""Every view, change, print and export of a person's file goes to the access log, decided here from
the URL name rather than in each view: a new page of a file only needs a line in PAGES_DOSSIER, and the
matrix test (tests/test_matrice_acces.py) fails when a page of a file is not listed."""

from django.apps import apps
from django.db.models import Subquery

from .models import Action
from .services import tracer

# url name -> (kwarg holding the object's id, model, path from the model to the person's id).
PAGES_DOSSIER = {
    "residents:dossier": ("pk", "residents.Resident", "pk"),
    "residents:modifier": ("pk", "residents.Resident", "pk"),
    "residents:entretiens": ("pk", "residents.Resident", "pk"),
    "residents:suivi": ("pk", "residents.Resident", "pk"),
    "residents:menage": ("pk", "residents.Resident", "pk"),
    "residents:menage_delier": ("pk", "residents.Resident", "pk"),
    "residents:droits": ("pk", "residents.Resident", "pk"),
    "residents:demande_acces": ("pk", "residents.Resident", "pk"),
    "residents:demande_remise": ("pk", "residents.DemandeAcces", "resident_id"),
    "residents:droit_acces_zip": ("pk", "residents.Resident", "pk"),
    "residents:journal": ("pk", "residents.Resident", "pk"),
    "residents:consentement_nouveau": ("pk", "residents.Resident", "pk"),
    "residents:consentement_retirer": ("pk", "residents.Consentement", "resident_id"),
    "residents:archiver": ("pk", "residents.Resident", "pk"),
    "accompagnement:ouvrir": ("pk", "residents.Resident", "pk"),
    "accompagnement:entretien_nouveau": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:rendez_vous_nouveau": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:reorienter": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:terminer": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:objectif_nouveau": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:coreferent_ajouter": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:rendez_vous_cloturer": ("pk", "accompagnement.Entretien", "accompagnement__resident_id"),
    "accompagnement:entretien_modifier": ("pk", "accompagnement.Entretien", "accompagnement__resident_id"),
    "accompagnement:objectif_modifier": ("pk", "accompagnement.Objectif", "accompagnement__resident_id"),
    "accompagnement:objectif_evaluer": ("pk", "accompagnement.Objectif", "accompagnement__resident_id"),
    "accompagnement:coreferent_retirer": ("pk", "accompagnement.CoReferent", "accompagnement__resident_id"),
    "accompagnement:diagnostic_nouveau": ("pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:diagnostic": ("pk", "accompagnement.Diagnostic", "accompagnement__resident_id"),
    "accompagnement:diagnostic_modifier": ("pk", "accompagnement.Diagnostic", "accompagnement__resident_id"),
    "accompagnement:diagnostic_pdf": ("pk", "accompagnement.Diagnostic", "accompagnement__resident_id"),
    "contrats:nouveau": ("accompagnement_pk", "accompagnement.Accompagnement", "resident_id"),
    "accompagnement:orienter": ("pk", "residents.Resident", "pk"),
    "accompagnement:demander_reorientation": ("pk", "accompagnement.Accompagnement", "resident_id"),
    **{
        f"accompagnement:{nom}": ("pk", "accompagnement.DecisionOrientation", "resident_id")
        for nom in ("orientation", "orientation_lettre", "affecter")
    },
    **{
        f"accompagnement:{nom}": ("pk", "accompagnement.DemandeReorientation", "accompagnement__resident_id")
        for nom in ("demande_reorientation", "decider_reorientation")
    },
    **{
        f"admissions:{nom}": ("pk", "admissions.Candidature", "resident_id")
        for nom in ("candidature", "etape", "note_pdf")
    },
    **{
        f"admissions:{nom}": ("pk", "accompagnement.Accompagnement", "resident_id")
        for nom in (
            "suivi",
            "synthese_planifier",
            "intervenant",
            "reunion",
            "logement",
            "fin",
            "objectif_sortie",
            "sortie",
            "sortie_pdf",
        )
    },
    "admissions:synthese_tenir": ("pk", "admissions.Synthese", "accompagnement__resident_id"),
    "admissions:synthese_transmettre": ("pk", "admissions.Synthese", "accompagnement__resident_id"),
    "admissions:glissement": ("pk", "admissions.Logement", "accompagnement__resident_id"),
    "echeances:signalement_nouveau": ("accompagnement", "accompagnement.Accompagnement", "resident_id"),
    **{
        f"echeances:{nom}": ("pk", "echeances.SignalementSanction", "accompagnement__resident_id")
        for nom in (
            "signalement",
            "signalement_etape",
            "signalement_piece_ajouter",
            "signalement_piece",
            "signalement_courrier",
        )
    },
    "pilotage:decision": ("accompagnement", "accompagnement.Accompagnement", "resident_id"),
    **{
        f"contrats:{nom}": ("pk", "contrats.Contrat", "accompagnement__resident_id")
        for nom in (
            "detail",
            "modifier",
            "ajouter_objectif",
            "soumettre",
            "rouvrir",
            "avenant",
            "signer",
            "decider",
            "repondre",
            "renouveler",
            "rompre",
            "annuler",
            "refus",
            "apercu",
            "pdf",
        )
    },
}
# Pages about many people at once (a committee's minutes, a workshop and its participants, an export):
# logged without a person. A quick export, answered by its request, is logged by its view
# (pilotage.views.demander_export): its URL carries no object.
PAGES_COLLECTIVES = {
    "accompagnement:atelier": ("pk", "accompagnement.ActionCollective"),
    "accompagnement:atelier_modifier": ("pk", "accompagnement.ActionCollective"),
    "accompagnement:atelier_annuler": ("pk", "accompagnement.ActionCollective"),
    "pilotage:comite": ("pk", "pilotage.ComiteSuivi"),
    "pilotage:cartes": ("pk", "pilotage.ComiteSuivi"),
    "pilotage:compte_rendu": ("pk", "pilotage.ComiteSuivi"),
    "pilotage:non_examines": ("pk", "pilotage.ComiteSuivi"),
    "pilotage:avenant": ("pk", "pilotage.ComiteSuivi"),
    "pilotage:compte_rendu_pdf": ("pk", "pilotage.ComiteSuivi"),
    "pilotage:telecharger_export": ("pk", "pilotage.Export"),
    # The preview and the report of an import name the file's people.
    "residents:import": ("pk", "residents.ImportAllocataires"),
}
IMPRESSIONS = {
    "accompagnement:diagnostic_pdf",
    "contrats:apercu",
    "contrats:pdf",
    "pilotage:compte_rendu_pdf",
    "admissions:note_pdf",
    "admissions:sortie_pdf",
    "echeances:signalement_courrier",
    "echeances:signalement_piece",
}
EXPORTS = {"pilotage:telecharger_export", "residents:droit_acces_zip"}


def action_de(request, response, nom):
    if request.method in ("GET", "HEAD"):
        if nom in IMPRESSIONS:
            return Action.IMPRESSION
        if nom in EXPORTS:
            return Action.EXPORT
        return Action.CONSULTATION
    # A POST answered by the form again (200, not htmx) changed nothing: the user only saw the file.
    if response.status_code == 200 and not getattr(request, "htmx", False):
        return Action.CONSULTATION
    return Action.MODIFICATION


class JournalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is None or response.status_code >= 400 or not request.user.is_authenticated:
            return response
        nom = match.view_name
        if nom in PAGES_DOSSIER:
            kwarg, modele, chemin = PAGES_DOSSIER[nom]
            objet_id = match.kwargs[kwarg]
            model = apps.get_model(modele)
            resident = objet_id if chemin == "pk" else Subquery(model.objects.filter(pk=objet_id).values(chemin)[:1])
            tracer(
                request,
                action_de(request, response, nom),
                type_objet=model._meta.model_name,
                objet_id=objet_id,
                resident=resident,
            )
        elif nom in PAGES_COLLECTIVES:
            kwarg, modele = PAGES_COLLECTIVES[nom]
            tracer(
                request,
                action_de(request, response, nom),
                type_objet=apps.get_model(modele)._meta.model_name,
                objet_id=match.kwargs[kwarg],
            )
        return response
