import factory

from referentiel.models import ContactPartenaire, Departement, Modalite, Structure, Territoire, TiersPartenaire


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "88"
    nom = "Vosges"


class TerritoireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territoire

    departement = factory.SubFactory(DepartementFactory)
    nom = factory.Sequence(lambda n: f"Territoire {n}")


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")
    type = Structure.Type.MSVS
    territoire = factory.SubFactory(TerritoireFactory)


class TiersPartenaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TiersPartenaire

    nom = factory.Sequence(lambda n: f"Partenaire {n}")
    type = TiersPartenaire.Type.ASE


class ContactPartenaireFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPartenaire

    tiers = factory.SubFactory(TiersPartenaireFactory)
    prenom = "Claire"
    nom = factory.Sequence(lambda n: f"Contact{n}")
    fonction = "éducatrice"


def modalite(code):
    """The modality loaded by the référentiel's data migration (never a copy with other numbers)."""
    return Modalite.objects.get(code=code)
