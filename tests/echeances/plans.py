"""Reading the engine's plans (tests/echeances/test_plans.py, and the bench's look at a collapsed plan)."""

from django.utils import timezone

from accompagnement.models import Accompagnement
from echeances import base, moteur

# Tables that grow with the number of people: a scan of one of them repeated per row of another is quadratic.
GRANDES = {
    "accompagnement_accompagnement",
    "accompagnement_entretien",
    "accompagnement_participation",
    "contrats_contrat",
    "residents_resident",
}


def enonces_du_matin(le=None):
    """[(rule function name, SQL, params)] of every statement of the morning run (the whole base)."""
    enonces = []
    lignes = base.Requete.lignes

    def capter(self, sql, extra=None, avant=""):
        enonces.append((sql.strip().splitlines()[-1], self.texte(sql, avant), self.parametres(extra)))
        return []

    base.Requete.lignes = capter
    try:
        moteur.calculer(Accompagnement.objects.all(), le=le or timezone.localdate())
    finally:
        base.Requete.lignes = lignes
    return enonces


def plan(cursor, sql, params):
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    return cursor.fetchone()[0][0]["Plan"]


def boucles_quadratiques(noeud, repete=False):
    """Nodes whose work would be repeated for each row of another big input (the inner side of a nested loop,
    a per-row subplan): a CTE scanned again (no index on it), a big table read whole, a grouping (a whole
    set re-aggregated for each row). What stays allowed per row: index lookups, one aggregate over them
    (sorted if need be), functions over the row's own values."""
    trouves = []
    groupe = noeud["Node Type"] == "WindowAgg" or noeud.get("Strategy") in {"Sorted", "Hashed", "Mixed"}
    if repete and groupe:
        trouves.append(f"{noeud['Node Type']} ({noeud.get('Strategy', '')}) par ligne")
    if noeud["Node Type"] == "CTE Scan" and repete:
        trouves.append(f"CTE Scan on {noeud.get('CTE Name')} par ligne")
    if noeud["Node Type"] == "Seq Scan" and repete and noeud.get("Relation Name") in GRANDES:
        trouves.append(f"{noeud['Node Type']} on {noeud['Relation Name']} par ligne")
    for enfant in noeud.get("Plans", []):
        lien = enfant.get("Parent Relationship")
        par_ligne = (noeud["Node Type"] == "Nested Loop" and lien == "Inner") or (
            lien == "SubPlan" and not enfant.get("Subplan Name", "").startswith("hashed")
        )
        trouves += boucles_quadratiques(enfant, repete or par_ligne)
    return trouves
