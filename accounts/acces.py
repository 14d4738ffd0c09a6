"""Who may see and do what: every access rule of the application, and nowhere else (as les-emplois'
`itou/utils/perms/`). The querysets' `visibles_par`, the services, the views and the templates' helpers
ask here; tests/test_acces.py fails when a role check is written outside this module, and
docs/acces.md is tested against it (tests/test_doc_acces.py).

This module imports no app's models but the users': it reaches the others by their label
(`apps.get_model`), as the models' own foreign keys do, so that every models.py can build its
`visibles_par` here without an import circle.

Two kinds of answers: a queryset method's filter (`…_visibles(qs, user)`: what a user sees, an
outsider gets a 404 from it) and a yes / no on an action (`peut_…`, `est_…`; `exiger_…` raises
PermissionDenied with a French message: a 403, since the object was already visible)."""

import datetime

from django.apps import apps
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from referentiel.models import TypeContrat

from .models import ROLES_STRUCTURE, ROLES_TERRITOIRE, Role, User


def _modele(label):
    return apps.get_model(label)


# --- roles -------------------------------------------------------------------------------------------


def a_l_un_des_roles(user, roles):
    """For the menu's table (accounts.navigation): a superuser counts as administrateur."""
    return user.role in roles or (user.is_superuser and Role.ADMINISTRATEUR in roles)


def est_de_l_equipe(user):
    """A structure's staff: référent or manager (a co-referent of elsewhere included)."""
    return user.role in ROLES_STRUCTURE


def est_agent_du_territoire(user):
    """The Département's agents (délégué insertion, conseiller·ère logement): they read their territory."""
    return user.role in ROLES_TERRITOIRE


def voit_la_file_de_l_equipe(user):
    """The manager and the administrator see every référent's caseload (and filter by référent); a
    référent sees their own. (A pure administrator is kept off the file active: lit_les_dossiers.)"""
    return user.role == Role.RESPONSABLE or user.is_administrateur


def lit_les_dossiers(user):
    """The IT administrator administers (users, structures, référentiel, logs) without reading people's
    files: no file active, no list of people, no page of a file but those of the data-protection officer
    (accounts.middleware.PAGES_DPO). A superuser who works as a référent keeps their job's pages."""
    return user.role != Role.ADMINISTRATEUR


def voit_la_file_du_territoire(user):
    """The conseillère logement follows the ASLL and accompagnement global measures of her territories
    (the monthly committee reviews them): her file active is every measure she sees, by référent."""
    return user.role == Role.CONSEILLER_LOGEMENT


# The fields of the measures a Département's agent reads (and nothing else of their territory's).
CHAMPS_DU_ROLE = {Role.DELEGUE: ["INSERTION"], Role.CONSEILLER_LOGEMENT: ["LOGEMENT", "LOGEMENT_EMPLOI"]}


def champs_visibles(user):
    """The fields whose measures the user may read, None when not restricted by field."""
    return CHAMPS_DU_ROLE.get(user.role)


def _modalites_offertes(user):
    """(code, champ) of the modalities the kinds of the user's structures offer (référentiel), read once per
    request for the menu's conditions below."""
    Modalite = _modele("referentiel.Modalite")
    return _memo(
        user,
        "_modalites_offertes",
        lambda: set(
            Modalite.objects.filter(types_structure__overlap=ArraySubquery(user.structures.values("type"))).values_list(
                "code", "champ"
            )
        ),
    )


def recoit_des_candidatures(user):
    """The applications of young people under convention go to a structure whose kind offers that modality
    (référentiel: a résidence FJT): the staff of an MSVS or an association have no such board."""
    return est_de_l_equipe(user) and any(code == "FJT_CONVENTION" for code, _champ in _modalites_offertes(user))


def recoit_des_orientations(user):
    """The Département orients RSA beneficiaries to structures whose kind offers an RSA modality."""
    return est_de_l_equipe(user) and any(champ == "INSERTION" for _code, champ in _modalites_offertes(user))


def a_des_echeances(user):
    """Those who receive échéances and alerts (« À faire », the home page's figures)."""
    return est_de_l_equipe(user) or est_agent_du_territoire(user)


def valide_les_contrats(user):
    """CERs and contrats d'engagement are decided by the délégué insertion (of their territories)."""
    return user.role == Role.DELEGUE


def signe_pour_la_structure(user):
    """COMs and tripartite documents are signed by the manager (of their structures)."""
    return user.role == Role.RESPONSABLE


def decide_les_signalements(user):
    """The délégué insertion, for the Président: informs the person, records the équipe pluridisciplinaire's
    opinion, decides, lifts a suspension (on the reports they see: signalements_visibles)."""
    return user.role == Role.DELEGUE


def oriente_les_allocataires(user):
    """The Président's orientation of RSA beneficiaries is recorded by the délégué insertion (of their
    territories); they also decide the référents' requests for réorientation."""
    return user.role == Role.DELEGUE


def peut_orienter(user, territoire_id):
    return oriente_les_allocataires(user) and user.territoires.filter(pk=territoire_id).exists()


def orientations_visibles(qs, user):
    """DecisionOrientation.objects.visibles_par: the délégué's territories (the person's or the
    receiving structure's), the receiving structure's team, and wherever the person is visible."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    personnes = personnes_visibles(_modele("residents.Resident").objects.all(), user).values("pk")
    filtre = Q(resident_id__in=personnes)
    if est_de_l_equipe(user):
        filtre |= Q(structure_id__in=structures_de(user))
    if oriente_les_allocataires(user):
        filtre |= Q(structure__territoire__in=user.territoires.all())
    return qs.filter(filtre)


def peut_affecter(user, decision):
    """The receiving structure's responsable assigns the référent; a référent of it may take the person."""
    return decision.structure_id is not None and est_equipe(user, decision.structure)


def exiger_droit_de_reorienter(user, accompagnement):
    """An RSA measure is re-oriented by the délégué insertion of its territory (the référent asks:
    accompagnement.orientations); any other measure by its team, as every write on it."""
    if not accompagnement.modalite.is_rsa:
        exiger_droit(user, accompagnement)
    elif not peut_orienter(user, accompagnement.structure.territoire_id):
        raise PermissionDenied("La réorientation est décidée par le délégué insertion du territoire.")


def affecte_a_un_autre(user):
    """A référent takes the person into their own caseload only; the responsable chooses the référent."""
    return user.role == Role.RESPONSABLE


def signale_au_delegue(user, accompagnement):
    """The structure's team reports a person of a measure they see (the view fetched it through
    visibles_par): the référent, a colleague, the manager."""
    return est_de_l_equipe(user) and accompagnement.structure_id in structures_de(user)


def instruit_le_signalement(user, signalement):
    """The délégué insertion of the report's territory instructs it (informs, records the équipe's opinion,
    decides, lifts); a délégué of another territory does not, even through a service called directly."""
    return (
        decide_les_signalements(user)
        and user.territoires.filter(pk=signalement.accompagnement.structure.territoire_id).exists()
    )


def note_les_observations(user, signalement):
    """The person's observations reach the référent or the délégué: either records them."""
    return instruit_le_signalement(user, signalement) or signale_au_delegue(user, signalement.accompagnement)


def joint_des_pieces(user, signalement):
    """Supporting documents: the team that reports, the délégué who instructs (the EP's minutes…)."""
    return note_les_observations(user, signalement)


# --- the user's structures and co-references, read once per request ---------------------------------

# Bumped whenever a co-reference or a user's structures change in this process: the two lists below are
# remembered on the User instance (a request's user lives one request) and re-read after any change.
_generation = [0]


def _memo(user, nom, lire):
    cle = (_generation[0], timezone.localdate())
    memo = user.__dict__.get(nom)
    if memo is None or memo[0] != cle:
        memo = user.__dict__[nom] = (cle, lire())
    return memo[1]


def structures_de(user):
    """Ids of the user's structures (their prefetch, if the caller made one, is used)."""
    return _memo(user, "_visibilite_structures", lambda: [s.pk for s in user.structures.all()])


def mesures_coreferees(user):
    """Ids of the measures the user co-refers today: a handful, read once and passed as a list, so that
    « its structures' measures or these » is two index scans rather than a pass over every measure."""
    return _memo(
        user,
        "_visibilite_coreferees",
        lambda: list(
            _modele("accompagnement.CoReferent")
            .objects.en_cours()
            .filter(user=user)
            .values_list("accompagnement_id", flat=True)
        ),
    )


@receiver(post_save, sender="accompagnement.CoReferent")
@receiver(post_delete, sender="accompagnement.CoReferent")
@receiver(m2m_changed, sender=User.structures.through)
def _visibilite_changee(**kwargs):
    _generation[0] += 1


# --- what a user sees ----------------------------------------------------------------------------------


def filtre_visibilite(user, prefixe=""):
    """Q object selecting the measures `user` may see. The measures of an archived file
    (residents.retention) are out of everyone's view but the admin's. No multi-valued join: the
    filter applies to the queryset as it is, without a DISTINCT or an `id IN (…)` over the whole base.
    `prefixe` ("accompagnement__"): the same filter on the measure of a record that has one, through
    its join, so a dossier's 500 entretiens are not each checked against the visible measures."""
    if user.is_administrateur:
        return Q()
    return Q(**{f"{prefixe}resident__archive_le__isnull": True}) & _filtre_role(user, prefixe)


def _filtre_role(user, p):
    if est_de_l_equipe(user):
        # Their structures' measures (the team's « veille bienveillante ») and those they co-refer.
        return Q(**{f"{p}structure_id__in": structures_de(user)}) | Q(**{f"{p}pk__in": mesures_coreferees(user)})
    if est_agent_du_territoire(user):
        return Q(
            **{
                f"{p}structure__territoire__in": user.territoires.all(),
                f"{p}modalite__champ__in": champs_visibles(user),
            }
        )
    if user.role == Role.PARTENAIRE and user.contact_partenaire_id:
        # Co-referred by this contact, and a consent in force (not withdrawn, not future) for its organisation.
        consentis = _consentements_du_partenaire(user).values("resident_id")
        coreferees = (
            _modele("accompagnement.CoReferent").objects.en_cours().filter(contact_id=user.contact_partenaire_id)
        )
        return Q(**{f"{p}pk__in": coreferees.values("accompagnement_id"), f"{p}resident_id__in": consentis})
    return Q(**{f"{p}pk__in": []})


def _consentements_du_partenaire(user, le=None):
    return _modele("residents.Consentement").objects.en_vigueur(le).pour_contact(user.contact_partenaire_id)


def mesures_visibles(qs, user):
    """Accompagnement.objects.visibles_par."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    return qs.filter(filtre_visibilite(user))


def par_la_mesure(qs, user):
    """A record that hangs from one measure (objective, contract…) is seen where its measure is."""
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(filtre_visibilite(user, "accompagnement__"))


def diagnostics_visibles(qs, user):
    """Diagnostic.objects.visibles_par: where its measure is seen, but never by a partner account: the
    whole situation (health, budget, family) is no consent category, as an application is not."""
    if not user.is_authenticated or user.role == Role.PARTENAIRE:
        return qs.none()
    return par_la_mesure(qs, user)


def notes_lisibles(user):
    """Q object on entretiens: a confidential note (« confidentielle au référent », domain.md §9) is read by
    its author, the measure's référent, and the structure's manager where the structure decided so
    (`responsable_voit_notes_confidentielles`); by no one else, a partner never."""
    lisible = Q(confidentiel=False) | Q(auteur=user) | Q(accompagnement__referent=user)
    if user.role == Role.RESPONSABLE:
        lisible |= Q(accompagnement__structure__in=user.structures.filter(responsable_voit_notes_confidentielles=True))
    return lisible


# The consent categories under which a partner reads a person's entretiens: their presence, or their notes
# (residents.droits.vue_partenaire then shows each only under its own category).
CATEGORIES_DES_ENTRETIENS = ("PRESENCE", "NOTES")


def entretiens_visibles(qs, user):
    """Entretien.objects.visibles_par: those of the measures the user sees, and their notes as above; for a
    partner, only those of the people who consented to share their presence or their notes (the partner's
    screens and the API read this one rule)."""
    if not user.is_authenticated:
        return qs.none()
    qs = qs.filter(filtre_visibilite(user, "accompagnement__")).filter(notes_lisibles(user))
    if signe_comme_partenaire(user):
        consentis = _consentements_du_partenaire(user).filter(categories__overlap=list(CATEGORIES_DES_ENTRETIENS))
        qs = qs.filter(accompagnement__resident_id__in=consentis.values("resident_id"))
    return qs


def personnes_visibles(qs, user):
    """Resident.objects.visibles_par: their structures' files (with or without a measure) and the people
    whose measure they co-refer, for the staff; the people of the measures they see, for the others. An
    archived file is out of everyone's daily view but the admin's."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    qs = qs.filter(archive_le__isnull=True)
    Accompagnement = _modele("accompagnement.Accompagnement")
    if est_de_l_equipe(user):
        # From the day the co-reference starts until the day it ends.
        coreferees = Accompagnement.objects.filter(pk__in=mesures_coreferees(user)).values("resident_id")
        return qs.filter(Q(structure_id__in=structures_de(user)) | Q(pk__in=coreferees))
    # A semi-join on the measures they see: no DISTINCT over the base.
    par_les_mesures = Q(pk__in=mesures_visibles(Accompagnement.objects.all(), user).values("resident_id"))
    if oriente_les_allocataires(user):
        # The RSA beneficiaries of their territories, accompanied or not yet (to orient, to assign).
        return qs.filter(
            par_les_mesures | Q(date_ouverture_rsa__isnull=False, structure__territoire__in=user.territoires.all())
        )
    return qs.filter(par_les_mesures)


def ateliers_visibles(qs, user):
    """ActionCollective.objects.visibles_par: their structures' workshops, their territory's for the
    Département's agents."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    if est_de_l_equipe(user):
        return qs.filter(structure__in=user.structures.all())
    if est_agent_du_territoire(user):
        return qs.filter(structure__territoire__in=user.territoires.all())
    return qs.none()


def categories_partagees(user, resident, le=None):
    """The categories a partner account may read about this person: the union of the consents in
    force for its organisation. Empty for anyone else, and for a person it does not co-refer."""
    if user.role != Role.PARTENAIRE or not user.contact_partenaire_id:
        return set()
    if not personnes_visibles(_modele("residents.Resident").objects.filter(pk=resident.pk), user).exists():
        return set()
    consentements = _consentements_du_partenaire(user, le).filter(resident=resident)
    return {c for consentement in consentements for c in consentement.categories}


def candidatures_visibles(qs, user):
    """The résidence's team sees its applications; an admitted application is also visible wherever its
    measure is. A partner never: an application (notes sociales, difficulties, history) is no consent
    category."""
    if not user.is_authenticated or user.role == Role.PARTENAIRE:
        return qs.none()
    if user.is_administrateur:
        return qs
    mesures = mesures_visibles(_modele("accompagnement.Accompagnement").objects.all(), user)
    if est_de_l_equipe(user):
        # The person must stay visible too (an archived file leaves everyone's daily view).
        personnes = personnes_visibles(_modele("residents.Resident").objects.all(), user)
        return qs.filter(Q(residence__in=user.structures.all()) | Q(accompagnement__in=mesures)).filter(
            resident__in=personnes
        )
    return qs.filter(accompagnement__in=mesures)


def suivi_admission_visible(qs, user):
    """The follow-up records of an admission (coordination meetings, housing, end of stay, hand-over):
    as their measure, but never for a partner (no consent category covers them: deny by default)."""
    if not user.is_authenticated or user.role == Role.PARTENAIRE:
        return qs.none()
    return par_la_mesure(qs, user)


def syntheses_visibles(qs, user):
    """A partner reads a synthèse of its own organisation once transmitted, while the person's consent to
    share her objectives with it is in force; the others as the other follow-up records."""
    if not (user.is_authenticated and user.role == Role.PARTENAIRE and user.contact_partenaire_id):
        return suivi_admission_visible(qs, user)
    Consentement = _modele("residents.Consentement")
    consentis = _consentements_du_partenaire(user).filter(categories__contains=[Consentement.Categorie.OBJECTIFS])
    return qs.filter(
        accompagnement__in=mesures_visibles(_modele("accompagnement.Accompagnement").objects.all(), user),
        accompagnement__resident_id__in=consentis.values("resident_id"),
        contact__tiers__contacts__pk=user.contact_partenaire_id,
        transmise_le__isnull=False,
    )


def filtre_alertes(user):
    """Q object on alerts: where the user must act, their structures' alerts (the manager sees the
    team's), their territory's RSA alerts for the délégué."""
    q = Q(destinataires__contains=[user.pk])
    if est_de_l_equipe(user):
        q |= Q(structure__in=user.structures.all())
    if user.role == Role.DELEGUE:
        q |= Q(territoire__in=user.territoires.all(), accompagnement__modalite__champ="INSERTION")
    return q


def alertes_visibles(qs, user):
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    return qs.filter(filtre_alertes(user))


def signalements_visibles(qs, user):
    """Reports after unexcused absences: the structure's team, the territory's délégué (RSA measures)."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    if est_de_l_equipe(user):
        return qs.filter(accompagnement__structure__in=user.structures.all())
    if user.role == Role.DELEGUE:
        return qs.filter(
            accompagnement__structure__territoire__in=user.territoires.all(),
            accompagnement__modalite__champ="INSERTION",
        )
    return qs.none()


def type_de_comite_preside(user):
    """The kind of committee a Département's agent chairs (None for anyone else)."""
    Type = _modele("pilotage.ComiteSuivi").Type
    return {Role.DELEGUE: Type.TRIMESTRIEL_RSA, Role.CONSEILLER_LOGEMENT: Type.MENSUEL_ASLL}.get(user.role)


def comites_visibles(qs, user):
    """The chair's territories for the Département's agents; a référent sees the committees about them; a
    manager those of their structures' référents."""
    if not user.is_authenticated:
        return qs.none()
    if user.is_administrateur:
        return qs
    if (type_comite := type_de_comite_preside(user)) is not None:
        return qs.filter(type=type_comite, territoire__in=user.territoires.all())
    if user.role == Role.REFERENT:
        return qs.filter(referent=user)
    if user.role == Role.RESPONSABLE:
        return qs.filter(referent__structures__in=user.structures.all()).distinct()
    return qs.none()


def referents_du_comite(qs, user, type_comite):
    """Among the users `qs`, the référents a chair may hold a committee of `type_comite` with: those of a
    structure of the chair's territories who follow, there, a measure the committee reviews (RSA for the
    quarterly committee, ASLL for the monthly one; a référent's field is the field of their measures),
    open or ended less than a year ago. Nobody for a user who does not chair this kind."""
    if type_de_comite_preside(user) != type_comite:
        return qs.none()
    ComiteSuivi = _modele("pilotage.ComiteSuivi")
    depuis = timezone.localdate() - datetime.timedelta(days=365)
    mesures = (
        _modele("accompagnement.Accompagnement")
        .objects.filter(ComiteSuivi.filtre_du_type(type_comite), modalite__accompagnee_ici=True)
        .filter(structure__territoire__in=user.territoires.all())
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=depuis))
    )
    return qs.filter(
        role=Role.REFERENT,
        structures__territoire__in=user.territoires.all(),
        pk__in=mesures.values("referent_id"),
    ).distinct()


def peut_presider(user, comite):
    """Decisions and minutes of a committee: the agent of its kind, on its territory."""
    return type_de_comite_preside(user) == comite.type and user.territoires.filter(pk=comite.territoire_id).exists()


def peut_voir_bilan(user):
    """The yearly bilan, on its page and in its exports: not a référent."""
    return user.is_authenticated and (
        user.role in (Role.RESPONSABLE, Role.DELEGUE, Role.CONSEILLER_LOGEMENT) or user.is_administrateur
    )


# --- what a user may do -----------------------------------------------------------------------------


def filtre_structures_des_cer(user):
    """Q on Structure: those whose list of CERs to replace by contrats d'engagement the user reads (a
    whole structure's list): their own (référent, manager), those of their territories (délégué
    insertion, who validates the contracts). Nobody else (an administrator reads no file)."""
    if est_de_l_equipe(user):
        return Q(pk__in=structures_de(user))
    if valide_les_contrats(user):
        return Q(territoire__in=user.territoires.all())
    return Q(pk__in=[])


def est_equipe(user, structure):
    """A référent or the manager of `structure` (its team)."""
    return est_de_l_equipe(user) and structure.pk in structures_de(user)


def peut_agir(user, structure):
    """Acting on a person's file (identity, consents, right of access), opening a measure, an
    application, a workshop: the structure's team, or the administrator."""
    return user.is_administrateur or est_equipe(user, structure)


def exiger_equipe(user, structure, message="Seule l'équipe de la structure de la personne peut modifier son dossier."):
    if not peut_agir(user, structure):
        raise PermissionDenied(message)


def est_responsable_de(user, structure):
    return user.role == Role.RESPONSABLE and structure.pk in structures_de(user)


def exiger_responsable_de(user, structure, message):
    if not est_responsable_de(user, structure):
        raise PermissionDenied(message)


def est_responsable_du_dossier(user, resident):
    """The manager of the person's own structure (not of one that only co-refers her), or the
    administrator acting as data-protection officer: who accessed the file, the complete file (it holds
    every author's confidential notes), archiving it."""
    return user.is_administrateur or est_responsable_de(user, resident.structure)


def gere_la_conservation(user):
    """The retention report: the managers (for their structures) and the administrator."""
    return user.is_administrateur or user.role == Role.RESPONSABLE


def dossiers_de_conservation(qs, user):
    """The files on a manager's retention report: their structures' own, not those they only co-refer
    (their own manager decides)."""
    if user.is_administrateur:
        return qs
    return qs.filter(structure__in=user.structures.all())


def peut_modifier(user, accompagnement):
    """Staff of the measure's structure (the team's veille bienveillante) or a team member who is its
    co-referent today. Partners and the Département's agents read only."""
    return bool(mesures_modifiables(user, [accompagnement]))


def mesures_modifiables(user, accompagnements):
    """Those of `accompagnements` the user may write on (peut_modifier), in two queries at most whatever
    their number (none when the user's structures and co-references were read in this request): a
    dossier asks it for each of its measures."""
    accompagnements = list(accompagnements)
    if user.is_administrateur:
        return accompagnements
    if not est_de_l_equipe(user) or not accompagnements:
        return []
    structures = set(structures_de(user))
    if all(a.structure_id in structures for a in accompagnements):
        return accompagnements
    coreferees = set(mesures_coreferees(user))
    return [a for a in accompagnements if a.structure_id in structures or a.pk in coreferees]


def exiger_droit(user, accompagnement):
    if not peut_modifier(user, accompagnement):
        raise PermissionDenied("Vous ne pouvez que consulter ce dossier.")


def peut_acquitter(user, alerte):
    """Who must act may silence the cause, and so may the structure's team (the « veille bienveillante »:
    a colleague may have made the contact) and its manager; someone who only sees the alert (a délégué
    looking at a référent's contact alert) may not."""
    if user.is_administrateur or user.pk in alerte.destinataires:
        return True
    return est_de_l_equipe(user) and alerte.structure_id in structures_de(user)


# --- contracts (domain.md §1, §5, §8): one is seen where its measure is; acting on it is decided here --


def peut_rediger(user, contrat_ou_accompagnement):
    """The measure's référent, a team co-referent in place today, or the structure's manager; not any
    colleague."""
    acc = getattr(contrat_ou_accompagnement, "accompagnement", contrat_ou_accompagnement)
    if not est_de_l_equipe(user):
        return False
    if acc.structure_id in structures_de(user) and (user.role == Role.RESPONSABLE or acc.referent_id == user.pk):
        return True
    return acc.pk in mesures_coreferees(user)


# The kinds a partner account signs from its own account (domain.md §1: the tiers signs the tripartite
# document); it sees no other contract.
TYPES_SIGNES_PAR_LE_PARTENAIRE = (TypeContrat.TRIPARTITE,)


def signe_comme_partenaire(user):
    """A partner account signs its documents from its own session (« À signer »)."""
    return user.role == Role.PARTENAIRE and bool(user.contact_partenaire_id)


def contrats_visibles(qs, user):
    """Contrat.objects.visibles_par: where its measure is seen; a partner account only sees the documents
    it signs as the tiers (its contact is the contract's partner), with a consent in force as the rest of
    its screens (the measure's filter)."""
    qs = qs.filter(accompagnement__in=mesures_visibles(_modele("accompagnement.Accompagnement").objects.all(), user))
    if user.is_authenticated and user.role == Role.PARTENAIRE:
        return qs.filter(type__in=TYPES_SIGNES_PAR_LE_PARTENAIRE, partenaire_id=user.contact_partenaire_id or 0)
    return qs


def peut_signer(user, contrat, partie):
    """`partie`: a contrats.models.Partie. The measure's référent signs as référent, the structure's
    manager as responsable; the tiers partenaire signs its tripartite document from its own account, while
    it sees the person (co-referent, consent in force). The team also collects the person's, the
    conjoint's and the partner's signatures on its screen or on paper."""
    acc = contrat.accompagnement
    if partie == "REFERENT":
        return acc.referent_id == user.pk
    if partie == "RESPONSABLE":
        return est_responsable_de(user, acc.structure)
    if signe_comme_partenaire(user):
        return (
            partie == "PARTENAIRE"
            and contrat.type in TYPES_SIGNES_PAR_LE_PARTENAIRE
            and contrat.partenaire_id == user.contact_partenaire_id
            and mesures_visibles(_modele("accompagnement.Accompagnement").objects.filter(pk=acc.pk), user).exists()
        )
    return peut_rediger(user, contrat)


def peut_valider(user, contrat):
    """A CER or contrat d'engagement waiting for a decision: the délégué insertion of its territory."""
    return (
        valide_les_contrats(user)
        and contrat.a_valider
        and user.territoires.filter(pk=contrat.accompagnement.structure.territoire_id).exists()
    )


def peut_rompre(user, contrat):
    """The end of an FJT stay under convention (tripartite document) is decided by the residence's
    manager, with the tiers; any other contract by whoever drafts it."""
    if contrat.type == TypeContrat.TRIPARTITE:
        return est_responsable_de(user, contrat.accompagnement.structure)
    return peut_rediger(user, contrat)


# --- the import of the Département's file of RSA beneficiaries (residents.services_import) ------------


def administre_le_referentiel(user):
    """The administrator prepares the référentiel's versions (pilotage.views_referentiel)."""
    return user.is_authenticated and user.is_administrateur


def importe_des_allocataires(user):
    """The délégué insertion loads the file of new RSA beneficiaries of their territories; the
    administrator may load it for any territory."""
    return user.is_authenticated and (user.role == Role.DELEGUE or user.is_administrateur)


def structures_d_accueil_d_import(qs, user):
    """Structure querysets: where an import may put the new people, the structures of the délégué's
    territories (every one for the administrator)."""
    if not importe_des_allocataires(user):
        return qs.none()
    if user.is_administrateur:
        return qs
    return qs.filter(territoire__in=user.territoires.all())


def imports_visibles(qs, user):
    """ImportAllocataires.objects.visibles_par: the imports into a structure of the délégué's territories
    (their colleagues' included), every import for the administrator; nobody else."""
    if not importe_des_allocataires(user):
        return qs.none()
    if user.is_administrateur:
        return qs
    return qs.filter(structure__territoire__in=user.territoires.all())


def personnes_touchees_par_l_import(qs, user):
    """The people an import may recognise (same n° allocataire: its RSA data updated) or flag as a probable
    duplicate: the files of the structures of the délégué's territories, not archived; all for the
    administrator."""
    if not importe_des_allocataires(user):
        return qs.none()
    if user.is_administrateur:
        return qs
    return qs.filter(archive_le__isnull=True, structure__territoire__in=user.territoires.all())
