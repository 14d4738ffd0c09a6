import datetime

import factory

from contrats.models import Contrat
from referentiel.models import TypeContrat
from tests.accompagnement.factories import AccompagnementFactory


class ContratFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contrat

    accompagnement = factory.SubFactory(AccompagnementFactory)
    type = TypeContrat.CER
    date_debut = datetime.date(2026, 1, 5)
    date_fin = datetime.date(2026, 7, 5)
    cree_par = factory.LazyAttribute(lambda c: c.accompagnement.referent)
