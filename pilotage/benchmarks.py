"""`make bench` for pilotage, on the synthetic base (`manage.py donnees_synthetiques`): the quarterly
pack of a référent's caseload, the committee page and one card's save (htmx), the yearly bilan of the whole département, an XLSX export of 50,000
rows (the code the Celery worker runs). Everything in a transaction rolled back at the end."""

import datetime
import statistics
import time

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accompagnement.models import Accompagnement
from accounts.models import Role, User
from demo import processus
from echeances.impact import impact
from referentiel.models import Champ, Modalite, Parametre, Structure, SurchargeModalite, Territoire

from . import bilan
from .models import ComiteSuivi, Export
from .pack import graphiques, mesures_du_comite, pack

LIGNES_EXPORT = 50_000
MESURES_PACK = 300


class _Annuler(Exception):
    pass


def _utilisateur(role, **kwargs):
    return User.objects.create(username=f"bench-pilotage-{role.lower()}-{time.time_ns()}", role=role, **kwargs)


def _referent_le_plus_charge():
    return (
        User.objects.filter(role=Role.REFERENT)
        .annotate(n=Count("accompagnements", filter=Q(accompagnements__modalite__champ=Champ.INSERTION)))
        .order_by("-n")
        .values_list("pk", "n")
        .first()
    )


def porter_a(comite, president, cible):
    """Make the committee's own selection (`mesures_du_comite`) exactly `cible` measures, or all the
    base can lend: borrow active RSA measures of the base, moved to the référent and to one of their
    structures on the committee's territory (so that the chair sees them); hand a surplus to another
    référent. Returns the selection's size."""
    selection = mesures_du_comite(comite, president)
    actuel = selection.count()
    if actuel < cible:
        structure = comite.referent.structures.filter(territoire=comite.territoire).order_by("pk").first()
        emprunt = list(
            Accompagnement.objects.actifs(comite.date)
            .filter(modalite__champ=Champ.INSERTION, modalite__accompagnee_ici=True)
            .exclude(pk__in=selection.values("pk"))
            .order_by("pk")
            .values_list("pk", flat=True)[: cible - actuel]
        )
        Accompagnement.objects.filter(pk__in=emprunt).update(referent=comite.referent, structure=structure)
    elif actuel > cible:
        surplus = list(selection.order_by("-pk").values_list("pk", flat=True)[: actuel - cible])
        Accompagnement.objects.filter(pk__in=surplus).update(referent=_utilisateur(Role.REFERENT))
    return selection.count()


def _comite_du_bench(referent_id):
    """A quarterly committee of the référent, chaired by a délégué of her territory (rolled back after)."""
    referent = User.objects.get(pk=referent_id)
    territoire = Territoire.objects.filter(structures__membres=referent).first()
    delegue = _utilisateur(Role.DELEGUE)
    delegue.territoires.set([territoire])
    comite = ComiteSuivi.objects.create(
        type=ComiteSuivi.Type.TRIMESTRIEL_RSA,
        referent=referent,
        territoire=territoire,
        president=delegue,
        date=timezone.localdate(),
    )
    return comite, delegue


def bench_pack_trimestriel():
    trouve = _referent_le_plus_charge()
    if not trouve:
        return [("pack trimestriel : pas de données synthétiques", 0, "", 0)]
    referent_id, _n = trouve
    lignes = []
    try:
        with transaction.atomic():
            comite, delegue = _comite_du_bench(referent_id)
            # A caseload of 300 RSA measures (the veille norm) in the committee's own selection
            # (rolled back at the end).
            porter_a(comite, delegue, MESURES_PACK)
            durees, durees_graphiques = [], []
            for _ in range(20):
                debut = time.perf_counter()
                resultat, _precedent = pack(comite, delegue)
                durees.append(time.perf_counter() - debut)
                debut = time.perf_counter()
                graphiques(comite, delegue)
                durees_graphiques.append(time.perf_counter() - debut)
            p95 = statistics.quantiles(durees, n=20)[-1]
            p95_graphiques = statistics.quantiles(durees_graphiques, n=20)[-1]
            lignes += [
                (f"pack trimestriel d'un référent ({len(resultat)} mesures), p95", round(p95 * 1000), "ms", 300),
                ("graphiques du comité (chargés ensuite par htmx), p95", round(p95_graphiques * 1000), "ms", 1000),
            ]
            raise _Annuler
    except _Annuler:
        pass
    return lignes


# Page and card save: fewer repetitions than a list page (a 300-card page is the slowest page of the app).
REPETITIONS_COMITE = 30


def _p95(durees):
    return statistics.quantiles(durees, n=20)[18] if len(durees) >= 2 else durees[0]


def bench_comite():
    """The committee page of 300 measures and one card's save (htmx), through Django's test Client (the
    whole request), as the chair: p95 of server time, the page's weight, and the queries of a save."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from demo.clients import client_connecte

    trouve = _referent_le_plus_charge()
    if not trouve:
        return [("comité : pas de données synthétiques", 0, "", 0)]
    lignes = []
    try:
        with transaction.atomic():
            comite, delegue = _comite_du_bench(trouve[0])
            n = porter_a(comite, delegue, MESURES_PACK)
            mesure = mesures_du_comite(comite, delegue).order_by("pk").first()
            client = client_connecte(delegue)
            url_page = reverse("pilotage:comite", args=[comite.pk])
            url_carte = reverse("pilotage:decision", args=[comite.pk, mesure.pk])
            durees_page, durees_carte, poids = [], [], 0
            for i in range(3 + REPETITIONS_COMITE):
                debut = time.perf_counter()
                reponse = client.get(url_page)
                duree = time.perf_counter() - debut
                if reponse.status_code != 200:
                    raise AssertionError(f"page du comité : réponse {reponse.status_code}")
                poids = len(reponse.content)
                if i >= 3:
                    durees_page.append(duree * 1000)
            p = f"m{mesure.pk}-"
            requetes = 0
            for i in range(3 + REPETITIONS_COMITE):
                version = comite.decisions.filter(accompagnement=mesure).values_list("version", flat=True).first()
                donnees = {
                    p + "decision": ("POURSUITE", "AUTRE")[i % 2],
                    p + "commentaire": f"Essai {i}",
                    p + "version": version or "",
                }
                with CaptureQueriesContext(connection) as capture:
                    debut = time.perf_counter()
                    reponse = client.post(url_carte, donnees, headers={"HX-Request": "true"})
                    duree = time.perf_counter() - debut
                if reponse.status_code != 200 or b'role="alert"' in reponse.content:
                    raise AssertionError(f"enregistrement d'une carte : réponse {reponse.status_code}")
                requetes = len(capture)
                if i >= 3:
                    durees_carte.append(duree * 1000)
            lignes += [
                (f"page du comité ({n} personnes), p95", round(_p95(durees_page)), "ms", None),
                ("page du comité : médiane", round(statistics.median(durees_page)), "ms", None),
                ("page du comité : poids", round(poids / 1024), "Kio", None),
                ("enregistrement d'une carte (htmx), p95", round(_p95(durees_carte), 1), "ms", 150),
                ("enregistrement d'une carte : médiane", round(statistics.median(durees_carte), 1), "ms", None),
                ("enregistrement d'une carte : requêtes SQL", requetes, "requêtes", None),
            ]
            raise _Annuler
    except _Annuler:
        pass
    return lignes


def bench_bilan_annuel():
    lignes = []
    try:
        with transaction.atomic():
            admin = _utilisateur(Role.ADMINISTRATEUR)
            annee = timezone.localdate().year
            n = bilan.mesures_rsa_de_l_annee(admin, annee).count()
            debut = time.perf_counter()
            bilan.bilan_rsa(admin, annee)
            list(bilan.sorties_rsa(admin, annee))
            duree = time.perf_counter() - debut
            lignes.append((f"bilan annuel RSA + sorties ({n} mesures)", round(duree, 2), "s", 5))
            debut = time.perf_counter()
            bilan.osa(admin, annee)
            bilan.chiffres_asll(admin, annee)
            lignes.append(
                ("OSA (heures par semaine) et chiffres ASLL de l'année", round(time.perf_counter() - debut, 2), "s", 5)
            )
            raise _Annuler
    except _Annuler:
        pass
    return lignes


_EXPORT = """
from pilotage.models import Export
from pilotage.production import produire

export = produire(EXPORT_ID)
resultat = {"etat": Export.objects.get(pk=EXPORT_ID).etat, "lignes": export.lignes if export else 0}
"""


def bench_export_xlsx():
    """The Celery worker's own code (`production.produire`, the export claimed, written with its
    progress, stored) in a fresh process for a responsable of ~50,000 measures. Committed rows (the
    worker's process cannot see a transaction of ours), removed at the end."""
    structures = list(
        Structure.objects.annotate(n=Count("accompagnements")).filter(n__gt=0).order_by("pk").values_list("pk", "n")
    )
    choisies, total = [], 0
    for pk, n in structures:
        if total >= LIGNES_EXPORT:
            break
        choisies.append(pk)
        total += n
    responsable = _utilisateur(Role.RESPONSABLE)
    try:
        responsable.structures.set(choisies)
        export = Export.objects.create(
            utilisateur=responsable, type="mesures", format=Export.Format.XLSX,
            expire_le=timezone.now() + datetime.timedelta(hours=1),
        )  # fmt: skip
        r = processus.executer(_EXPORT.replace("EXPORT_ID", str(export.pk)))
        export.refresh_from_db()
        if r["etat"] != Export.Etat.PRET:
            raise AssertionError(f"export dans l'état {r['etat']} : {export.erreur}")
        return [
            (f"export XLSX de {r['lignes']} lignes en tâche de fond (code du worker)", r["secondes"], "s", 30),
            ("mémoire du processus d'export au plus haut (VmHWM)", r["pic_mo"], "Mo", 300),
        ]
    finally:
        for e in Export.objects.filter(utilisateur=responsable):
            if e.fichier:
                e.fichier.delete(save=False)
        responsable.delete()


OBJECTIF_IMPACT = 5  # seconds (issue 20 §2)


def bench_apercu_impact():
    """The impact of a version before it is saved (pilotage:version_modalite, « Voir l'impact »): the engine
    run twice on the measures the version touches, on the day it would apply. A modality's frequency
    (every measure of that modality in the base) and the « bientôt dû » window (every measure, every rule)."""
    dans_un_mois = timezone.localdate() + datetime.timedelta(days=30)
    propositions = [
        (
            "nouvelle fréquence d'une modalité",
            SurchargeModalite(
                modalite=Modalite.objects.get(code=Modalite.Code.RSA_MOBILISATION),
                intervalle_rencontre="P1M",
                en_vigueur_le=dans_un_mois,
            ),
        ),
        (
            "nouvelle fenêtre « bientôt dû »",
            Parametre(code="BIENTOT_DU", nature="DELAI", valeur="P14D", en_vigueur_le=dans_un_mois),
        ),
    ]
    lignes = []
    for libelle, proposition in propositions:
        debut = time.perf_counter()
        apercu = impact(proposition)
        duree = time.perf_counter() - debut
        lignes.append(
            (
                f"aperçu de l'impact : {libelle} ({apercu.mesures} mesures, {apercu.mesures_changees} changent)",
                round(duree, 2),
                "s",
                OBJECTIF_IMPACT,
            )
        )
    return lignes


__all__ = ["bench_pack_trimestriel", "bench_comite", "bench_bilan_annuel", "bench_export_xlsx", "bench_apercu_impact"]
