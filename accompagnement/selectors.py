"""What the référent's pages read: the file active's rows, and a person's dossier (its measures, its
timeline, its suivi table, its échéances to deal with, its history). Each read takes a fixed number of
queries whatever the number of rows, and serves the page as well as its htmx fragment; the views only
pass the request's choices in.

Due dates and states come from the one échéance engine (echeances.moteur), never from here."""

import datetime

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery, Window, prefetch_related_objects
from django.utils import timezone

from accounts import acces
from accounts.models import User
from contrats.models import Contrat
from echeances import moteur
from echeances.choix import Etat, Regle
from referentiel.models import Modalite
from residents.texte import cle_recherche

from . import agenda as periodes
from .models import (
    Accompagnement,
    ActionCollective,
    ConditionSortieRemplie,
    CoReferent,
    Entretien,
    Objectif,
    Participation,
)
from .views_communs import entier

# --- the file active ----------------------------------------------------------------------------------

# The sorts of the file active (accompagnement.templatetags.file_active_tags names them for the reader).
TRIS = {
    "nom": lambda ligne: (ligne["mesure"].resident.nom_recherche,),
    "modalite": lambda ligne: (ligne["mesure"].modalite.libelle, ligne["mesure"].resident.nom_recherche),
    "debut": lambda ligne: (ligne["mesure"].date_debut,),
    "etat": lambda ligne: (Etat.rang_de(ligne["etat"]), ligne["cle_prochaine"]),
    "prochain": lambda ligne: (ligne["cle_prochaine"],),
}


def _voit_plus_que_sa_file(user):
    return acces.voit_la_file_de_l_equipe(user) or acces.voit_la_file_du_territoire(user)


def referents_de_l_equipe(user):
    """The référents a manager (or the administrator) may filter the file active by, those of her
    territory's measures for the conseillère logement; None for a référent, who sees their own measures."""
    if acces.voit_la_file_du_territoire(user):
        mesures = Accompagnement.objects.visibles_par(user).actifs()
        return User.objects.filter(pk__in=mesures.values("referent_id"))
    if not acces.voit_la_file_de_l_equipe(user):
        return None
    return User.objects.referents().filter(structures__in=user.structures.all()).distinct()


def modalites_du_filtre(user):
    """The modalities the file active's filter offers: those of the user's fields (a Département's agent),
    or those their structures' kinds offer (référentiel: no FJT modality for an RSA référent)."""
    modalites = Modalite.objects.filter(accompagnee_ici=True)
    if (champs := acces.champs_visibles(user)) is not None:
        return modalites.filter(champ__in=champs)
    if acces.est_de_l_equipe(user):
        return modalites.offertes_par(*{s.type for s in user.structures.all()})
    return modalites


def compte_file_active(user, *, le):
    """What the file active lists, counted (the home page's figure; same measures, same scope)."""
    return _mesures_de_la_file(user, le).count()


def _mesures_de_la_file(user, le):
    qs = Accompagnement.objects.visibles_par(user).actifs(le)
    return qs if _voit_plus_que_sa_file(user) else qs.de_referent(user)


def _mesures_file_active(user, *, le, referent_id, modalite_id, recherche):
    qs = _mesures_de_la_file(user, le)
    if referent_id is not None and _voit_plus_que_sa_file(user):
        qs = qs.filter(referent_id=referent_id)
    if modalite_id is not None:
        qs = qs.filter(modalite_id=modalite_id)
    for mot in cle_recherche(recherche).split():
        qs = qs.filter(resident__nom_recherche__contains=mot)
    dernier_contrat = Contrat.objects.vivants().filter(accompagnement=OuterRef("pk")).order_by("-date_debut")
    # Only the columns shown: a manager's page builds a thousand rows of four objects each.
    return (
        qs.select_related("resident", "modalite", "referent")
        .only(
            "date_debut",
            "date_fin",
            "structure_id",
            "resident__nom",
            "resident__prenom",
            "resident__nom_recherche",
            "modalite__libelle",
            "referent__first_name",
            "referent__last_name",
            "referent__username",
        )
        .annotate(
            contrat_etat=Subquery(dernier_contrat.values("etat")[:1]),
            contrat_fin=Subquery(dernier_contrat.values("date_fin")[:1]),
        )
    )


def lignes_file_active(user, *, le, referent_id=None, modalite_id=None, recherche="", etat="", tri="etat"):
    """The rows of the user's file active on day `le`: each active measure with its suivi (last and next
    contact and meeting, state) and its latest contract, filtered and sorted as asked (an unknown sort is
    the state's)."""
    mesures = list(
        _mesures_file_active(user, le=le, referent_id=referent_id, modalite_id=modalite_id, recherche=recherche)
    )
    par_mesure = moteur.suivis([m.pk for m in mesures], le=le) if mesures else {}
    etats_contrat = dict(Contrat.Etat.choices)
    lignes = []
    for mesure in mesures:
        suivi = par_mesure.get(mesure.pk)
        prochaines = [
            d for d in (getattr(suivi, "prochain_contact", None), getattr(suivi, "prochaine_rencontre", None)) if d
        ]
        lignes.append(
            {
                "mesure": mesure,
                "suivi": suivi,
                "etat": getattr(suivi, "etat", None),
                "cle_prochaine": min(prochaines) if prochaines else datetime.date.max,
                "contrat": etats_contrat.get(mesure.contrat_etat, "aucun"),
            }
        )
    if etat in Etat.values:
        lignes = [ligne for ligne in lignes if ligne["etat"] == etat]
    lignes.sort(key=TRIS.get(tri.lstrip("-"), TRIS["etat"]), reverse=tri.startswith("-"))
    return lignes


# --- a person's dossier -------------------------------------------------------------------------------

ENTRETIENS_PAR_PAGE = 20
MAX_PAGES = 100_000  # beyond, an OFFSET PostgreSQL refuses: left to get_page (the last page)


def mesures_du_dossier(user, resident, *, parcours=True):
    """The person's measures the user sees, most recent first, with what the dossier shows of each.
    `parcours=False`: without what only the dossier's « Parcours » shows (co-referents, objectives and their
    evaluations, previous measure, relays: five queries), for the parts refreshed or loaded apart (the
    suivi table, the échéances, the timeline, the sections below the measures), which show the modality."""
    qs = (
        Accompagnement.objects.visibles_par(user)
        .filter(resident=resident)
        .select_related("modalite", "referent", "structure")
    )
    if parcours:
        # Rarely set: fetched apart (no query when none is), six more joins took 3 ms to plan, each time.
        qs = qs.prefetch_related(
            "precedent__modalite",
            "relais_contact__tiers",
            "relais_user",
            Prefetch("coreferents", queryset=CoReferent.objects.select_related("user", "contact__tiers")),
            Prefetch("objectifs", queryset=Objectif.objects.prefetch_related("evaluations")),
        )
    mesures = list(qs.order_by("-date_debut"))
    if parcours:
        # The exit conditions met exist only on ended measures: no query for a dossier without one.
        prefetch_related_objects(
            [m for m in mesures if m.date_fin is not None],
            Prefetch(
                "conditions_remplies",
                queryset=ConditionSortieRemplie.objects.select_related("condition").order_by("condition__ordre"),
            ),
        )
    return mesures


def _page_comptee(qs, numero):
    """The page `numero` of `qs`, its rows and their total read in one query (COUNT(*) OVER ()) rather than
    a count and then the rows. Anything else (not a number, out of range, no row) is left to get_page."""
    paginator = Paginator(qs, ENTRETIENS_PAR_PAGE)
    try:
        n = int(numero or 1)
    except ValueError:
        n = 1  # as get_page: not a number, the first page
    lignes = []
    if 1 <= n <= MAX_PAGES:
        debut = (n - 1) * ENTRETIENS_PAR_PAGE
        lignes = list(qs.annotate(total=Window(Count("pk")))[debut : debut + ENTRETIENS_PAR_PAGE])
    if not lignes:
        return paginator.get_page(numero)
    paginator.count = lignes[0].total  # a cached_property: get_page and the template ask no count
    page = paginator.page(n)
    page.object_list = lignes
    return page


def chronologie(user, resident, *, page=None, mesures=None):
    """One page of the timeline, most recent first: the entretiens (paginated, each marked `modifiable`
    or not) and, between the same dates, the workshops the person took part in (each participation
    counts as a contact). A fixed number of queries whatever the number of rows. `mesures`: the person's
    measures the page has already read (with their modality), not joined again."""
    deja_lues = {m.pk: m for m in mesures or ()}
    qs = (
        Entretien.objects.visibles_par(user)
        .filter(accompagnement__resident=resident)
        .select_related("auteur", *(() if deja_lues else ("accompagnement__modalite",)))
        # Into lists (to_attr): a related manager per entretien and field costs more than the query.
        .prefetch_related(
            Prefetch("participants", to_attr="les_participants"),
            Prefetch("partenaires", to_attr="les_partenaires"),
            Prefetch("objectifs", to_attr="les_objectifs"),
        )
        .order_by("-date_heure", "-pk")
    )
    page = _page_comptee(qs, page)
    entretiens = list(page.object_list)
    for e in entretiens:
        if e.accompagnement_id in deja_lues:
            e.accompagnement = deja_lues[e.accompagnement_id]
    mesures_lues = {e.accompagnement_id: e.accompagnement for e in entretiens}
    ecrivables = {m.pk for m in acces.mesures_modifiables(user, mesures_lues.values())}
    for e in entretiens:
        e.modifiable = (
            e.accompagnement_id in ecrivables
            and e.statut not in (Entretien.Statut.PLANIFIE, Entretien.Statut.ANNULE)
            and (not e.confidentiel or e.auteur_id == user.pk)
        )
    ateliers = Participation.objects.filter(
        resident=resident, action__in=ActionCollective.objects.visibles_par(user)
    ).select_related("action")
    if page.has_next():
        ateliers = ateliers.filter(action__date_heure__gte=entretiens[-1].date_heure)
    if page.has_previous():
        dernier_de_la_page_precedente = qs.values_list("date_heure", flat=True)[page.start_index() - 2]
        ateliers = ateliers.filter(action__date_heure__lt=dernier_de_la_page_precedente)
    elements = [*entretiens, *ateliers]
    for element in elements:
        # Both kinds carry it: a template lookup an object lacks costs a dir() of it.
        element.est_atelier = isinstance(element, Participation)
    elements.sort(key=lambda o: o.action.date_heure if isinstance(o, Participation) else o.date_heure, reverse=True)
    return {"page_entretiens": page, "chronologie": elements}


def lignes_suivi(mesures, *, le, contexte=None):
    """The suivi table: each active measure with its last and next contact and meeting and its state.
    `contexte`: the référentiel the page already read for `le` (echeances.base.Contexte)."""
    actives = [m for m in mesures if m.est_actif]
    par_mesure = moteur.suivis([m.pk for m in actives], le=le, contexte=contexte) if actives else {}
    lignes = []
    for mesure in actives:
        suivi = par_mesure.get(mesure.pk)
        lignes.append({"mesure": mesure, "suivi": suivi, "etat": getattr(suivi, "etat", None)})
    return lignes


# A référent's caseload over the norm is theirs, not the person's: it is on their home page and in their
# « À faire », not on each of their dossiers (and its query is not run for a dossier).
REGLES_DE_LA_PERSONNE = [regle for regle in Regle if regle != Regle.NORME_FILE_ACTIVE]


def echeances_a_traiter(mesures, *, le, contexte=None, resident=None):
    """What is due on the person's active measures on `le`, most urgent first (the à jour ones are the
    suivi table's); with `resident`, also her RSA parcours (an orientation awaited before any measure)."""
    ids = [m.pk for m in mesures if m.est_actif]
    parcours = resident is not None and resident.est_allocataire_rsa
    if not ids and not parcours:
        return []
    echeances = moteur.calculer(
        ids, le=le, regles=REGLES_DE_LA_PERSONNE, contexte=contexte, personnes=[resident.pk] if parcours else None
    )
    a_traiter = [e for e in echeances if e.etat != Etat.A_JOUR]
    return sorted(a_traiter, key=lambda e: (Etat.rang_de(e.etat), e.due_le))


def parties_du_dossier(user, resident):
    """What a dossier shows that an entretien just logged changes (the suivi table, the échéances to
    deal with, the first page of the timeline), sent with the answer to the entretien's POST: one
    exchange instead of three follow-up requests. The référentiel is read once for both computations."""
    mesures = mesures_du_dossier(user, resident, parcours=False)
    le = timezone.localdate()
    contexte = moteur.Contexte(le)
    return {
        "resident": resident,
        "lignes_suivi": lignes_suivi(mesures, le=le, contexte=contexte),
        "echeances": echeances_a_traiter(mesures, le=le, contexte=contexte, resident=resident),
        **chronologie(user, resident, mesures=mesures),
    }


ACTIONS_HISTORIQUE = {"+": "création", "~": "modification", "-": "suppression"}
HISTORIQUE_PAR_SORTE = 15


def historique(user, resident, mesures):
    """The latest changes of the person's file (who, when, what): identity, measures, the entretiens
    the user may read (never a note's text), objectives, co-referents. One query per kind."""
    ids = [m.pk for m in mesures]
    lisibles = Entretien.objects.visibles_par(user).filter(accompagnement_id__in=ids).values("pk")
    sortes = [
        (resident.history.all(), lambda h: "de l'identité"),
        (
            Accompagnement.history.filter(id__in=ids).select_related("modalite"),
            lambda h: f"de la mesure {h.modalite.libelle}",
        ),
        (
            Entretien.history.filter(id__in=lisibles),
            lambda h: f"de l'entretien du {timezone.localtime(h.date_heure):%d/%m/%Y} ({h.get_type_display()})",
        ),
        (Objectif.history.filter(accompagnement_id__in=ids), lambda h: f"de l'objectif « {h.libelle} »"),
        (
            CoReferent.history.filter(accompagnement_id__in=ids).select_related("user", "contact__tiers"),
            lambda h: f"du co-référent {h.user or h.contact}",
        ),
    ]
    lignes = []
    for qs, objet in sortes:
        for h in qs.select_related("history_user").order_by("-history_date")[:HISTORIQUE_PAR_SORTE]:
            lignes.append(
                {
                    "date": h.history_date,
                    "auteur": h.history_user,
                    "action": ACTIONS_HISTORIQUE.get(h.history_type, "modification"),
                    "objet": objet(h),
                }
            )
    return sorted(lignes, key=lambda ligne: ligne["date"], reverse=True)[:20]


# --- the agenda ----------------------------------------------------------------------------------------


def rendez_vous_de_l_agenda(user, *, debut, fin, referent_id=None):
    """The planned rendez-vous between two aware datetimes, in time order: a référent's own measures'; for a
    manager, those of their structures (of one référent with `referent_id`, one of referents_de_l_equipe).
    Always inside Entretien.visibles_par: nobody sees more here than in the files."""
    qs = (
        Entretien.objects.visibles_par(user)
        .rendez_vous()
        .filter(date_heure__gte=debut, date_heure__lt=fin)
        .select_related("accompagnement__resident", "accompagnement__modalite", "accompagnement__referent")
        .order_by("date_heure", "pk")
    )
    if not acces.voit_la_file_de_l_equipe(user):
        return qs.filter(accompagnement__referent=user)
    if not user.is_administrateur:
        qs = qs.filter(accompagnement__structure__in=user.structures.all())
    if referent_id is not None:
        qs = qs.filter(accompagnement__referent_id=referent_id)
    return qs


def _minuit(jour):
    return timezone.make_aware(datetime.datetime.combine(jour, datetime.time.min))


def agenda_demande(user, donnees, aujourdhui):
    """The agenda the query string asks for (the screen and its export): (the period, the référents a
    manager may pick or None, the one picked or None, the period's rendez-vous). A bad date or view falls
    back to today's week; a référent's pick is ignored."""
    periode = periodes.periode(donnees.get("vue", "semaine"), periodes.lire_jour(donnees.get("date"), aujourdhui))
    referents = referents_de_l_equipe(user)
    referent_id = entier(donnees.get("referent", "")) if referents is not None else None
    rdvs = rendez_vous_de_l_agenda(
        user, debut=_minuit(periode.debut), fin=_minuit(periode.fin), referent_id=referent_id
    )
    return periode, referents, referent_id, rdvs


def ateliers_de(user):
    """The workshops list (the screen and its export), the latest first, with their number of participants."""
    return (
        ActionCollective.objects.visibles_par(user)
        .select_related("structure")
        .annotate(nb_participants=Count("participations", distinct=True))
        .order_by("-date_heure", "pk")
    )


# --- the cadence of the workshops --------------------------------------------------------------------

CADENCE = ("ATELIERS_PAR_MOIS_MIN", "ATELIERS_PAR_MOIS_MAX", "ATELIER_PARTICIPANTS_MIN", "ATELIER_PARTICIPANTS_MAX")


def cadence_des_ateliers(user, *, le):
    """For each structure of the user: this month's workshops held (not cancelled) and their average
    number of participants, beside what the référentiel expects of its territory (seed 003: 2 to 3 a
    month, 5 to 6 people)."""
    from referentiel.models import Territoire
    from referentiel.regles import parametres_par_territoire

    structures = list(user.structures.select_related("territoire")) if acces.est_de_l_equipe(user) else []
    if not structures:
        return []
    debut = timezone.make_aware(datetime.datetime.combine(le.replace(day=1), datetime.time.min))
    fin_mois = (le.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    fin = timezone.make_aware(datetime.datetime.combine(fin_mois, datetime.time.min))
    ateliers = (
        ActionCollective.objects.visibles_par(user)
        .tenues()
        .filter(structure__in=structures, date_heure__gte=debut, date_heure__lt=fin)
        .values("structure")
        .annotate(nombre=Count("pk", distinct=True), participations=Count("participations"))
    )
    par_structure = {ligne["structure"]: ligne for ligne in ateliers}
    valeurs = parametres_par_territoire(Territoire.objects.filter(pk__in={s.territoire_id for s in structures}))
    lignes = []
    for structure in structures:
        ligne = par_structure.get(structure.pk, {"nombre": 0, "participations": 0})
        attendu = {code: valeurs.get((structure.territoire_id, code)) for code in CADENCE}
        lignes.append(
            {
                "structure": structure,
                "nombre": ligne["nombre"],
                "moyenne": round(ligne["participations"] / ligne["nombre"], 1) if ligne["nombre"] else None,
                "mois_min": attendu["ATELIERS_PAR_MOIS_MIN"],
                "mois_max": attendu["ATELIERS_PAR_MOIS_MAX"],
                "participants_min": attendu["ATELIER_PARTICIPANTS_MIN"],
                "participants_max": attendu["ATELIER_PARTICIPANTS_MAX"],
            }
        )
    return lignes
