"""Who an FJT under convention may admit (domain.md §3, §8, §10): the ages come from the référentiel
(modality FJT_CONVENTION age_min / age_max, parameter FJT_AGE_ALERTE); no dependent children."""

from dataclasses import dataclass, field

from referentiel.models import Modalite
from referentiel.regles import parametre, regles

# Legal majority (Code civil art. 388/414), not a rule of the référentiel: under it, the conditions of
# the stay (authorisation, the tiers' responsibility) must be written down.
MAJORITE = 18


@dataclass
class Verdict:
    erreurs: list = field(default_factory=list)
    avertissements: list = field(default_factory=list)

    @property
    def eligible(self):
        return not self.erreurs


def verifier(*, resident, residence, le, conditions_mineur=""):
    """Errors refuse the application; warnings are shown and recorded, the team decides."""
    valeurs = regles(residence.territoire, Modalite.objects.get(code=Modalite.Code.FJT_CONVENTION))
    alerte = parametre("FJT_AGE_ALERTE", residence.territoire)
    age = resident.age(le)
    verdict = Verdict()
    if valeurs.age_min is not None and age < valeurs.age_min:
        verdict.erreurs.append(
            f"{resident} a {age} ans : une résidence sous convention accueille à partir de {valeurs.age_min} ans."
        )
    elif age < MAJORITE and not (conditions_mineur or "").strip():
        verdict.erreurs.append(
            f"{resident} a {age} ans : notez les conditions d'accueil d'un mineur (autorisation, prise en charge, "
            "suivi éducatif)."
        )
    if valeurs.age_max is not None and age > valeurs.age_max:
        verdict.erreurs.append(f"{resident} a {age} ans : personne n'est accueilli au-delà de {valeurs.age_max} ans.")
    elif age > alerte:
        verdict.avertissements.append(
            f"{resident} a {age} ans : les résidences accueillent en priorité les jeunes jusqu'à {alerte} ans."
        )
    if resident.enfants_a_charge:
        verdict.erreurs.append(
            f"{resident} a {resident.enfants_a_charge} enfant(s) à charge : une résidence FJT ne peut pas accueillir "
            "d'enfant."
        )
    return verdict
