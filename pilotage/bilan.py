"""Bilan annuel RSA (tableau du référentiel des Vosges), OSA and ASLL yearly figures (domain.md §7).

Everything is computed in a few set-based queries (COUNT(DISTINCT …) FILTER (WHERE …) grouped by
structure), over the measures the user may see (`visibles_par`), for one calendar year.

Readings of the Vosges table (« ARSA accompagnés / dont Veille / dont Mobilisation sociale / dont
Accompagnement socioprofessionnel / Poursuite de l'accompagnement / NB de sorties »):
- a row is a structure (the convention's holder or the MSVS), with the measures it held;
- « accompagnés »: distinct people with an RSA measure accompanied here (veille, mobilisation sociale,
  socioprofessionnel — the France Travail orientation is not accompanied here) that overlaps the year;
- « dont <modalité> »: distinct people with a measure of that modality overlapping the year. A person
  re-oriented mid-year counts ONCE in « accompagnés » and once in EACH modality she went through, so
  the « dont » columns may add up to more than « accompagnés » (the table says « dont », not a split);
- « poursuite »: people with an RSA measure of the row still open on 31 December;
- « sorties »: the others, i.e. people whose every RSA measure of the row ended during the year.
  A re-orientation inside the RSA accompaniment is therefore not an exit; a re-orientation to France
  Travail is one. Each person is exactly one of « poursuite » or « sorties »;
- the total line counts each person once, even if she was held by two structures in the year.
The exits list gives, per exit, the last measure that ended (its reason and destination).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce, ExtractIsoYear, ExtractWeek, TruncDate

from accompagnement.models import Accompagnement, Entretien, Participation
from contrats.models import Contrat
from referentiel.models import Champ, Modalite, TypeContrat

MODALITES_BILAN = (Modalite.Code.RSA_VEILLE, Modalite.Code.RSA_MOBILISATION, Modalite.Code.RSA_SOCIOPRO)
COLONNES_RSA = [
    ("accompagnes", "BRSA accompagnés"),
    ("veille", "dont veille"),
    ("mobilisation", "dont mobilisation sociale"),
    ("sociopro", "dont accompagnement socioprofessionnel"),
    ("poursuite", "poursuite de l'accompagnement au 31/12"),
    ("sorties", "nombre de sorties"),
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
            **{k: row[k] for k in agregats},
        )
        for row in qs.values("structure_id", "structure__nom", "structure__territoire__nom")
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


def osa(user, annee):
    """Hours of activity per ISO week and RSA modality: honoured entretiens' durations plus the
    workshops attended by a person during one of her RSA measures. {(iso_annee, semaine): {code: heures}}"""
    debut, fin = bornes(annee)
    mesures = Accompagnement.objects.visibles_par(user).filter(modalite__champ=Champ.INSERTION)
    entretiens = (
        Entretien.objects.contacts()
        .filter(accompagnement__in=mesures, date_heure__date__gte=debut, date_heure__date__lte=fin)
        .annotate(a=ExtractIsoYear("date_heure"), s=ExtractWeek("date_heure"), code=F("accompagnement__modalite__code"))
        .values("a", "s", "code")
        .annotate(minutes=Coalesce(Sum("duree_minutes"), 0), personnes=Count("accompagnement__resident", distinct=True))
    )
    jour = TruncDate("action__date_heure")
    ateliers = (
        Participation.objects.filter(
            action__date_heure__date__gte=debut,
            action__date_heure__date__lte=fin,
            resident__accompagnements__in=mesures,
            resident__accompagnements__date_debut__lte=jour,
        )
        .filter(Q(resident__accompagnements__date_fin__isnull=True) | Q(resident__accompagnements__date_fin__gte=jour))
        .annotate(
            a=ExtractIsoYear("action__date_heure"),
            s=ExtractWeek("action__date_heure"),
            code=F("resident__accompagnements__modalite__code"),
        )
        .values("a", "s", "code")
        .annotate(minutes=Coalesce(Sum("action__duree_minutes"), 0), personnes=Count("resident", distinct=True))
    )
    semaines = {}
    for row in list(entretiens) + list(ateliers):
        cellule = semaines.setdefault((row["a"], row["s"]), {}).setdefault(row["code"], [0, 0])
        cellule[0] += row["minutes"]
        cellule[1] = max(cellule[1], row["personnes"])
    return {
        cle: {code: round(minutes / 60, 2) for code, (minutes, _p) in par_code.items()}
        for cle, par_code in sorted(semaines.items())
    }


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
