"""Every write of the admission pipeline, the follow-up with the tiers and the exit. Keyword-only,
atomic: bad input raises ValidationError (or PermissionDenied) with a French message, nothing is
half-saved. An application moves one step at a time, under a row lock and its `version`."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accompagnement import services as accompagnement_services
from accompagnement.fichiers import lire_pdf
from accompagnement.jeton import deja_saisi, enregistrer_une_fois, sauver_une_fois
from accompagnement.models import Accompagnement
from accompagnement.verrou import enregistrer_version, verrouiller
from accounts import acces
from contrats import services as contrats_services
from contrats.models import Contrat
from journal.services import tracer_partage
from referentiel.delais import libelle_delai, relativedelta_de
from referentiel.models import Modalite, Structure, TypeContrat
from referentiel.regles import parametre
from residents.models import Consentement

from . import eligibilite
from .models import (
    Candidature,
    FinDePriseEnCharge,
    GarantieTiers,
    Logement,
    PassageRelais,
    ReunionCoordination,
    Synthese,
)

E = Candidature.Etape
NOTE_TAILLE_MAX = 5 * 1024 * 1024
# Destinations offered at the exit of an FJT (seed 002), in the measure's own vocabulary.
DESTINATIONS_SORTIE = [
    Accompagnement.Destination.FJT,
    Accompagnement.Destination.LOCATION_PRIVEE,
    Accompagnement.Destination.LOCATION_SOCIALE,
    Accompagnement.Destination.RESIDENCE_SOCIALE,
    Accompagnement.Destination.FAMILLE,
    Accompagnement.Destination.AUTRE,
]


def _refuser_si(condition, message):
    if condition:
        raise ValidationError(message)


def exiger_equipe(user, residence):
    acces.exiger_equipe(user, residence, "Seule l'équipe de la résidence peut faire avancer cette candidature.")


# --- 1. application ------------------------------------------------------------------------------


def verifier_note_pdf(fichier):
    """Content-checked, size-limited: a real, readable PDF, not a renamed file."""
    lire_pdf(
        fichier,
        taille_max=NOTE_TAILLE_MAX,
        trop_gros=f"La note sociale dépasse la taille autorisée ({NOTE_TAILLE_MAX // (1024 * 1024)} Mo).",
        pas_un_pdf="La note sociale déposée doit être un fichier PDF.",
        illisible="Ce fichier PDF est illisible ou vide : déposez de nouveau la note sociale.",
    )


def _verifier_eligibilite(*, resident, residence, le, conditions_mineur):
    verdict = eligibilite.verifier(resident=resident, residence=residence, le=le, conditions_mineur=conditions_mineur)
    if verdict.erreurs:
        raise ValidationError(verdict.erreurs)
    return verdict.avertissements


@transaction.atomic
def creer_candidature(
    *,
    residence,
    resident,
    par,
    tiers,
    contact_educatif,
    contact_social=None,
    date_candidature=None,
    note_sociale="",
    note_sociale_pdf=None,
    conditions_mineur="",
    jeton=None,
):
    """Returns (candidature, avertissements)."""
    exiger_equipe(par, residence)
    if existant := deja_saisi(Candidature, jeton):
        return existant, []
    date_candidature = date_candidature or timezone.localdate()
    _refuser_si(residence.type != Structure.Type.FJT, "Les candidatures sous convention concernent une résidence FJT.")
    _refuser_si(date_candidature > timezone.localdate(), "La date de la candidature ne peut pas être dans le futur.")
    _refuser_si(
        contact_educatif.tiers_id != tiers.pk or (contact_social and contact_social.tiers_id != tiers.pk),
        "Les contacts doivent appartenir au tiers partenaire choisi.",
    )
    _refuser_si(
        not (note_sociale or "").strip() and not note_sociale_pdf,
        "Joignez la note sociale du référent éducatif : rédigez-la ou déposez-la en PDF.",
    )
    if note_sociale_pdf:
        verifier_note_pdf(note_sociale_pdf)
    avertissements = _verifier_eligibilite(
        resident=resident, residence=residence, le=date_candidature, conditions_mineur=conditions_mineur
    )
    _refuser_si(
        Candidature.objects.ouvertes().filter(residence=residence, resident=resident).exists(),
        "Une candidature de cette personne est déjà en cours dans cette résidence.",
    )
    candidature = Candidature(
        residence=residence,
        resident=resident,
        tiers=tiers,
        contact_educatif=contact_educatif,
        contact_social=contact_social,
        date_candidature=date_candidature,
        etape_depuis=date_candidature,
        note_sociale=note_sociale or "",
        conditions_mineur=conditions_mineur or "",
        cree_par=par,
        jeton=jeton,
    )
    if note_sociale_pdf:
        candidature.note_sociale_pdf = note_sociale_pdf
    candidature.full_clean(exclude=["note_sociale_pdf"])
    try:
        with transaction.atomic():
            candidature.save()
    except IntegrityError:
        # A double submit racing the checks above: the unique constraints decide.
        if existant := deja_saisi(Candidature, jeton):
            return existant, []
        raise ValidationError("Une candidature de cette personne est déjà en cours dans cette résidence.") from None
    return candidature, avertissements


# --- moving along the steps ----------------------------------------------------------------------


def _a_l_etape(candidature, par, version, etape):
    """The locked application, if it is open and at `etape` (the step before the one being done)."""
    exiger_equipe(par, candidature.residence)
    courant = verrouiller(candidature, version)
    _refuser_si(
        not courant.ouverte, f"Cette candidature est close ({courant.get_statut_display()}) : elle n'avance plus."
    )
    _refuser_si(
        courant.etape != etape,
        f"Étape hors ordre : la candidature est à l'étape « {courant.get_etape_display()} », "
        f"l'étape suivante attendue est « {E(courant.etape + 1).label if courant.etape < E.ENTREE else '—'} ».",
    )
    return courant


def _date_passee(date, libelle):
    _refuser_si(date is None, f"Indiquez la date {libelle}.")
    _refuser_si(date > timezone.localdate(), f"La date {libelle} ne peut pas être dans le futur.")


def _passer(courant, etape, date, **champs):
    courant.etape = etape
    courant.etape_depuis = date
    for nom, valeur in champs.items():
        setattr(courant, nom, valeur)
    courant.full_clean(exclude=["note_sociale_pdf"])
    return enregistrer_version(courant)


@transaction.atomic
def enregistrer_contact(*, candidature, par, version, date, compte_rendu, referent):
    """2. The tiers' social worker and the résidence's référent spoke on the phone."""
    courant = _a_l_etape(candidature, par, version, E.CANDIDATURE)
    _date_passee(date, "du contact")
    _refuser_si(date < courant.date_candidature, "Le contact ne peut précéder la candidature.")
    _refuser_si(not (compte_rendu or "").strip(), "Notez ce qui a été dit lors du contact téléphonique.")
    _refuser_si(
        referent is None or not acces.est_equipe(referent, courant.residence),
        "Le référent doit être membre de l'équipe de la résidence.",
    )
    return _passer(courant, E.CONTACT, date, date_contact=date, compte_rendu_contact=compte_rendu, referent=referent)


@transaction.atomic
def enregistrer_note_detaillee(
    *, candidature, par, version, date, autonomie, difficultes, parcours, premiers_objectifs
):
    """3. The detailed note sociale: autonomy, difficulties, history, first objectives."""
    courant = _a_l_etape(candidature, par, version, E.CONTACT)
    _date_passee(date, "de la note détaillée")
    _refuser_si(date < courant.date_contact, "La note détaillée ne peut précéder le contact téléphonique.")
    manquants = [
        libelle
        for libelle, texte in (
            ("l'autonomie", autonomie),
            ("les difficultés", difficultes),
            ("le parcours", parcours),
            ("les premiers objectifs", premiers_objectifs),
        )
        if not (texte or "").strip()
    ]
    _refuser_si(manquants, f"Complétez la note détaillée : {', '.join(manquants)}.")
    return _passer(
        courant,
        E.NOTE_DETAILLEE,
        date,
        date_note_detaillee=date,
        autonomie=autonomie,
        difficultes=difficultes,
        parcours=parcours,
        premiers_objectifs=premiers_objectifs,
    )


@transaction.atomic
def enregistrer_premiere_rencontre(*, candidature, par, version, date, pieces, garanties, conditions_mineur=None):
    """4. First meeting with the young person: documents checklist and the tiers' three guarantees, each
    with its end date. `garanties` = {GarantieTiers.Type: (date_fin, précisions)}. Returns (candidature,
    avertissements)."""
    courant = _a_l_etape(candidature, par, version, E.NOTE_DETAILLEE)
    _date_passee(date, "de la première rencontre")
    _refuser_si(date < courant.date_note_detaillee, "La première rencontre ne peut précéder la note détaillée.")
    manquantes = [t.label for t in GarantieTiers.Type if not (garanties.get(t) or (None,))[0]]
    _refuser_si(manquantes, f"Vérifiez chaque garantie du tiers et sa date de fin : {', '.join(manquantes)}.")
    echues = [t.label for t in GarantieTiers.Type if garanties[t][0] <= date]
    _refuser_si(echues, f"Ces garanties prennent fin avant l'admission : {', '.join(echues)}.")
    if conditions_mineur is not None:
        courant.conditions_mineur = conditions_mineur
    avertissements = _verifier_eligibilite(
        resident=courant.resident, residence=courant.residence, le=date, conditions_mineur=courant.conditions_mineur
    )
    for type_, (date_fin, precisions) in garanties.items():
        GarantieTiers.objects.update_or_create(
            candidature=courant,
            type=type_,
            defaults={"date_fin": date_fin, "precisions": precisions or "", "verifiee_le": date},
        )
    courant = _passer(
        courant,
        E.PREMIERE_RENCONTRE,
        date,
        date_premiere_rencontre=date,
        pieces=sorted(set(pieces)),
    )
    return courant, avertissements


@transaction.atomic
def decider(*, candidature, par, version, decision, motif, tiers_informe_le, date=None):
    """5. The team's decision, taken by the responsable, with a reason, told to the tiers. A waiting list
    can be decided again later."""
    date = date or timezone.localdate()
    acces.exiger_responsable_de(par, candidature.residence, "Seul le responsable de la résidence prononce la décision.")
    etape = E.DECISION if candidature.statut == Candidature.Statut.LISTE_ATTENTE else E.PREMIERE_RENCONTRE
    courant = _a_l_etape(candidature, par, version, etape)
    _refuser_si(decision not in Candidature.Decision.values, "Choisissez une décision.")
    _refuser_si(not (motif or "").strip(), "Une décision doit être motivée : indiquez le motif.")
    _date_passee(date, "de la décision")
    _refuser_si(tiers_informe_le is None, "Indiquez quand le tiers a été informé de la décision.")
    _refuser_si(tiers_informe_le < date, "Le tiers ne peut être informé avant la décision.")
    _refuser_si(tiers_informe_le > timezone.localdate(), "La date d'information du tiers ne peut être dans le futur.")
    if decision == Candidature.Decision.ACCEPTEE:
        _verifier_eligibilite(
            resident=courant.resident, residence=courant.residence, le=date, conditions_mineur=courant.conditions_mineur
        )
    statut = {
        Candidature.Decision.ACCEPTEE: Candidature.Statut.EN_COURS,
        Candidature.Decision.REFUSEE: Candidature.Statut.REFUSEE,
        Candidature.Decision.LISTE_ATTENTE: Candidature.Statut.LISTE_ATTENTE,
    }[decision]
    return _passer(
        courant,
        E.DECISION,
        date,
        decision=decision,
        motif_decision=motif,
        date_decision=date,
        decidee_par=par,
        tiers_informe_le=tiers_informe_le,
        statut=statut,
    )


@transaction.atomic
def preparer_admission(*, candidature, par, version, date_entretien, date_entree, fin_prise_en_charge):
    """6. The admission interview is planned: the measure (FJT under convention) is opened from the entry
    date with the tiers' contact as co-referent, and the tripartite document is drafted for the stay, to
    be signed by the young person, the tiers and the responsable (contrats)."""
    courant = _a_l_etape(candidature, par, version, E.DECISION)
    _refuser_si(
        courant.decision != Candidature.Decision.ACCEPTEE, "L'entretien d'admission suppose une candidature acceptée."
    )
    _refuser_si(None in (date_entretien, date_entree, fin_prise_en_charge), "Indiquez les trois dates.")
    _refuser_si(date_entretien < courant.date_decision, "L'entretien d'admission ne peut précéder la décision.")
    _refuser_si(date_entree < date_entretien, "L'entrée ne peut précéder l'entretien d'admission.")
    _refuser_si(fin_prise_en_charge <= date_entree, "La fin de la prise en charge doit suivre l'entrée.")
    mesure = accompagnement_services.ouvrir_accompagnement(
        resident=courant.resident,
        par=par,
        modalite=Modalite.objects.get(code=Modalite.Code.FJT_CONVENTION),
        referent=courant.referent,
        date_debut=date_entree,
        structure=courant.residence,
    )
    contact = courant.contact_coreferent
    accompagnement_services.ajouter_coreferent(
        accompagnement=mesure,
        par=par,
        contact=contact,
        role=f"{contact.fonction or 'référent'} – {courant.tiers}",
        date_debut=date_entree,
    )
    contrat = contrats_services.creer_brouillon(
        accompagnement=mesure,
        par=par,
        type=TypeContrat.TRIPARTITE,
        date_debut=date_entree,
        date_fin=fin_prise_en_charge,
        partenaire=contact,
    )
    return _passer(
        courant,
        E.ENTRETIEN_ADMISSION,
        date_entretien,
        date_entretien_admission=date_entretien,
        fin_prise_en_charge=fin_prise_en_charge,
        accompagnement=mesure,
        contrat_tripartite=contrat,
    )


@transaction.atomic
def prononcer_entree(*, candidature, par, version, date_entree, reglement_remis_le, livret_remis_le, logement=""):
    """7. Entry: only with the tripartite document signed by every party, the règlement de fonctionnement
    and the livret d'accueil (with the charte des droits et libertés) handed over and dated."""
    courant = _a_l_etape(candidature, par, version, E.ENTRETIEN_ADMISSION)
    contrat = Contrat.objects.select_for_update().get(pk=courant.contrat_tripartite_id)
    _refuser_si(
        contrat.etat != Contrat.Etat.SIGNE,
        f"Le document tripartite n'est pas signé par toutes les parties (état : {contrat.get_etat_display()}) : "
        "l'entrée ne peut pas être prononcée.",
    )
    _date_passee(date_entree, "d'entrée")
    _refuser_si(
        reglement_remis_le is None or livret_remis_le is None,
        "Datez la remise du règlement de fonctionnement et du livret d'accueil (avec la charte des droits et libertés).",
    )
    _refuser_si(
        max(reglement_remis_le, livret_remis_le) > date_entree,
        "Le règlement et le livret d'accueil sont remis au plus tard le jour de l'entrée.",
    )
    mesure = verrouiller(courant.accompagnement, courant.accompagnement.version)
    if mesure.date_debut != date_entree:
        # The measure starts the day the young person actually comes in (the échéances run from there).
        _refuser_si(
            mesure.entretiens.filter(date_heure__date__lt=date_entree).exists(),
            "Des entretiens précèdent cette date d'entrée : corrigez la date.",
        )
        enregistrer_version(mesure, date_debut=date_entree)
    courant.accompagnement = mesure
    resident = courant.resident
    resident.residence = courant.residence
    resident.logement = logement or resident.logement
    resident.version += 1
    resident.save()
    return _passer(
        courant,
        E.ENTREE,
        date_entree,
        date_entree=date_entree,
        reglement_remis_le=reglement_remis_le,
        livret_remis_le=livret_remis_le,
        logement=logement,
        statut=Candidature.Statut.ADMISE,
    )


@transaction.atomic
def enregistrer_contrat_sejour(*, candidature, par, version, remis_le=None, signe_le=None):
    """The contrat de séjour, handed over then signed after the entry (watched by the échéance engine)."""
    exiger_equipe(par, candidature.residence)
    courant = verrouiller(candidature, version)
    _refuser_si(courant.etape != E.ENTREE, "Le contrat de séjour se remet après l'entrée.")
    remis_le = remis_le or courant.contrat_sejour_remis_le
    signe_le = signe_le or courant.contrat_sejour_signe_le
    _refuser_si(remis_le is None, "Datez d'abord la remise du contrat de séjour.")
    _refuser_si(remis_le < courant.date_entree, "Le contrat de séjour ne peut être remis avant l'entrée.")
    _refuser_si(signe_le is not None and signe_le < remis_le, "La signature ne peut précéder la remise.")
    _refuser_si(max(remis_le, signe_le or remis_le) > timezone.localdate(), "Une date ne peut être dans le futur.")
    return enregistrer_version(courant, contrat_sejour_remis_le=remis_le, contrat_sejour_signe_le=signe_le)


@transaction.atomic
def abandonner(*, candidature, par, version, motif):
    """The young person or the tiers withdraws before the entry; a prepared measure is closed."""
    exiger_equipe(par, candidature.residence)
    courant = verrouiller(candidature, version)
    _refuser_si(not courant.ouverte, "Cette candidature est déjà close.")
    _refuser_si(not (motif or "").strip(), "Indiquez pourquoi la candidature est abandonnée.")
    if courant.contrat_tripartite_id and courant.contrat_tripartite.etat in Contrat.ETATS_EN_PREPARATION:
        contrats_services.annuler(
            contrat=courant.contrat_tripartite, par=par, motif=motif, version=courant.contrat_tripartite.version
        )
    if courant.accompagnement_id:
        mesure = courant.accompagnement
        accompagnement_services.terminer_accompagnement(
            accompagnement=mesure,
            par=par,
            date_fin=mesure.date_debut,
            motif_fin=Accompagnement.MotifFin.AUTRE,
            version=mesure.version,
            destination=Accompagnement.Destination.INCONNUE,
            relais=f"Candidature abandonnée avant l'entrée : {motif}",
        )
    return enregistrer_version(courant, statut=Candidature.Statut.ABANDONNEE, motif_abandon=motif)


# --- following with the tiers and the other partners --------------------------------------------


def _exiger_mesure(par, accompagnement):
    acces.exiger_droit(par, accompagnement)
    _refuser_si(not accompagnement.est_actif, "Cet accompagnement est terminé.")


@transaction.atomic
def planifier_synthese(*, accompagnement, par, contact, date_prevue, jeton=None):
    _exiger_mesure(par, accompagnement)
    _refuser_si(
        not accompagnement.coreferents.en_cours().filter(contact=contact).exists(),
        "La synthèse se tient avec un contact partenaire co-référent de la mesure.",
    )
    _refuser_si(date_prevue is None, "Indiquez la date prévue de la synthèse.")
    synthese = Synthese(
        accompagnement=accompagnement, contact=contact, date_prevue=date_prevue, auteur=par, jeton=jeton
    )
    return enregistrer_une_fois(synthese)[0]


@transaction.atomic
def tenir_synthese(*, synthese, par, version, tenue_le, participants, bilan):
    acces.exiger_droit(par, synthese.accompagnement)
    courant = verrouiller(synthese, version)
    _refuser_si(courant.tenue_le is not None, "Cette synthèse a déjà été tenue.")
    _date_passee(tenue_le, "de la synthèse")
    _refuser_si(not (bilan or "").strip(), "Rédigez le bilan de l'avancée du projet.")
    courant.tenue_le, courant.participants, courant.bilan = tenue_le, participants, bilan
    courant.full_clean()
    return enregistrer_version(courant)


def consentement_synthese(synthese, le=None):
    """The consent in force that lets the tiers receive a synthèse (objectives and their progress)."""
    return (
        Consentement.objects.en_vigueur(le)
        .filter(
            resident_id=synthese.accompagnement.resident_id,
            tiers_id=synthese.contact.tiers_id,
            categories__contains=[Consentement.Categorie.OBJECTIFS],
        )
        .first()
    )


@transaction.atomic
def transmettre_synthese(*, synthese, par, version):
    """The tiers receives the synthèse only if the person consented to share her objectives with it."""
    acces.exiger_droit(par, synthese.accompagnement)
    courant = verrouiller(synthese, version)
    _refuser_si(courant.tenue_le is None, "Tenez d'abord la synthèse : seul un bilan écrit se transmet.")
    _refuser_si(courant.transmise_le is not None, "Cette synthèse a déjà été transmise.")
    _refuser_si(
        consentement_synthese(courant) is None,
        f"{courant.accompagnement.resident} n'a pas consenti à partager ses objectifs avec {courant.contact.tiers} : "
        "la synthèse n'est pas transmise.",
    )
    courant = enregistrer_version(courant, transmise_le=timezone.localdate())
    tracer_partage(
        par=par,
        objet=courant,
        resident=courant.accompagnement.resident_id,
        tiers=courant.contact.tiers,
        quoi=f"synthèse tenue le {courant.tenue_le:%d/%m/%Y} ({Consentement.Categorie.OBJECTIFS.label})",
    )
    return courant


@transaction.atomic
def enregistrer_reunion(*, accompagnement, par, date, decisions, intervenants=(), autres_participants="", jeton=None):
    _exiger_mesure(par, accompagnement)
    if existant := deja_saisi(ReunionCoordination, jeton):
        return existant
    _date_passee(date, "de la réunion")
    _refuser_si(not (decisions or "").strip(), "Notez les décisions de la réunion.")
    intervenants = list(intervenants)
    _refuser_si(
        any(i.accompagnement_id != accompagnement.pk for i in intervenants),
        "Un intervenant choisi n'est pas co-référent de cette mesure.",
    )
    _refuser_si(not intervenants and not (autres_participants or "").strip(), "Indiquez qui a participé à la réunion.")
    reunion = ReunionCoordination(
        accompagnement=accompagnement,
        date=date,
        decisions=decisions,
        autres_participants=autres_participants,
        auteur=par,
        jeton=jeton,
    )
    reunion.full_clean(validate_unique=False)
    reunion, cree = sauver_une_fois(reunion)
    if cree:
        reunion.intervenants.set(intervenants)
    return reunion


@transaction.atomic
def enregistrer_logement(
    *, accompagnement, par, mode, date_debut, glissement_prevu_le=None, bailleur=None, adresse="", jeton=None
):
    _exiger_mesure(par, accompagnement)
    _refuser_si(
        mode == Logement.Mode.BAIL_GLISSANT and glissement_prevu_le is None,
        "Un bail glissant a une date de glissement prévue.",
    )
    logement = Logement(
        accompagnement=accompagnement,
        mode=mode,
        date_debut=date_debut,
        glissement_prevu_le=glissement_prevu_le,
        bailleur=bailleur,
        adresse=adresse,
        jeton=jeton,
    )
    return enregistrer_une_fois(logement)[0]


@transaction.atomic
def constater_glissement(*, logement, par, le):
    acces.exiger_droit(par, logement.accompagnement)
    courant = Logement.objects.select_for_update().get(pk=logement.pk)
    _refuser_si(courant.mode != Logement.Mode.BAIL_GLISSANT, "Seul un bail glissant glisse.")
    _refuser_si(courant.glissement_fait_le is not None, "Le bail a déjà glissé.")
    _date_passee(le, "du glissement")
    _refuser_si(le < courant.date_debut, "Le glissement ne peut précéder l'entrée dans le logement.")
    courant.glissement_fait_le = le
    courant.save()
    return courant


# --- end and exit --------------------------------------------------------------------------------


def fin_de_sejour_au_plus_tot(decidee_le, territoire=None):
    """(earliest end of a stay decided on `decidee_le`, the notice in words): the référentiel's
    FIN_SEJOUR_PREAVIS (CCH L.633-2), for the territory when given, else the national value."""
    preavis = parametre("FIN_SEJOUR_PREAVIS", territoire)
    return decidee_le + relativedelta_de(preavis), libelle_delai(preavis)


@transaction.atomic
def decider_fin(*, accompagnement, par, motif, explications, decidee_le, date_effet, tiers_informe_le):
    """End of the stay under convention: only the responsable, with the tiers informed, for a reason of
    seed 002, with its notice (from the decision to the end of the stay)."""
    acces.exiger_responsable_de(
        par, accompagnement.structure, "Seul le responsable de la résidence décide de la fin de la prise en charge."
    )
    _refuser_si(
        accompagnement.modalite.code != Modalite.Code.FJT_CONVENTION,
        "La fin de prise en charge concerne un jeune accueilli sous convention avec un tiers.",
    )
    _refuser_si(not accompagnement.est_actif, "Cet accompagnement est déjà terminé.")
    _refuser_si(
        FinDePriseEnCharge.objects.filter(accompagnement=accompagnement).exists(),
        "La fin de la prise en charge a déjà été décidée.",
    )
    _refuser_si(motif not in FinDePriseEnCharge.Motif.values, "Choisissez un motif de fin de prise en charge.")
    _refuser_si(not (explications or "").strip(), "Expliquez la décision.")
    _date_passee(decidee_le, "de la décision")
    _refuser_si(date_effet is None or date_effet < decidee_le, "La fin du séjour ne peut précéder la décision.")
    au_plus_tot, preavis = fin_de_sejour_au_plus_tot(decidee_le, accompagnement.structure.territoire)
    _refuser_si(
        date_effet < au_plus_tot,
        f"Avec le préavis de {preavis} après la décision, la fin du séjour ne peut être fixée avant le "
        f"{au_plus_tot:%d/%m/%Y}.",
    )
    _refuser_si(tiers_informe_le is None, "La fin se décide avec le tiers : indiquez quand il a été informé.")
    _refuser_si(tiers_informe_le > timezone.localdate(), "La date d'information du tiers ne peut être dans le futur.")
    fin = FinDePriseEnCharge(
        accompagnement=accompagnement,
        motif=motif,
        explications=explications,
        decidee_le=decidee_le,
        date_effet=date_effet,
        tiers_informe_le=tiers_informe_le,
        decidee_par=par,
    )
    fin.full_clean()
    try:
        with transaction.atomic():
            fin.save()
    except IntegrityError:
        raise ValidationError("La fin de la prise en charge a déjà été décidée.") from None
    return fin


@transaction.atomic
def enregistrer_sortie(
    *,
    accompagnement,
    par,
    version,
    date_sortie,
    destination,
    repreneur,
    date_relais,
    elements_transmis="",
    accord_personne=False,
    contact=None,
    motif_fin="",
):
    """Exit with its destination and the hand-over (who, what within the person's consent, when). A stay
    under convention ended for a reason of seed 002 needs the responsable's decision (decider_fin), and
    the exit comes at the end of its notice."""
    acces.exiger_droit(par, accompagnement)
    fin = FinDePriseEnCharge.objects.filter(accompagnement=accompagnement).first()
    motif_fin = fin.motif if fin else motif_fin
    _refuser_si(not motif_fin, "Indiquez le motif de la sortie.")
    _refuser_si(motif_fin not in Accompagnement.MotifFin.values, "Motif de sortie inconnu.")
    _refuser_si(date_sortie is None, "Indiquez la date de la sortie.")
    _refuser_si(destination not in DESTINATIONS_SORTIE, "Choisissez la destination à la sortie.")
    _refuser_si(not (repreneur or "").strip(), "Indiquez qui prend le relais.")
    _refuser_si(date_relais is None, "Indiquez la date du passage de relais.")
    _refuser_si(
        (elements_transmis or "").strip() and not accord_personne,
        "Rien n'est transmis sans l'accord de la personne : cochez son accord ou ne transmettez rien.",
    )
    relais = f"Relais : {repreneur} le {date_relais:%d/%m/%Y}."
    if elements_transmis:
        relais += f" Transmis avec l'accord de la personne : {elements_transmis}"
    # terminer_accompagnement checks the responsable's decision and its notice
    # (accompagnement_services.exiger_fin_de_sejour_decidee), as for any end of the measure.
    mesure = accompagnement_services.terminer_accompagnement(
        accompagnement=accompagnement,
        par=par,
        date_fin=date_sortie,
        motif_fin=motif_fin,
        version=version,
        destination=destination,
        relais=relais,
    )
    passage = PassageRelais(
        accompagnement=mesure,
        repreneur=repreneur,
        contact=contact,
        elements_transmis=elements_transmis or "",
        accord_personne=bool(accord_personne),
        date_relais=date_relais,
        auteur=par,
    )
    passage.full_clean()
    passage.save()
    if passage.elements_transmis:
        tracer_partage(
            par=par,
            objet=passage,
            resident=mesure.resident_id,
            tiers=contact.tiers if contact else repreneur,
            quoi=f"passage de relais : {passage.elements_transmis}",
        )
    # Every co-reference still running after the exit ends with it (one planned to end later too).
    for coreferent in mesure.coreferents.filter(Q(date_fin__isnull=True) | Q(date_fin__gt=date_sortie)):
        coreferent.date_fin = max(date_sortie, coreferent.date_debut)
        coreferent.save()
    return passage
