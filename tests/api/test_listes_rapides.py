"""The hot lists written as plain dicts (api.serializers.echeance_en_dict, entretien_en_dict) say exactly
what their serializers say: the schema describes them through those serializers."""

import dataclasses
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Accompagnement
from api import serializers as s
from echeances.moteur import calculer
from residents.models import Consentement
from tests.accompagnement.factories import EntretienFactory


def test_echeances_comme_le_serializer(monde):
    echeances = calculer(Accompagnement.objects.all(), le=timezone.localdate() + datetime.timedelta(days=400))
    assert len({e.regle for e in echeances}) >= 2
    # Every field filled in, a contract's included.
    echeances.append(dataclasses.replace(echeances[0], contrat_id=7, referent_id=None))
    assert [s.echeance_en_dict(e) for e in echeances] == s.EcheanceSerializer(echeances, many=True).data


@pytest.mark.parametrize("categories", [None, [Consentement.Categorie.PRESENCE], [Consentement.Categorie.NOTES]])
def test_chaque_entretien_de_la_liste_comme_son_detail(api, monde, categories):
    """The list (dicts) against the detail (EntretienSerializer), for a structure and for a partner whose
    consent shows the notes or not."""
    monde.structure_a.responsable_voit_notes_confidentielles = True  # the confidential one listed, note hidden
    monde.structure_a.save()
    EntretienFactory(accompagnement=monde.mesure, notes="", duree_minutes=45, lieu="Mairie")
    if categories is None:
        secret = monde.secret_a
    else:
        monde.personne.consentements.update(categories=categories)
        secret = monde.secret_partenaire
    liste = api.get(reverse("api:entretiens"), secret).json()["results"]
    assert len(liste) >= 2
    for entretien in liste:
        assert entretien == api.get(reverse("api:entretien", args=[entretien["id"]]), secret).json()
