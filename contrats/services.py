"""Every write on contracts. Keyword-only, atomic: a refused action leaves nothing half-saved.

Errors the user can fix raise ValidationError (French message); acting without the right raises
PermissionDenied. Every change of state is logged in Transition (who, when, why)."""

import contextlib
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accompagnement.fichiers import lire_pdf
from accompagnement.jeton import deja_saisi, sauver_une_fois
from accompagnement.models import Accompagnement, Diagnostic, Objectif, coreference_en_cours
from accompagnement.verrou import verrouiller
from accounts import acces, deuxfacteurs
from courriels import services as courriels
from referentiel.delais import relativedelta_de
from referentiel.models import ContactPartenaire, Modalite, TypeContrat
from referentiel.regles import parametre, parametre_delta, regles

from . import evaluation as evaluation_de_fin
from . import pdf
from .models import (
    PARTIES_EXTERNES,
    Contrat,
    Notification,
    ObjectifContrat,
    Partie,
    RefusSignature,
    Signature,
    Transition,
    VersionContrat,
)
from .socle import engagements_par_defaut

E = Contrat.Etat
# A scanned paper contract is a few pages: anything larger is not what we expect (and fills the disk).
SCAN_TAILLE_MAX = 10 * 1024 * 1024
PHRASE_CONSENTEMENT = (
    "J'ai lu ce contrat, j'en accepte le contenu et je le signe en tapant mon nom ; "
    "je sais que je peux en demander une copie."
)
OBJECTIFS_NON_ATTEINTS = (Objectif.Etat.EN_COURS, Objectif.Etat.PARTIELLEMENT_ATTEINT, Objectif.Etat.NON_ATTEINT)
AXE_PAR_DOMAINE = {
    Objectif.Domaine.EMPLOI: ObjectifContrat.Axe.EMPLOI,
    Objectif.Domaine.FORMATION: ObjectifContrat.Axe.EMPLOI,
    Objectif.Domaine.LOGEMENT: ObjectifContrat.Axe.LOGEMENT,
    Objectif.Domaine.DEMARCHES: ObjectifContrat.Axe.DEMARCHES,
    Objectif.Domaine.BUDGET: ObjectifContrat.Axe.QUOTIDIEN,
    Objectif.Domaine.VIE_QUOTIDIENNE: ObjectifContrat.Axe.QUOTIDIEN,
    Objectif.Domaine.SANTE: ObjectifContrat.Axe.QUOTIDIEN,
}


# --- helpers -------------------------------------------------------------------------------------


def _refuser_si(condition, message):
    if condition:
        raise ValidationError(message)


def _autoriser(ok, message="Vous n'avez pas le droit de faire cette action sur ce contrat."):
    if not ok:
        raise PermissionDenied(message)


def _verrouiller(contrat):
    """The row locked for the transaction, for the writes that no form version goes with (a signature,
    which checks the document's numero_version instead; an objective added to the draft; a renewal);
    the others take the one optimistic lock (accompagnement.verrou.verrouiller)."""
    return Contrat.objects.select_for_update().get(pk=contrat.pk)


def _journaliser(contrat, *, action, par, etat_apres=None, motif=""):
    etat_avant = contrat.etat
    if etat_apres is not None:
        contrat.etat = etat_apres
    contrat.version += 1
    _enregistrer(contrat)
    Transition.objects.create(
        contrat=contrat, action=action, etat_avant=etat_avant, etat_apres=contrat.etat, par=par, motif=motif
    )


# The database's refusals (constraints of contrats.models, trigger of migration 0003) in French.
REFUS_DE_LA_BASE = {
    "contrat_sans_chevauchement": "Ces dates chevauchent un autre contrat de cet accompagnement.",
    "contrat_un_seul_renouvellement": "Le renouvellement de ce contrat est déjà en préparation.",
    "contrat_un_seul_avenant_en_preparation": "Un avenant de ce contrat est déjà en préparation : "
    "terminez-le ou abandonnez-le d'abord.",
    "contrat_renouvellement_sans_trou": "Un renouvellement commence le jour où finit le contrat précédent : "
    "ni trou, ni chevauchement.",
}


def _enregistrer(contrat):
    """Save, turning the database's refusal of overlapping dates or of a gap into a French message."""
    try:
        with transaction.atomic():
            contrat.save()
    except IntegrityError as exc:
        for nom, message in REFUS_DE_LA_BASE.items():
            if nom in str(exc):
                raise ValidationError(message) from None
        raise


@contextlib.contextmanager
def _fichiers_retires_si_echec():
    """Files saved inside the block (append the FieldFile to the list it yields) are deleted again if
    the block fails. Open it around the transaction, so a failure at commit is caught too: a refused
    action leaves no orphan file behind."""
    ecrits = []
    try:
        yield ecrits
    except BaseException:
        for fichier in ecrits:
            fichier.storage.delete(fichier.name)
        raise


def _supprimer_apres_commit(fichier):
    """Delete a stored file only once the transaction that forgets it has committed."""
    storage, nom = fichier.storage, fichier.name
    transaction.on_commit(lambda: storage.delete(nom))


def _notifier(contrat, message):
    destinataire = contrat.accompagnement.referent
    Notification.objects.create(destinataire=destinataire, contrat=contrat, message=message)
    if destinataire.email:  # recorded with the step, sent after its commit: an SMTP fault never fails it
        courriels.enregistrer(
            destinataires=[destinataire.email],
            sujet=f"Contrat {contrat.reference} : {message}",
            corps=f"{message}\n\n{settings.SITE_URL}/contrats/{contrat.pk}/",
        )


def _normaliser(nom):
    sans_accents = unicodedata.normalize("NFKD", nom).encode("ascii", "ignore").decode()
    return " ".join(sans_accents.lower().replace("-", " ").split())


def types_possibles(accompagnement):
    """The kinds of contract a measure may carry (its modality's, plus the CER's successor and the
    admission document of the FJT under convention)."""
    r = regles(accompagnement.structure.territoire, accompagnement.modalite)
    types = [r.type_contrat] if r.type_contrat else []
    if r.type_contrat == TypeContrat.CER:
        types.append(TypeContrat.CONTRAT_ENGAGEMENT)
    if accompagnement.modalite.code == Modalite.Code.FJT_CONVENTION:
        types.append(TypeContrat.TRIPARTITE)
    return types


# The RSA contracts whose first one waits for the diagnostic global partagé.
TYPES_APRES_DIAGNOSTIC = (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT)
DIAGNOSTIC_D_ABORD = (
    "Le diagnostic global partagé précède le premier contrat (référentiel des Vosges) : faites-le avec la "
    "personne avant de rédiger son contrat."
)


def diagnostic_manquant(accompagnement):
    """True when the measure's first CER / contrat d'engagement is still to come and no diagnostic global
    partagé was made, on this measure or on the one it extends after a réorientation (« une première
    rencontre pour élaborer le diagnostic global partagé et établir un contrat »). A renewal, or any
    contract after the first, does not need it."""
    if not accompagnement.modalite.is_rsa:
        return False
    deja_un_contrat = (
        Contrat.objects.vivants().filter(accompagnement=accompagnement, type__in=TYPES_APRES_DIAGNOSTIC).exists()
    )
    if deja_un_contrat:
        return False
    mesures = [accompagnement.pk, *([accompagnement.precedent_id] if accompagnement.precedent_id else [])]
    return not Diagnostic.objects.filter(accompagnement_id__in=mesures).exists()


def partenaires_possibles(accompagnement):
    """The partner contacts who may sign a contract of this measure: the measure's co-referents and the
    contacts of a tiers of its territory (or of a tiers not tied to one territory)."""
    return ContactPartenaire.objects.filter(
        Q(tiers__territoire=accompagnement.structure.territoire_id)
        | Q(tiers__territoire__isnull=True)
        | (Q(coreferences__accompagnement=accompagnement) & coreference_en_cours("coreferences__"))
    ).distinct()


def _verifier_partenaire(contrat):
    _refuser_si(
        contrat.partenaire_id is not None
        and not partenaires_possibles(contrat.accompagnement).filter(pk=contrat.partenaire_id).exists(),
        "Ce partenaire n'intervient pas sur ce territoire ni auprès de cette personne : choisissez un contact "
        "du territoire ou un co-référent de la mesure.",
    )


def _verifier_suite(contrat):
    """The contracts of one kind on a measure follow one another: once one is living, the next one is its
    renewal (no gap); and the référentiel caps how many there are (ASLL: the plan and 2 renewals).
    A contract broken early (rompu) can be followed by a fresh start. An avenant is the same contract:
    it neither counts nor is counted."""
    if contrat.avenant_de_id:
        return
    acc = contrat.accompagnement
    autres = (
        Contrat.objects.vivants()
        .filter(accompagnement=acc, type=contrat.type, avenant_de__isnull=True)
        .exclude(pk=contrat.pk)
    )
    r = regles(acc.structure.territoire, acc.modalite)
    if r.renouvellements_max is not None and contrat.type == r.type_contrat:
        _refuser_si(
            autres.count() >= 1 + r.renouvellements_max,
            f"Cette mesure a déjà eu {autres.count()} contrats de ce type ({contrat.get_type_display()}) : le "
            f"référentiel en permet au plus {1 + r.renouvellements_max}, le premier et {r.renouvellements_max} "
            "renouvellements. La mesure doit prendre fin ou la personne être réorientée.",
        )
    if contrat.precedent_id is None:
        courant = autres.exclude(etat=E.ROMPU).order_by("-date_fin").first()
        if courant is not None:
            raise ValidationError(
                f"Cette mesure a déjà un contrat de ce type ({courant}) : le suivant en est le renouvellement, à "
                f"préparer depuis ce contrat ; il commencera le {courant.date_fin:%d/%m/%Y}, sans trou ni "
                "chevauchement."
            )


def duree_contrat(accompagnement):
    return regles(accompagnement.structure.territoire, accompagnement.modalite).duree_contrat


def _verifier_intensite(contrat):
    if contrat.type != TypeContrat.CONTRAT_ENGAGEMENT:
        contrat.heures_activite_hebdo, contrat.motif_intensite_reduite = None, ""
        return
    norme = parametre("ACTIVITE_HEBDO_HEURES", contrat.accompagnement.structure.territoire)
    if contrat.heures_activite_hebdo is None:
        contrat.heures_activite_hebdo = norme
    if contrat.heures_activite_hebdo >= norme:
        contrat.motif_intensite_reduite = ""
    _refuser_si(
        contrat.heures_activite_hebdo < norme and not contrat.motif_intensite_reduite,
        f"Une intensité inférieure à {norme} heures par semaine doit être justifiée : choisissez un motif "
        "(santé, handicap, proche aidant, parent isolé sans solution de garde).",
    )


# --- drafting ------------------------------------------------------------------------------------


@transaction.atomic
def creer_brouillon(
    *,
    accompagnement,
    par,
    type,
    date_debut,
    date_fin=None,
    partenaire=None,
    heures_activite_hebdo=None,
    motif_intensite_reduite="",
    objectifs=(),
    precedent=None,
    jeton=None,
):
    _autoriser(acces.peut_rediger(par, accompagnement), "Vous ne pouvez pas rédiger de contrat pour cette mesure.")
    # One writer at a time per measure: the count and the continuity checked below stay true until commit.
    Accompagnement.objects.select_for_update().filter(pk=accompagnement.pk).first()
    # After the lock: a form sent twice finds the draft its first submit created.
    if existant := deja_saisi(Contrat, jeton):
        return existant
    _refuser_si(
        type not in types_possibles(accompagnement),
        "Ce type de contrat ne correspond pas à la modalité de l'accompagnement.",
    )
    _refuser_si(
        type in TYPES_APRES_DIAGNOSTIC and precedent is None and diagnostic_manquant(accompagnement),
        DIAGNOSTIC_D_ABORD,
    )
    if date_fin is None:
        duree = duree_contrat(accompagnement)
        _refuser_si(not duree or type == TypeContrat.TRIPARTITE, "Indiquez la date de fin du contrat.")
        date_fin = date_debut + relativedelta_de(duree)
    _refuser_si(date_fin <= date_debut, "La fin du contrat doit suivre son début.")
    personne, structure, tiers = engagements_par_defaut(type)
    contrat = Contrat(
        accompagnement=accompagnement,
        type=type,
        date_debut=date_debut,
        date_fin=date_fin,
        partenaire=partenaire,
        heures_activite_hebdo=heures_activite_hebdo,
        motif_intensite_reduite=motif_intensite_reduite,
        engagements_personne=personne,
        engagements_structure=structure,
        engagements_partenaire=tiers,
        precedent=precedent,
        numero_renouvellement=precedent.numero_renouvellement + 1 if precedent else 0,
        cree_par=par,
        jeton=jeton,
    )
    if precedent:
        contrat.partenaire = precedent.partenaire
        contrat.engagements_personne = precedent.engagements_personne
        contrat.engagements_structure = precedent.engagements_structure
        contrat.engagements_partenaire = precedent.engagements_partenaire
        contrat.heures_activite_hebdo = precedent.heures_activite_hebdo
        contrat.motif_intensite_reduite = precedent.motif_intensite_reduite
    contrat.verifier_duree()
    _verifier_intensite(contrat)
    _verifier_partenaire(contrat)
    _enregistrer(contrat)
    # After the database's overlap check, so a double submit reads « chevauchent ».
    _verifier_suite(contrat)
    Transition.objects.create(contrat=contrat, action="rédaction", etat_apres=contrat.etat, par=par)
    _lier_objectifs(contrat, objectifs)
    return contrat


def _lier_objectifs(contrat, objectifs):
    for ordre, objectif in enumerate(objectifs):
        _refuser_si(
            objectif.accompagnement_id != contrat.accompagnement_id,
            "Un objectif d'une autre mesure ne peut figurer dans ce contrat.",
        )
        ObjectifContrat.objects.update_or_create(
            contrat=contrat,
            objectif=objectif,
            defaults={"ordre": ordre, "axe": AXE_PAR_DOMAINE.get(objectif.domaine, ObjectifContrat.Axe.AUTRE)},
        )


# What a draft's form edits, and all that modifier_brouillon accepts besides its objectives.
CHAMPS_DU_BROUILLON = (
    "date_debut",
    "date_fin",
    "partenaire",
    "heures_activite_hebdo",
    "motif_intensite_reduite",
    "engagements_personne",
    "engagements_structure",
    "engagements_partenaire",
)


@transaction.atomic
def modifier_brouillon(*, contrat, par, version, objectifs=None, **champs):
    """Change a draft's dates, partner, intensity, commitments and its list of objectives."""
    _autoriser(acces.peut_rediger(par, contrat))
    contrat = verrouiller(contrat, version)
    _refuser_si(contrat.etat != E.BROUILLON, "Seul un brouillon se modifie ; pour un contrat signé, faites un avenant.")
    for nom, valeur in champs.items():
        _refuser_si(nom not in CHAMPS_DU_BROUILLON, f"Le champ {nom} ne se modifie pas ici.")
        setattr(contrat, nom, valeur)
    _refuser_si(contrat.date_fin <= contrat.date_debut, "La fin du contrat doit suivre son début.")
    contrat.verifier_duree()
    _verifier_avenant(contrat)
    if contrat.precedent_id:
        _refuser_si(
            contrat.date_debut != contrat.precedent.date_fin,
            f"Un renouvellement commence le jour où finit le contrat précédent, le "
            f"{contrat.precedent.date_fin:%d/%m/%Y} : ni trou, ni chevauchement.",
        )
    _verifier_intensite(contrat)
    _verifier_partenaire(contrat)
    if objectifs is not None:
        contrat.lignes_objectifs.exclude(objectif__in=list(objectifs)).delete()
        _lier_objectifs(contrat, objectifs)
    _journaliser(contrat, action="modification", par=par)
    return contrat


@transaction.atomic
def ajouter_objectif(*, contrat, par, domaine, libelle, critere="", echeance=None, actions="", jeton=None):
    """A new objective of the measure (shared with the dossier) written into the draft."""
    _autoriser(acces.peut_rediger(par, contrat))
    contrat = _verrouiller(contrat)
    # Under the contract's lock: the same form sent twice adds the objective once.
    if existant := deja_saisi(Objectif, jeton):
        return existant
    _refuser_si(contrat.etat != E.BROUILLON, "On n'ajoute un objectif qu'à un brouillon.")
    _refuser_si(not libelle.strip(), "Écrivez l'objectif.")
    _refuser_si(
        echeance is not None and not (contrat.date_debut <= echeance <= contrat.date_fin),
        f"L'échéance de l'objectif doit tomber dans la période du contrat (du {contrat.date_debut:%d/%m/%Y} au "
        f"{contrat.date_fin:%d/%m/%Y}).",
    )
    objectif = Objectif.objects.create(
        accompagnement=contrat.accompagnement,
        domaine=domaine,
        libelle=libelle.strip(),
        critere=critere,
        echeance=echeance,
        actions=actions,
        jeton=jeton,
    )
    ObjectifContrat.objects.create(
        contrat=contrat,
        objectif=objectif,
        ordre=contrat.lignes_objectifs.count(),
        axe=AXE_PAR_DOMAINE.get(domaine, ObjectifContrat.Axe.AUTRE),
    )
    return objectif


# --- lifecycle -----------------------------------------------------------------------------------


def figer_version(contrat, *, par, le, rendre=True):
    """The contract's current content frozen as its next version (not saved yet): the content as of `le`
    and, unless `rendre` is False, its PDF file (WeasyPrint) and SHA-256. The one place a version is built."""
    contenu = pdf.contenu_de(contrat, numero=contrat.numero_version, le=le)
    version = VersionContrat(
        contrat=contrat,
        numero=contrat.numero_version,
        contenu=contenu,
        figee_le=le,
        figee_par=par,
        motif=contrat.motif_avenant,
    )
    if rendre:
        donnees = pdf.rendre_pdf(contenu)
        version.sha256 = pdf.sha256(donnees)
        nom = f"{contrat.reference}-v{version.numero}-{version.sha256[:12]}.pdf"
        version.pdf.save(nom, ContentFile(donnees), save=False)
    return version


def soumettre(*, contrat, par, version):
    """Freeze the draft as a version (content, PDF, SHA-256) and open it to the parties' signatures."""
    _autoriser(acces.peut_rediger(par, contrat))
    with _fichiers_retires_si_echec() as fichiers, transaction.atomic():
        contrat = verrouiller(contrat, version)
        _refuser_si(contrat.etat != E.BROUILLON, "Ce contrat a déjà été soumis à la signature.")
        _refuser_si(not contrat.lignes_objectifs.exists(), "Un contrat doit comporter au moins un objectif.")
        _refuser_si(
            Partie.PARTENAIRE in contrat.parties() and not contrat.partenaire_id,
            "Indiquez le partenaire qui signe ce contrat.",
        )
        _verifier_intensite(contrat)
        _verifier_avenant(contrat)
        version = figer_version(contrat, par=par, le=timezone.now())
        fichiers.append(version.pdf)
        version.save()
        _journaliser(contrat, action="soumission à la signature", par=par, etat_apres=E.EN_SIGNATURE)
        return contrat


def ranger_exemplaire(version, fichiers):
    """Render the signed copy of `version` as it stands now (signatures, decision) and store it in
    VersionContrat.exemplaire; the previous copy is deleted once the transaction commits. Called in the
    transaction of each step that changes it (a signature, the délégué's decision); `fichiers` is the list of
    _fichiers_retires_si_echec, so a refused step leaves no file behind."""
    ancien = version.exemplaire.name
    donnees = pdf.pdf_version(version)
    nom = f"{version.contrat.reference}-v{version.numero}-signe-{pdf.sha256(donnees)[:12]}.pdf"
    version.exemplaire.save(nom, ContentFile(donnees), save=False)
    fichiers.append(version.exemplaire)
    version.save(update_fields=["exemplaire"])
    if ancien and ancien != version.exemplaire.name:
        storage = version.exemplaire.storage
        transaction.on_commit(lambda: storage.delete(ancien))


def retirer_exemplaire(version):
    """The signed copy no longer says what the version holds (a new signature, the délégué's decision): the
    stored file is dropped (deleted after commit) and the next download renders and stores the new one
    (exemplaire). Rendering it here would make each signer wait for WeasyPrint for a file nobody may read
    before the next step."""
    if version.exemplaire:
        _supprimer_apres_commit(version.exemplaire)
        version.exemplaire = ""
        version.save(update_fields=["exemplaire"])


def exemplaire(version, *, signee=None):
    """The stored file a version's download serves (views.pdf_version): its signed copy, or the frozen
    document while nobody has signed. A version signed before copies were stored (or the demo's, written
    without rendering) gets its copy rendered and stored here, once. `signee`: whether anyone signed, when
    the caller read it with the version (otherwise asked here)."""
    if version.exemplaire:
        return version.exemplaire
    if signee is None:
        signee = version.signatures.exists()
    if version.pdf and not signee:
        return version.pdf
    with _fichiers_retires_si_echec() as fichiers, transaction.atomic():
        version = VersionContrat.objects.select_for_update().select_related("contrat").get(pk=version.pk)
        if not version.exemplaire:
            ranger_exemplaire(version, fichiers)
    return version.exemplaire


@transaction.atomic
def rouvrir(*, contrat, par, motif="", version):
    """Change a contract submitted but not yet in force. Without any signature the frozen version is
    dropped and the draft reopens; after a signature the change is a new version every party signs
    again. A contract in force is never reopened: its change is an avenant (preparer_avenant)."""
    _autoriser(acces.peut_rediger(par, contrat))
    contrat = verrouiller(contrat, version)
    _refuser_si(
        contrat.etat in Contrat.ETATS_EN_VIGUEUR,
        "Ce contrat est en vigueur : pour le modifier, préparez un avenant. La version signée reste en "
        "vigueur jusqu'à ce que l'avenant soit signé par chaque partie.",
    )
    _refuser_si(
        contrat.etat in (E.BROUILLON, E.ANNULE, E.REFUSE, E.ROMPU),
        "Ce contrat ne peut pas être modifié dans son état actuel.",
    )
    version = contrat.version_courante()
    if version is not None and not version.signatures.exists():
        _supprimer_apres_commit(version.pdf)
        if version.exemplaire:
            _supprimer_apres_commit(version.exemplaire)
        version.delete()
        _journaliser(contrat, action="retour en brouillon", par=par, etat_apres=E.BROUILLON, motif=motif)
        return contrat
    _refuser_si(not motif.strip(), "Indiquez le motif de la modification : chaque partie devra signer à nouveau.")
    contrat.numero_version = _numero_suivant(contrat)
    contrat.date_soumission_validation = None
    _journaliser(
        contrat, action=f"avenant (version {contrat.numero_version})", par=par, etat_apres=E.BROUILLON, motif=motif
    )
    return contrat


# --- avenants ------------------------------------------------------------------------------------


def _numero_suivant(contrat):
    """The next document number of the family (the contract and its avenants number their versions
    together: each frozen PDF of the family has its own number)."""
    numeros = Contrat.objects.de_la_famille(contrat).values_list("numero_version", flat=True)
    return max(numeros, default=0) + 1


def _version_amendee(avenant):
    """The last signed version of the family other than the avenant: the one it amends."""
    return (
        Contrat.objects.de_la_famille(avenant)
        .exclude(pk=avenant.pk)
        .filter(etat__in=Contrat.ETATS_EN_VIGUEUR)
        .order_by("-date_debut")
        .first()
    )


def _verifier_dates_avenant(amende, date_effet, date_fin):
    _refuser_si(
        amende is None,
        "Le contrat modifié n'est plus en vigueur (rompu ou remplacé) : cet avenant ne peut plus prendre effet ; "
        "abandonnez-le.",
    )
    _refuser_si(
        date_fin != amende.date_fin,
        f"Un avenant finit avec le contrat qu'il modifie, le {amende.date_fin:%d/%m/%Y} : pour changer le terme, "
        "préparez un renouvellement.",
    )
    _refuser_si(
        not (amende.date_debut < date_effet < amende.date_fin),
        f"L'avenant prend effet après le début du contrat en vigueur ({amende.date_debut:%d/%m/%Y}) et avant "
        f"sa fin ({amende.date_fin:%d/%m/%Y}).",
    )


# Never retroactive: the parties sign what applies from the day they sign at the earliest.
AVENANT_RETROACTIF = "Un avenant prend effet au plus tôt aujourd'hui."


def _verifier_avenant(contrat):
    """On each change of the draft and at submission: still within the amended version, not in the past."""
    if contrat.avenant_de_id:
        _verifier_dates_avenant(_version_amendee(contrat), contrat.date_debut, contrat.date_fin)
        _refuser_si(contrat.date_debut < timezone.localdate(), AVENANT_RETROACTIF)


@transaction.atomic
def preparer_avenant(*, contrat, par, date_effet, motif, version, jeton=None):
    """A draft avenant of a contract in force: its content, objectives and parties copied, a new document
    number, taking effect on `date_effet` once signed (and validated). The signed version stays in force,
    untouched, until then."""
    _autoriser(acces.peut_rediger(par, contrat))
    # One writer at a time per measure, as for a new draft; then the form sent twice finds its avenant.
    Accompagnement.objects.select_for_update().filter(pk=contrat.accompagnement_id).first()
    if existant := deja_saisi(Contrat, jeton):
        return existant
    contrat = verrouiller(contrat, version)
    _refuser_si(contrat.etat not in Contrat.ETATS_EN_VIGUEUR, "Seul un contrat en vigueur se modifie par avenant.")
    _refuser_si(
        contrat.remplace_par() is not None,
        "Cette version a déjà été remplacée par un avenant : préparez l'avenant depuis la version en vigueur.",
    )
    # An avenant amends the contract as it stands today: an ended one is renewed instead.
    _refuser_si(contrat.termine(), "Ce contrat est terminé : préparez plutôt son renouvellement.")
    _refuser_si(contrat.avenant_en_preparation(), REFUS_DE_LA_BASE["contrat_un_seul_avenant_en_preparation"])
    _refuser_si(not (motif or "").strip(), "Indiquez le motif de l'avenant : chaque partie devra le signer.")
    _refuser_si(date_effet is None, "Indiquez la date d'effet de l'avenant.")
    _verifier_dates_avenant(contrat, date_effet, contrat.date_fin)
    _refuser_si(date_effet < timezone.localdate(), AVENANT_RETROACTIF)
    avenant = Contrat(
        accompagnement=contrat.accompagnement,
        type=contrat.type,
        date_debut=date_effet,
        date_fin=contrat.date_fin,
        avenant_de_id=contrat.origine_id,
        motif_avenant=motif.strip(),
        numero_version=_numero_suivant(contrat),
        numero_renouvellement=contrat.numero_renouvellement,
        cree_par=par,
        jeton=jeton,
        **{
            nom: getattr(contrat, nom)
            for nom in (
                "partenaire_id",
                "engagements_personne",
                "engagements_structure",
                "engagements_partenaire",
                "heures_activite_hebdo",
                "motif_intensite_reduite",
            )
        },
    )
    _enregistrer(avenant)
    ObjectifContrat.objects.bulk_create(
        ObjectifContrat(contrat=avenant, objectif_id=ligne.objectif_id, axe=ligne.axe, ordre=ligne.ordre)
        for ligne in contrat.lignes_objectifs.all()
    )
    # Transition.action holds 40 characters: the effective date goes with the motif.
    motif = f"effet le {date_effet:%d/%m/%Y} : {motif.strip()}"
    Transition.objects.create(
        contrat=avenant,
        action=f"avenant (version {avenant.numero_version})",
        etat_apres=avenant.etat,
        par=par,
        motif=motif,
    )
    Transition.objects.create(
        contrat=contrat,
        action=f"avenant en préparation (version {avenant.numero_version})",
        etat_apres=contrat.etat,
        par=par,
        motif=motif,
    )
    return avenant


def _prendre_effet(contrat, par):
    """An avenant signed by every party (and validated where a validator exists) takes over from its
    effective date: the version it amends ends that day (its frozen document unchanged), and a renewal
    already prepared follows the avenant. To call before the avenant's own change of state (the overlap
    constraint binds it from then on)."""
    if not contrat.avenant_de_id:
        return
    amende = _version_amendee(contrat)
    _verifier_dates_avenant(amende, contrat.date_debut, contrat.date_fin)
    amende = _verrouiller(amende)
    for suivant in Contrat.objects.vivants().select_for_update().filter(precedent=amende):
        suivant.precedent = contrat
        _journaliser(suivant, action=f"fait suite à l'avenant {contrat.reference}", par=par)
    amende.date_fin = contrat.date_debut
    _journaliser(
        amende,
        action=f"remplacé par la version {contrat.numero_version}",
        par=par,
        motif=f"avenant {contrat.reference}, en vigueur à compter du {contrat.date_debut:%d/%m/%Y}",
    )


def _verifier_scan(scan):
    _refuser_si(scan is None, "Joignez le scan du contrat signé (PDF).")
    return lire_pdf(
        scan,
        taille_max=SCAN_TAILLE_MAX,
        trop_gros=f"Le scan dépasse la taille autorisée ({SCAN_TAILLE_MAX // (1024 * 1024)} Mo) : "
        "numérisez-le en noir et blanc.",
        pas_un_pdf="Le scan doit être un fichier PDF.",
        illisible="Ce fichier PDF est illisible ou vide : numérisez à nouveau le contrat signé.",
    )


def signer(
    *,
    contrat,
    partie,
    par,
    numero_version,
    methode,
    mot_de_passe="",
    nom_signataire="",
    consentement=False,
    scan=None,
    scan_verifie=False,
    adresse_ip=None,
    navigateur="",
    requete=None,
):
    """One party signs the current version; when every party has signed, the contract moves on.

    Whoever signs in their own session (a professional, the tiers partenaire from its partner account)
    re-authenticates with their password or their authenticator app's code (`mot_de_passe`) through
    django-axes (`requete` is the HTTP request): a failure counts toward the lock-out like a failed login.
    It is checked before the transaction opens, so the failure recorded by axes is not rolled back with
    the refused signature. The evidence keeps how they were authenticated, or on whose device and in
    whose presence the person signed (`circonstances`)."""
    en_session = methode == Signature.Methode.SESSION
    _refuser_si(partie not in PARTIES_EXTERNES and not en_session, "Un professionnel signe depuis sa propre session.")
    if en_session:
        _refuser_si(
            partie in PARTIES_EXTERNES and not acces.signe_comme_partenaire(par),
            "La personne signe sur votre écran, en votre présence, ou sur papier.",
        )
        moyen = deuxfacteurs.reauthentifier(requete, par, mot_de_passe)
        _refuser_si(
            moyen is None,
            "Mot de passe ou code incorrect : la signature n'est pas enregistrée. Un code de l'application "
            "ne sert qu'une fois (celui de la connexion, par exemple) : attendez le suivant ou tapez votre mot de passe.",
        )
    with _fichiers_retires_si_echec() as fichiers, transaction.atomic():
        contrat = _verrouiller(contrat)
        _refuser_si(contrat.etat != E.EN_SIGNATURE, "Ce contrat n'est pas ouvert à la signature.")
        _refuser_si(
            str(numero_version) != str(contrat.numero_version),
            f"Cette version a été remplacée par la version {contrat.numero_version} : relisez et signez la version en cours.",
        )
        version = contrat.version_courante()
        # The parties and names frozen with the version: a change of household since does not count.
        noms = {p["code"]: p["nom"] for p in version.contenu["parties"]}
        _refuser_si(partie not in noms, "Cette partie ne signe pas ce contrat.")
        _refuser_si(
            version.signatures.filter(partie=partie).exists(),
            f"{Partie(partie).label.capitalize()} a déjà signé cette version.",
        )
        _autoriser(acces.peut_signer(par, contrat, partie), "Vous ne pouvez pas signer pour cette partie.")
        _refuser_si(
            acces.signe_comme_partenaire(par) and not en_session,
            "Vous signez depuis votre compte, après avoir confirmé votre identité.",
        )
        signature = Signature(
            version=version,
            partie=partie,
            recueillie_par=par,
            methode=methode,
            adresse_ip=adresse_ip or None,
            navigateur=(navigateur or "")[:500],
            sha256_document=version.sha256,
        )
        if en_session:  # re-authenticated above, before the transaction
            signature.user = par
            signature.nom_signataire = str(par)
            signature.circonstances = f"dans la session de {par}, ré-authentifié·e par son {moyen}"
        else:
            attendu = noms[partie]
            if methode == Signature.Methode.PRESENCE:
                _refuser_si(not consentement, "La personne doit cocher la phrase de consentement pour signer.")
                _refuser_si(
                    _normaliser(nom_signataire) != _normaliser(attendu),
                    f"Le nom tapé doit être celui du signataire : {attendu}.",
                )
                signature.nom_signataire = nom_signataire.strip()
                signature.consentement = PHRASE_CONSENTEMENT
                signature.circonstances = f"en présence de {par}, sur son écran (son appareil, sa session)"
            elif methode == Signature.Methode.PAPIER:
                donnees = _verifier_scan(scan)
                _refuser_si(
                    not scan_verifie, "Confirmez avoir vérifié le scan signé (nom, date, signature sur chaque page)."
                )
                signature.nom_signataire = attendu
                signature.scan_verifie = True
                signature.circonstances = f"document papier signé, scan déposé et vérifié par {par}"
                signature.sha256_scan = pdf.sha256(donnees)
                signature.scan.save(
                    f"{contrat.reference}-v{version.numero}-{partie}.pdf", ContentFile(donnees), save=False
                )
                fichiers.append(signature.scan)
            else:
                raise ValidationError("Choisissez comment la personne signe : sur l'écran ou sur papier.")
        try:
            with transaction.atomic():
                signature.save()
        except IntegrityError:
            raise ValidationError(f"{Partie(partie).label.capitalize()} a déjà signé cette version.") from None
        _journaliser(contrat, action=f"signature : {Partie(partie).label}", par=par)
        signees = set(version.signatures.values_list("partie", flat=True))
        if signees >= set(noms):
            if not contrat.a_valider:
                _prendre_effet(contrat, par)
            if contrat.a_valider:
                contrat.date_soumission_validation = timezone.now()
                _journaliser(contrat, action="signé par toutes les parties", par=par, etat_apres=E.EN_VALIDATION)
                _notifier(contrat, "signé par toutes les parties, transmis au délégué insertion")
            else:
                _journaliser(contrat, action="signé par toutes les parties", par=par, etat_apres=E.SIGNE)
                _notifier(contrat, "signé par toutes les parties")
        retirer_exemplaire(version)
        return signature


def _decision(contrat, par, version):
    _autoriser(acces.peut_valider(par, contrat), "Seul le délégué insertion du territoire décide de ce contrat.")
    contrat = verrouiller(contrat, version)
    _refuser_si(contrat.etat not in (E.EN_VALIDATION, E.DIFFERE), "Ce contrat n'attend pas de validation.")
    return contrat


def valider(*, contrat, par, motif="", version):
    with transaction.atomic():
        contrat = _decision(contrat, par, version)
        _prendre_effet(contrat, par)
        _journaliser(contrat, action="validation", par=par, etat_apres=E.VALIDE, motif=motif)
        _notifier(contrat, "validé par le délégué insertion")
        # The signed copy will carry the Département's decision, date and délégué.
        retirer_exemplaire(contrat.version_courante())
        return contrat


def refuser(*, contrat, par, motif, version):
    with transaction.atomic():
        contrat = _decision(contrat, par, version)
        _refuser_si(not (motif or "").strip(), "Indiquez le motif du refus.")
        _journaliser(contrat, action="refus", par=par, etat_apres=E.REFUSE, motif=motif)
        _notifier(contrat, "refusé par le délégué insertion")
        retirer_exemplaire(contrat.version_courante())
        return contrat


@transaction.atomic
def differer(*, contrat, par, motif, version):
    contrat = _decision(contrat, par, version)
    _refuser_si(not (motif or "").strip(), "Indiquez au référent ce qui doit être précisé avant la validation.")
    _journaliser(contrat, action="validation différée", par=par, etat_apres=E.DIFFERE, motif=motif)
    _notifier(contrat, "validation différée par le délégué insertion")
    return contrat


@transaction.atomic
def repondre(*, contrat, par, message, version):
    """The référent's answer to a deferral; the contract goes back to the délégué's queue."""
    _autoriser(acces.peut_rediger(par, contrat))
    contrat = verrouiller(contrat, version)
    _refuser_si(contrat.etat != E.DIFFERE, "Ce contrat n'attend pas de réponse au délégué.")
    _refuser_si(not (message or "").strip(), "Écrivez votre réponse au délégué insertion.")
    _journaliser(contrat, action="réponse du référent", par=par, etat_apres=E.EN_VALIDATION, motif=message)
    return contrat


@transaction.atomic
def annuler(*, contrat, par, motif, version):
    _autoriser(acces.peut_rediger(par, contrat))
    contrat = verrouiller(contrat, version)
    # An avenant may be abandoned until it is in force (also while the délégué holds it): the version it
    # amends stays in force.
    abandonnables = Contrat.ETATS_EN_PREPARATION if contrat.avenant_de_id else (E.BROUILLON, E.EN_SIGNATURE)
    _refuser_si(contrat.etat not in abandonnables, "Seul un contrat pas encore signé s'annule.")
    _refuser_si(not (motif or "").strip(), "Indiquez pourquoi le contrat est abandonné.")
    _journaliser(contrat, action="annulation", par=par, etat_apres=E.ANNULE, motif=motif)
    return contrat


@transaction.atomic
def rompre(*, contrat, par, motif, le=None, version):
    """End an in-force contract early: it stops covering days from `le` on."""
    _autoriser(acces.peut_rompre(par, contrat), "Vous ne pouvez pas rompre ce contrat.")
    contrat = verrouiller(contrat, version)
    le = le or timezone.localdate()
    _refuser_si(contrat.etat not in Contrat.ETATS_EN_VIGUEUR, "Seul un contrat signé peut être rompu.")
    _refuser_si(contrat.termine(), "Ce contrat est terminé : il ne peut plus être rompu.")
    _refuser_si(not (motif or "").strip(), "Indiquez le motif de la rupture.")
    _refuser_si(
        not (contrat.date_debut < le <= contrat.date_fin),
        f"La rupture doit prendre effet entre le {contrat.date_debut:%d/%m/%Y} (exclu) et le "
        f"{contrat.date_fin:%d/%m/%Y}.",
    )
    _refuser_si(contrat.successeur(), "Ce contrat a déjà un renouvellement : traitez d'abord celui-ci.")
    _refuser_si(contrat.remplace_par(), "Cette version a été remplacée par un avenant : rompez la version en vigueur.")
    _refuser_si(
        contrat.avenant_en_preparation(), "Un avenant de ce contrat est en préparation : abandonnez-le d'abord."
    )
    contrat.date_fin = le
    contrat.motif_fin = motif
    _journaliser(contrat, action="rupture", par=par, etat_apres=E.ROMPU, motif=motif)
    return contrat


def renouvellement_possible_le(contrat):
    """First day a renewal may be prepared: one notice period (référentiel) before the end."""
    preavis = parametre_delta("RENOUVELLEMENT_PREAVIS", contrat.accompagnement.structure.territoire)
    return contrat.date_fin - preavis


def _verifier_renouvelable(contrat, le):
    _refuser_si(contrat.etat not in Contrat.ETATS_EN_VIGUEUR, "Seul un contrat signé se renouvelle.")
    _refuser_si(contrat.successeur(), "Le renouvellement de ce contrat est déjà en préparation.")
    _refuser_si(
        contrat.remplace_par(),
        "Cette version a été remplacée par un avenant : préparez le renouvellement depuis la version en vigueur.",
    )
    debut_preparation = renouvellement_possible_le(contrat)
    _refuser_si(
        le < debut_preparation,
        f"Le renouvellement se prépare à partir du {debut_preparation:%d/%m/%Y}, un mois avant la fin du contrat.",
    )
    r = regles(contrat.accompagnement.structure.territoire, contrat.accompagnement.modalite)
    if r.renouvellements_max is not None:
        _refuser_si(
            contrat.numero_renouvellement >= r.renouvellements_max,
            f"Ce contrat a déjà été renouvelé {r.renouvellements_max} fois, le maximum pour cette modalité : "
            "un nouveau renouvellement n'est pas possible. La mesure doit prendre fin ou la personne être réorientée.",
        )


def refus_du_renouvellement(contrat, le=None):
    """Why this contract cannot be renewed today (the French message), or None: the renewal page says it
    before asking for the evaluation."""
    try:
        _verifier_renouvelable(contrat, le or timezone.localdate())
    except ValidationError as exc:
        return " ".join(exc.messages)
    return None


@transaction.atomic
def preparer_renouvellement(*, contrat, par, le=None, evaluation=None):
    """A draft that starts exactly when this contract ends, with the objectives not yet met. A CER, a
    contrat d'engagement or a plan ASLL is renewed from the évaluation partagée of its end: the one
    recorded, or `evaluation` (contrats.evaluation.enregistrer's arguments), recorded here first."""
    _autoriser(acces.peut_rediger(par, contrat))
    contrat = _verrouiller(contrat)
    le = le or timezone.localdate()
    _verifier_renouvelable(contrat, le)
    if evaluation is not None:
        evaluation_de_fin.enregistrer(contrat=contrat, par=par, le=le, **evaluation)
        Transition.objects.create(contrat=contrat, action="évaluation partagée", etat_apres=contrat.etat, par=par)
    _refuser_si(evaluation_de_fin.requise(contrat) and evaluation_de_fin.de(contrat) is None, evaluation_de_fin.REQUISE)
    # After the evaluation: each objective's state is the attainment just evaluated.
    objectifs = [
        ligne.objectif
        for ligne in contrat.lignes_objectifs.select_related("objectif")
        if ligne.objectif.etat in OBJECTIFS_NON_ATTEINTS
    ]
    nouveau = creer_brouillon(
        accompagnement=contrat.accompagnement,
        par=par,
        type=contrat.type,
        date_debut=contrat.date_fin,
        objectifs=objectifs,
        precedent=contrat,
        date_fin=None
        if contrat.type != TypeContrat.TRIPARTITE
        else contrat.date_fin + (contrat.date_fin - contrat.date_debut),
    )
    Transition.objects.create(contrat=contrat, action="renouvellement préparé", etat_apres=contrat.etat, par=par)
    return nouveau


# --- the person's refusal to sign (a ground for the sanction procedure) -------------------------------


@transaction.atomic
def refuser_de_signer(*, contrat, par, partie, le, motif="", version, jeton=None):
    """Record that the person (or her conjoint·e) refuses to sign a first CER / contrat d'engagement or its
    renewal (seed 003). The contract keeps its state: it stays the one to sign if she changes her mind,
    and the measure still lacks a contract for the échéances. The refusal goes into the transition log."""
    _autoriser(acces.peut_rediger(par, contrat))
    if (existant := deja_saisi(RefusSignature, jeton)) is not None:
        return existant
    contrat = verrouiller(contrat, version)
    _refuser_si(contrat.type not in Contrat.TYPES_A_VALIDER, "Seul un CER ou un contrat d'engagement est concerné.")
    _refuser_si(contrat.etat not in (E.BROUILLON, E.EN_SIGNATURE), "Seul un contrat pas encore signé peut être refusé.")
    _refuser_si(contrat.avenant_de_id is not None, "Le refus d'un avenant n'ouvre pas de procédure de sanction.")
    _refuser_si(partie not in (Partie.RESIDENT, Partie.CONJOINT), {"partie": "Indiquez qui refuse de signer."})
    _refuser_si(le is None, {"le": "Indiquez la date du refus."})
    _refuser_si(le > timezone.localdate(), {"le": "La date du refus est dans le futur."})
    refus = RefusSignature(contrat=contrat, partie=partie, le=le, motif=(motif or "").strip(), constate_par=par)
    refus.jeton = jeton
    refus.full_clean(exclude=["jeton"])
    refus, cree = sauver_une_fois(refus)  # two racing submits of one form: the second gets the first's row
    if not cree:
        return refus
    _journaliser(
        contrat,
        action="refus de signer",
        par=par,
        motif=f"{Partie(partie).label}, le {le:%d/%m/%Y}" + (f" : {refus.motif}" if refus.motif else ""),
    )
    return refus
