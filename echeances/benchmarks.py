"""`make bench`: the morning run over the synthetic base (100,000 people, 3,000,000 entretiens).
Everything runs in a transaction rolled back at the end, so the base stays as it was generated."""

import resource
import time
import tracemalloc

from django.db import connection, transaction
from django.utils import timezone

from accompagnement.models import Accompagnement, Entretien, TypeEntretien

from . import services
from .moteur import Regle, calculer


def _mesurer(fonction):
    tracemalloc.start()
    debut = time.perf_counter()
    resultat = fonction()
    duree = time.perf_counter() - debut
    _courant, pic = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return resultat, duree, pic / 1024 / 1024


class _Annuler(Exception):
    pass


def bench_synchronisation():
    lignes = []
    try:
        with transaction.atomic():
            _res, duree, pic = _mesurer(services.synchroniser_alertes)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            lignes += [
                ("synchronisation quotidienne complète", round(duree, 1), "s", 60),
                ("mémoire Python au plus haut (tracemalloc)", round(pic), "Mo", 500),
                ("mémoire du processus au plus haut (maxrss)", round(rss), "Mo", 500),
            ]
            _changer_un_pourcent()
            _res, duree, _pic = _mesurer(services.synchroniser_alertes)
            lignes.append(("synchronisation après 1 % de données modifiées", round(duree, 1), "s", 60))
            raise _Annuler
    except _Annuler:
        pass
    return lignes


def _changer_un_pourcent():
    """A new honoured entretien today for 1 % of the active measures."""
    ids = list(Accompagnement.objects.actifs().order_by("pk").values_list("pk", "referent_id")[::100])
    Entretien.objects.bulk_create(
        Entretien(accompagnement_id=pk, auteur_id=ref, type=TypeEntretien.BUREAU, date_heure=timezone.now())
        for pk, ref in ids
    )


# The same due dates with the national intervals written straight in SQL: the floor the engine is
# compared with (it adds the référentiel's overrides, the workshops and the Python objects).
_SQL_NU = """
SELECT a.id,
       (coalesce((max(e.date_heure) AT TIME ZONE %(tz)s)::date, a.date_debut)
         + nullif(m.intervalle_contact, '')::interval)::date,
       (coalesce((max(e.date_heure) FILTER (WHERE e.physique) AT TIME ZONE %(tz)s)::date, a.date_debut)
         + nullif(m.intervalle_rencontre, '')::interval)::date
FROM accompagnement_accompagnement a
JOIN referentiel_modalite m ON m.id = a.modalite_id AND m.accompagnee_ici
LEFT JOIN accompagnement_entretien e
       ON e.accompagnement_id = a.id AND e.statut = 'HONORE'
      AND e.date_heure < ((%(le)s::date + 1)::timestamp AT TIME ZONE %(tz)s)
WHERE a.date_debut <= %(le)s AND (a.date_fin IS NULL OR a.date_fin >= %(le)s)
GROUP BY a.id, m.intervalle_contact, m.intervalle_rencontre
"""


def bench_moteur_contre_sql_nu():
    from django.conf import settings

    le = timezone.localdate()
    debut = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(_SQL_NU, {"le": le, "tz": settings.TIME_ZONE})
        nb_sql = len(cursor.fetchall())
    duree_sql = time.perf_counter() - debut
    debut = time.perf_counter()
    echeances = calculer(Accompagnement.objects.all(), le=le, regles={Regle.CONTACT, Regle.RENCONTRE_PHYSIQUE})
    duree_moteur = time.perf_counter() - debut
    return [
        ("SQL nu : dates dues de contact et de rencontre", round(duree_sql, 2), "s", None),
        ("moteur : mêmes règles", round(duree_moteur, 2), "s", None),
        ("rapport moteur / SQL nu", round(duree_moteur / max(duree_sql, 1e-6), 2), "×", 2),
        ("mesures (SQL nu) / échéances (moteur)", f"{nb_sql} / {len(echeances)}", "", None),
    ]
