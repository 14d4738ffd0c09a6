"""Retention (CNIL social action référentiel): a file with no contact for CONSERVATION_DOSSIER (2 years,
overridable per département or territory in the référentiel) leaves the active base. The daily job
anonymises it, unless the structure's manager archived it first with a stated reason (restricted
access, kept). Anonymising removes identity and free text everywhere, history tables included; what
stays is what statistics and the law need (dates, modalities, contract documents, the access log, which
names nobody but by id)."""

from datetime import date

from django.db import transaction
from django.db.models import DateField, Max, Q
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from referentiel.delais import relativedelta_de
from referentiel.regles import parametres_par_territoire

from .models import Resident

TEXTE_ANONYME = ""


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
    """The files the job would anonymise on `le` (dry run): no measure still open, not archived or
    anonymised yet, last contact more than CONSERVATION_DOSSIER ago. Each with `dernier_contact` and
    `anonymisable_le`."""
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
        resident.anonymisable_le = resident.dernier_contact + duree
        if resident.anonymisable_le < le:
            resultat.append(resident)
    return resultat


@transaction.atomic
def archiver(*, resident, par, motif, le=None):
    """Keep the file past its retention period, out of the daily view, with the reason."""
    motif = (motif or "").strip()
    if not motif:
        from django.core.exceptions import ValidationError

        raise ValidationError({"motif": "Indiquez le motif de l'archivage."})
    Resident.objects.filter(pk=resident.pk, archive_le__isnull=True).update(
        archive_le=le or timezone.localdate(), motif_archivage=motif[:300]
    )


@transaction.atomic
def anonymiser(resident, *, le=None):
    """Remove identity and free text of one file, in the live tables and in their history."""
    from accompagnement.models import Accompagnement, Entretien, EvaluationObjectif, Objectif

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
        "logement": "",
        "situation_administrative": "",
        "ressources": "",
        "montant_ressources": None,
    }
    Resident.objects.filter(pk=resident.pk).update(**identite, anonymise_le=le)
    Resident.history.filter(id=resident.pk).update(**{k: v for k, v in identite.items() if k != "nom_recherche"})

    mesures = Accompagnement.objects.filter(resident=resident)
    for modele, champs, filtre in (
        (Accompagnement, {"relais": ""}, {"resident_id": resident.pk}),
        (Entretien, {"notes": "", "lieu": ""}, {"accompagnement__in": mesures}),
        (Objectif, {"actions": "", "critere": ""}, {"accompagnement__in": mesures}),
        (
            EvaluationObjectif,
            {"competences": "", "parole_personne": "", "commentaire": ""},
            {"objectif__accompagnement__in": mesures},
        ),
    ):
        ids = list(modele.objects.filter(**filtre).values_list("pk", flat=True))
        modele.objects.filter(pk__in=ids).update(**champs)
        modele.history.filter(id__in=ids).update(**champs)
    return True


def appliquer(*, le=None):
    """The daily job: anonymise every candidate. Idempotent (an anonymised file is no longer a candidate)."""
    faits = []
    for resident in candidats(le=le):
        if anonymiser(resident, le=le):
            faits.append(resident.pk)
    return faits
