"""Writes of the pilotage app: committees, decisions and their actions, exports."""

import datetime
import json
import uuid
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accompagnement.jeton import deja_saisi, enregistrer_une_fois, sauver_une_fois
from accompagnement.models import Accompagnement
from accompagnement.verrou import ConflitDeVersion, enregistrer_version, verifier_version
from accounts import acces
from accounts.models import User
from referentiel.models import Modalite
from residents.models import Resident

from .models import AvenantComite, ComiteSuivi, DecisionComite, Export

DUREE_VIE_EXPORT = datetime.timedelta(hours=24)


def duree_vie_export():
    return getattr(settings, "EXPORT_DUREE_VIE", DUREE_VIE_EXPORT)


def referents_possibles(user, type_comite):
    """The référents a chair may hold a committee with (accounts.acces.referents_du_comite: their
    territories, the committee's field)."""
    return acces.referents_du_comite(User.objects.actifs().referents(), user, type_comite).order_by(
        "last_name", "first_name"
    )


@transaction.atomic
def ouvrir_comite(*, par, type, referent, date):
    """Open a committee; opening it twice (double submit) returns the same one."""
    if type not in ComiteSuivi.Type.values:
        raise ValidationError("Type de comité inconnu.")
    if acces.type_de_comite_preside(par) != type:
        qui = "un·e délégué·e insertion" if type == ComiteSuivi.Type.TRIMESTRIEL_RSA else "un·e conseiller·ère logement"
        raise ValidationError(f"Seul·e {qui} peut ouvrir ce comité.")
    if date is None:
        raise ValidationError("Indiquez la date du comité.")
    territoire = (
        par.territoires.filter(structures__in=referent.structures.all()).distinct().order_by("pk").first()
        if referent is not None
        else None
    )
    if referent is None or not referent.is_referent or territoire is None:
        raise ValidationError("Ce référent n'exerce pas sur votre territoire.")
    if not referents_possibles(par, type).filter(pk=referent.pk).exists():
        champ = "RSA" if type == ComiteSuivi.Type.TRIMESTRIEL_RSA else "ASLL"
        raise ValidationError(f"Ce référent ne suit aucune mesure {champ} : ce comité ne le concerne pas.")
    comite, _cree = ComiteSuivi.objects.get_or_create(
        type=type,
        referent=referent,
        date=date,
        defaults={"territoire": territoire, "president": par},
    )
    return comite


def _verifier_president(comite, par):
    if not acces.peut_presider(par, comite):
        raise ValidationError("Seul·e la personne qui préside ce comité peut y enregistrer des décisions.")
    if not comite.est_ouvert:
        raise ValidationError("Ce comité est clos : ses décisions ne peuvent plus être modifiées.")


# A decision that calls for action without a typed one: the référent gets it in « À faire », due one
# month after the committee (the next monthly committee; a quarterly one checks it in between) unless
# the chair gave a date.
DELAI_ACTION_PAR_DEFAUT = relativedelta(months=1)


def action_par_defaut(comite, decision, modalite_cible=None):
    """The action a re-orientation, a sanction procedure or an exit asks of the référent, in words;
    "" for the decisions that ask nothing by themselves."""
    le = f"décidée en comité du {comite.date:%d/%m/%Y}"
    if decision == DecisionComite.Choix.REORIENTATION and modalite_cible is not None:
        return f"Mettre en œuvre la réorientation vers {modalite_cible.libelle} {le}"
    if decision == DecisionComite.Choix.SANCTION:
        return f"Engager la procédure de sanction {le} : rapport motivé au délégué insertion"
    if decision == DecisionComite.Choix.SORTIE:
        return f"Organiser la sortie du dispositif {le} : évaluation de sortie et clôture de la mesure"
    return ""


@transaction.atomic
def enregistrer_decision(
    *,
    comite,
    accompagnement,
    par,
    decision,
    commentaire="",
    modalite_cible=None,
    action="",
    action_due_le=None,
    version=None,
):
    """Record (or change) the decision about one measure. `version` is the decision's version the
    form was built from (None or "" for a new one): a concurrent change is refused, never overwritten."""
    from .pack import mesures_du_comite

    comite = ComiteSuivi.objects.select_for_update().get(pk=comite.pk)
    _verifier_president(comite, par)
    if not mesures_du_comite(comite, par).filter(pk=accompagnement.pk).exists():
        raise ValidationError("Cette mesure ne relève pas de ce comité.")
    if decision not in DecisionComite.Choix.values:
        raise ValidationError("Choisissez une décision.")
    if decision == DecisionComite.Choix.REORIENTATION:
        if modalite_cible is None:
            raise ValidationError("Indiquez la modalité vers laquelle réorienter la personne.")
        if modalite_cible.pk == accompagnement.modalite_id:
            raise ValidationError("La modalité visée est déjà celle de la mesure.")
    else:
        modalite_cible = None
    existante = DecisionComite.objects.select_for_update().filter(comite=comite, accompagnement=accompagnement).first()
    action = (action or "").strip()
    if (
        existante is not None
        and action
        and action == action_par_defaut(comite, existante.decision, existante.modalite_cible)
    ):
        # The form carried the previous default wording back: it follows the decision when that changes.
        action = ""
    if not action and (defaut := action_par_defaut(comite, decision, modalite_cible)):
        action = defaut
        action_due_le = action_due_le or comite.date + DELAI_ACTION_PAR_DEFAUT
    if action and action_due_le is None:
        raise ValidationError("Indiquez pour quand l'action demandée au référent doit être faite.")
    if not action:
        action_due_le = None
    if existante is None:
        if version not in (None, ""):  # the decision the form showed is gone
            raise ConflitDeVersion()
        objet = DecisionComite(comite=comite, accompagnement=accompagnement)
    else:
        verifier_version(existante, version)
        objet = existante
        objet.version += 1
    objet.decision = decision
    objet.modalite_cible = modalite_cible
    objet.commentaire = (commentaire or "").strip()
    if objet.action != action:
        objet.action_faite_le = None
    objet.action = action
    objet.action_due_le = action_due_le
    if existante is not None:
        objet.modifiee_le = timezone.now()
    # The committee and the measure were just read through scoped querysets: not checked again (the
    # unique pair is the database's, an IntegrityError below).
    objet.full_clean(exclude=["comite", "accompagnement"], validate_unique=False)
    try:
        with transaction.atomic():
            objet.save()
    except IntegrityError:
        raise ConflitDeVersion() from None
    return objet


@transaction.atomic
def marquer_action_faite(*, decision, par, le=None):
    """The référent marks the requested action as done (twice is harmless)."""
    decision = DecisionComite.objects.select_for_update().select_related("accompagnement").get(pk=decision.pk)
    if par.pk not in (decision.accompagnement.referent_id, decision.comite.referent_id):
        raise ValidationError("Seul le référent de la personne peut indiquer que l'action est faite.")
    if not decision.action:
        raise ValidationError("Aucune action n'a été demandée pour cette décision.")
    if decision.action_faite_le is None:
        decision.action_faite_le = le or timezone.localdate()
        decision.version += 1
        decision.save()
    return decision


def _compte_rendu(comite, par, compte_rendu, version, **champs):
    """The minutes (and `champs`) written by the chair on the committee as the form showed it."""
    comite = ComiteSuivi.objects.select_for_update().get(pk=comite.pk)
    _verifier_president(comite, par)
    verifier_version(comite, version)
    return enregistrer_version(comite, compte_rendu=(compte_rendu or "").strip(), **champs)


class PersonnesSansDecision(ValidationError):
    """Closing refused: `mesures` are the measures still without a decision (the page lists them)."""

    def __init__(self, mesures):
        self.mesures = mesures
        noms = ", ".join(str(m.resident) for m in mesures)
        n = len(mesures)
        super().__init__(
            f"Le comité ne peut pas être clos : {n} personne{'s' if n > 1 else ''} sans décision ({noms}). "
            "Enregistrez une décision pour chacune, ou marquez-les « non examiné ».",
            code="sans_decision",
        )


class SansDecision(NamedTuple):
    """A measure left to decide: its id and the person's name (what the lists and the refusal show)."""

    pk: int
    resident: str


def mesures_sans_decision(comite, user):
    """The committee's measures (as `user` sees them) with no decision yet, by name. Read as rows, not
    models: each card's save recounts them (300 model instances were a third of its time)."""
    from .pack import mesures_du_comite

    lignes = (
        mesures_du_comite(comite, user)
        .exclude(decisions_comite__comite=comite)
        .order_by("resident__nom", "resident__prenom", "pk")
        .values_list("pk", "resident__prenom", "resident__nom")
    )
    return [SansDecision(pk, Resident.nom_affiche(prenom, nom)) for pk, prenom, nom in lignes]


@transaction.atomic
def clore_comite(*, comite, par, compte_rendu, version):
    """Close the committee: refused while a person of it has no decision (« non examiné » is one), so
    that the minutes never print a blank for someone nobody decided about."""
    comite = ComiteSuivi.objects.select_for_update().get(pk=comite.pk)
    _verifier_president(comite, par)
    verifier_version(comite, version)
    if reste := mesures_sans_decision(comite, par):
        raise PersonnesSansDecision(reste)
    return enregistrer_version(
        comite, compte_rendu=(compte_rendu or "").strip(), etat=ComiteSuivi.Etat.CLOS, clos_le=timezone.now()
    )


@transaction.atomic
def marquer_non_examines(*, comite, par, mesures):
    """Record « non examiné » for the listed measures still without a decision (the ids the chair saw
    and confirmed): a measure decided meanwhile keeps its decision, one not listed is left alone, and
    sending the confirmation twice changes nothing. Returns the decisions created."""
    comite = ComiteSuivi.objects.select_for_update().get(pk=comite.pk)
    _verifier_president(comite, par)
    ids = set()
    for pk in mesures:
        try:
            ids.add(int(pk))
        except (TypeError, ValueError):
            raise ValidationError("Formulaire invalide : rechargez la page.") from None
    # One insert for all (with their history): the committee row is locked, so no decision of it can be
    # saved meanwhile; « non examiné » asks no action of the référent.
    maintenant = timezone.now()
    nouvelles = [
        DecisionComite(
            comite=comite, accompagnement_id=m.pk, decision=DecisionComite.Choix.NON_EXAMINE, cree_le=maintenant
        )
        for m in mesures_sans_decision(comite, par)
        if m.pk in ids
    ]
    return bulk_create_with_history(nouvelles, DecisionComite, default_user=par, default_date=maintenant)


@transaction.atomic
def ajouter_avenant(*, comite, par, texte, date=None, jeton=None):
    """The one correction of a closed committee: an addendum kept beside the original minutes and
    decisions, which stay as they were. The same form sent twice (its `jeton`) adds one addendum."""
    comite = ComiteSuivi.objects.select_for_update().get(pk=comite.pk)
    if not acces.peut_presider(par, comite):
        raise ValidationError("Seul·e la personne qui préside ce comité peut y ajouter un avenant.")
    if comite.est_ouvert:
        raise ValidationError("Le comité est encore ouvert : corrigez directement ses décisions ou son compte rendu.")
    texte = (texte or "").strip()
    if not texte:
        raise ValidationError("Écrivez le texte de l'avenant.")
    date = date or timezone.localdate()
    if date < comite.date:
        raise ValidationError("Un avenant ne peut pas être daté d'avant le comité.")
    if jeton:
        try:
            jeton = uuid.UUID(str(jeton))
        except ValueError:
            raise ValidationError("Formulaire invalide : rechargez la page.") from None
    avenant, _cree = enregistrer_une_fois(
        AvenantComite(comite=comite, texte=texte, date=date, auteur=par, jeton=jeton or None)
    )
    return avenant


@transaction.atomic
def enregistrer_compte_rendu(*, comite, par, compte_rendu, version):
    return _compte_rendu(comite, par, compte_rendu, version)


# --- exports -------------------------------------------------------------------------------------


@transaction.atomic
def demander_export(*, par, type, format, parametres, jeton=None):
    """Create the export row and enqueue its production after commit. The same `jeton` (double
    submit) returns the export already asked for."""
    from . import exports

    if format not in Export.Format.values:
        raise ValidationError("Format d'export inconnu : choisissez CSV ou Excel.")
    exports.source(type)  # raises a clear ValidationError for an unknown kind
    if jeton:
        try:
            jeton = uuid.UUID(str(jeton))
        except ValueError:
            raise ValidationError("Formulaire invalide : rechargez la page.") from None
        # A page carries one jeton for all its export forms (and both format buttons): the request is
        # part of the key, so only the same request sent twice is a double submit.
        demande = json.dumps([type, format, parametres or {}], sort_keys=True, default=str)
        jeton = uuid.uuid5(jeton, demande)
        deja = deja_saisi(Export, jeton)
        if deja is not None:
            if deja.utilisateur_id != par.pk:
                raise ValidationError("Formulaire invalide : rechargez la page.")
            if deja.etat == Export.Etat.EN_ATTENTE and deja.mis_en_file_le is None:
                _confier_apres_commit(deja)  # sent again once the broker is back: queue it now
            return deja
    export, cree = sauver_une_fois(
        Export(
            utilisateur=par,
            type=type,
            format=format,
            parametres=parametres or {},
            expire_le=timezone.now() + duree_vie_export(),
            jeton=jeton or None,
        )
    )
    if cree:
        _confier_apres_commit(export)
    return export


def _confier_apres_commit(export):
    """The export is queued after the commit that saves it; `export.en_file` then tells whether the broker
    took it (False: it waits for the minute's pass, and the page says it will start shortly)."""
    from . import production

    def confier():
        export.en_file = production.confier([export]) == 1

    transaction.on_commit(confier)


def accompagnement_du_comite(comite, user, pk):
    from .pack import mesures_du_comite

    try:
        return mesures_du_comite(comite, user).get(pk=pk)
    except (Accompagnement.DoesNotExist, ValueError, TypeError):
        raise ValidationError("Cette mesure ne relève pas de ce comité.") from None


def modalite_ou_none(pk):
    if pk in (None, ""):
        return None
    try:
        return Modalite.objects.get(pk=int(pk))
    except (Modalite.DoesNotExist, ValueError):
        raise ValidationError("Modalité inconnue.") from None
