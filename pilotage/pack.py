"""The committee pack (dossier de comité): one line per measure of the référent, with what the chair
needs to decide, computed in a fixed number of queries whatever the caseload.

Frequencies « kept over the period » (a quarter for the RSA, a month for the ASLL) come from the
échéance engine — the only place a due date is computed: a measure is « tenue » when its contact and
its physical meeting were overdue on no day of the period (`moteur.frequences_respectees`)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from accompagnement.models import Accompagnement, EvaluationObjectif, Objectif
from contrats.models import Contrat
from echeances import moteur
from echeances.choix import Etat

from .models import ComiteSuivi, DecisionComite

MOIS_PAR_PERIODE = {ComiteSuivi.Type.TRIMESTRIEL_RSA: 3, ComiteSuivi.Type.MENSUEL_ASLL: 1}


def mesures_du_comite(comite, user):
    """The référent's measures of the committee's field that were active during the period, as the
    user may see them."""
    debut = debut_periode(comite)
    return (
        Accompagnement.objects.visibles_par(user)
        .filter(comite.filtre_mesures, referent_id=comite.referent_id)
        .filter(modalite__accompagnee_ici=True, date_debut__lte=comite.date)
        .filter(Q(date_fin__isnull=True) | Q(date_fin__gte=debut))
    )


def debut_periode(comite):
    return comite.date - relativedelta(months=MOIS_PAR_PERIODE[comite.type])


@dataclass
class LignePack:
    mesure: Accompagnement
    contrat: Contrat | None
    suivi: object | None
    tenue: bool | None
    objectifs: list
    alertes: list
    decision: DecisionComite | None
    precedente: DecisionComite | None
    contacts_periode: int
    nouveautes: list = field(default_factory=list)
    # From the engine for a measure active on the committee's day; as of its end for one ended during
    # the period (the engine's `suivis` only covers active measures).
    dernier_contact: datetime.date | None = None
    derniere_rencontre: datetime.date | None = None

    @property
    def terminee(self):
        return self.suivi is None and self.mesure.date_fin is not None


def pack(comite, user, ids=None):
    """[LignePack] ordered by name, plus the previous committee of the same kind for the référent.
    `ids`: only these measures (one card)."""
    qs = mesures_du_comite(comite, user)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    debut = debut_periode(comite)
    precedent = (
        ComiteSuivi.objects.visibles_par(user)
        .filter(type=comite.type, referent_id=comite.referent_id, date__lt=comite.date)
        .order_by("-date")
        .first()
    )
    mesures = list(
        qs.select_related("resident", "modalite", "precedent__modalite").order_by(
            "resident__nom", "resident__prenom", "pk"
        )
    )
    ids = [m.pk for m in mesures]
    objectifs_par_mesure, contrats_par_mesure = _objectifs_et_contrats(ids)
    contacts = _contacts_de_la_periode(ids, debut, comite.date)
    ids_qs = Accompagnement.objects.filter(pk__in=ids)
    contexte = moteur.Contexte(comite.date)  # the référentiel read once for the three computations
    suivis = moteur.suivis(ids_qs, le=comite.date, contexte=contexte) if ids else {}
    tenues = moteur.frequences_respectees(ids_qs, debut=debut, le=comite.date, contexte=contexte) if ids else {}
    alertes = defaultdict(list)
    if ids:
        for echeance in moteur.calculer(ids_qs, le=comite.date, contexte=contexte):
            if echeance.accompagnement_id and echeance.etat != Etat.A_JOUR:
                alertes[echeance.accompagnement_id].append(echeance)
    decisions = {
        d.accompagnement_id: d
        for d in comite.decisions.filter(accompagnement_id__in=ids).select_related("modalite_cible")
    }
    precedentes = {}
    if precedent is not None:
        precedentes = {
            d.accompagnement_id: d
            for d in precedent.decisions.filter(accompagnement_id__in=ids).select_related("modalite_cible")
        }
    lignes = []
    for m in mesures:
        contrats_m = contrats_par_mesure.get(m.pk, [])
        contrat = next((c for c in contrats_m if c.date_debut <= comite.date), contrats_m[-1] if contrats_m else None)
        suivi = suivis.get(m.pk)
        _n, dernier_contact, derniere_rencontre = contacts.get(m.pk, (0, None, None))
        if suivi is not None:
            dernier_contact, derniere_rencontre = suivi.dernier_contact, suivi.derniere_rencontre
        lignes.append(
            LignePack(
                mesure=m,
                contrat=contrat,
                suivi=suivi,
                tenue=tenues.get(m.pk),
                objectifs=objectifs_par_mesure.get(m.pk, []),
                alertes=alertes.get(m.pk, []),
                decision=decisions.get(m.pk),
                precedente=precedentes.get(m.pk),
                contacts_periode=contacts.get(m.pk, (0,))[0],
                nouveautes=_nouveautes(m, precedent, contrats_m, objectifs_par_mesure.get(m.pk, [])),
                dernier_contact=dernier_contact,
                derniere_rencontre=derniere_rencontre,
            )
        )
    return lignes, precedent


_SQL_CONTACTS = """
WITH m AS (
    SELECT a.id, a.resident_id, a.date_debut,
           -- the end of the measure's last local day in the period
           ((least(coalesce(a.date_fin, %(fin)s), %(fin)s) + 1)::timestamp AT TIME ZONE %(tz)s) AS jusqu_a
    FROM accompagnement_accompagnement a WHERE a.id = ANY(%(ids)s::bigint[])
),
ent AS (
    SELECT e.accompagnement_id AS id, count(*) FILTER (WHERE e.date_heure >= %(depuis)s) AS n,
           max(e.date_heure) AS dernier, max(e.date_heure) FILTER (WHERE e.physique) AS derniere_rencontre
    FROM m JOIN accompagnement_entretien e ON e.accompagnement_id = m.id
    WHERE e.statut = 'HONORE' AND e.date_heure < m.jusqu_a
    GROUP BY e.accompagnement_id
),
-- a workshop of the person during the measure is a contact, never a physical meeting (as in the engine)
atelier AS (
    SELECT m.id, count(*) FILTER (WHERE ac.date_heure >= %(depuis)s) AS n, max(ac.date_heure) AS dernier
    FROM m
    JOIN accompagnement_participation p ON p.resident_id = m.resident_id
    JOIN accompagnement_actioncollective ac ON ac.id = p.action_id
    WHERE ac.date_heure >= (m.date_debut::timestamp AT TIME ZONE %(tz)s) AND ac.date_heure < m.jusqu_a
    GROUP BY m.id
)
SELECT m.id, coalesce(ent.n, 0) + coalesce(atelier.n, 0),
       (greatest(ent.dernier, atelier.dernier) AT TIME ZONE %(tz)s)::date,
       (ent.derniere_rencontre AT TIME ZONE %(tz)s)::date
FROM m LEFT JOIN ent ON ent.id = m.id LEFT JOIN atelier ON atelier.id = m.id
"""


def _contacts_de_la_periode(ids, debut, fin):
    """{accompagnement_id: (contacts after `debut` up to `fin` — honoured entretiens and workshop
    participations, domain.md §2 —, last contact, last physical meeting)},
    local days, up to the measure's end when it ended before `fin`: one query on the entretiens' index
    (a Count joined to the measures' query was its slowest part)."""
    if not ids:
        return {}
    tz = timezone.get_current_timezone()
    depuis = datetime.datetime.combine(debut + datetime.timedelta(days=1), datetime.time(), tz)
    with connection.cursor() as cursor:
        cursor.execute(_SQL_CONTACTS, {"ids": ids, "depuis": depuis, "fin": fin, "tz": settings.TIME_ZONE})
        return {pk: (n, dernier, rencontre) for pk, n, dernier, rencontre in cursor.fetchall()}


def _objectifs_et_contrats(ids):
    """Objectives (each with `evaluations_liste`, latest first) and living contracts (latest first) of
    the measures, grouped in Python: three queries, and none of prefetch_related's per-row work."""
    objectifs, contrats, evaluations = defaultdict(list), defaultdict(list), defaultdict(list)
    for e in EvaluationObjectif.objects.filter(objectif__accompagnement_id__in=ids).order_by("-date", "-pk"):
        evaluations[e.objectif_id].append(e)
    for o in Objectif.objects.filter(accompagnement_id__in=ids).order_by("echeance", "pk"):
        o.evaluations_liste = evaluations.get(o.pk, [])
        objectifs[o.accompagnement_id].append(o)
    for c in Contrat.objects.vivants().filter(accompagnement_id__in=ids).order_by("-date_debut"):
        contrats[c.accompagnement_id].append(c)
    return objectifs, contrats


def _nouveautes(mesure, precedent, contrats, objectifs):
    """What changed since the previous committee, in words."""
    if precedent is None:
        return ["premier comité pour cette mesure"]
    depuis = precedent.date
    faits = []
    if mesure.date_debut > depuis:
        origine = f" (réorientation depuis {mesure.precedent.modalite})" if mesure.precedent_id else ""
        faits.append(f"mesure ouverte le {mesure.date_debut:%d/%m/%Y}{origine}")
    if mesure.date_fin and mesure.date_fin > depuis:
        faits.append(f"mesure terminée le {mesure.date_fin:%d/%m/%Y}")
    for c in contrats:
        if c.date_debut > depuis:
            faits.append(f"{c.get_type_display()} du {c.date_debut:%d/%m/%Y} ({c.get_etat_display()})")
    for o in objectifs:
        evaluations = [e for e in o.evaluations_liste if e.date > depuis]
        if evaluations:
            faits.append(f"objectif « {o.libelle} » évalué : {evaluations[0].get_niveau_display()}")
    return faits


def chiffres(comite, lignes):
    """The minutes' summary: people reviewed (a decision other than « non examiné »), decisions by
    kind (in the order of the choices, kinds with none left out), alerts open on the committee's day."""
    from .models import DecisionComite

    par_type = defaultdict(int)
    for ligne in lignes:
        if ligne.decision is not None:
            par_type[ligne.decision.decision] += 1
    return {
        "personnes": len(lignes),
        "examinees": sum(n for cle, n in par_type.items() if cle != DecisionComite.Choix.NON_EXAMINE),
        "non_examinees": par_type.get(DecisionComite.Choix.NON_EXAMINE, 0),
        "sans_decision": sum(1 for ligne in lignes if ligne.decision is None),
        "par_decision": [(libelle, par_type[cle]) for cle, libelle in DecisionComite.Choix.choices if par_type[cle]],
        "alertes": sum(len(ligne.alertes) for ligne in lignes),
        "personnes_en_alerte": sum(1 for ligne in lignes if ligne.alertes),
    }


# --- charts (each with the same figures as a table) ---------------------------------------------


def graphiques(comite, user):
    """Caseload by modality, contracts by state, and frequency compliance over the last four periods."""
    qs = mesures_du_comite(comite, user).filter(Q(date_fin__isnull=True) | Q(date_fin__gte=comite.date))
    par_modalite = [
        (row["modalite__libelle"], row["n"])
        for row in qs.values("modalite__libelle").annotate(n=Count("pk")).order_by("modalite__libelle")
    ]
    etats = dict(Contrat.Etat.choices)
    en_vigueur = Contrat.objects.vivants().filter(
        accompagnement__in=qs, date_debut__lte=comite.date, date_fin__gt=comite.date
    )
    par_etat = [
        (etats[row["etat"]], row["n"])
        for row in en_vigueur.values("etat").annotate(n=Count("accompagnement", distinct=True)).order_by("etat")
    ]
    sans = qs.exclude(pk__in=en_vigueur.values("accompagnement")).count()
    if sans:
        par_etat.append(("sans contrat en cours", sans))
    conformite = []
    base = Accompagnement.objects.visibles_par(user).filter(
        comite.filtre_mesures, referent_id=comite.referent_id, modalite__accompagnee_ici=True
    )
    for k in range(3, -1, -1):
        le = comite.date - relativedelta(months=3 * k)
        respect = moteur.frequences_respectees(base.actifs(le), debut=le - relativedelta(months=3), le=le)
        total = len(respect)
        tenus = sum(respect.values())
        pct = round(100 * tenus / total) if total else 0
        y = 20 * len(conformite)
        conformite.append(
            {"date": f"{le:%d/%m/%Y}", "tenus": tenus, "total": total, "pct": pct, "y": y, "largeur": 2 * pct}
        )
    return {
        "par_modalite": _barres(par_modalite),
        "par_etat": _barres(par_etat),
        "conformite": conformite,
    }


def _barres(paires):
    """Bars of the server-rendered SVG chart: a row offset and a width (at most 200) per value."""
    maximum = max((n for _l, n in paires), default=0)
    barres = [
        {"libelle": libelle, "n": n, "y": 20 * i, "largeur": round(200 * n / maximum) if maximum else 0}
        for i, (libelle, n) in enumerate(paires)
    ]
    return {"barres": barres, "hauteur": 20 * len(barres)}
