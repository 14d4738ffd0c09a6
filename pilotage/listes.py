"""Exports of the daily lists (people, À faire, applications, sanction reports, contracts, CERs to
replace, agenda, workshops): each reads the list's
own selector with the filters the page was showing (`filtres`, the page's query string), so the file
holds exactly the rows of the screen, without its paging."""

from django.http import QueryDict
from django.utils import timezone

from accompagnement import selectors as accompagnement_selectors
from accompagnement.views_communs import entier
from accounts.models import User
from admissions.selectors import candidatures_ouvertes
from contrats import liste as contrats_liste
from contrats.selectors import cer_a_remplacer, contrats_filtres
from echeances import selectors as echeances_selectors
from echeances.choix import Regle
from echeances.models import SignalementSanction
from residents.models import Resident
from residents.selectors import personnes

from .contenu import Contenu

# A page's query string longer than this is not a list's filters.
LONGUEUR_FILTRES = 2000


def filtres(parametres):
    """The list's filters as the page had them (a QueryDict, empty when none)."""
    return QueryDict((parametres.get("filtres") or "")[:LONGUEUR_FILTRES])


def _personnes(user, parametres):
    qs = personnes(user, filtres(parametres).get("q", ""))
    colonnes = ["nom", "prénom", "né·e le", "téléphone", "courriel", "structure"]
    lignes = (
        (r.nom, r.prenom, r.date_naissance, r.telephone, r.email, r.structure.nom)
        for r in qs.select_related("structure").iterator(chunk_size=2000)
    )
    return Contenu("personnes", colonnes, lignes, qs.count())


def _a_faire(user, parametres):
    """The échéances of the user's « À faire » (echeances.selectors); the administrator's list is one
    structure at a time, as on the screen."""
    le = timezone.localdate()
    mesures = echeances_selectors.mesures_a_faire(user, le)
    if user.is_administrateur:
        mesures = mesures.filter(structure_id=entier(filtres(parametres).get("structure")))
    echeances = echeances_selectors.echeances_a_faire(user, le=le, mesures=mesures)
    residents = Resident.objects.in_bulk({e.resident_id for e in echeances if e.resident_id})
    referents = User.objects.in_bulk({e.referent_id for e in echeances if e.referent_id})
    colonnes = ["échéance", "état", "règle", "personne", "référent", "détail"]
    lignes = [
        (
            e.due_le,
            e.etat_label,
            Regle(e.regle).label,
            _nom(residents.get(e.resident_id)),
            str(referents.get(e.referent_id) or ""),
            e.message,
        )
        for e in echeances
    ]
    return Contenu("a-faire", colonnes, lignes, len(lignes))


def _nom(resident):
    return f"{resident.nom.upper()} {resident.prenom}" if resident else ""


def _candidatures(user, parametres):
    le = timezone.localdate()
    qs = candidatures_ouvertes(user, entier(filtres(parametres).get("residence")))
    colonnes = ["reçue le", "jeune", "résidence", "étape", "jours à l'étape", "statut", "tiers partenaire", "référent"]
    lignes = (
        (
            c.date_candidature,
            _nom(c.resident),
            c.residence.nom,
            c.get_etape_display(),
            c.jours_a_l_etape(le),
            c.get_statut_display(),
            str(c.tiers or ""),
            str(c.referent or ""),
        )
        for c in qs
    )
    return Contenu("candidatures", colonnes, lignes, qs.count())


def _signalements(user, parametres):
    qs = SignalementSanction.objects.visibles_par(user).select_related(
        "accompagnement__resident", "auteur", "issue_par"
    )
    colonnes = [
        "envoyé le",
        "personne",
        "rédigé par",
        "motif",
        "suite donnée",
        "décidée le",
        "décidée par",
        "origine",
        "étape",
    ]
    lignes = (
        (
            timezone.localdate(s.envoye_le),
            _nom(s.accompagnement.resident),
            str(s.auteur),
            s.motif,
            s.get_issue_display() or "en attente",
            s.issue_le,
            str(s.issue_par or ""),
            s.get_origine_display(),
            s.get_etape_display(),
        )
        for s in qs
    )
    return Contenu("signalements", colonnes, lignes, qs.count())


def _contrats(user, parametres):
    _form, _filtres, qs = contrats_filtres(user, filtres(parametres))
    colonnes = ["référence", "type", "personne", "référent", "début", "fin", "statut", "à traiter"]
    lignes = (
        (
            c.reference,
            c.get_type_display(),
            _nom(c.accompagnement.resident),
            str(c.accompagnement.referent),
            c.date_debut,
            c.date_fin,
            contrats_liste.STATUTS[c.statut],
            contrats_liste.MOTIFS.get(c.a_traiter, ""),
        )
        for c in qs
    )
    return Contenu("contrats", colonnes, lignes, qs.count())


def _cer_a_remplacer(user, parametres):
    """The page's structure (its `?structure=`); a structure the user may not read exports nothing."""
    _structures, structure, _date, lignes = cer_a_remplacer(user, filtres(parametres), timezone.localdate())
    colonnes = ["référence", "personne", "référent", "début", "fin", "à remplacer au plus tard le", "état"]
    rows = [
        (
            ligne["contrat"].reference,
            _nom(ligne["contrat"].accompagnement.resident),
            str(ligne["contrat"].accompagnement.referent),
            ligne["contrat"].date_debut,
            ligne["contrat"].date_fin,
            ligne["echeance"].due_le,
            ligne["echeance"].etat_label,
        )
        for ligne in lignes
    ]
    nom = f"cer-a-remplacer-{structure.pk}" if structure else "cer-a-remplacer"
    return Contenu(nom, colonnes, rows, len(rows))


def _agenda(user, parametres):
    periode, _r, _id, qs = accompagnement_selectors.agenda_demande(user, filtres(parametres), timezone.localdate())
    colonnes = ["date", "heure", "personne", "modalité", "référent", "type", "lieu"]
    lignes = [
        (
            timezone.localtime(r.date_heure).date(),
            f"{timezone.localtime(r.date_heure):%H:%M}",
            _nom(r.accompagnement.resident),
            r.accompagnement.modalite.libelle,
            str(r.accompagnement.referent),
            r.get_type_display(),
            r.lieu,
        )
        for r in qs
    ]
    return Contenu(f"agenda-{periode.debut:%Y%m%d}", colonnes, lignes, len(lignes))


def _ateliers(user, parametres):
    qs = accompagnement_selectors.ateliers_de(user)
    colonnes = ["date", "heure", "thème", "structure", "lieu", "participants", "annulé le", "motif d'annulation"]
    lignes = (
        (
            timezone.localtime(a.date_heure).date(),
            f"{timezone.localtime(a.date_heure):%H:%M}",
            a.theme,
            a.structure.nom,
            a.lieu,
            a.nb_participants,
            timezone.localdate(a.annulee_le) if a.annulee_le else None,
            a.motif_annulation,
        )
        for a in qs
    )
    return Contenu("ateliers", colonnes, lignes, qs.count())


CALCULS = {
    "personnes": _personnes,
    "a_faire": _a_faire,
    "candidatures": _candidatures,
    "signalements": _signalements,
    "contrats": _contrats,
    "cer_a_remplacer": _cer_a_remplacer,
    "agenda": _agenda,
    "ateliers": _ateliers,
}
