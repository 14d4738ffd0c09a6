"""Every write of the référent's daily work: entretiens, rendez-vous, workshops, objectives,
co-referents, orientation and exit. Keyword-only, atomic; bad input raises ValidationError with a
French message and nothing is half-saved."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import acces
from accounts.acces import exiger_droit, exiger_equipe
from referentiel.models import Champ, Modalite
from referentiel.regles import regles

from .jeton import deja_saisi, enregistrer_une_fois, sauver_une_fois
from .models import (
    Accompagnement,
    ActionCollective,
    ConditionSortieRemplie,
    CoReferent,
    DecisionOrientation,
    Diagnostic,
    Entretien,
    EvaluationObjectif,
    Objectif,
    Participation,
    TypeEntretien,
)
from .verrou import enregistrer_version, verrouiller

STATUTS_CLOTURE = (
    Entretien.Statut.HONORE,
    Entretien.Statut.ABSENT_EXCUSE,
    Entretien.Statut.ABSENT_NON_EXCUSE,
)


def _exiger_mesure_ouverte(accompagnement, le):
    if accompagnement.date_fin is not None and accompagnement.date_fin < le:
        raise ValidationError("Cet accompagnement est terminé : on ne peut plus y ajouter de saisie.")
    if le < accompagnement.date_debut:
        raise ValidationError(
            f"La date est antérieure au début de l'accompagnement ({accompagnement.date_debut:%d/%m/%Y})."
        )


# --- entretiens and rendez-vous ---------------------------------------------------------------------


def _issue_de_rencontre(type, statut, issue_rencontre, issue_precisions):
    """The outcome belongs to a rencontre tripartite (droits et devoirs) that took place or was missed:
    required then, dropped for any other kind (a form whose type was changed after the outcome was
    chosen sends it still)."""
    if type != TypeEntretien.DROITS_DEVOIRS:
        return {"issue_rencontre": "", "issue_precisions": ""}
    if statut in STATUTS_CLOTURE and not issue_rencontre:
        raise ValidationError(
            {
                "issue_rencontre": "Indiquez l'issue de la rencontre tripartite : droits et devoirs rappelés, "
                "engagement pris, absence ou autre."
            }
        )
    return {"issue_rencontre": issue_rencontre or "", "issue_precisions": issue_precisions or ""}


@transaction.atomic
def enregistrer_entretien(
    *,
    accompagnement,
    par,
    type,
    date_heure=None,
    duree_minutes=None,
    statut=Entretien.Statut.HONORE,
    lieu="",
    participants=(),
    partenaires=(),
    objectifs=(),
    notes="",
    confidentiel=False,
    issue_rencontre="",
    issue_precisions="",
    jeton=None,
):
    """Log an entretien (or plan one when statut is PLANIFIE). A second submit of the same form (same
    `jeton`) returns the entretien already saved instead of creating another: (entretien, cree)."""
    existant = deja_saisi(Entretien, jeton)
    if existant is not None:
        return existant, False
    exiger_droit(par, accompagnement)
    date_heure = date_heure or timezone.now()
    maintenant = timezone.now()
    if statut == Entretien.Statut.PLANIFIE:
        if date_heure <= maintenant:
            raise ValidationError({"date_heure": "Un rendez-vous se planifie à une date et une heure à venir."})
    elif statut != Entretien.Statut.ANNULE and date_heure > maintenant:
        raise ValidationError(
            {
                "date_heure": "Un entretien à venir ne peut pas être marqué honoré ou absent : "
                "planifiez plutôt un rendez-vous."
            }
        )
    _exiger_mesure_ouverte(accompagnement, timezone.localtime(date_heure).date())
    objectifs = list(objectifs)
    if any(o.accompagnement_id != accompagnement.pk for o in objectifs):
        raise ValidationError({"objectifs": "Un objectif choisi n'appartient pas à cet accompagnement."})
    entretien = Entretien(
        accompagnement=accompagnement,
        type=type,
        date_heure=date_heure,
        duree_minutes=duree_minutes,
        statut=statut,
        lieu=lieu,
        auteur=par,
        notes=notes,
        confidentiel=confidentiel,
        jeton=jeton,
        **_issue_de_rencontre(type, statut, issue_rencontre, issue_precisions),
    )
    # The measure and the author are rows the caller holds (no query to see they exist), and the jeton's
    # uniqueness is the save's to enforce (sauver_une_fois): three queries fewer on the référent's most
    # used form, whose jeton was already looked up above.
    entretien.full_clean(exclude=["physique", "accompagnement", "auteur"], validate_unique=False)
    entretien, cree = sauver_une_fois(entretien)
    if not cree:
        return entretien, False
    # A new entretien has no link yet: add (not set, which reads the links first), and only what there is.
    for liens, choisis in (
        (entretien.participants, participants),
        (entretien.partenaires, partenaires),
        (entretien.objectifs, objectifs),
    ):
        if choisis:
            liens.add(*choisis)
    return entretien, True


def planifier_rendez_vous(*, accompagnement, par, type, date_heure, lieu="", duree_minutes=None, jeton=None):
    return enregistrer_entretien(
        accompagnement=accompagnement,
        par=par,
        type=type,
        date_heure=date_heure,
        duree_minutes=duree_minutes,
        lieu=lieu,
        statut=Entretien.Statut.PLANIFIE,
        jeton=jeton,
    )


@transaction.atomic
def cloturer_rendez_vous(
    *,
    entretien,
    par,
    statut,
    version,
    notes=None,
    duree_minutes=None,
    confidentiel=None,
    issue_rencontre="",
    issue_precisions="",
):
    """Once its time has passed, a rendez-vous becomes an entretien (honoured, with its notes and its
    real duration, confidential if its author says so) or an absence. It can be cancelled at any time.
    A rencontre tripartite (droits et devoirs) honoured or missed gets its outcome then."""
    exiger_droit(par, entretien.accompagnement)
    courant = verrouiller(entretien, version)
    if courant.statut != Entretien.Statut.PLANIFIE:
        raise ValidationError("Ce rendez-vous a déjà été clôturé.")
    if statut not in (*STATUTS_CLOTURE, Entretien.Statut.ANNULE):
        raise ValidationError({"statut": "Choisissez : honoré, absence excusée, absence non excusée ou annulé."})
    if statut != Entretien.Statut.ANNULE and courant.date_heure > timezone.now():
        raise ValidationError(
            {"statut": "Ce rendez-vous n'a pas encore eu lieu : il ne peut pas être marqué honoré ou absent."}
        )
    fin = courant.accompagnement.date_fin
    if statut != Entretien.Statut.ANNULE and fin is not None and timezone.localtime(courant.date_heure).date() > fin:
        raise ValidationError(
            {
                "statut": f"L'accompagnement est terminé depuis le {fin:%d/%m/%Y} : ce rendez-vous ne peut "
                "qu'être annulé (notez le contact sur la mesure en cours)."
            }
        )
    champs = {"statut": statut}
    if notes is not None:
        champs["notes"] = notes
    if duree_minutes is not None:
        if statut != Entretien.Statut.HONORE:
            raise ValidationError({"duree_minutes": "Seul un rendez-vous honoré a une durée : laissez-la vide."})
        champs["duree_minutes"] = duree_minutes
    if confidentiel is not None and confidentiel != courant.confidentiel:
        if courant.auteur_id != par.pk:
            raise PermissionDenied("Seul l'auteur modifie une note confidentielle.")
        if confidentiel and statut != Entretien.Statut.HONORE:
            raise ValidationError({"confidentiel": "Seul un rendez-vous honoré a des notes confidentielles."})
        champs["confidentiel"] = confidentiel  # in the same version as the notes: none shows them to all
    if courant.type == TypeEntretien.DROITS_DEVOIRS:
        champs.update(_issue_de_rencontre(courant.type, statut, issue_rencontre, issue_precisions))
    return enregistrer_version(courant, **champs)


@transaction.atomic
def modifier_entretien(*, entretien, par, version, **champs):
    """Correct an entretien already saved (optimistic lock: `version` is the one the form showed).
    A confidential note is the author's: only they change it or mark a note confidential."""
    exiger_droit(par, entretien.accompagnement)
    courant = verrouiller(entretien, version)
    if courant.auteur_id != par.pk and (courant.confidentiel or champs.get("confidentiel")):
        raise PermissionDenied("Seul l'auteur modifie une note confidentielle.")
    m2m = {k: list(champs.pop(k)) for k in ("participants", "partenaires", "objectifs") if k in champs}
    date_heure = champs.get("date_heure", courant.date_heure)
    statut = champs.get("statut", courant.statut)
    if statut in STATUTS_CLOTURE and date_heure > timezone.now():
        raise ValidationError({"date_heure": "Un entretien à venir ne peut pas être marqué honoré ou absent."})
    _exiger_mesure_ouverte(courant.accompagnement, timezone.localtime(date_heure).date())
    # An objective already linked stays allowed (it may have moved to the next measure since).
    deja = set(courant.objectifs.values_list("pk", flat=True))
    if any(o.accompagnement_id != courant.accompagnement_id and o.pk not in deja for o in m2m.get("objectifs", ())):
        raise ValidationError({"objectifs": "Un objectif choisi n'appartient pas à cet accompagnement."})
    for nom, valeur in champs.items():
        setattr(courant, nom, valeur)
    for nom, valeur in _issue_de_rencontre(
        courant.type, courant.statut, courant.issue_rencontre, courant.issue_precisions
    ).items():
        setattr(courant, nom, valeur)
    courant.full_clean(exclude=["physique", "jeton"])
    enregistrer_version(courant)
    for nom, valeurs in m2m.items():
        getattr(courant, nom).set(valeurs)
    return courant


# --- workshops ------------------------------------------------------------------------------------


@transaction.atomic
def creer_action_collective(
    *,
    par,
    structure,
    theme,
    date_heure,
    residents,
    animateurs=(),
    duree_minutes=120,
    lieu="",
    description="",
    jeton=None,
):
    """A workshop and its participations. The people must be visible to the user; each participation
    is a contact for the person (the échéance engine reads Participation)."""
    from residents.models import Resident

    exiger_equipe(par, structure, "Seule l'équipe de la structure organise ses ateliers.")
    residents = list(residents)
    if not residents:
        raise ValidationError({"residents": "Choisissez au moins une personne."})
    visibles = set(
        Resident.objects.visibles_par(par).filter(pk__in=[r.pk for r in residents]).values_list("pk", flat=True)
    )
    if len(visibles) != len({r.pk for r in residents}):
        raise ValidationError({"residents": "Une personne choisie ne fait pas partie de vos dossiers."})
    action = ActionCollective(
        structure=structure,
        theme=theme,
        date_heure=date_heure,
        duree_minutes=duree_minutes,
        lieu=lieu,
        description=description,
        jeton=jeton,
    )
    action, cree = enregistrer_une_fois(action)
    if not cree:
        return action, False
    action.animateurs.set(list(animateurs) or [par])
    # One save each, not bulk_create: post_save is what has the people's stored alerts synchronised
    # again when the transaction commits (echeances/signals.py), as for an entretien.
    for resident in residents:
        Participation.objects.create(action=action, resident=resident)
    return action, True


def _exiger_modifiable(action, par):
    exiger_equipe(par, action.structure, "Seule l'équipe de la structure modifie ses ateliers.")
    if action.est_annulee:
        raise ValidationError("Cet atelier a été annulé : il ne se modifie plus.")


@transaction.atomic
def modifier_action_collective(*, action, par, version, residents, animateurs=(), **champs):
    """Correct a workshop (its team): its fields, its animateurs and the people who came. The participations
    are dated by the workshop, so a new date moves them with it. The people the user does not see (a
    co-referred person of another structure) keep their participation: the form could not show them."""
    from residents.models import Resident

    _exiger_modifiable(action, par)
    courant = verrouiller(action, version)
    residents = list(residents)
    if not residents:
        raise ValidationError({"residents": "Choisissez au moins une personne."})
    choisis = {r.pk for r in residents}
    existantes = {p.resident_id: p for p in courant.participations.all()}
    visibles = set(
        Resident.objects.visibles_par(par).filter(pk__in=choisis | set(existantes)).values_list("pk", flat=True)
    )
    if not choisis <= visibles:
        raise ValidationError({"residents": "Une personne choisie ne fait pas partie de vos dossiers."})
    for nom, valeur in champs.items():
        setattr(courant, nom, valeur)
    courant.full_clean(exclude=["jeton", "animateurs", "participants", "annulee_par"])
    enregistrer_version(courant)
    courant.animateurs.set(list(animateurs) or [par])
    # One by one (not a bulk delete or create): the échéance signals follow each participation.
    for resident_id, participation in existantes.items():
        if resident_id in visibles and resident_id not in choisis:
            participation.delete()
    for resident in residents:
        if resident.pk not in existantes:
            Participation.objects.create(action=courant, resident=resident)
    return courant


@transaction.atomic
def annuler_action_collective(*, action, par, version, motif):
    """Cancel a workshop (its team), with a reason: its participations are removed (no one had a contact
    there), the workshop stays with its history, marked cancelled."""
    _exiger_modifiable(action, par)
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de l'annulation."})
    courant = verrouiller(action, version)
    for participation in courant.participations.all():
        participation.delete()
    return enregistrer_version(courant, annulee_le=timezone.now(), annulee_par=par, motif_annulation=motif)


# --- measures: open, re-orient, end ---------------------------------------------------------------

OUVERTURE_REFUSEE = "Seule l'équipe de la structure de la personne ouvre un accompagnement."


@transaction.atomic
def ouvrir_accompagnement(*, resident, par, modalite, referent, date_debut, structure=None, jeton=None):
    """Open a measure. An RSA measure takes up the person's orientation towards this structure and
    modality when the Département decided one (the decision is then assigned); it never writes an
    orientation itself: without a decision, the engine asks the délégué for one."""
    structure = structure or resident.structure
    exiger_equipe(par, structure, OUVERTURE_REFUSEE)
    return _ouvrir(
        resident=resident,
        par=par,
        modalite=modalite,
        referent=referent,
        date_debut=date_debut,
        structure=structure,
        jeton=jeton,
    )


def _ouvrir(*, resident, par, modalite, referent, date_debut, structure, jeton=None):
    """ouvrir_accompagnement once the caller's right is checked (a délégué's réorientation opens the next
    measure of a structure they are not part of)."""
    if existant := deja_saisi(Accompagnement, jeton):
        return existant
    if not modalite.accompagnee_ici:
        raise ValidationError({"modalite": "Cette modalité est une orientation : elle n'est pas accompagnée ici."})
    _exiger_modalite_possible(resident, modalite, structure, date_debut)
    if not referent.structures.filter(pk=structure.pk).exists():
        raise ValidationError({"referent": "Le référent doit être membre de la structure."})
    deja_ouvert = {"modalite": "Cette personne a déjà un accompagnement en cours dans cette modalité."}
    if Accompagnement.objects.filter(resident=resident, modalite=modalite, date_fin__isnull=True).exists():
        raise ValidationError(deja_ouvert)
    mesure = Accompagnement(
        resident=resident, modalite=modalite, referent=referent, structure=structure, date_debut=date_debut, jeton=jeton
    )
    mesure.full_clean()
    try:
        # Two openings racing past the check above: the unique constraint keeps one, the other is told why
        # (or, the same form sent twice, gets the measure back).
        with transaction.atomic():
            mesure.save()
    except IntegrityError:
        if existant := deja_saisi(Accompagnement, jeton):
            return existant
        raise ValidationError(deja_ouvert) from None
    if modalite.is_rsa:
        _reprendre_orientation(mesure, par)
    return mesure


def _reprendre_orientation(mesure, par):
    decision = (
        DecisionOrientation.objects.a_affecter()
        .filter(resident_id=mesure.resident_id, structure_id=mesure.structure_id, modalite_id=mesure.modalite_id)
        .select_for_update(of=("self",))
        .first()
    )
    if decision is not None and decision.date_decision <= mesure.date_debut:
        enregistrer_version(decision, accompagnement=mesure, affectee_par=par, affectee_le=timezone.now())


def _exiger_modalite_possible(resident, modalite, structure, date_debut):
    """What the référentiel says of a modality, checked at opening rather than only alerted afterwards:
    the kinds of structure that offer it, and its age range (the territory's values) on the first day."""
    if not modalite.proposee_par(structure):
        raise ValidationError(
            {
                "modalite": f"« {modalite.libelle} » ne se propose pas dans une structure de type "
                f"« {structure.get_type_display()} »."
            }
        )
    if modalite.champ == Champ.FJT and resident.enfants_a_charge:
        raise ValidationError(
            {
                "modalite": f"{resident} a {resident.enfants_a_charge} enfant(s) à charge : une résidence FJT ne peut "
                "pas accueillir d'enfant."
            }
        )
    valeurs = regles(structure.territoire, modalite)
    age = resident.age(date_debut)
    if valeurs.age_min is not None and age < valeurs.age_min:
        raise ValidationError(
            {
                "modalite": f"{resident} a {age} ans au {date_debut:%d/%m/%Y} : « {modalite.libelle} » "
                f"accompagne à partir de {valeurs.age_min} ans."
            }
        )
    if valeurs.age_max is not None and age > valeurs.age_max:
        raise ValidationError(
            {
                "modalite": f"{resident} a {age} ans au {date_debut:%d/%m/%Y} : « {modalite.libelle} » "
                f"accompagne jusqu'à {valeurs.age_max} ans."
            }
        )


@transaction.atomic
def reorienter(*, accompagnement, par, modalite, date, version, referent=None, relais="", vers=None):
    """Close the measure the day before `date` (motif réorientation) and open the next one on `date`,
    linked by `precedent`. What happened stays on the closed measure (entretiens, finished objectives,
    contracts); what is still to come moves to the next one, each move kept in the history: the
    rendez-vous planned from `date` on (they are the next measure's contacts) and the objectives
    still in progress, and the co-referents not yet removed (a partner co-referent keeps the access
    it had: the same person, the next measure).
    Towards a modality not accompanied here (RSA emploi: France Travail, domain.md §3) nothing opens:
    the planned rendez-vous are cancelled; returns None. Likewise towards another structure (`vers`),
    whose team then assigns the référent from the orientation decision.
    An RSA measure is re-oriented by the Département (accompagnement.orientations.decider_demande, which
    records the decision first): only a délégué insertion of its territory; other measures by their team."""
    acces.exiger_droit_de_reorienter(par, accompagnement)
    courant = verrouiller(accompagnement, version)
    if courant.date_fin is not None:
        raise ValidationError("Cet accompagnement est déjà terminé.")
    if modalite.pk == courant.modalite_id:
        raise ValidationError({"modalite": "Choisissez une autre modalité que la modalité actuelle."})
    if date <= courant.date_debut:
        raise ValidationError(
            {"date": f"La réorientation doit suivre le début de la mesure ({courant.date_debut:%d/%m/%Y})."}
        )
    ailleurs = not modalite.accompagnee_ici or (vers is not None and vers.pk != courant.structure_id)
    if ailleurs and modalite.champ != courant.modalite.champ:
        raise ValidationError(
            {"modalite": f"Une orientation « {modalite.libelle} » ne vaut que pour une mesure du même champ."}
        )
    enregistrer_version(
        courant,
        date_fin=date - datetime.timedelta(days=1),
        motif_fin=Accompagnement.MotifFin.REORIENTATION,
        destination=Accompagnement.Destination.MEME_LOGEMENT,
        relais=relais or (f"Orientation : {modalite.libelle}{f' – {vers}' if vers else ''}" if ailleurs else ""),
    )
    rendez_vous = courant.entretiens.rendez_vous().filter(date_heure__gte=_debut_du_jour(date))
    coreferents = courant.coreferents.filter(Q(date_fin__isnull=True) | Q(date_fin__gt=date))
    if ailleurs:
        for rdv in rendez_vous:
            enregistrer_version(rdv, statut=Entretien.Statut.ANNULE)
        for coreferent in coreferents:
            coreferent.date_fin = max(date, coreferent.date_debut)
            coreferent.save()
        return None
    suivant = _ouvrir(
        resident=courant.resident,
        par=par,
        modalite=modalite,
        referent=referent or courant.referent,
        date_debut=date,
        structure=courant.structure,
    )
    suivant.precedent = courant
    suivant.save(update_fields=["precedent"])
    for rdv in rendez_vous:
        enregistrer_version(rdv, accompagnement=suivant)
    for objectif in courant.objectifs.en_cours():
        enregistrer_version(objectif, accompagnement=suivant)
    for coreferent in coreferents:
        debut = max(date, coreferent.date_debut)
        # Unless they are the next measure's référent (never their own co-referent).
        if coreferent.user_id is None or coreferent.user_id != suivant.referent_id:
            CoReferent.objects.create(
                accompagnement=suivant,
                user_id=coreferent.user_id,
                contact_id=coreferent.contact_id,
                role=coreferent.role,
                date_debut=debut,
                date_fin=coreferent.date_fin,
            )
        coreferent.date_fin = debut
        coreferent.save()
    return suivant


def _debut_du_jour(date):
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time()))


# The ends of an FJT stay under convention that only the résidence's responsable decides, with the tiers
# (seed 002, domain.md §8): admissions.services.decider_fin records that decision (FinDePriseEnCharge).
MOTIFS_FIN_DECIDEE = (
    Accompagnement.MotifFin.MANQUEMENT_REGLEMENT,
    Accompagnement.MotifFin.FIN_CONTRAT_JEUNE_MAJEUR,
    Accompagnement.MotifFin.FIN_PRISE_EN_CHARGE,
    Accompagnement.MotifFin.REFUS,
)


def exiger_fin_de_sejour_decidee(*, accompagnement, motif_fin, date_fin):
    """A measure FJT under convention ends for one of MOTIFS_FIN_DECIDEE only once the responsable has
    decided it (admissions' FinDePriseEnCharge), for that reason, and not before the end of its notice.
    The one check of every way out: the measure's end form and the admissions exit."""
    if motif_fin not in MOTIFS_FIN_DECIDEE or accompagnement.modalite.code != Modalite.Code.FJT_CONVENTION:
        return
    fin = getattr(accompagnement, "fin_prise_en_charge", None)
    if fin is None:
        raise ValidationError(
            {
                "motif_fin": "Ce motif de fin de séjour est décidé par le responsable de la résidence, avec le "
                "tiers : la fin de prise en charge doit d'abord être décidée."
            }
        )
    if motif_fin != fin.motif:
        raise ValidationError(
            {
                "motif_fin": f"La fin de prise en charge a été décidée pour le motif « {fin.get_motif_display()} » "
                ": choisissez ce motif."
            }
        )
    if date_fin is not None and date_fin < fin.date_effet:
        raise ValidationError(
            {
                "date_fin": f"Le séjour prend fin le {fin.date_effet:%d/%m/%Y}, au terme du préavis : la sortie "
                "ne peut être enregistrée avant."
            }
        )


@transaction.atomic
def terminer_accompagnement(
    *,
    accompagnement,
    par,
    date_fin,
    motif_fin,
    version,
    destination="",
    relais="",
    relais_contact=None,
    relais_user=None,
    conditions_sortie=(),
):
    """End a measure with a reason, a destination, the exit conditions of its modality the person meets
    (référentiel) and the hand-over (who takes over: a partner's contact or an intervenant, and what is
    passed on); planned rendez-vous after the end are cancelled so that nobody waits for them."""
    exiger_droit(par, accompagnement)
    courant = verrouiller(accompagnement, version)
    if courant.date_fin is not None:
        raise ValidationError("Cet accompagnement est déjà terminé.")
    if date_fin < courant.date_debut:
        raise ValidationError({"date_fin": "La date de fin ne peut pas précéder la date de début."})
    if not motif_fin:
        raise ValidationError({"motif_fin": "Indiquez le motif de fin de l'accompagnement."})
    if relais_contact is not None and relais_user is not None:
        raise ValidationError("Choisissez soit un contact partenaire, soit un intervenant pour le relais.")
    exiger_fin_de_sejour_decidee(accompagnement=courant, motif_fin=motif_fin, date_fin=date_fin)
    for condition in conditions_sortie:
        if condition.modalite_id != courant.modalite_id:
            raise ValidationError(
                {
                    "conditions_sortie": f"« {condition} » n'est pas une condition de sortie de la modalité "
                    f"« {courant.modalite} »."
                }
            )
    enregistrer_version(
        courant,
        date_fin=date_fin,
        motif_fin=motif_fin,
        destination=destination,
        relais=relais,
        relais_contact=relais_contact,
        relais_user=relais_user,
    )
    for condition in conditions_sortie:  # saved one by one: each row's history records who ticked it
        ConditionSortieRemplie.objects.create(accompagnement=courant, condition=condition)
    for rdv in courant.entretiens.rendez_vous().filter(
        date_heure__gte=_debut_du_jour(date_fin + datetime.timedelta(days=1))
    ):
        enregistrer_version(rdv, statut=Entretien.Statut.ANNULE)
    return courant


# --- objectives ------------------------------------------------------------------------------------


@transaction.atomic
def creer_objectif(*, accompagnement, par, domaine, libelle, critere="", echeance=None, actions="", jeton=None):
    exiger_droit(par, accompagnement)
    objectif = Objectif(
        accompagnement=accompagnement,
        domaine=domaine,
        libelle=libelle,
        critere=critere,
        echeance=echeance,
        actions=actions,
        jeton=jeton,
    )
    return enregistrer_une_fois(objectif)[0]


@transaction.atomic
def modifier_objectif(*, objectif, par, version, **champs):
    exiger_droit(par, objectif.accompagnement)
    courant = verrouiller(objectif, version)
    for nom, valeur in champs.items():
        setattr(courant, nom, valeur)
    courant.full_clean()
    return enregistrer_version(courant)


@transaction.atomic
def evaluer_objectif(
    *, objectif, par, niveau, parole_personne="", competences="", commentaire="", date=None, jeton=None
):
    exiger_droit(par, objectif.accompagnement)
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": "Une évaluation ne peut pas être datée dans le futur."})
    evaluation = EvaluationObjectif(
        objectif=objectif,
        date=date,
        niveau=niveau,
        parole_personne=parole_personne,
        competences=competences,
        commentaire=commentaire,
        auteur=par,
        jeton=jeton,
    )
    return enregistrer_une_fois(evaluation)[0]


# --- co-referents ----------------------------------------------------------------------------------


@transaction.atomic
def ajouter_coreferent(*, accompagnement, par, user=None, contact=None, role="", date_debut=None, jeton=None):
    exiger_droit(par, accompagnement)
    # Before the « already in place » check: the same form sent twice gets its co-referent back.
    if existant := deja_saisi(CoReferent, jeton):
        return existant
    if (user is None) == (contact is None):
        raise ValidationError("Choisissez soit un membre de l'équipe, soit un contact partenaire.")
    if user is not None and user.pk == accompagnement.referent_id:
        raise ValidationError({"user": "Cette personne est déjà le référent de l'accompagnement."})
    # Not yet ended (in place, or to come): the same person is not co-referent twice at once.
    ouverts = accompagnement.coreferents.filter(Q(date_fin__isnull=True) | Q(date_fin__gt=timezone.localdate()))
    if (user and ouverts.filter(user=user).exists()) or (contact and ouverts.filter(contact=contact).exists()):
        raise ValidationError("Ce co-référent est déjà en place sur cet accompagnement.")
    coreferent = CoReferent(
        accompagnement=accompagnement,
        user=user,
        contact=contact,
        role=role,
        date_debut=date_debut or timezone.localdate(),
        jeton=jeton,
    )
    return enregistrer_une_fois(coreferent)[0]


@transaction.atomic
def retirer_coreferent(*, coreferent, par, date_fin=None):
    exiger_droit(par, coreferent.accompagnement)
    courant = CoReferent.objects.select_for_update().get(pk=coreferent.pk)
    if courant.date_fin is not None:
        raise ValidationError("Ce co-référent a déjà été retiré.")
    date_fin = date_fin or timezone.localdate()
    if date_fin < courant.date_debut:
        raise ValidationError({"date_fin": "La date de fin ne peut pas précéder la date de début."})
    courant.date_fin = date_fin
    courant.save()
    return courant


# --- diagnostic global partagé ---------------------------------------------------------------------

CHAMPS_DIAGNOSTIC = (*Diagnostic.DOMAINES, "parole_personne", "freins", "leviers")


def _exiger_date_de_diagnostic(accompagnement, date):
    if date > timezone.localdate():
        raise ValidationError({"date": "Un diagnostic ne peut pas être daté dans le futur."})
    _exiger_mesure_ouverte(accompagnement, date)


@transaction.atomic
def enregistrer_diagnostic(*, accompagnement, par, date=None, jeton=None, **textes):
    """The diagnostic global partagé, made with the person (`textes`: CHAMPS_DIAGNOSTIC). A second submit
    of the same form returns the diagnostic already saved."""
    exiger_droit(par, accompagnement)
    if existant := deja_saisi(Diagnostic, jeton):
        return existant
    if not accompagnement.prevoit_un_diagnostic:
        raise ValidationError("Le diagnostic global partagé concerne les accompagnements RSA et ASLL.")
    date = date or timezone.localdate()
    _exiger_date_de_diagnostic(accompagnement, date)
    diagnostic = Diagnostic(accompagnement=accompagnement, auteur=par, date=date, jeton=jeton, **_textes(textes))
    return enregistrer_une_fois(diagnostic)[0]


@transaction.atomic
def modifier_diagnostic(*, diagnostic, par, version, **champs):
    """Complete or correct a diagnostic (optimistic lock); the earlier wording stays in its history."""
    exiger_droit(par, diagnostic.accompagnement)
    courant = verrouiller(diagnostic, version)
    if "date" in champs:
        _exiger_date_de_diagnostic(courant.accompagnement, champs["date"])
    for nom, valeur in {**_textes(champs), **({"date": champs["date"]} if "date" in champs else {})}.items():
        setattr(courant, nom, valeur)
    courant.full_clean(exclude=["jeton"])
    return enregistrer_version(courant)


def _textes(champs):
    inconnus = set(champs) - set(CHAMPS_DIAGNOSTIC) - {"date"}
    if inconnus:
        raise TypeError(f"Champs inconnus du diagnostic : {', '.join(sorted(inconnus))}")
    return {nom: (champs[nom] or "").strip() for nom in CHAMPS_DIAGNOSTIC if nom in champs}
