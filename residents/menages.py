"""A household (ménage): the person and her conjoint, who has the same rights and duties for the RSA and
signs the CER too (contrats.models reads `Resident.conjoint`). Linked and unlinked by the team from the
person's page; each change is a new version of both files (history: who, when), under the one optimistic
lock (accompagnement.verrou) of the file the form was opened from."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accompagnement.verrou import enregistrer_version, verrouiller
from accounts.acces import exiger_equipe
from referentiel.models import Champ

from .models import Menage, Resident


def _enfants_en_fjt(*personnes):
    """A résidence FJT cannot host dependent children (domain.md §2): refuse a household that would bring
    some into a person's FJT stay."""
    from accompagnement.models import Accompagnement

    enfants = sum(p.enfants_a_charge for p in personnes)
    if not enfants:
        return
    en_fjt = Accompagnement.objects.actifs().filter(resident__in=personnes, modalite__champ=Champ.FJT)
    if personne := next((m.resident for m in en_fjt.select_related("resident")), None):
        raise ValidationError(
            f"{personne} est accompagné·e en résidence FJT, qui ne peut pas accueillir d'enfant à charge "
            f"({enfants} dans ce ménage) : le ménage n'est pas enregistré."
        )


@transaction.atomic
def lier_conjoint(*, resident, conjoint, par, version):
    """`resident` (whose page the form was opened from, at `version`) and `conjoint` form one household;
    the first is the applicant, the second the conjoint. Sending the same link twice changes nothing."""
    exiger_equipe(par, resident.structure, "Seule l'équipe de la structure de la personne déclare son ménage.")
    exiger_equipe(par, conjoint.structure, "Le ou la conjoint·e doit être suivi·e par votre structure.")
    actuel = Resident.objects.get(pk=resident.pk)
    if actuel.menage_id and actuel.menage_id == Resident.objects.get(pk=conjoint.pk).menage_id:
        return actuel  # the form sent twice: already done
    courant = verrouiller(resident, version)
    if conjoint.pk == courant.pk:
        raise ValidationError({"conjoint": "Une personne ne peut pas être son propre conjoint."})
    autre = Resident.objects.select_for_update().get(pk=conjoint.pk)
    for personne in (courant, autre):
        if personne.menage_id and personne.autre_membre_du_couple is not None:
            raise ValidationError(
                {"conjoint": f"{personne} a déjà un·e conjoint·e dans son dossier : déliez d'abord ce ménage."}
            )
    _enfants_en_fjt(courant, autre)
    menage = courant.menage or autre.menage or Menage.objects.create()
    couple = Resident.SituationFamiliale.COUPLE
    enregistrer_version(courant, menage=menage, role_menage=Resident.RoleMenage.DEMANDEUR, situation_familiale=couple)
    enregistrer_version(autre, menage=menage, role_menage=Resident.RoleMenage.CONJOINT, situation_familiale=couple)
    return courant


@transaction.atomic
def delier_conjoint(*, resident, par, version):
    """Each person leaves the household (kept, empty, in the history); their family situation is theirs to
    update afterwards."""
    exiger_equipe(par, resident.structure, "Seule l'équipe de la structure de la personne déclare son ménage.")
    courant = verrouiller(resident, version)
    autre = courant.autre_membre_du_couple
    if autre is None:
        raise ValidationError("Aucun·e conjoint·e n'est lié·e à ce dossier.")
    autre = Resident.objects.select_for_update().get(pk=autre.pk)
    for personne in (courant, autre):
        enregistrer_version(personne, menage=None, role_menage=Resident.RoleMenage.DEMANDEUR)
    return courant
