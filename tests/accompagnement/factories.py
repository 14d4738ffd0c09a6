import datetime

import factory
from django.utils import timezone

from accompagnement.models import (
    Accompagnement,
    ActionCollective,
    CoReferent,
    Diagnostic,
    Entretien,
    Objectif,
    Participation,
    TypeEntretien,
)
from referentiel.models import Modalite
from tests.accounts.factories import ReferentFactory
from tests.residents.factories import ResidentFactory


class AccompagnementFactory(factory.django.DjangoModelFactory):
    """A measure held by the référent's structure; `modalite__code` picks the référentiel's modality."""

    class Meta:
        model = Accompagnement

    referent = factory.SubFactory(ReferentFactory)
    structure = factory.LazyAttribute(lambda a: a.referent.structures.first())
    resident = factory.SubFactory(ResidentFactory, structure=factory.SelfAttribute("..structure"))
    modalite = factory.LazyFunction(lambda: Modalite.objects.get(code=Modalite.Code.RSA_SOCIOPRO))
    date_debut = datetime.date(2026, 1, 5)


class EntretienFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entretien

    accompagnement = factory.SubFactory(AccompagnementFactory)
    type = TypeEntretien.BUREAU
    date_heure = factory.LazyFunction(timezone.now)
    duree_minutes = 45
    statut = Entretien.Statut.HONORE
    auteur = factory.LazyAttribute(lambda e: e.accompagnement.referent)
    notes = "Point sur les démarches en cours."


class ObjectifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objectif

    accompagnement = factory.SubFactory(AccompagnementFactory)
    domaine = Objectif.Domaine.EMPLOI
    libelle = factory.Sequence(lambda n: f"Objectif {n}")
    critere = "trois candidatures envoyées"


class CoReferentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoReferent

    accompagnement = factory.SubFactory(AccompagnementFactory)
    role = "co-référent"


class ActionCollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionCollective

    structure = factory.SubFactory("tests.referentiel.factories.StructureFactory")
    theme = "Atelier budget"
    date_heure = factory.LazyFunction(timezone.now)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    action = factory.SubFactory(ActionCollectiveFactory)
    resident = factory.SubFactory(ResidentFactory)


class DiagnosticFactory(factory.django.DjangoModelFactory):
    """A diagnostic global partagé of the measure (RSA by default), made the day the measure opened."""

    class Meta:
        model = Diagnostic

    accompagnement = factory.SubFactory(AccompagnementFactory)
    date = factory.LazyAttribute(lambda d: d.accompagnement.date_debut)
    auteur = factory.LazyAttribute(lambda d: d.accompagnement.referent)
    logement = "Locataire d'un T2, loyer payé."
    emploi_formation = "Sans emploi depuis deux ans, CAP cuisine."
    parole_personne = "Je veux retravailler, mais sans voiture c'est difficile."
    freins = "Mobilité."
    leviers = "Expérience en restauration."
