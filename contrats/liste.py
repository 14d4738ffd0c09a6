"""« Mes contrats » (and a manager's « Contrats de la structure »): which contracts, in which order, with
which status. Everything is computed in the database (annotations) so a list of hundreds is filtered,
ordered « à traiter » first and paged without reading every contract."""

from django.db.models import Case, CharField, DateField, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.text import capfirst

from accounts import acces
from referentiel.models import TypeContrat
from residents.texte import cle_recherche

from .models import Contrat, Partie, Signature, Transition

E = Contrat.Etat

# The status shown in the list: the state, except for a contract in force, which is placed in time. An
# ended contract is never shown as still « validé ».
A_VENIR, EN_COURS, REMPLACE, TERMINE, EXPIRE = "A_VENIR", "EN_COURS", "REMPLACE", "TERMINE", "EXPIRE"
STATUTS = {
    **{e.value: e.label for e in E if e not in Contrat.ETATS_EN_VIGUEUR},
    A_VENIR: "signé, à venir",
    EN_COURS: "en cours",
    REMPLACE: "remplacé (avenant)",
    TERMINE: "terminé (renouvelé)",
    EXPIRE: "expiré",
}
A_TRAITER = "a_traiter"
CHOIX_STATUT = [
    (A_TRAITER, "À traiter"),
    *[
        (code, capfirst(STATUTS[code]))
        for code in (
            E.BROUILLON,
            E.EN_SIGNATURE,
            E.EN_VALIDATION,
            E.DIFFERE,
            A_VENIR,
            EN_COURS,
            TERMINE,
            EXPIRE,
            REMPLACE,
            E.ROMPU,
            E.REFUSE,
            E.ANNULE,
        )
    ],
]
# Why a contract waits for the user (the first matching reason).
MOTIFS = {
    "BROUILLON": "brouillon à terminer",
    "SIGNATURE": "votre signature est attendue",
    "DIFFERE": "réponse attendue par le délégué insertion",
    "REFUSE": "refusé : un nouveau contrat est à préparer",
}
ACTIONS_DU_DELEGUE = ("validation", "validation différée", "refus")
EN_COURS_OU_EN_PREPARATION = (E.EN_SIGNATURE, E.EN_VALIDATION, A_VENIR, EN_COURS)


def voit_la_structure(user):
    """A manager (or the administrator) sees the contracts of every référent of the structure."""
    return acces.voit_la_file_de_l_equipe(user)


def contrats_de(user):
    qs = Contrat.objects.visibles_par(user)
    if not voit_la_structure(user):
        qs = qs.filter(accompagnement__referent=user)
    return qs


def _signature(partie):
    return Signature.objects.filter(
        version__contrat=OuterRef("pk"), version__numero=OuterRef("numero_version"), partie=partie
    )


def annoter(qs, user, le=None):
    le = le or timezone.localdate()
    remplace = Contrat.objects.filter(
        avenant_de=OuterRef("origine"), etat__in=Contrat.ETATS_EN_VIGUEUR, date_debut=OuterRef("date_fin")
    )
    renouvele = Contrat.objects.filter(precedent=OuterRef("pk")).exclude(etat__in=[E.ANNULE, E.REFUSE])
    # A refusal is answered by a new contract of the measure (or a new avenant) drafted after it (a later row).
    repris = Contrat.objects.filter(accompagnement=OuterRef("accompagnement"), pk__gt=OuterRef("pk")).exclude(
        etat__in=[E.ANNULE, E.REFUSE]
    )
    ma_signature = Q(accompagnement__referent=user) & ~Q(type=TypeContrat.TRIPARTITE) & Q(signe_referent=False)
    if acces.signe_pour_la_structure(user):
        ma_signature |= (
            Q(type__in=[TypeContrat.COM, TypeContrat.TRIPARTITE])
            & Q(accompagnement__structure__in=acces.structures_de(user))
            & Q(signe_responsable=False)
        )
    qs = qs.annotate(
        origine=Case(When(avenant_de__isnull=False, then=F("avenant_de")), default=F("pk")),
        remplace=Exists(remplace),
        renouvele=Exists(renouvele),
        repris=Exists(repris),
        signe_referent=Exists(_signature(Partie.REFERENT)),
        signe_responsable=Exists(_signature(Partie.RESPONSABLE)),
    )
    return qs.annotate(
        statut=Case(
            When(~Q(etat__in=Contrat.ETATS_EN_VIGUEUR), then=F("etat")),
            When(date_debut__gt=le, then=Value(A_VENIR)),
            When(date_fin__gt=le, then=Value(EN_COURS)),
            When(remplace=True, then=Value(REMPLACE)),
            When(renouvele=True, then=Value(TERMINE)),
            default=Value(EXPIRE),
            output_field=CharField(),
        ),
        a_traiter=Case(
            When(etat=E.BROUILLON, then=Value("BROUILLON")),
            When(Q(etat=E.EN_SIGNATURE) & ma_signature, then=Value("SIGNATURE")),
            When(etat=E.DIFFERE, then=Value("DIFFERE")),
            When(etat=E.REFUSE, repris=False, then=Value("REFUSE")),
            default=Value(""),
            output_field=CharField(),
        ),
    ).annotate(
        rang=Case(
            When(~Q(a_traiter=""), then=Value(0)),
            When(statut__in=EN_COURS_OU_EN_PREPARATION, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    )


def filtrer(qs, *, personne="", type="", statut="", referent=None, validateur=None):
    for mot in cle_recherche(personne).split():
        qs = qs.filter(accompagnement__resident__nom_recherche__contains=mot)
    if type:
        qs = qs.filter(type=type)
    if statut == A_TRAITER:
        qs = qs.exclude(a_traiter="")
    elif statut:
        qs = qs.filter(statut=statut)
    if referent is not None:
        qs = qs.filter(accompagnement__referent=referent)
    if validateur is not None:
        qs = qs.filter(
            Exists(Transition.objects.filter(contrat=OuterRef("pk"), action__in=ACTIONS_DU_DELEGUE, par=validateur))
        )
    return qs


def ordonner(qs):
    """À traiter first, then the contracts in force or being prepared (the nearest end first), then the
    ended ones (the latest first)."""
    prochaine_fin = Case(When(rang__lt=2, then=F("date_fin")), default=None, output_field=DateField())
    return qs.order_by("rang", prochaine_fin.asc(nulls_last=True), "-date_fin", "pk")


def validateurs(qs):
    """The délégués who decided one of these contracts (the choices of the « validé par » filter)."""
    from accounts.models import User

    decideurs = Transition.objects.filter(contrat__in=qs.values("pk"), action__in=ACTIONS_DU_DELEGUE).values("par")
    return User.objects.filter(pk__in=decideurs).order_by("last_name", "first_name")


def decorer(contrats):
    """The labels of one page's rows."""
    for contrat in contrats:
        contrat.statut_libelle = STATUTS[contrat.statut]
        contrat.motif_a_traiter = MOTIFS.get(contrat.a_traiter, "")
    return contrats
