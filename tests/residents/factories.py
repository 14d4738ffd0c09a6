import datetime

import factory

from residents.models import Consentement, Resident
from tests.referentiel.factories import StructureFactory, TiersPartenaireFactory


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    structure = factory.SubFactory(StructureFactory)
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    date_naissance = datetime.date(1990, 5, 17)


class ConsentementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consentement

    resident = factory.SubFactory(ResidentFactory)
    tiers = factory.SubFactory(TiersPartenaireFactory)
    finalite = "suivi éducatif du séjour"
    categories = [Consentement.Categorie.PRESENCE, Consentement.Categorie.OBJECTIFS]
