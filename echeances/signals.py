"""Keep the stored alerts in step with what is recorded during the day.

The screens compute the échéances live; the alerts (navigation badge, home page, digest) come from the
morning run. When an entretien, a participation, a measure, a contract, a person or a sanction report
is written, the measures it concerns are synchronised again once the transaction commits: one partial
run per transaction, whatever the number of rows written (a whole demo load included). The receivers
only collect ids; the rule stays in the engine. Bulk writes (bulk_create, COPY) send no signal: the
synthetic base and the benchmarks are left to the morning run. A synchronisation that cannot run at once
(another holds the lock, or it fails) is queued, never dropped: see `_Synchronisation.__call__`."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from config.celery import retablir_connexion

logger = logging.getLogger(__name__)


class _Synchronisation:
    """The on_commit callback of one transaction, holding the measures to synchronise. It is found again
    in the connection's pending callbacks, so that a transaction registers one, and a rollback
    discards it with its ids."""

    def __init__(self):
        self.ids = set()
        self.personnes = set()  # people whose parcours changed, with or without a measure
        self.faite = False

    def __call__(self):
        from . import services

        self.faite = True
        ids = sorted(self.ids)
        try:
            # At once when the lock is free (the badge is right on the next page); never waiting in the
            # request: when a synchronisation holds the lock, the measures are queued and synchronised
            # after it by a worker (services.synchroniser_alertes states the guarantee).
            services.synchroniser_alertes(accompagnements=ids, personnes=sorted(self.personnes))
        except services.SynchronisationOccupee:
            self.plus_tard(ids)
        except Exception:  # the change itself is committed: its synchronisation must not be lost either
            logger.exception("Synchronisation des alertes de %s mesure(s) impossible : remise à plus tard", len(ids))
            retablir_connexion()
            self.plus_tard(ids)

    @staticmethod
    def plus_tard(ids):
        from . import services

        try:
            services.plus_tard(ids)
        except Exception:  # the database itself is gone: nothing more can be kept
            logger.exception("Mesures %s non mises en attente : le traitement du matin les rattrapera", ids)


def a_synchroniser(ids, personnes=()):
    """Queue measures (ids) and people (the parcours of a person with no measure yet: queued only with
    the transaction's synchronisation, caught up by the morning run if it cannot run at once)."""
    ids = {i for i in ids if i}
    personnes = {p for p in personnes if p}
    if not ids and not personnes:
        return
    connexion = transaction.get_connection()
    en_attente = None
    if connexion.in_atomic_block:
        en_attente = next(
            (f for _s, f, _r in connexion.run_on_commit if isinstance(f, _Synchronisation) and not f.faite), None
        )
    nouvelle = en_attente is None
    if nouvelle:
        en_attente = _Synchronisation()
    en_attente.ids.update(ids)
    en_attente.personnes.update(personnes)
    if nouvelle:  # last: outside a transaction, on_commit runs it at once
        transaction.on_commit(en_attente)


def _mesures_de_la_personne(resident_id):
    from accompagnement.models import Accompagnement

    return Accompagnement.objects.filter(resident_id=resident_id).values_list("pk", flat=True)


def _par_mesure(sender, instance, **kwargs):
    a_synchroniser([instance.accompagnement_id])


def _par_personne(sender, instance, **kwargs):
    a_synchroniser(_mesures_de_la_personne(instance.resident_id))


def _accompagnement(sender, instance, **kwargs):
    a_synchroniser([instance.pk])  # a deleted measure takes its alerts with it (cascade)


def _resident(sender, instance, **kwargs):
    a_synchroniser(_mesures_de_la_personne(instance.pk), [instance.pk])


def _orientation(sender, instance, **kwargs):
    a_synchroniser([instance.accompagnement_id], [instance.resident_id])


def brancher():
    from accompagnement.models import (
        Accompagnement,
        DecisionOrientation,
        DemandeReorientation,
        Entretien,
        Participation,
    )
    from contrats.models import Contrat
    from residents.models import Resident

    from .models import SignalementSanction

    for modele in (Entretien, Contrat, SignalementSanction, DemandeReorientation):
        post_save.connect(_par_mesure, sender=modele, dispatch_uid=f"echeances-{modele.__name__}")
        post_delete.connect(_par_mesure, sender=modele, dispatch_uid=f"echeances-{modele.__name__}-del")
    post_save.connect(_par_personne, sender=Participation, dispatch_uid="echeances-participation")
    post_delete.connect(_par_personne, sender=Participation, dispatch_uid="echeances-participation-del")
    post_save.connect(_accompagnement, sender=Accompagnement, dispatch_uid="echeances-accompagnement")
    post_save.connect(_resident, sender=Resident, dispatch_uid="echeances-resident")
    post_save.connect(_orientation, sender=DecisionOrientation, dispatch_uid="echeances-orientation")
