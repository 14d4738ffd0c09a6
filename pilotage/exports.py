"""Generic exporter: a source gives columns and rows (only what the user may see), a writer turns
them into CSV (utf-8 with BOM, « ; » separator: what French Excel opens directly) or XLSX (openpyxl in
write-only mode, so memory stays flat whatever the number of rows)."""

import csv
import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.utils import timezone
from openpyxl import Workbook

from accompagnement.models import Accompagnement
from accompagnement.views_communs import entier
from accounts import acces

from . import bilan, listes
from .contenu import Contenu
from .models import LIBELLES_EXPORT, ComiteSuivi

# Above this many rows the export runs in the background (Celery) with a progress bar.
SEUIL_ARRIERE_PLAN = 2000
TAILLE_LOT = 2000


def _annee(parametres):
    try:
        annee = int(parametres.get("annee"))
    except (TypeError, ValueError):
        raise ValidationError("Indiquez une année valide (par exemple 2025).") from None
    if not 2000 <= annee <= 2100:
        raise ValidationError("Indiquez une année valide (par exemple 2025).")
    return annee


def _mesures(user, parametres):
    qs = Accompagnement.objects.visibles_par(user).order_by("pk")
    colonnes = ["n°", "nom", "prénom", "modalité", "référent", "structure", "début", "fin", "motif de fin"]
    valeurs = qs.values_list(
        "pk",
        "resident__nom",
        "resident__prenom",
        "modalite__libelle",
        F("referent__last_name"),
        "structure__nom",
        "date_debut",
        "date_fin",
        "motif_fin",
    )
    motifs = dict(Accompagnement.MotifFin.choices)

    def lignes():
        for row in valeurs.iterator(chunk_size=TAILLE_LOT):
            yield (*row[:8], motifs.get(row[8], row[8]))

    return Contenu("accompagnements", colonnes, lignes(), qs.count())


def _bilan_rsa(user, parametres):
    annee = _annee(parametres)
    lignes, total = bilan.bilan_rsa(user, annee)
    # Convention n°: the structure's number, or its name when none is recorded (bilan.bilan_rsa).
    colonnes = ["Convention n°", "Structure", "Territoire"] + [libelle for _c, libelle in bilan.COLONNES_RSA]
    rows = [(ligne.convention, ligne.structure, ligne.territoire, *ligne.valeurs()) for ligne in [*lignes, total]]
    return Contenu(f"bilan-rsa-{annee}", colonnes, rows, len(rows))


def _sorties_rsa(user, parametres):
    annee = _annee(parametres)
    qs = bilan.sorties_rsa(user, annee)
    colonnes = ["nom", "prénom", "structure", "modalité", "référent", "début", "fin", "motif", "destination"]
    rows = (
        (
            m.resident.nom,
            m.resident.prenom,
            m.structure.nom,
            m.modalite.libelle,
            str(m.referent),
            m.date_debut,
            m.date_fin,
            m.get_motif_fin_display(),
            m.get_destination_display(),
        )
        for m in qs
    )
    return Contenu(f"sorties-rsa-{annee}", colonnes, rows, qs.count())


def _osa(user, parametres):
    """The bilan page's OSA table: per week, for each modality then in total, the hours, the people
    with an activity and the hours per person (bilan.osa)."""
    annee = _annee(parametres)
    semaines = bilan.osa(user, annee)
    modalites = bilan.modalites_osa(semaines)
    colonnes = ["semaine"]
    for libelle in [libelle for _c, libelle in modalites] + ["total"]:
        colonnes += [f"{libelle} : heures", f"{libelle} : personnes", f"{libelle} : heures par personne"]
    rows = []
    for semaine in semaines:
        valeurs = [semaine.par_modalite.get(code, bilan.ActiviteOSA()).valeurs() for code, _l in modalites]
        rows.append((semaine.libelle, *[v for triple in valeurs for v in triple], *semaine.total.valeurs()))
    return Contenu(f"osa-{annee}", colonnes, rows, len(rows))


def _asll(user, parametres):
    annee = _annee(parametres)
    c = bilan.chiffres_asll(user, annee)
    rows = [
        ("ménages accompagnés", c["menages"]),
        ("mesures suivies dans l'année", c["mesures"]),
        ("mesures ouvertes", c["ouvertes"]),
        ("plans d'actions renouvelés", c["renouvelees"]),
        ("mesures terminées", c["terminees"]),
        *[(f"fin : {motif}", n) for motif, n in c["motifs"]],
    ]
    return Contenu(f"asll-{annee}", ["indicateur", "valeur"], rows, len(rows))


def _objectif(objectif):
    """« wording (state, latest evaluation) », as on the committee's page."""
    derniere = objectif.evaluations_liste[0] if objectif.evaluations_liste else None
    evaluation = f", évalué {derniere.get_niveau_display()} le {derniere.date:%d/%m/%Y}" if derniere else ""
    return f"{objectif.libelle} ({objectif.get_etat_display()}{evaluation})"


def _comite(user, parametres):
    from .pack import pack

    try:
        comite = ComiteSuivi.objects.visibles_par(user).get(pk=int(parametres.get("comite")))
    except (ComiteSuivi.DoesNotExist, TypeError, ValueError):
        raise ValidationError("Ce comité n'existe pas ou ne vous est pas accessible.") from None
    lignes, _precedent = pack(comite, user)
    colonnes = [
        "nom",
        "prénom",
        "modalité",
        "depuis",
        "fin",
        "contrat",
        "dernier contact",
        "dernière rencontre",
        "fréquences tenues",
        "objectifs",
        "alertes",
        "décision",
        "modalité visée",
        "commentaire",
        "action demandée",
        "pour le",
    ]
    rows = []
    for ligne in lignes:
        m, d = ligne.mesure, ligne.decision
        rows.append(
            (
                m.resident.nom,
                m.resident.prenom,
                m.modalite.libelle,
                m.date_debut,
                m.date_fin,
                str(ligne.contrat) + f" ({ligne.contrat.get_etat_display()})" if ligne.contrat else "aucun",
                ligne.dernier_contact,
                ligne.derniere_rencontre,
                {True: "oui", False: "non", None: ""}[ligne.tenue],
                " ; ".join(_objectif(o) for o in ligne.objectifs),
                " ; ".join(e.message for e in ligne.alertes),
                d.get_decision_display() if d else "",
                str(d.modalite_cible) if d and d.modalite_cible else "",
                d.commentaire if d else "",
                d.action if d else "",
                d.action_due_le if d else None,
            )
        )
    return Contenu(f"comite-{comite.pk}", colonnes, rows, len(rows))


def _comites(user, parametres):
    """The committee history page's list (its référent filter included), every row the user may see."""
    qs = ComiteSuivi.objects.visibles_par(user).select_related("referent", "territoire", "president")
    referent = entier(parametres.get("referent"))
    if referent is not None:  # an unreadable filter is ignored, as on the page
        qs = qs.filter(referent_id=referent)
    qs = qs.annotate(nb_decisions=Count("decisions")).order_by("-date", "-pk")
    colonnes = ["date", "type", "référent", "territoire", "présidé par", "état", "clos le", "décisions"]
    rows = (
        (
            c.date,
            c.get_type_display(),
            str(c.referent),
            str(c.territoire),
            str(c.president),
            c.get_etat_display(),
            timezone.localdate(c.clos_le) if c.clos_le else None,
            c.nb_decisions,
        )
        for c in qs
    )
    return Contenu("comites", colonnes, rows, qs.count())


_CALCULS = {
    "mesures": _mesures,
    "bilan_rsa": _bilan_rsa,
    "sorties_rsa": _sorties_rsa,
    "osa": _osa,
    "asll": _asll,
    "comite": _comite,
    "comites": _comites,
    **listes.CALCULS,
}
# (French name, computation) of each kind of export.
SOURCES = {type: (LIBELLES_EXPORT[type], calcul) for type, calcul in _CALCULS.items()}


# Exported from their own page (with its filters), not from the exports page.
DEPUIS_LEUR_PAGE = {"comite", "comites", *listes.CALCULS}

# The bilan's figures are exported to whoever may see the bilan page, no one else.
SOURCES_DU_BILAN = {"bilan_rsa", "sorties_rsa", "osa", "asll"}


def source(type):
    try:
        return SOURCES[type]
    except KeyError:
        raise ValidationError("Type d'export inconnu.") from None


def permis(type, user):
    return type not in SOURCES_DU_BILAN or acces.peut_voir_bilan(user)


def contenu(type, user, parametres):
    fonction = source(type)[1]
    if not permis(type, user):
        raise PermissionDenied
    return fonction(user, parametres or {})


# A text cell starting with one of these is run as a formula by spreadsheets (CSV / formula injection).
DEBUTS_DE_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def _texte_sur(valeur):
    """Text values that a spreadsheet would read as a formula get a leading quote; others as they are."""
    if isinstance(valeur, str) and valeur.startswith(DEBUTS_DE_FORMULE):
        return "'" + valeur
    return valeur


def _cellule(valeur):
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    return "" if valeur is None else _texte_sur(valeur)


def ecrire_csv(flux, contenu, progression=None):
    """`flux` is a binary file; returns the number of rows."""
    texte = io.TextIOWrapper(flux, encoding="utf-8-sig", newline="")
    writer = csv.writer(texte, delimiter=";")
    writer.writerow([_texte_sur(c) for c in contenu.colonnes])
    n = 0
    for n, ligne in enumerate(contenu.lignes, 1):
        writer.writerow([_cellule(v) for v in ligne])
        if progression and n % TAILLE_LOT == 0:
            progression(n)
    texte.flush()
    texte.detach()
    return n


def ecrire_xlsx(flux, contenu, progression=None):
    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet(contenu.titre[:31])
    feuille.append([_texte_sur(c) for c in contenu.colonnes])
    n = 0
    for n, ligne in enumerate(contenu.lignes, 1):
        # Dates and numbers stay typed (sortable in Excel); text is neutralised (openpyxl would store
        # "=…" as a formula).
        feuille.append([_texte_sur(v) if v is not None else "" for v in ligne])
        if progression and n % TAILLE_LOT == 0:
            progression(n)
    classeur.save(flux)
    return n


ECRIVAINS = {"csv": ecrire_csv, "xlsx": ecrire_xlsx}
TYPES_MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
