"""The navigation and the home page's sections, by role. Apps add their entries here when their
screens exist, so that the menu never shows a link to a page that is not there."""

from django.urls import NoReverseMatch, reverse

from . import acces
from .models import Role

# (label, url name, roles that see it or None for everyone). Order is the menu's order.
ENTREES = [
    ("Accueil", "accueil", None),
    ("À faire", "echeances:a_faire", (Role.REFERENT, Role.RESPONSABLE, Role.DELEGUE, Role.CONSEILLER_LOGEMENT)),
    ("À orienter", "accompagnement:a_orienter", (Role.DELEGUE,)),
    ("À affecter", "accompagnement:a_affecter", (Role.REFERENT, Role.RESPONSABLE)),
    ("File active", "accompagnement:file_active", (Role.REFERENT, Role.RESPONSABLE, Role.CONSEILLER_LOGEMENT)),
    ("Rendez-vous", "accompagnement:rendez_vous", (Role.REFERENT, Role.RESPONSABLE)),
    ("Agenda", "accompagnement:agenda", (Role.REFERENT, Role.RESPONSABLE)),
    ("Personnes", "residents:liste", (Role.REFERENT, Role.RESPONSABLE)),
    ("Ateliers", "accompagnement:ateliers", (Role.REFERENT, Role.RESPONSABLE)),
    ("Candidatures", "admissions:tableau", (Role.REFERENT, Role.RESPONSABLE)),
    ("Mes contrats", "contrats:mes_contrats", (Role.REFERENT, Role.RESPONSABLE)),
    ("Contrats à signer", "contrats:file_responsable", (Role.RESPONSABLE,)),
    ("Contrats à valider", "contrats:file_delegue", (Role.DELEGUE,)),
    ("CER à remplacer", "contrats:cer_a_remplacer", (Role.REFERENT, Role.RESPONSABLE, Role.DELEGUE)),
    ("Signalements", "echeances:signalements", (Role.REFERENT, Role.RESPONSABLE, Role.DELEGUE)),
    # The team reaches its requests from the dossier; the délégué decides them from this list.
    ("Réorientations", "accompagnement:demandes_reorientation", (Role.DELEGUE,)),
    ("Importer des allocataires", "residents:imports", (Role.DELEGUE, Role.ADMINISTRATEUR)),
    (
        "Comités",
        "pilotage:comites",
        (Role.DELEGUE, Role.CONSEILLER_LOGEMENT, Role.REFERENT, Role.RESPONSABLE, Role.ADMINISTRATEUR),
    ),
    ("Bilans", "pilotage:bilan", (Role.RESPONSABLE, Role.DELEGUE, Role.CONSEILLER_LOGEMENT, Role.ADMINISTRATEUR)),
    (
        "Exports",
        "pilotage:exports",
        (Role.REFERENT, Role.RESPONSABLE, Role.DELEGUE, Role.CONSEILLER_LOGEMENT, Role.ADMINISTRATEUR),
    ),
    ("Personnes suivies avec vous", "residents:partenaire_personnes", (Role.PARTENAIRE,)),
    ("Documents à signer", "contrats:partenaire_a_signer", (Role.PARTENAIRE,)),
    ("Conservation des dossiers", "residents:retention", (Role.RESPONSABLE, Role.ADMINISTRATEUR)),
    ("Référentiel", "pilotage:referentiel", (Role.ADMINISTRATEUR,)),
    ("Administration", "admin:index", (Role.ADMINISTRATEUR,)),
]

# Entries shown only when, beyond the role, the user's situation calls for them (by url name).
CONDITIONS = {
    "admissions:tableau": acces.recoit_des_candidatures,
    "accompagnement:a_affecter": acces.recoit_des_orientations,
}

# Optional one-line description shown on the home page card of an entry, by url name.
DESCRIPTIONS = {
    "echeances:a_faire": "Ce qui est bientôt dû ou en retard, du plus urgent au moins urgent.",
    "accompagnement:file_active": "Chaque mesure, ses derniers contacts et ses prochaines échéances.",
    "accompagnement:rendez_vous": "Aujourd'hui, cette semaine, et ceux à clôturer ; agenda à abonner.",
    "accompagnement:agenda": "Les rendez-vous du jour, de la semaine ou du mois, d'une période à l'autre.",
    "residents:liste": "Rechercher une personne, ouvrir ou créer un dossier.",
    "accompagnement:ateliers": "Actions collectives et leurs participants.",
    "admissions:tableau": "Candidatures des jeunes sous convention, étape par étape.",
    "contrats:mes_contrats": "COM, CER, contrats d'engagement, plans ASLL, documents tripartites.",
    "contrats:file_responsable": "COM et documents tripartites à signer, l'un après l'autre.",
    "contrats:file_delegue": "CER et contrats d'engagement à valider, du plus ancien au plus récent.",
    "contrats:cer_a_remplacer": "CER à remplacer par des contrats d'engagement avant la date du référentiel.",
    "accompagnement:a_orienter": "Allocataires du RSA à orienter, et ceux qui attendent leur référent.",
    "accompagnement:a_affecter": "Allocataires orientés vers votre structure, à confier à un référent.",
    "accompagnement:demandes_reorientation": "Demandes de réorientation des référents et leur décision.",
    "echeances:signalements": "Signalements après des absences non excusées, et leur suite.",
    "residents:imports": "Le fichier des nouveaux bénéficiaires du RSA : aperçu, puis import.",
    "pilotage:comites": "Comités de suivi, décisions et comptes rendus.",
    "pilotage:bilan": "Bilan annuel RSA, OSA et chiffres ASLL.",
    "pilotage:exports": "Listes et bilans en tableur (XLSX ou CSV).",
    "residents:partenaire_personnes": "Les personnes qui ont consenti au partage avec votre organisme.",
    "contrats:partenaire_a_signer": "Les documents tripartites qui attendent votre signature.",
    "residents:retention": "Dossiers à archiver ou anonymiser (deux ans sans contact).",
    "pilotage:referentiel": "Les règles en vigueur, leurs versions datées, l'impact d'un changement.",
    "admin:index": "Comptes des utilisateurs, structures et valeurs du référentiel.",
}

# The entry next to which the layout shows the `nb_a_faire` badge.
LIBELLE_A_FAIRE = "À faire"


def _voit(user, roles, url_name):
    if roles is not None and not acces.a_l_un_des_roles(user, roles):
        return False
    condition = CONDITIONS.get(url_name)
    return condition is None or condition(user)


def entrees_pour(user):
    """Menu entries the user may see, as dicts {label, url, url_name, description, a_faire};
    an entry whose url cannot be reversed (screen not there yet) is skipped."""
    items = []
    for label, url_name, roles in ENTREES:
        if not _voit(user, roles, url_name):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": label,
                "url": url,
                "url_name": url_name,
                "description": DESCRIPTIONS.get(url_name, ""),
                "a_faire": label == LIBELLE_A_FAIRE,
            }
        )
    return items


def sections_pour(user):
    """The home page's cards: every menu entry but the home page itself."""
    return [item for item in entrees_pour(user) if item["url_name"] != "accueil"]


def marquer_entree_courante(items, path):
    """Set `courante` on the entry the current page belongs to: an exact match, else the longest
    url that prefixes the path (so a record's page highlights its list). The home page « / » only
    matches itself."""
    courante = None
    for item in items:
        url = item["url"]
        correspond = path == url or (url != "/" and path.startswith(url))
        if correspond and (courante is None or len(url) > len(courante["url"])):
            courante = item
    return [{**item, "courante": item is courante} for item in items]
