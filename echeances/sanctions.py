"""Writes of the sanction procedure (seed 003, domain.md §6.4 and §10): the report to the délégué
insertion, its supporting documents, then each step. Keyword-only, atomic; each step takes the report's
optimistic lock (`version`), so a step sent twice is recorded once. Who may do what: accounts.acces."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accompagnement.jeton import deja_saisi, sauver_une_fois
from accompagnement.verrou import verrouiller
from accounts import acces
from accounts.models import Role
from courriels import services as courriels
from referentiel.delais import relativedelta_de
from referentiel.regles import parametre

from . import pieces
from .choix import Regle
from .models import ETAPES_OUVERTES, EtapeSanction, EtapeSignalement, PieceSignalement, SignalementSanction
from .moteur import calculer

E = EtapeSanction
MOTIF_MIN = 20


def _refuser_si(condition, message):
    if condition:
        raise ValidationError(message)


def _texte(valeur):
    return (valeur or "").strip()


def _territoire(signalement):
    return signalement.accompagnement.structure.territoire


def _passer(signalement, *, action, par, le, etape=None, commentaire=""):
    """Save the report at its next step (or the same one) and write the step log."""
    avant = signalement.etape
    if etape is not None:
        signalement.etape = etape
    signalement.version += 1
    signalement.full_clean(exclude=["absences", "jeton"], validate_unique=False)
    signalement.save()
    EtapeSignalement.objects.create(
        signalement=signalement,
        etape_avant=avant,
        etape_apres=signalement.etape,
        action=action,
        le=le,
        par=par,
        commentaire=commentaire,
    )
    return signalement


def _date(le, nom, *, pas_avant=None, avant_quoi=""):
    """A step's date: given, not in the future, not before the previous step."""
    _refuser_si(le is None, {nom: "Indiquez la date."})
    _refuser_si(le > timezone.localdate(), {nom: "Cette date est dans le futur."})
    if pas_avant is not None:
        _refuser_si(le < pas_avant, {nom: f"Cette date précède {avant_quoi} ({pas_avant:%d/%m/%Y})."})
    return le


# --- the report ----------------------------------------------------------------------------------


def creer_signalement(*, accompagnement, par, motif, origine=SignalementSanction.Origine.ABSENCES, refus=None,
                      jeton=None, le=None):  # fmt: skip
    """The référent's qualified report. After absences, those of the current ABSENCES échéance are attached
    (one report per series); after a refusal to sign, the refusal (one report per refusal); for the
    non-respect of the engagements, the motif says it all (one report per form: its jeton)."""
    with transaction.atomic():
        return _creer(accompagnement, par, _texte(motif), origine, refus, jeton, le or timezone.localdate())


def _creer(accompagnement, par, motif, origine, refus, jeton, le):
    Origine = SignalementSanction.Origine
    if not acces.signale_au_delegue(par, accompagnement):
        raise PermissionDenied("Seule l'équipe de la structure adresse un signalement.")
    if (existant := deja_saisi(SignalementSanction, jeton)) is not None:
        return existant
    _refuser_si(origine not in Origine.values, {"origine": "Choisissez le motif du signalement."})
    _refuser_si(
        accompagnement.modalite.champ != "INSERTION",
        "La procédure de sanction ne concerne que les bénéficiaires du RSA.",
    )
    _refuser_si(
        len(motif) < MOTIF_MIN,
        {"motif": "Motivez le signalement : faits, relances faites, situation (20 caractères au moins)."},
    )
    if origine == Origine.ABSENCES:
        return _creer_apres_absences(accompagnement, par, motif, le)
    signalement = SignalementSanction(accompagnement=accompagnement, auteur=par, motif=motif, origine=origine)
    if origine == Origine.REFUS_CONTRAT:
        _refuser_si(refus is None, "Enregistrez d'abord le refus de signer sur le contrat.")
        _refuser_si(refus.contrat.accompagnement_id != accompagnement.pk, "Ce refus concerne une autre mesure.")
        if (deja := SignalementSanction.objects.filter(refus=refus).first()) is not None:
            return deja
        signalement.refus = refus
    signalement.jeton = jeton
    signalement, cree = sauver_une_fois(signalement)
    if cree:
        _journal_creation(signalement, par, le)
    return signalement


def _creer_apres_absences(accompagnement, par, motif, le):
    echeance = next(iter(calculer([accompagnement.pk], le=le, regles={Regle.ABSENCES})), None)
    if echeance is None:
        existant = SignalementSanction.objects.filter(
            accompagnement=accompagnement, origine=SignalementSanction.Origine.ABSENCES
        ).first()
        if existant:
            return existant
        raise ValidationError("Aucune série d'absences non excusées à signaler pour cette mesure.")
    signalement, cree = SignalementSanction.objects.get_or_create(
        derniere_absence_id=echeance.entretien_ids[-1],
        defaults={"accompagnement": accompagnement, "auteur": par, "motif": motif},
    )
    if cree:
        signalement.absences.set(echeance.entretien_ids)
        _journal_creation(signalement, par, le)
    return signalement


def _journal_creation(signalement, par, le):
    EtapeSignalement.objects.create(
        signalement=signalement, etape_apres=E.SIGNALE, action="signalement au délégué insertion", le=le, par=par
    )
    _prevenir_delegues(signalement)


def _prevenir_delegues(signalement):
    """The délégués insertion of the territory learn at once that a report waits for them: the e-mail is
    recorded with the report and sent after the commit (courriels)."""
    from accounts.models import User

    destinataires = list(
        User.objects.actifs()
        .filter(role=Role.DELEGUE, territoires=signalement.accompagnement.structure.territoire_id)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if destinataires:
        courriels.enregistrer(
            destinataires=destinataires,
            sujet="Signalement à examiner",
            corps=render_to_string(
                "echeances/email/signalement.txt", {"signalement": signalement, "site_url": settings.SITE_URL}
            ),
        )


# --- supporting documents ------------------------------------------------------------------------


def ajouter_piece(*, signalement, par, fichier, jeton=None):
    """A PDF or an image checked by its content and size; the file is removed again if the row is not
    saved (a double submit returns the first piece)."""
    if not acces.joint_des_pieces(par, signalement):
        raise PermissionDenied("Vous ne pouvez pas joindre de pièce à ce signalement.")
    if (existante := deja_saisi(PieceSignalement, jeton)) is not None:
        return existante
    _refuser_si(fichier is None, {"fichier": "Choisissez un fichier (PDF, PNG ou JPEG)."})
    type_mime = pieces.verifier(fichier)
    piece = PieceSignalement(
        signalement=signalement,
        nom=(fichier.name or "piece")[-200:],
        type_mime=type_mime,
        taille=fichier.size,
        ajoutee_par=par,
        jeton=jeton,
    )
    piece.fichier.save(fichier.name, fichier, save=False)
    try:
        with transaction.atomic():
            piece, _creee = sauver_une_fois(piece)
    except BaseException:
        piece.fichier.storage.delete(piece.fichier.name)
        raise
    return piece


# --- the steps -----------------------------------------------------------------------------------


def _instruire(signalement, par, version, message="Seul le délégué insertion du territoire instruit la procédure."):
    if not acces.instruit_le_signalement(par, signalement):
        raise PermissionDenied(message)
    return verrouiller(signalement, version)


def informer(*, signalement, par, le, version):
    """The person is told of the intended sanction and of her right to present observations, within the
    référentiel's SANCTION_OBSERVATIONS_DELAI from that day."""
    with transaction.atomic():
        signalement = _instruire(signalement, par, version)
        _refuser_si(signalement.etape != E.SIGNALE, "La personne a déjà été informée.")
        le = _date(le, "le", pas_avant=timezone.localdate(signalement.envoye_le), avant_quoi="le signalement")
        delai = parametre("SANCTION_OBSERVATIONS_DELAI", _territoire(signalement))
        signalement.informee_le = le
        signalement.observations_limite = le + relativedelta_de(delai)
        return _passer(
            signalement,
            action="personne informée",
            par=par,
            le=le,
            etape=E.INFORMEE,
            commentaire=f"observations attendues jusqu'au {signalement.observations_limite:%d/%m/%Y}",
        )


def noter_observations(*, signalement, par, le, contenu, version):
    """What the person said or wrote (the référent or the délégué records it)."""
    with transaction.atomic():
        if not acces.note_les_observations(par, signalement):
            raise PermissionDenied("Vous ne pouvez pas enregistrer ces observations.")
        signalement = verrouiller(signalement, version)
        _refuser_si(
            signalement.etape != E.INFORMEE,
            "Les observations s'enregistrent une fois la personne informée, avant l'avis de l'équipe.",
        )
        le = _date(le, "le", pas_avant=signalement.informee_le, avant_quoi="l'information de la personne")
        contenu = _texte(contenu)
        _refuser_si(not contenu, {"contenu": "Écrivez les observations de la personne."})
        signalement.observations_le, signalement.observations = le, contenu
        return _passer(signalement, action="observations de la personne", par=par, le=le, etape=E.OBSERVATIONS)


def noter_avis_ep(*, signalement, par, le, avis, version):
    """The équipe pluridisciplinaire's opinion: once the person presented her observations, or once the
    délai to present them is over."""
    with transaction.atomic():
        signalement = _instruire(signalement, par, version)
        _refuser_si(
            signalement.etape not in (E.INFORMEE, E.OBSERVATIONS), "L'avis de l'équipe n'est pas attendu à cette étape."
        )
        le = _date(le, "le", pas_avant=signalement.informee_le, avant_quoi="l'information de la personne")
        _refuser_si(
            signalement.etape == E.INFORMEE and le <= signalement.observations_limite,
            {
                "le": "La personne peut encore présenter ses observations jusqu'au "
                f"{signalement.observations_limite:%d/%m/%Y} : enregistrez-les, ou attendez la fin du délai."
            },
        )
        avis = _texte(avis)
        _refuser_si(not avis, {"avis": "Écrivez l'avis de l'équipe pluridisciplinaire."})
        signalement.avis_ep_le, signalement.avis_ep = le, avis
        return _passer(signalement, action="avis de l'équipe pluridisciplinaire", par=par, le=le, etape=E.AVIS_EP)


def decider_signalement(*, signalement, par, issue, commentaire, version, le=None, taux=None, duree_mois=None,
                        debut=None):  # fmt: skip
    """The Président's delegate decides. No sanction may be decided before the équipe's opinion; « pas de
    sanction » may close the report at any open step. A suspension-remobilisation has its part (%), its
    length in months and its first day, within the référentiel's bounds."""
    Issue = SignalementSanction.Issue
    with transaction.atomic():
        signalement = _instruire(signalement, par, version, "Seul le délégué insertion décide de la suite.")
        _refuser_si(issue not in Issue.values, {"issue": "Choisissez la suite donnée."})
        _refuser_si(signalement.etape not in ETAPES_OUVERTES, "Ce signalement est déjà décidé.")
        _refuser_si(
            issue != Issue.CLASSEMENT and signalement.etape != E.AVIS_EP,
            "Une sanction se décide après l'avis de l'équipe pluridisciplinaire, la personne ayant pu présenter "
            "ses observations.",
        )
        precedent, quoi = (
            (signalement.avis_ep_le, "l'avis de l'équipe")
            if signalement.avis_ep_le
            else (timezone.localdate(signalement.envoye_le), "le signalement")
        )
        le = _date(le or timezone.localdate(), "le", pas_avant=precedent, avant_quoi=quoi)
        commentaire = _texte(commentaire)
        signalement.issue, signalement.issue_commentaire, signalement.issue_le, signalement.issue_par = (
            issue, commentaire, le, par
        )  # fmt: skip
        etape = E.CLOS
        details = commentaire
        if issue == Issue.SUSPENSION:
            _verifier_suspension(signalement, taux, duree_mois, debut, le)
            etape = E.SUSPENDU
            etendue = f"{taux} % pendant {duree_mois} mois à compter du {debut:%d/%m/%Y}"
            details = f"{etendue} – {commentaire}" if commentaire else etendue
        return _passer(
            signalement,
            action=f"décision : {Issue(issue).label}",
            par=par,
            le=le,
            etape=etape,
            commentaire=details,
        )


def _verifier_suspension(signalement, taux, duree_mois, debut, le):
    territoire = _territoire(signalement)
    taux_min = parametre("SUSPENSION_TAUX_MIN", territoire)
    taux_max = parametre("SUSPENSION_TAUX_MAX", territoire)
    duree_max = parametre("SUSPENSION_DUREE_MAX", territoire)
    _refuser_si(
        taux is None or not (taux_min <= taux <= taux_max),
        {"taux": f"La part suspendue va de {taux_min} à {taux_max} %."},
    )
    _refuser_si(
        duree_mois is None or not (1 <= duree_mois <= duree_max),
        {"duree_mois": f"La durée va de 1 à {duree_max} mois."},
    )
    _refuser_si(debut is None, {"debut": "Indiquez le premier jour de la suspension."})
    _refuser_si(debut < le, {"debut": "La suspension ne commence pas avant la décision."})
    signalement.suspension_taux, signalement.suspension_duree_mois, signalement.suspension_debut = (
        taux, duree_mois, debut
    )  # fmt: skip


def lever_suspension(*, signalement, par, le, motif, version):
    """The person complies again (remobilisation): the suspension ends that day."""
    with transaction.atomic():
        signalement = _instruire(signalement, par, version, "Seul le délégué insertion lève la suspension.")
        _refuser_si(signalement.etape != E.SUSPENDU, "Aucune suspension en cours sur ce signalement.")
        le = _date(le, "le", pas_avant=signalement.issue_le, avant_quoi="la décision")
        motif = _texte(motif)
        _refuser_si(not motif, {"motif": "Indiquez en quoi la personne a respecté ses engagements."})
        signalement.levee_le, signalement.levee_motif = le, motif
        return _passer(signalement, action="suspension levée", par=par, le=le, etape=E.LEVE, commentaire=motif)
