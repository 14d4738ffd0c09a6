from decimal import Decimal

import factory

from accounts.models import Role, User
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory, TerritoireFactory

MOT_DE_PASSE = "mot-de-passe-de-test-solide"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@exemple.fr")
    role = Role.REFERENT
    etp = Decimal("1.00")
    password = factory.django.Password(MOT_DE_PASSE)


class ReferentFactory(UserFactory):
    """A référent of the given structures (`structures=[s]`), or of a new structure."""

    @factory.post_generation
    def structures(self, create, extracted, **kwargs):
        if create:
            self.structures.set(extracted if extracted is not None else [StructureFactory()])


class ResponsableFactory(ReferentFactory):
    role = Role.RESPONSABLE


class DelegueFactory(UserFactory):
    """A délégué insertion of the given territories (`territoires=[t]`), or of a new territory."""

    role = Role.DELEGUE

    @factory.post_generation
    def territoires(self, create, extracted, **kwargs):
        if create:
            self.territoires.set(extracted if extracted is not None else [TerritoireFactory()])


class ConseillerLogementFactory(DelegueFactory):
    role = Role.CONSEILLER_LOGEMENT


class PartenaireFactory(UserFactory):
    role = Role.PARTENAIRE
    contact_partenaire = factory.SubFactory(ContactPartenaireFactory)


class AdministrateurFactory(UserFactory):
    role = Role.ADMINISTRATEUR
    is_staff = True
    is_superuser = True
