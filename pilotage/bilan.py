"""Bilan annuel RSA (tableau du référentiel des Vosges), OSA and ASLL yearly figures (domain.md §7).

Everything is computed in a few set-based queries (COUNT(DISTINCT …) FILTER (WHERE …) grouped by
structure), over the measures the user may see (`visibles_par`), for one calendar year.

The Vosges table (« Convention n° | ARSA accompagnés : Dont Veille, Dont Mobilisation sociale, Dont
Accompagnement socioprofessionnel | Poursuite de l'accompagnement | NB de sorties * », one row per
MSVS) is read as follows:
- a row is a structure (the convention's holder or the MSVS), with the measures it held. The
  « Convention n° » column shows the structure's `numero_convention`, or its name when none is
  recorded (LigneBilan.convention);
- « ARSA accompagnés »: distinct people with an RSA measure accompanied here (veille, mobilisation
  sociale, socioprofessionnel — the France Travail orientation is not accompanied here) that overlaps
  the year. The référentiel's header groups the three « Dont » columns under it; the number itself is
  shown as a « Total » sub-column;
- « Dont <modalité> »: distinct people with a measure of that modality overlapping the year. A person
  re-oriented mid-year counts ONCE in « ARSA accompagnés » and once in EACH modality she went
  through, so the « Dont » columns may add up to more than the total (the table says « dont », not a
  split);
- « Poursuite de l'accompagnement »: people with an RSA measure of the row still open on 31 December;
- « NB de sorties »: the others, i.e. people whose every RSA measure of the row ended during the
  year. A re-orientation inside the RSA accompaniment is therefore not an exit; a re-orientation to
  France Travail is one. Each person is exactly one of « poursuite » or « sorties »;
- the total line counts each person once, even if she was held by two structures in the year.
The exits list (the référentiel's second bilan) gives, per exit, the last measure that ended (its
reason and destination).
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, ExtractIsoYear, ExtractWeek, TruncDate

from accompagnement.models import Accompagnement, Entretien, Participation
from contrats.models import Contrat
from referentiel.models import Modalite, TypeContrat

MODALITES_BILAN = (Modalite.Code.RSA_VEILLE, Modalite.Code.RSA_MOBILISATION, Modalite.Code.RSA_SOCIOPRO)
# The référentiel's wording (two-row header in templates/pilotage/bilan.html).
COLONNES_RSA = [
    ("accompagnes", "ARSA accompagnés"),
    ("veille", "Dont Veille"),
    ("mobilisation", "Dont Mobilisation sociale"),
    ("sociopro", "Dont Accompagnement socioprofessionnel"),
    ("poursuite", "Poursuite de l'accompagnement"),
    ("sorties", "NB de sorties"),
]


def bornes(annee):
    return datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)


def mesures_rsa_de_l_annee(user, annee):
    debut, fin = bornes(annee)
    return (
        Accompagnement.objects.visibles_par(user)
        .filter(modalite__code__in=MODALITES_BILAN, date_debut__lte=fin)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=debut))
    )


def _agregats(annee):
    _debut, fin = bornes(annee)
    en_cours = Q(date_fin__isnull=True) | Q(date_fin__gt=fin)

    def personnes(condition=None):
        return Count("resident", distinct=True, filter=condition)

    return {
        "accompagnes": personnes(),
        "veille": personnes(Q(modalite__code=Modalite.Code.RSA_VEILLE)),
        "mobilisation": personnes(Q(modalite__code=Modalite.Code.RSA_MOBILISATION)),
        "sociopro": personnes(Q(modalite__code=Modalite.Code.RSA_SOCIOPRO)),
        "poursuite": personnes(en_cours),
    }


@dataclass
class LigneBilan:
    structure_id: int | None
    structure: str
    territoire: str
    accompagnes: int
    veille: int
    mobilisation: int
    sociopro: int
    poursuite: int
    numero_convention: str = ""

    @property
    def convention(self):
        """The « Convention n° » cell: the convention's number, else the structure's name."""
        return self.numero_convention or self.structure

    @property
    def sorties(self):
        return self.accompagnes - self.poursuite

    def valeurs(self):
        return [getattr(self, cle) for cle, _ in COLONNES_RSA]


def bilan_rsa(user, annee, *, structure=None):
    """(rows per structure, total row) of the Vosges table for `annee`; two queries."""
    qs = mesures_rsa_de_l_annee(user, annee)
    if structure is not None:
        qs = qs.filter(structure=structure)
    agregats = _agregats(annee)
    lignes = [
        LigneBilan(
            structure_id=row["structure_id"],
            structure=row["structure__nom"],
            territoire=row["structure__territoire__nom"],
            numero_convention=row["structure__numero_convention"],
            **{k: row[k] for k in agregats},
        )
        for row in qs.values(
            "structure_id", "structure__nom", "structure__numero_convention", "structure__territoire__nom"
        )
        .annotate(**agregats)
        .order_by("structure__territoire__nom", "structure__nom")
    ]
    total = qs.aggregate(**agregats)
    return lignes, LigneBilan(structure_id=None, structure="Total", territoire="", **total)


def sorties_rsa(user, annee, *, structure=None):
    """The year's exits: per person and structure, the last RSA measure, when none is open on 31/12."""
    _debut, fin = bornes(annee)
    qs = mesures_rsa_de_l_annee(user, annee)
    if structure is not None:
        qs = qs.filter(structure=structure)
    encore = Accompagnement.objects.filter(
        modalite__code__in=MODALITES_BILAN,
        resident=OuterRef("resident"),
        structure=OuterRef("structure"),
        date_debut__lte=fin,
    ).filter(Q(date_fin__isnull=True) | Q(date_fin__gt=fin))
    return (
        qs.filter(date_fin__lte=fin)
        .exclude(Exists(encore))
        .select_related("resident", "modalite", "structure", "referent")
        .order_by("resident_id", "structure_id", "-date_fin", "-pk")
        .distinct("resident_id", "structure_id")
    )


# --- OSA ---------------------------------------------------------------------------------------


@dataclass
class ActiviteOSA:
    """Hours of activity of one week (for one modality, or all of them) and how many people they concern."""

    minutes: int = 0
    nb_personnes: int = 0

    @property
    def heures(self):
        return round(self.minutes / 60, 2)

    @property
    def heures_par_personne(self):
        return round(self.minutes / 60 / self.nb_personnes, 2) if self.nb_personnes else 0

    def valeurs(self):
        return [self.heures, self.nb_personnes, self.heures_par_personne]


MOIS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


@dataclass
class SemaineOSA:
    annee: int  # ISO year and week: the last days of December may belong to week 1 of the next year
    semaine: int
    par_modalite: dict = field(default_factory=dict)  # modality code -> ActiviteOSA
    total: ActiviteOSA = field(default_factory=ActiviteOSA)

    @property
    def lundi(self):
        return datetime.date.fromisocalendar(self.annee, self.semaine, 1)

    @property
    def libelle(self):
        """« semaine du 19 mai 2025 » (its Monday), as readers of the OSA write it, not « 2025-S21 »."""
        lundi = self.lundi
        jour = "1er" if lundi.day == 1 else str(lundi.day)
        return f"semaine du {jour} {MOIS[lundi.month - 1]} {lundi.year}"


def osa(user, annee):
    """OSA: hours of activity per ISO week and RSA modality, and per person, as a list of SemaineOSA.

    Activity = the honoured entretiens' durations (filed under their measure's modality) plus the
    workshops a person attended, each filed under the ONE RSA measure she had on the workshop's day
    (the most recently started if two overlap): a person re-oriented mid-year has her workshops
    under the modality of the day, never twice. « Personnes » are the people with at least one
    recorded activity in the week (and modality); hours per person = hours / personnes, the figure
    to compare with the weekly target per person (ACTIVITE_HEBDO_HEURES). The total of a week counts
    a person once even if she was in two modalities that week."""
    debut, fin = bornes(annee)
    mesures = Accompagnement.objects.visibles_par(user).filter(modalite__code__in=MODALITES_BILAN)
    # One row per activity (a, s, code, personne, minutes), both sources in the same column order.
    entretiens = (
        Entretien.objects.contacts()
        .filter(accompagnement__in=mesures, date_heure__date__gte=debut, date_heure__date__lte=fin)
        .annotate(
            a=ExtractIsoYear("date_heure"),
            s=ExtractWeek("date_heure"),
            code=F("accompagnement__modalite__code"),
            personne=F("accompagnement__resident_id"),
            minutes=Coalesce("duree_minutes", 0),
        )
        .values("a", "s", "code", "personne", "minutes")
    )
    mesure_du_jour = (
        mesures.filter(resident=OuterRef("resident"), date_debut__lte=OuterRef("jour"))
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=OuterRef("jour")))
        .order_by("-date_debut", "-pk")
        .values("modalite__code")[:1]
    )
    ateliers = (
        Participation.objects.filter(action__date_heure__date__gte=debut, action__date_heure__date__lte=fin)
        .annotate(jour=TruncDate("action__date_heure"))
        .annotate(
            a=ExtractIsoYear("action__date_heure"),
            s=ExtractWeek("action__date_heure"),
            code=Subquery(mesure_du_jour),
            personne=F("resident_id"),
            minutes=Coalesce("action__duree_minutes", 0),
        )
        .filter(code__isnull=False)
        .values("a", "s", "code", "personne", "minutes")
    )
    # Summed in PostgreSQL, per week and modality and per week (a person once in the week's total):
    # a row per person and week brought millions of rows into Python on a département.
    sql, params = entretiens.union(ateliers, all=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # The inner SQL is Django's, with its parameters passed apart.
            f"SELECT a, s, code, GROUPING(code) = 1, count(DISTINCT personne), sum(minutes) FROM ({sql}) t "  # noqa: S608
            "GROUP BY GROUPING SETS ((a, s, code), (a, s))",
            params,
        )
        lignes = cursor.fetchall()
    semaines = {}
    for a, s, code, total, personnes, minutes in lignes:
        a, s = int(a), int(s)  # EXTRACT gives a numeric
        semaine = semaines.setdefault((a, s), SemaineOSA(a, s))
        activite = ActiviteOSA(minutes=int(minutes or 0), nb_personnes=personnes)
        if total:
            semaine.total = activite
        else:
            semaine.par_modalite[code] = activite
    return [semaines[cle] for cle in sorted(semaines)]


def modalites_osa(semaines):
    """(code, libellé) of the modalities present in the OSA, in the référentiel table's order."""
    presentes = {code for semaine in semaines for code in semaine.par_modalite}
    libelles = dict(Modalite.objects.filter(code__in=presentes).values_list("code", "libelle"))
    return [(code, libelles[code]) for code in MODALITES_BILAN if code in presentes]


# --- ASLL ----------------------------------------------------------------------------------------


def chiffres_asll(user, annee):
    """Households, measures opened, plans renewed, measures ended and their reasons, for `annee`."""
    debut, fin = bornes(annee)
    qs = Accompagnement.objects.visibles_par(user).filter(modalite__code=Modalite.Code.ASLL)
    annee_qs = qs.filter(date_debut__lte=fin).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=debut))
    chiffres = annee_qs.aggregate(
        mesures=Count("pk", distinct=True),
        # A household is the ménage when recorded, else the person alone (negative ids cannot collide).
        menages=Count(Coalesce("resident__menage_id", -F("resident_id")), distinct=True),
        ouvertes=Count("pk", distinct=True, filter=Q(date_debut__gte=debut)),
        terminees=Count("pk", distinct=True, filter=Q(date_fin__lte=fin)),
    )
    chiffres["renouvelees"] = (
        Contrat.objects.vivants()
        .filter(
            accompagnement__in=qs,
            type=TypeContrat.PLAN_ASLL,
            numero_renouvellement__gt=0,
            avenant_de__isnull=True,  # an avenant carries its contract's number: not another renewal
            date_debut__gte=debut,
            date_debut__lte=fin,
        )
        .count()
    )
    motifs = dict(Accompagnement.MotifFin.choices)
    chiffres["motifs"] = [
        (motifs.get(row["motif_fin"], row["motif_fin"]), row["n"])
        for row in annee_qs.filter(date_fin__lte=fin).values("motif_fin").annotate(n=Count("pk")).order_by("-n")
    ]
    return chiffres
