"""Retention (CNIL social action référentiel): a file with no contact for CONSERVATION_DOSSIER (2 years,
overridable per département or territory in the référentiel) leaves the active base. The daily job
anonymises it CONSERVATION_PREAVIS_JOURS days later (setting, 30 by default): in between the file is on the
dry-run report the structure's manager reads, who can archive it with a stated reason instead (restricted
access, kept). Anonymising removes identity and free text everywhere, history tables and uploaded files
included; what stays is what statistics and the law need (dates, modalities, signed contract documents,
the access log, which names nobody but by id)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DateField, Max, Q
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from accounts import acces
from referentiel.delais import relativedelta_de
from referentiel.regles import parametres_par_territoire

from .models import Resident

TEXTE_ANONYME = ""
# For a free text the database requires non-empty (a held synthèse has a bilan, a decision a reason…).
TEXTE_RETIRE = "[anonymisé]"


def preavis():
    """How long a file stays on the dry-run report between the end of its retention and the job's
    anonymisation (settings.CONSERVATION_PREAVIS_JOURS, 30 days by default)."""
    return timedelta(days=getattr(settings, "CONSERVATION_PREAVIS_JOURS", 30))


def _annoter_dernier_contact(qs):
    """The last sign of life of a file: an entretien that took place, a workshop attended, the end or
    start of a measure, or the creation of the file."""
    return qs.annotate(
        _entretien=Cast(
            Max("accompagnements__entretiens__date_heure", filter=Q(accompagnements__entretiens__statut="HONORE")),
            DateField(),
        ),
        _atelier=Cast(Max("participations__action__date_heure"), DateField()),
        _mesure=Max(Coalesce("accompagnements__date_fin", "accompagnements__date_debut")),
        dernier_contact=Greatest(
            Coalesce("_entretien", date(1900, 1, 1)),
            Coalesce("_atelier", date(1900, 1, 1)),
            Coalesce("_mesure", date(1900, 1, 1)),
            Cast("date_creation", DateField()),
        ),
    )


def candidats(qs=None, *, le=None):
    """The dry-run report on `le`: the files whose retention period is over (no measure still open, not
    archived or anonymised yet, last contact more than CONSERVATION_DOSSIER ago). Each with
    `dernier_contact`, `fin_conservation` and `anonymisable_le` (the job anonymises it the day after:
    every file is on the report for the whole préavis before). The préavis runs from the end of the
    retention or, when the job first found the file later than that (`signale_le`; a file not found yet
    will be tonight), from the day before it did."""
    le = le or timezone.localdate()
    qs = Resident.objects.all() if qs is None else qs
    ouverts = Q(accompagnements__date_fin__isnull=True) | Q(accompagnements__date_fin__gte=le)
    qs = (
        qs.filter(archive_le__isnull=True, anonymise_le__isnull=True)
        .exclude(pk__in=Resident.objects.filter(ouverts).values("pk"))
        .select_related("structure__territoire")
    )
    durees = parametres_par_territoire()
    resultat = []
    for resident in _annoter_dernier_contact(qs).order_by("nom", "prenom"):
        duree = relativedelta_de(durees[(resident.structure.territoire_id, "CONSERVATION_DOSSIER")])
        resident.fin_conservation = resident.dernier_contact + duree
        veille_du_signalement = (resident.signale_le or le) - timedelta(days=1)
        resident.anonymisable_le = max(resident.fin_conservation, veille_du_signalement) + preavis()
        if resident.fin_conservation < le:
            resultat.append(resident)
    return resultat


ARCHIVAGE_REFUSE = "Seul le responsable de la structure de la personne peut archiver son dossier."


@transaction.atomic
def archiver(*, resident, par, motif, le=None):
    """Keep the file past its retention period, out of the daily view, with the reason. Who archived is the
    author of the change in the file's history (Resident.history: history_user, reason « archivage »)."""
    if not acces.est_responsable_du_dossier(par, resident):
        raise PermissionDenied(ARCHIVAGE_REFUSE)
    motif = (motif or "").strip()
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de l'archivage."})
    courant = Resident.objects.select_for_update().get(pk=resident.pk)
    if courant.archive_le is not None:
        return courant
    courant.archive_le = le or timezone.localdate()
    courant.motif_archivage = motif[:300]
    courant.version += 1  # a form opened before the archiving cannot undo it
    courant._history_user = par
    courant._change_reason = "archivage"
    courant.save(update_fields=["archive_le", "motif_archivage", "version"])
    return courant


def _textes_a_effacer(resident, mesures):
    """(model, fields and their anonymous value, filter) for every free text about the person, in the
    apps that hold it. The same filter selects the live rows and their history rows."""
    from accompagnement.models import Accompagnement, Entretien, EvaluationObjectif, EvaluationPartagee, Objectif
    from admissions.models import (
        Candidature,
        FinDePriseEnCharge,
        GarantieTiers,
        Logement,
        PassageRelais,
        ReunionCoordination,
        Synthese,
    )
    from contrats.models import RefusSignature
    from echeances.models import EtapeSignalement, PieceSignalement, SignalementSanction
    from pilotage.models import DecisionComite

    from .models import Consentement

    vide, retire = TEXTE_ANONYME, TEXTE_RETIRE
    de_la_personne = {"resident_id": resident.pk}
    des_mesures = {"accompagnement_id__in": mesures}
    return [
        (Accompagnement, {"relais": vide}, de_la_personne),
        (Entretien, {"notes": vide, "lieu": vide}, des_mesures),
        (Objectif, {"libelle": retire, "actions": vide, "critere": vide}, des_mesures),
        (
            EvaluationObjectif,
            {"competences": vide, "parole_personne": vide, "commentaire": vide},
            {"objectif__accompagnement_id__in": mesures},
        ),
        (EvaluationPartagee, {"cooperation": vide, "satisfaction": vide}, des_mesures),
        (Consentement, {"finalite": retire}, de_la_personne),
        (
            Candidature,
            {
                "note_sociale": vide,
                "note_sociale_pdf": vide,
                "conditions_mineur": vide,
                "compte_rendu_contact": vide,
                "autonomie": vide,
                "difficultes": vide,
                "parcours": vide,
                "premiers_objectifs": vide,
                "motif_decision": retire,
                "motif_abandon": vide,
                "logement": vide,
            },
            de_la_personne,
        ),
        (GarantieTiers, {"precisions": vide}, {"candidature__resident_id": resident.pk}),
        (Synthese, {"participants": vide, "bilan": retire}, des_mesures),
        (ReunionCoordination, {"autres_participants": vide, "decisions": retire}, des_mesures),
        (Logement, {"adresse": vide}, des_mesures),
        (FinDePriseEnCharge, {"explications": retire}, des_mesures),
        (PassageRelais, {"repreneur": retire, "elements_transmis": vide}, des_mesures),
        (DecisionComite, {"commentaire": vide, "action": vide}, des_mesures),
        (
            SignalementSanction,
            {"motif": retire, "issue_commentaire": vide, "observations": vide, "avis_ep": vide, "levee_motif": vide},
            des_mesures,
        ),
        (EtapeSignalement, {"commentaire": vide}, {"signalement__accompagnement_id__in": mesures}),
        (PieceSignalement, {"nom": retire, "fichier": ""}, {"signalement__accompagnement_id__in": mesures}),
        (RefusSignature, {"motif": vide}, {"contrat__accompagnement_id__in": mesures}),
    ]


def _supprimer_pieces_des_signalements(mesures):
    """The supporting documents of the sanction reports, deleted once the anonymisation is committed."""
    from echeances.models import PieceSignalement

    champ = PieceSignalement._meta.get_field("fichier")
    noms = set(
        PieceSignalement.history.filter(signalement__accompagnement_id__in=mesures).values_list("fichier", flat=True)
    )
    noms.discard("")
    transaction.on_commit(lambda: [champ.storage.delete(nom) for nom in noms])


def _supprimer_notes_sociales(resident):
    """The uploaded notes sociales (every version named in the history), deleted once the anonymisation is
    committed (a rolled-back transaction keeps them)."""
    from admissions.models import Candidature

    champ = Candidature._meta.get_field("note_sociale_pdf")
    noms = set(Candidature.objects.filter(resident_id=resident.pk).values_list("note_sociale_pdf", flat=True))
    noms |= set(Candidature.history.filter(resident_id=resident.pk).values_list("note_sociale_pdf", flat=True))
    noms.discard("")
    noms.discard(None)

    def supprimer():
        for nom in noms:
            champ.storage.delete(nom)

    transaction.on_commit(supprimer)


@transaction.atomic
def anonymiser(resident, *, le=None):
    """Remove identity and free text of one file, in the live tables and in their history."""
    from accompagnement.models import Accompagnement

    le = le or timezone.localdate()
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.anonymise_le is not None:
        return False
    identite = {
        "nom": "Anonyme",
        "prenom": f"n°{resident.pk}",
        "nom_naissance": "",
        "nom_recherche": f"anonyme n°{resident.pk}",
        # The year of birth stays for the statistics (age groups of the annual report).
        "date_naissance": date(resident.date_naissance.year, 1, 1),
        "telephone": "",
        "email": "",
        "adresse": "",
        "numero_allocataire": "",
        "logement": "",
        "situation_administrative": "",
        "ressources": "",
        "montant_ressources": None,
    }
    Resident.objects.filter(pk=resident.pk).update(**identite, anonymise_le=le)
    Resident.history.filter(id=resident.pk).update(**{k: v for k, v in identite.items() if k != "nom_recherche"})

    mesures = list(Accompagnement.objects.filter(resident=resident).values_list("pk", flat=True))
    _supprimer_notes_sociales(resident)
    _supprimer_pieces_des_signalements(mesures)
    for modele, champs, filtre in _textes_a_effacer(resident, mesures):
        modele.objects.filter(**filtre).update(**champs)
        modele.history.filter(**filtre).update(**champs)
    return True


def appliquer(*, le=None):
    """The daily job: note the day each file is first found past its retention (`signale_le`; forgotten
    when it is no longer, after a new contact), then anonymise every file past its préavis. Idempotent (an
    anonymised file is no longer a candidate)."""
    le = le or timezone.localdate()
    # One reading: a file not found before already has its dates as of today's finding (candidats()).
    liste = candidats(le=le)
    ids = [resident.pk for resident in liste]
    with transaction.atomic():
        Resident.objects.filter(signale_le__isnull=False).exclude(pk__in=ids).update(signale_le=None)
        Resident.objects.filter(pk__in=ids, signale_le__isnull=True).update(signale_le=le)
    faits = []
    for resident in liste:
        if resident.anonymisable_le < le and anonymiser(resident, le=le):
            faits.append(resident.pk)
    return faits
