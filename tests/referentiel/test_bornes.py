"""Every date and amount a person types is bounded on its model field (referentiel.bornes): a ModelForm,
the admin and an import (full_clean) refuse the same values with the same French message."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from referentiel.bornes import BorneDeDate
from tests.residents.factories import ResidentFactory

# The apps where people type dates. echeances, journal, courriels only hold what the application
# writes itself (computed due dates, which can be the engine's clamp date, timestamps).
APPS_SAISIES = ("residents", "accompagnement", "admissions", "contrats", "pilotage")


def _champs(classes):
    for modele in apps.get_models():
        if modele._meta.app_label not in APPS_SAISIES or modele.__name__.startswith("Historical"):
            continue
        for champ in modele._meta.get_fields():
            if isinstance(champ, classes) and champ.editable:
                yield f"{modele._meta.label}.{champ.name}", champ


def test_chaque_date_saisie_est_bornee():
    sans_borne = [nom for nom, champ in _champs(models.DateField) if not _a(champ, BorneDeDate)]
    assert sans_borne == [], f"Date sans borne (referentiel.bornes) : {sans_borne}"


def test_chaque_montant_est_positif():
    montants = [
        (f"{m._meta.label}.{c.name}", c)
        for m in apps.get_models()
        for c in m._meta.get_fields()
        if isinstance(c, models.DecimalField) and not m.__name__.startswith("Historical")
    ]
    assert montants, "aucun montant trouvé : le test ne vérifie plus rien"
    negatifs = [nom for nom, champ in montants if not _a(champ, MinValueValidator)]
    assert negatifs == [], f"Montant sans minimum : {negatifs}"


def _a(champ, classe):
    return any(isinstance(v, classe) for v in champ.validators)


@pytest.mark.parametrize(
    ("champ", "valeur", "message"),
    [
        ("date_naissance", datetime.date(9999, 12, 31), "Une date de naissance ne peut pas être dans le futur."),
        ("date_ouverture_rsa", datetime.date(1, 1, 1), "Cette date est trop ancienne : le 01/01/2000 au plus tôt."),
        ("date_orientation", datetime.date(9999, 12, 31), "Cette date est trop lointaine"),
        ("montant_ressources", Decimal("-0.01"), "Un montant ne peut pas être négatif."),
    ],
)
def test_l_administration_et_les_imports_refusent_aussi(champ, valeur, message):
    """The admin's forms and an import both go through full_clean(), which runs the fields' validators."""
    resident = ResidentFactory.build(structure=ResidentFactory().structure)
    setattr(resident, champ, valeur)
    with pytest.raises(ValidationError) as erreur:
        resident.full_clean(exclude=["jeton"])
    assert any(message in m for m in erreur.value.message_dict[champ])
