"""« À faire »: what a user's list contains, defined once. The list (echeances.views), the home page's
figures (accounts.tableau) and the navigation badge all read it here, so they never disagree.

- a Département's agent (délégué insertion, conseillère logement): contracts waiting for validation and
  measures without a contract, on the measures of their territories;
- the manager (and the administrator): every échéance of the measures they see (the whole structure);
- a référent: the échéances of the measures they see where they are among those who must act.
Which measures a user sees stays the business of accounts.acces."""

from collections import Counter

from django.db.models import Q
from django.utils import timezone

from accompagnement.models import Accompagnement
from accounts import acces
from residents.models import Resident

from .choix import Etat, Regle
from .models import Alerte
from .moteur import calculer

REGLES_DU_TERRITOIRE = frozenset(
    {
        Regle.VALIDATION_EN_ATTENTE,
        Regle.CONTRAT_MANQUANT,
        Regle.REORIENTATION_DEMANDEE,
        Regle.SANCTION_OBSERVATIONS,
        Regle.SANCTION_DECISION,
    }
)


def mesures_a_faire(user, le=None):
    return Accompagnement.objects.visibles_par(user).actifs(le or timezone.localdate())


def personnes_a_faire(user):
    """The people whose RSA parcours the user sees (an orientation awaited, a référent to designate)."""
    return Resident.objects.visibles_par(user).allocataires_rsa()


def regles_a_faire(user):
    """The rule codes the user's list shows (None: all of them)."""
    return REGLES_DU_TERRITOIRE if acces.est_agent_du_territoire(user) else None


def _seulement_les_siennes(user):
    return not (acces.est_agent_du_territoire(user) or acces.voit_la_file_de_l_equipe(user))


def echeances_a_faire(user, *, le=None, mesures=None, regles=None, personnes=None):
    """The échéances the user's « À faire » lists (« à jour » ones left out), sorted by due date.
    `mesures` and `personnes` narrow the set (the administrator's one structure at a time); `regles` names
    the rules of the délégué's screen for an administrator who opens it (a territory agent has them anyway)."""
    le = le or timezone.localdate()
    if mesures is None:
        mesures = mesures_a_faire(user, le)
    if personnes is None:
        personnes = personnes_a_faire(user)
    seules = _seulement_les_siennes(user)
    return [
        e
        for e in calculer(mesures, le=le, regles=regles or regles_a_faire(user), personnes=personnes)
        if e.etat != Etat.A_JOUR and (not seules or user.pk in e.destinataires)
    ]


def compte_a_faire(user, *, le=None):
    """{Etat: number} of the échéances of the user's list: the home page's figures."""
    return Counter(e.etat for e in echeances_a_faire(user, le=le))


def alertes_listees():
    """The stored alerts a list shows a row for: acknowledged ones stay listed (the engine still computes
    them), closed ones (cause gone) do not."""
    return Alerte.objects.exclude(statut=Alerte.Statut.FERMEE)


def alertes_a_faire(user):
    """The stored alerts matching the rows of the user's list (one query, for the badge on every page):
    same measures, same rules, same « must act » filter, same statuses (alertes_listees). The morning job
    and the writes keep them in step with the engine."""
    mesures = mesures_a_faire(user)
    # An échéance on no measure (a référent's caseload over the norm) belongs to the measures' structures.
    qs = alertes_listees().filter(
        Q(accompagnement__in=mesures)
        | Q(accompagnement__isnull=True, structure__in=mesures.values("structure_id"))
        # the parcours of a person nobody accompanies yet (regles_parcours)
        | Q(accompagnement__isnull=True, resident__in=personnes_a_faire(user).values("pk"))
    )
    regles = regles_a_faire(user)
    if regles is not None:
        qs = qs.filter(regle__in=regles)
    if _seulement_les_siennes(user):
        qs = qs.pour(user)
    return qs
