"""Writes of the échéances app: the morning synchronisation of alerts, acknowledgements, digests,
sanction reports. Keyword-only, atomic; safe to run twice and with two workers."""

import dataclasses

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accompagnement.models import Accompagnement
from accompagnement.verrou import verifier_version
from accounts import acces
from config.celery import mettre_en_file
from courriels import services as courriels
from courriels.models import Courriel
from residents.models import Resident

from .base import url_de
from .choix import Etat
from .models import Alerte, Digest, MesureASynchroniser
from .moteur import calculer
from .regles_parcours import PREFIXES_DES_CLES

# Any constant shared by every worker: the lock under which every synchronisation reads and writes.
VERROU_SYNCHRO = 0x45434845  # "ECHE"


class SynchronisationOccupee(Exception):
    """Another synchronisation held the lock for longer than this one could wait. Never a silent skip:
    the daily task retries, a change made during the day queues its measures (MesureASynchroniser)."""


@dataclasses.dataclass
class Bilan:
    vues: int = 0
    creees: int = 0
    mises_a_jour: int = 0
    fermees: int = 0


_COLONNES = (
    "cle",
    "regle",
    "accompagnement_id",
    "resident_id",
    "structure_id",
    "referent_id",
    "territoire_id",
    "due_le",
    "etat",
    "message",
)

# Upsert every alert seen today. A closed alert seen again is reopened (a new occurrence of the cause),
# unless someone had acknowledged it: the same cause (`cle`) is never raised again after it was taken in
# hand, it goes back to « prise en compte ». Rows whose content did not change are not rewritten, so a
# second run the same day writes nothing.
_SQL_UPSERT = """
WITH vues AS (
    SELECT * FROM unnest(
        %(cle)s::text[], %(regle)s::text[], %(accompagnement_id)s::bigint[], %(resident_id)s::bigint[],
        %(structure_id)s::bigint[], %(referent_id)s::bigint[], %(territoire_id)s::bigint[],
        %(due_le)s::date[], %(etat)s::text[], %(message)s::text[], %(destinataires)s::text[]
    ) AS v(cle, regle, accompagnement_id, resident_id, structure_id, referent_id, territoire_id,
           due_le, etat, message, destinataires)
)
INSERT INTO echeances_alerte AS a (
    cle, regle, accompagnement_id, resident_id, structure_id, referent_id, territoire_id, due_le, etat,
    message, destinataires, statut, premiere_vue, derniere_vue, commentaire, version
)
SELECT cle, regle, accompagnement_id, resident_id, structure_id, referent_id, territoire_id, due_le, etat,
       message, destinataires::bigint[], 'OUVERTE', %(le)s, %(le)s, '', 1
FROM vues
ON CONFLICT (cle) DO UPDATE SET
    due_le = EXCLUDED.due_le, etat = EXCLUDED.etat, message = EXCLUDED.message,
    destinataires = EXCLUDED.destinataires, referent_id = EXCLUDED.referent_id,
    structure_id = EXCLUDED.structure_id, derniere_vue = EXCLUDED.derniere_vue,
    statut = CASE WHEN a.statut <> 'FERMEE' THEN a.statut
                  WHEN a.acquittee_le IS NOT NULL THEN 'ACQUITTEE'
                  ELSE 'OUVERTE' END,
    premiere_vue = CASE WHEN a.statut = 'FERMEE' AND a.acquittee_le IS NULL
                        THEN EXCLUDED.premiere_vue ELSE a.premiere_vue END,
    fermee_le = NULL,
    version = a.version + 1
WHERE a.statut = 'FERMEE'
   OR (a.due_le, a.etat, a.message, a.destinataires, a.referent_id, a.structure_id, a.derniere_vue)
      IS DISTINCT FROM
      (EXCLUDED.due_le, EXCLUDED.etat, EXCLUDED.message, EXCLUDED.destinataires, EXCLUDED.referent_id,
       EXCLUDED.structure_id, EXCLUDED.derniere_vue)
RETURNING (xmax = 0) AS creee
"""

# Close what was not seen by this run (the cause is gone), acknowledged alerts included. The set
# difference is made in Python: an anti-join between the table and an array of 100,000 keys was
# sometimes planned as a nested loop (quadratic: minutes instead of a second).
_SQL_OUVERTES = "SELECT id, cle, accompagnement_id FROM echeances_alerte WHERE statut <> 'FERMEE'"
_SQL_FERMER = """
UPDATE echeances_alerte SET statut = 'FERMEE', fermee_le = %(maintenant)s, version = version + 1
WHERE id = ANY(%(ids)s)
"""


# The échéances that become alerts: due soon or overdue.
A_SIGNALER = (Etat.BIENTOT, Etat.EN_RETARD)

# Seconds the morning run waits for the lock (a synchronisation after a write holds it for milliseconds)
# before giving its turn back to Celery, which retries it (echeances/tasks.py).
ATTENTE_DU_MATIN = 30


def _prendre_le_verrou(cursor, attente):
    """Take the synchronisation lock for the current transaction, waiting `attente` seconds at most."""
    if not attente:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [VERROU_SYNCHRO])
        if not cursor.fetchone()[0]:
            raise SynchronisationOccupee
        return
    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{int(attente * 1000)}ms"])
    try:
        with transaction.atomic():  # the refused wait aborts this savepoint only
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VERROU_SYNCHRO])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == "55P03":  # lock_not_available
            raise SynchronisationOccupee from None
        raise
    cursor.execute("SELECT set_config('lock_timeout', '0', true)")  # the row locks of the writes wait as usual


def synchroniser_alertes(*, le=None, accompagnements=None, personnes=None, attente=0):
    """Run the engine over the whole base (or over some measures: `accompagnements`, their ids) and
    bring the alerts in line with it. The partial run is what keeps the alerts, the badge and the
    digest in step with a change made during the day (echeances/signals.py).

    Guarantee: every synchronisation, the morning one and those after a write, takes the same lock
    BEFORE it reads the base, and writes in the transaction that holds it. What it writes therefore
    reflects everything committed before it took the lock, and no older computation can land after a
    newer one (a stale run re-opening what a later one closed cannot happen). A write committed while
    a synchronisation holds the lock cannot take it for its own measures: they are queued and
    synchronised after it (`plus_tard`, echeances.tasks.synchroniser_en_attente). `attente`: seconds
    to wait for the lock; beyond, SynchronisationOccupee, never a silent skip. `personnes`: people
    (ids) whose parcours changed (an orientation decided), with or without a measure; a partial run
    also covers the people of its measures."""
    le = le or timezone.localdate()
    bilan = Bilan()
    with transaction.atomic(), connection.cursor() as cursor:
        _prendre_le_verrou(cursor, attente)
        if accompagnements is None and personnes is None:
            mesures, gens = Accompagnement.objects.all(), Resident.objects.all()
        else:
            mesures = list(accompagnements or [])
            gens = set(personnes or ()) | set(
                Accompagnement.objects.filter(pk__in=mesures).values_list("resident_id", flat=True)
            )
            gens = sorted(gens)
        echeances = calculer(mesures, le=le, etats=A_SIGNALER, personnes=gens)
        colonnes = {name: [getattr(e, name) for e in echeances] for name in _COLONNES}
        # psycopg cannot adapt a ragged list of lists: pass each recipients' list as a PostgreSQL array literal.
        colonnes["destinataires"] = ["{" + ",".join(str(i) for i in e.destinataires) + "}" for e in echeances]
        bilan.vues = len(echeances)
        cursor.execute(_SQL_UPSERT, dict(colonnes, le=le))
        for (creee,) in cursor.fetchall():
            if creee:
                bilan.creees += 1
            else:
                bilan.mises_a_jour += 1
        vues = set(colonnes["cle"])
        if accompagnements is None and personnes is None:
            cursor.execute(_SQL_OUVERTES)
            a_fermer = [pk for pk, cle, _acc in cursor.fetchall() if cle not in vues]
        else:  # only the causes of these measures and of these people's parcours can be known to be gone
            cursor.execute(
                _SQL_OUVERTES
                + " AND (accompagnement_id = ANY(%s) OR (accompagnement_id IS NULL AND resident_id = ANY(%s)))",
                [mesures, gens],
            )
            a_fermer = [
                pk
                for pk, cle, acc in cursor.fetchall()
                if cle not in vues and (acc is not None or cle.startswith(PREFIXES_DES_CLES))
            ]
        if a_fermer:
            cursor.execute(_SQL_FERMER, {"ids": a_fermer, "maintenant": timezone.now()})
            bilan.fermees = cursor.rowcount
    return bilan


def plus_tard(ids):
    """Queue measures whose synchronisation could not run now (the lock was held, or it failed), and
    ask a worker for a pass once this is committed. Nothing is lost if the broker is down: the pass
    also runs every minute (settings.CELERY_BEAT_SCHEDULE)."""
    MesureASynchroniser.objects.bulk_create(MesureASynchroniser(accompagnement_id=pk) for pk in ids)
    transaction.on_commit(lambda: mettre_en_file("echeances.tasks.synchroniser_en_attente"))


LOT_EN_ATTENTE = 500
LOTS_PAR_PASSE = 20  # a pass ends even while writes keep coming; the next one (a minute later) goes on


def synchroniser_en_attente(*, attente=0):
    """Synchronise the queued measures, a batch per transaction, until the queue is empty; returns how
    many measures. The batch leaves the queue in the transaction that synchronises it, under the lock:
    a crash leaves it queued, a measure queued meanwhile stays for the next batch."""
    total = 0
    for _lot in range(LOTS_PAR_PASSE):
        with transaction.atomic(), connection.cursor() as cursor:
            _prendre_le_verrou(cursor, attente)
            cursor.execute(
                "DELETE FROM echeances_mesureasynchroniser WHERE id IN"
                " (SELECT id FROM echeances_mesureasynchroniser ORDER BY id LIMIT %s) RETURNING accompagnement_id",
                [LOT_EN_ATTENTE],
            )
            ids = sorted({pk for (pk,) in cursor.fetchall()})
            if not ids:
                return total
            synchroniser_alertes(accompagnements=ids)  # the lock is ours already (advisory locks nest)
        total += len(ids)
    return total


@transaction.atomic
def acquitter(*, alerte, par, commentaire, version):
    """The user has seen the alert and deals with it: it will not be raised again for this cause."""
    alerte = Alerte.objects.select_for_update().get(pk=alerte.pk)
    if not acces.peut_acquitter(par, alerte):
        raise ValidationError(
            "Seuls les destinataires de l'alerte et l'équipe de la structure peuvent la prendre en compte."
        )
    if alerte.statut == Alerte.Statut.ACQUITTEE:
        return alerte  # a double submit changes nothing
    verifier_version(alerte, version)
    if alerte.statut == Alerte.Statut.FERMEE:
        raise ValidationError("Cette alerte est déjà fermée : sa cause a disparu.")
    commentaire = (commentaire or "").strip()
    if not commentaire:
        raise ValidationError({"commentaire": "Indiquez en quelques mots ce qui est fait."})
    alerte.statut = Alerte.Statut.ACQUITTEE
    alerte.acquittee_par = par
    alerte.acquittee_le = timezone.now()
    alerte.commentaire = commentaire
    alerte.version += 1
    alerte.save()
    return alerte


LIGNES_PAR_RECAPITULATIF = 200


# Two preparations of the same morning (a redelivered task, a second worker) prepare once.
_VERROU_DIGESTS = 0x44494745  # "DIGE"


def preparer_digests(*, le=None):
    """One e-mail per user with open alerts, once a day: the Digest row (unique per user and day) is the
    claim, recorded in one transaction with its e-mail (courriels), which a task sends after the commit,
    retrying while the SMTP server is down, never twice. Returns how many digests were prepared.
    The open alerts are read once, most urgent first, and shared out to their recipients: a query and
    a template per alert and per user took an hour's share of a morning on 100,000 measures."""
    from accounts.models import User

    le = le or timezone.localdate()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_VERROU_DIGESTS])
        deja = set(Digest.objects.filter(jour=le).values_list("user_id", flat=True))
        totaux, lignes = {}, {}
        liens = _Liens()
        ouvertes = Alerte.objects.ouvertes().order_by("due_le", "pk")
        champs = ("regle", "accompagnement_id", "resident_id", "due_le", "etat", "message", "destinataires")
        for a in ouvertes.values(*champs, "resident__prenom", "resident__nom").iterator(chunk_size=5000):
            pour = [pk for pk in a["destinataires"] if pk not in deja]
            if not pour:
                continue
            ligne = None
            for pk in pour:
                totaux[pk] = totaux.get(pk, 0) + 1
                siennes = lignes.setdefault(pk, [])
                if len(siennes) < LIGNES_PAR_RECAPITULATIF:
                    ligne = ligne or _ligne_de_recapitulatif(a, liens)
                    siennes.append(ligne)
        destinataires = list(User.objects.actifs().filter(pk__in=list(totaux)).exclude(email="").order_by("pk"))
        a_envoyer = []
        for user in destinataires:
            contexte = {"user": user, "lignes": lignes[user.pk], "total": totaux[user.pk], "le": le}
            a_envoyer.append(
                Courriel(
                    destinataires=[user.email],
                    sujet=f"À faire : {totaux[user.pk]} échéance(s) au {le:%d/%m/%Y}",
                    corps=render_to_string("echeances/email/digest.txt", dict(contexte, site_url=settings.SITE_URL)),
                )
            )
        a_envoyer = courriels.enregistrer_tous(a_envoyer)
        Digest.objects.bulk_create(
            Digest(user=user, jour=le, nb_alertes=totaux[user.pk], courriel=courriel)
            for user, courriel in zip(destinataires, a_envoyer, strict=True)
        )
    return len(destinataires)


class _Liens:
    """The digest's addresses, one reverse() per kind of page instead of one per line (84,179 calls were
    half of the morning job): url_de is asked once per rule with stand-in ids, which are then replaced."""

    _MESURE, _PERSONNE = 987654321987, 987654321989  # ids no base reaches, distinct in every address

    def __init__(self):
        self._gabarits = {}

    def __call__(self, regle, accompagnement_id, resident_id):
        cle = (regle, accompagnement_id is not None, resident_id is not None)
        if cle not in self._gabarits:
            self._gabarits[cle] = url_de(
                regle,
                accompagnement_id=self._MESURE if accompagnement_id is not None else None,
                resident_id=self._PERSONNE if resident_id is not None else None,
            )
        return (
            self._gabarits[cle]
            .replace(str(self._MESURE), str(accompagnement_id))
            .replace(str(self._PERSONNE), str(resident_id))
        )


def _ligne_de_recapitulatif(a, liens):
    """« [En retard] 12/03/2026 – Prénom NOM – message » and the address where it is done."""
    url = liens(a["regle"], a["accompagnement_id"], a["resident_id"])
    qui = f"{Resident.nom_affiche(a['resident__prenom'], a['resident__nom'])} – " if a["resident_id"] else ""
    return {"texte": f"[{Etat(a['etat']).label}] {a['due_le']:%d/%m/%Y} – {qui}{a['message']}", "url": url}


# The sanction procedure's writes live in their own module; the report's creation and decision keep
# their names here, where the other apps call them.
from .sanctions import creer_signalement, decider_signalement  # noqa: E402, F401
