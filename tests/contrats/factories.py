import datetime

import factory

from contrats.models import Contrat, ObjectifContrat
from referentiel.models import TypeContrat
from tests.accompagnement.factories import AccompagnementFactory, ObjectifFactory


class ContratFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contrat

    accompagnement = factory.SubFactory(AccompagnementFactory)
    type = TypeContrat.CER
    date_debut = datetime.date(2026, 1, 5)
    date_fin = datetime.date(2026, 7, 5)
    cree_par = factory.LazyAttribute(lambda c: c.accompagnement.referent)


class ObjectifContratFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectifContrat

    contrat = factory.SubFactory(ContratFactory)
    objectif = factory.SubFactory(ObjectifFactory, accompagnement=factory.SelfAttribute("..contrat.accompagnement"))
