"""The RSA orientation (domain.md §3, seed 003): the délégué insertion records the Président's decision,
the receiving structure assigns the référent (the measure opens from the decision), the référent asks
for a réorientation and the délégué decides it. Keyword-only, atomic; French ValidationError."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import acces
from residents.models import Resident

from . import services
from .jeton import deja_saisi, sauver_une_fois
from .models import Accompagnement, DecisionOrientation, DemandeReorientation
from .verrou import enregistrer_version, verrouiller

ORIENTATION_REFUSEE = "L'orientation est décidée par le délégué insertion du territoire de la personne."


def _verifier(resident, modalite, structure, date_decision, par):
    if not modalite.is_rsa:
        raise ValidationError({"modalite": "Choisissez une modalité d'accompagnement des allocataires du RSA."})
    # (A person accompanied before her RSA dates were recorded has none: nothing to compare then.)
    if resident.date_ouverture_rsa is not None and date_decision < resident.date_ouverture_rsa:
        raise ValidationError(
            {
                "date_decision": "L'orientation ne peut précéder l'ouverture du droit RSA "
                f"({resident.date_ouverture_rsa:%d/%m/%Y})."
            }
        )
    if date_decision > timezone.localdate():
        raise ValidationError({"date_decision": "La décision ne peut pas être datée d'un jour à venir."})
    if not modalite.accompagnee_ici:
        if structure is not None:
            raise ValidationError({"structure": "Une orientation vers France Travail ne désigne pas de structure ici."})
        return
    if structure is None:
        raise ValidationError({"structure": "Choisissez l'organisme qui accompagnera la personne."})
    if not modalite.proposee_par(structure):
        raise ValidationError({"structure": f"« {structure} » ne propose pas « {modalite.libelle} » (référentiel)."})
    if not par.territoires.filter(pk=structure.territoire_id).exists():
        raise ValidationError({"structure": "Choisissez un organisme de vos territoires."})


@transaction.atomic
def decider_orientation(*, resident, par, modalite, structure, date_decision, motif="", jeton=None, demande=None):
    """Record the orientation of a beneficiary. The person's file goes to the receiving structure (its team
    assigns her référent); towards France Travail nothing opens here. A person already accompanied in an
    RSA modality is re-oriented from a request (decider_demande), not here."""
    if not acces.peut_orienter(par, resident.structure.territoire_id):
        raise PermissionDenied(ORIENTATION_REFUSEE)
    if existant := deja_saisi(DecisionOrientation, jeton):
        return existant
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    _verifier(resident, modalite, structure, date_decision, par)
    en_cours = Accompagnement.objects.actifs().filter(resident=resident, modalite__champ=modalite.champ)
    if demande is None and en_cours.exists():
        raise ValidationError(
            "La personne est déjà accompagnée au titre du RSA : sa réorientation part d'une demande de son référent."
        )
    decision, cree = sauver_une_fois(
        DecisionOrientation(
            resident=resident,
            modalite=modalite,
            structure=structure,
            date_decision=date_decision,
            motif=(motif or "").strip(),
            decidee_par=par,
            demande=demande,
            jeton=jeton,
        )
    )
    if not cree:
        return decision
    champs = {"orientation": modalite, "date_orientation": date_decision}
    if structure is not None:
        champs["structure"] = structure
    enregistrer_version(resident, **champs)
    return decision


@transaction.atomic
def affecter(*, decision, par, referent, date_debut, version):
    """The receiving structure designates the référent: the measure opens from the decision. A référent
    may take the person for themselves; the responsable assigns any référent of the structure."""
    if not acces.peut_affecter(par, decision):
        raise PermissionDenied("Seule l'équipe de l'organisme désigné affecte le référent.")
    if referent.pk != par.pk and not acces.affecte_a_un_autre(par):
        raise PermissionDenied("Un référent ne prend la personne que dans sa propre file active.")
    courant = verrouiller(decision, version)
    if courant.accompagnement_id is not None:
        raise ValidationError("Cette orientation a déjà son référent.")
    if not DecisionOrientation.objects.en_vigueur().filter(pk=courant.pk).exists():
        raise ValidationError("Une orientation plus récente remplace celle-ci.")
    if date_debut < courant.date_decision:
        raise ValidationError(
            {
                "date_debut": f"L'accompagnement ne peut commencer avant l'orientation ({courant.date_decision:%d/%m/%Y})."
            }
        )
    # ouvrir_accompagnement takes the decision up (_reprendre_orientation): one way to open an RSA measure.
    mesure = services.ouvrir_accompagnement(
        resident=courant.resident,
        par=par,
        modalite=courant.modalite,
        referent=referent,
        date_debut=date_debut,
        structure=courant.structure,
    )
    courant.refresh_from_db()
    if courant.accompagnement_id != mesure.pk:  # a measure of that modality was already open
        raise ValidationError("La personne a déjà un accompagnement ouvert dans cette modalité.")
    return mesure


@transaction.atomic
def demander_reorientation(*, accompagnement, par, modalite, motif, jeton=None):
    acces.exiger_droit(par, accompagnement)
    if existant := deja_saisi(DemandeReorientation, jeton):
        return existant
    if not accompagnement.modalite.is_rsa or accompagnement.date_fin is not None:
        raise ValidationError("Seul un accompagnement RSA en cours se réoriente sur demande.")
    if modalite.pk == accompagnement.modalite_id or not modalite.is_rsa:
        raise ValidationError({"modalite": "Proposez une autre modalité d'accompagnement du RSA."})
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": "Expliquez ce qui motive la demande."})
    if accompagnement.demandes_reorientation.en_attente().exists():
        raise ValidationError("Une demande de réorientation attend déjà la décision du délégué.")
    demande, _cree = sauver_une_fois(
        DemandeReorientation(
            accompagnement=accompagnement, modalite=modalite, motif=motif, demandee_par=par, jeton=jeton
        )
    )
    return demande


@transaction.atomic
def refuser_demande(*, demande, par, motif_refus, version):
    _exiger_delegue(par, demande)
    courant = _en_attente(demande, version)
    motif_refus = (motif_refus or "").strip()
    if not motif_refus:
        raise ValidationError({"motif_refus": "Indiquez le motif du refus : le référent le lira."})
    enregistrer_version(
        courant,
        statut=DemandeReorientation.Statut.REFUSEE,
        decidee_par=par,
        decidee_le=timezone.localdate(),
        motif_refus=motif_refus,
    )
    return courant


@transaction.atomic
def accepter_demande(*, demande, par, modalite, structure, date, version, motif=""):
    """Accepted, the request becomes the orientation decision. Within the same structure the next measure
    opens at once with the same référent; towards another structure, its team assigns the référent;
    towards France Travail the measure ends."""
    _exiger_delegue(par, demande)
    courant = _en_attente(demande, version)
    mesure = courant.accompagnement
    if date <= mesure.date_debut:
        raise ValidationError(
            {"date": f"La réorientation doit suivre le début de la mesure ({mesure.date_debut:%d/%m/%Y})."}
        )
    decision = decider_orientation(
        resident=mesure.resident,
        par=par,
        modalite=modalite,
        structure=structure,
        date_decision=date,
        motif=motif or courant.motif,
        demande=courant,
    )
    enregistrer_version(
        courant, statut=DemandeReorientation.Statut.ACCEPTEE, decidee_par=par, decidee_le=timezone.localdate()
    )
    # Within the same structure the next measure opens now with the same référent, and takes the decision
    # up; elsewhere (another structure, France Travail) the measure ends the day before.
    services.reorienter(
        accompagnement=mesure, par=par, modalite=modalite, date=date, version=mesure.version, vers=structure
    )
    decision.refresh_from_db()
    return decision


def _exiger_delegue(par, demande):
    if not acces.peut_orienter(par, demande.accompagnement.structure.territoire_id):
        raise PermissionDenied("La demande est décidée par le délégué insertion du territoire.")


def _en_attente(demande, version):
    courant = verrouiller(demande, version)
    if courant.statut != DemandeReorientation.Statut.EN_ATTENTE:
        raise ValidationError("Cette demande a déjà été décidée.")
    return courant
