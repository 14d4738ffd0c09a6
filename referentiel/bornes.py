"""The bounds of what people type: every date and amount field of the models takes its validator here
(tests/referentiel/test_bornes.py checks that none is missing), so a ModelForm, the admin and an import
refuse the same values with the same French message.

Django's date fields take any year from 1 to 9999. Such a typo (9999-12-31 for a birth date) was saved,
then overflowed the date arithmetic of the services, the échéance engine or the ICS feed: a 500 on every
later page of the dossier, and on the whole structure's « À faire ». The engine also survives such a date
already in the base (echeances.base.date_bornee); these bounds keep new ones out."""

import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# Nobody accompanied today was born before 1900 (the database says so too: resident_naissance_plausible).
PREMIER_JOUR = datetime.date(1900, 1, 1)
# A date of the follow-up itself (an RSA right, a consent, a contract, an entretien, an admission) is after
# this day: the RSA dates from 2009 (the RMI before it from 1988, not followed here), and a file without
# contact for CONSERVATION_DOSSIER (2 years) is anonymised, so nothing older than that is kept open.
DEBUT_DU_SUIVI = datetime.date(2000, 1, 1)
# How far ahead a planned date may go (a contract's end, an objective, a planned lease transfer, the end of
# a young adult's care): the longest contract of the référentiel is a year, renewals are separate
# contracts. Beyond that it is a typing error (2062 for 2026). Forms may be stricter (accompagnement.forms).
HORIZON_ANNEES = 5


@deconstructible
class BorneDeDate:
    """Validator of a date (or date and time): not before `depuis`, not after `annees` years from today;
    with 0, not in the future (`message_futur` then says why)."""

    def __init__(self, annees=1, message_futur="Cette date ne peut pas être dans le futur.", depuis=PREMIER_JOUR):
        self.annees = annees
        self.message_futur = message_futur
        self.depuis = depuis

    def __call__(self, valeur):
        # The date as typed, in the current time zone: no conversion, which overflows in year 1.
        jour = valeur.date() if isinstance(valeur, datetime.datetime) else valeur
        if jour < self.depuis:
            raise ValidationError(
                f"Cette date est trop ancienne : le {self.depuis:%d/%m/%Y} au plus tôt.", code="date_trop_ancienne"
            )
        if self.annees == 0:
            futur = valeur > timezone.now() if isinstance(valeur, datetime.datetime) else jour > timezone.localdate()
            if futur:
                raise ValidationError(self.message_futur, code="date_future")
            return
        limite = timezone.localdate() + relativedelta(years=self.annees)  # 29 February → 28
        if jour > limite:
            raise ValidationError(
                f"Cette date est trop lointaine : le {limite:%d/%m/%Y} au plus tard.", code="date_trop_lointaine"
            )

    def __eq__(self, autre):
        return isinstance(autre, BorneDeDate) and (self.annees, self.message_futur, self.depuis) == (
            autre.annees,
            autre.message_futur,
            autre.depuis,
        )

    def __hash__(self):
        return hash((self.annees, self.message_futur, self.depuis))


# The validators the models use (one per kind of date).
NAISSANCE = BorneDeDate(annees=0, message_futur="Une date de naissance ne peut pas être dans le futur.")
SUIVI = BorneDeDate(annees=HORIZON_ANNEES, depuis=DEBUT_DU_SUIVI)
MONTANT = MinValueValidator(Decimal("0"), message="Un montant ne peut pas être négatif.")
