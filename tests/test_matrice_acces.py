"""The access matrix (docs/acces.md) walked over EVERY URL of the app, for every role and situation.

Each URL name must be classified below (a new URL fails the test until it is): the kind says which
rule of the matrix applies. For each kind, each role in each situation (own caseload, same structure,
same territory, other structure/territory, partner with or without consent) gets the status the matrix
says, and an outsider never gets the person's data: 404 (or 405 for a POST-only URL, which reveals
nothing), and the person's name never appears in what they receive."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accompagnement.models import DecisionOrientation, DemandeReorientation
from accounts.middleware import LISTES_NOMINATIVES, PAGES_DPO, PAGES_PARTENAIRE
from journal.middleware import PAGES_COLLECTIVES, PAGES_DOSSIER
from referentiel.models import Modalite
from residents.models import Consentement, ImportAllocataires
from tests.accompagnement.factories import (
    AccompagnementFactory,
    ActionCollectiveFactory,
    CoReferentFactory,
    DiagnosticFactory,
    EntretienFactory,
    ObjectifFactory,
)
from tests.accounts.factories import (
    AdministrateurFactory,
    ConseillerLogementFactory,
    DelegueFactory,
    PartenaireFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.contrats.factories import ContratFactory
from tests.referentiel.factories import StructureFactory, TerritoireFactory, modalite
from tests.residents.factories import ConsentementFactory

# Kinds (docs/acces.md, « Classement des pages »):
#   PUBLIC   reachable without login (login, health, 2FA steps, calendar feed by secret token)
#   COMPTE   the user's own account pages (home, password, recovery codes, logout)
#   LISTE    a list scoped to the user (caseload, queues, exports…): never another structure's people
#   DOSSIER  a page of one person's file (or of one of its records): outsiders 404
#   COLLECTIF a page about a committee, workshop or export: outsiders 404
#   PARTENAIRE the partner's own pages (consent-filtered)
#   GESTION  the structure manager's or admin's pages (retention report)
#   ADMINISTRATION the administrator's pages without any person (the référentiel's versions): 403 for others
PUBLIC, COMPTE, LISTE, DOSSIER, COLLECTIF, PARTENAIRE, GESTION, ADMINISTRATION = (
    "PUBLIC",
    "COMPTE",
    "LISTE",
    "DOSSIER",
    "COLLECTIF",
    "PARTENAIRE",
    "GESTION",
    "ADMINISTRATION",
)

CLASSEMENT = {
    "login": PUBLIC,
    "sante": PUBLIC,
    "otp_verifier": PUBLIC,
    "otp_enroler": PUBLIC,
    "accompagnement:calendrier": PUBLIC,
    "logout": COMPTE,
    "accueil": COMPTE,
    "password_change": COMPTE,
    "password_change_done": COMPTE,
    "otp_codes_secours": COMPTE,
    "residents:liste": LISTE,
    "residents:creer": LISTE,
    "accompagnement:file_active": LISTE,
    "accompagnement:rendez_vous": LISTE,
    "accompagnement:agenda": LISTE,
    "accompagnement:calendrier_regenerer": LISTE,
    "accompagnement:ateliers": LISTE,
    "accompagnement:atelier_nouveau": LISTE,
    "contrats:mes_contrats": LISTE,
    "contrats:file_responsable": LISTE,
    "contrats:file_delegue": LISTE,
    "contrats:cer_a_remplacer": LISTE,
    "echeances:a_faire": LISTE,
    "echeances:structure": LISTE,
    "echeances:delegue": LISTE,
    "echeances:signalements": LISTE,
    "accompagnement:a_orienter": LISTE,
    "accompagnement:a_affecter": LISTE,
    "accompagnement:demandes_reorientation": LISTE,
    "pilotage:comites": LISTE,
    "pilotage:bilan": LISTE,
    "pilotage:exports": LISTE,
    **dict.fromkeys(
        [
            "pilotage:referentiel",
            "pilotage:version_modalite",
            "pilotage:modifier_version_modalite",
            "pilotage:version_parametre",
            "pilotage:modifier_version_parametre",
            "pilotage:retirer_version",
        ],
        ADMINISTRATION,
    ),
    "pilotage:demander_export": LISTE,
    "admissions:tableau": LISTE,
    "admissions:nouvelle": LISTE,
    "residents:imports": LISTE,
    "residents:partenaire_personnes": PARTENAIRE,
    "residents:partenaire_dossier": PARTENAIRE,
    "contrats:partenaire_a_signer": PARTENAIRE,
    "residents:retention": GESTION,
    "accompagnement:atelier": COLLECTIF,
    "echeances:acquitter": COLLECTIF,
    "echeances:signalement_decider": COLLECTIF,
    "pilotage:graphiques": COLLECTIF,
    "pilotage:action_faite": COLLECTIF,
    "pilotage:etat_export": COLLECTIF,
    "residents:import_colonnes": COLLECTIF,
    "residents:import_confirmer": COLLECTIF,
    "residents:import_abandonner": COLLECTIF,
    "residents:import_etat": COLLECTIF,
    **dict.fromkeys(PAGES_COLLECTIVES, COLLECTIF),
    **dict.fromkeys(PAGES_DOSSIER, DOSSIER),
}


def _noms_et_motifs(resolver=None, ns=None):
    resolver = resolver or get_resolver()
    for motif in resolver.url_patterns:
        if isinstance(motif, URLResolver):
            espace = motif.namespace or ns
            if espace == "admin":  # Django's admin: staff only, its own permissions (docs/acces.md)
                continue
            if espace == "api":  # token only, no session: its own matrix, tests/api/test_matrice_api.py
                continue
            yield from _noms_et_motifs(motif, espace)
        elif isinstance(motif, URLPattern) and motif.name:
            yield (f"{ns}:{motif.name}" if ns else motif.name), motif


TOUTES = dict(_noms_et_motifs())


def test_chaque_url_est_classee():
    manquantes = sorted(set(TOUTES) - set(CLASSEMENT))
    assert manquantes == [], f"URL sans règle d'accès (à classer ici et dans docs/acces.md) : {manquantes}"


def test_chaque_page_de_dossier_est_journalisee():
    """A page with an id in its URL is either in the access log's map or a collective page."""
    for nom, motif in TOUTES.items():
        if not motif.pattern.converters:
            continue
        assert CLASSEMENT[nom] in (DOSSIER, COLLECTIF, PARTENAIRE, PUBLIC, ADMINISTRATION), nom


@pytest.fixture
def monde():
    territoire_a, territoire_b = TerritoireFactory(), TerritoireFactory()
    structure_a, structure_b = StructureFactory(territoire=territoire_a), StructureFactory(territoire=territoire_b)
    proprietaire = ReferentFactory(structures=[structure_a], first_name="Proprio")
    mesure = AccompagnementFactory(referent=proprietaire, resident__nom="Zygmuntowicz")
    partenaire = PartenaireFactory()
    partenaire_sans = PartenaireFactory()
    coref = CoReferentFactory(accompagnement=mesure, contact=partenaire.contact_partenaire)
    CoReferentFactory(accompagnement=mesure, contact=partenaire_sans.contact_partenaire)
    consentement = ConsentementFactory(
        resident=mesure.resident,
        tiers=partenaire.contact_partenaire.tiers,
        categories=[Consentement.Categorie.OBJECTIFS],
    )
    from admissions.models import Candidature, Logement, Synthese
    from residents.droits import enregistrer_demande_acces

    contact = partenaire.contact_partenaire
    objets = {
        "resident": mesure.resident,
        "accompagnement": mesure,
        "entretien": EntretienFactory(accompagnement=mesure, statut="PLANIFIE"),
        "objectif": ObjectifFactory(accompagnement=mesure),
        "diagnostic": DiagnosticFactory(accompagnement=mesure),
        "coreferent": coref,
        "contrat": ContratFactory(accompagnement=mesure),
        "consentement": consentement,
        "demande": enregistrer_demande_acces(resident=mesure.resident, par=proprietaire),
        "atelier": ActionCollectiveFactory(structure=structure_a),
        "candidature": Candidature.objects.create(
            residence=structure_a,
            resident=mesure.resident,
            tiers=contact.tiers,
            contact_educatif=contact,
            note_sociale="Note sociale.",
            cree_par=proprietaire,
            accompagnement=mesure,
        ),
        "synthese": Synthese.objects.create(
            accompagnement=mesure, contact=contact, date_prevue=mesure.date_debut, auteur=proprietaire
        ),
        "signalement": _signalement_informe(mesure, proprietaire),
        "logement": Logement.objects.create(
            accompagnement=mesure,
            mode=Logement.Mode.BAIL_GLISSANT,
            date_debut=mesure.date_debut,
            glissement_prevu_le=mesure.date_debut,
        ),
    }
    delegue_territoire = DelegueFactory(territoires=[territoire_a])
    objets["orientation"] = DecisionOrientation.objects.create(
        resident=mesure.resident,
        modalite=mesure.modalite,
        structure=structure_a,
        date_decision=mesure.date_debut,
        decidee_par=delegue_territoire,
        accompagnement=mesure,
    )
    objets["demande_reorientation"] = DemandeReorientation.objects.create(
        accompagnement=mesure, modalite=modalite(Modalite.Code.RSA_VEILLE), motif="Motif.", demandee_par=proprietaire
    )
    objets["piece"] = _piece(objets["signalement"], proprietaire)
    roles = {
        "proprietaire": proprietaire,
        "collegue": ReferentFactory(structures=[structure_a]),
        "responsable": ResponsableFactory(structures=[structure_a]),
        "delegue_territoire": delegue_territoire,
        # Same territory, another field: the measure is RSA, she follows the housing ones.
        "conseillere_territoire": ConseillerLogementFactory(territoires=[territoire_a]),
        "admin": AdministrateurFactory(),
        "partenaire_consentement": partenaire,
        # outsiders
        "autre_structure": ReferentFactory(structures=[structure_b]),
        "responsable_autre": ResponsableFactory(structures=[structure_b]),
        "delegue_autre_territoire": DelegueFactory(territoires=[territoire_b]),
        "partenaire_sans_consentement": partenaire_sans,
    }
    # An import of the territory's délégué: the other territory's délégué gets 404 on its pages.
    objets["import"] = ImportAllocataires.objects.create(
        par=roles["delegue_territoire"], structure=structure_a, nom_fichier="allocataires.csv", format="csv",
        empreinte="0" * 64, entetes=["nom"],
    )  # fmt: skip
    return objets, roles


def _signalement_informe(mesure, par):
    """A sanction report whose person was informed (so its letter exists), with one supporting document."""
    import datetime

    from echeances import sanctions

    signalement = sanctions.creer_signalement(
        accompagnement=mesure, par=par, motif="Non-respect des engagements, relances sans réponse.",
        origine="NON_RESPECT",
    )  # fmt: skip
    signalement.informee_le = datetime.date.today()
    signalement.observations_limite = signalement.informee_le + datetime.timedelta(days=30)
    signalement.etape = "INFORMEE"
    signalement.save()
    return signalement


def _piece(signalement, par):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from echeances import sanctions

    image = io.BytesIO()
    Image.new("RGB", (2, 2)).save(image, format="PNG")
    return sanctions.ajouter_piece(
        signalement=signalement, par=par, fichier=SimpleUploadedFile("piece.png", image.getvalue())
    )


# Which object each URL's id designates (by url name, then by parameter name).
OBJET_PAR_URL = {
    "residents:consentement_retirer": "consentement",
    "residents:demande_remise": "demande",
    "accompagnement:ouvrir": "resident",
    "accompagnement:orienter": "resident",
    "accompagnement:rendez_vous_cloturer": "entretien",
    "accompagnement:entretien_modifier": "entretien",
    "accompagnement:objectif_modifier": "objectif",
    "accompagnement:objectif_evaluer": "objectif",
    "accompagnement:coreferent_retirer": "coreferent",
    "accompagnement:diagnostic": "diagnostic",
    "accompagnement:diagnostic_modifier": "diagnostic",
    "accompagnement:diagnostic_pdf": "diagnostic",
    "accompagnement:atelier": "atelier",
    "accompagnement:atelier_modifier": "atelier",
    "accompagnement:atelier_annuler": "atelier",
    "admissions:candidature": "candidature",
    "admissions:etape": "candidature",
    "admissions:note_pdf": "candidature",
    "admissions:synthese_tenir": "synthese",
    "admissions:synthese_transmettre": "synthese",
    "admissions:glissement": "logement",
    "accompagnement:orientation": "orientation",
    "accompagnement:orientation_lettre": "orientation",
    "accompagnement:affecter": "orientation",
    "accompagnement:demande_reorientation": "demande_reorientation",
    "accompagnement:decider_reorientation": "demande_reorientation",
    **dict.fromkeys(
        [
            "echeances:signalement",
            "echeances:signalement_etape",
            "echeances:signalement_piece_ajouter",
            "echeances:signalement_piece",
            "echeances:signalement_courrier",
        ],
        "signalement",
    ),
    **{
        f"residents:{nom}": "import"
        for nom in ("import", "import_colonnes", "import_confirmer", "import_abandonner", "import_etat")
    },
}
OBJET_PAR_APP = {
    "residents": "resident",
    "accompagnement": "accompagnement",
    "contrats": "contrat",
    "admissions": "accompagnement",
}


def _url(nom, motif, objets):
    kwargs = {}
    for parametre, convertisseur in motif.pattern.converters.items():
        nom_conv = type(convertisseur).__name__
        if nom_conv == "UUIDConverter":
            kwargs[parametre] = uuid.uuid4()
        elif nom_conv == "StringConverter":
            kwargs[parametre] = "REFERENT"
        elif nom_conv == "SlugConverter":
            kwargs[parametre] = "contact"  # a step of an application
        elif parametre in ("accompagnement", "accompagnement_pk"):
            kwargs[parametre] = objets["accompagnement"].pk
        elif parametre == "piece":
            kwargs[parametre] = objets["piece"].pk
        elif parametre == "numero":
            kwargs[parametre] = 1
        else:
            cle = OBJET_PAR_URL.get(nom) or OBJET_PAR_APP.get(nom.split(":")[0])
            # Committees, alerts, exports: no object of the world; a missing id is 404 for everyone.
            kwargs[parametre] = objets[cle].pk if cle else 987654321
    return reverse(nom, kwargs=kwargs), bool(kwargs)


DEDANS = ["proprietaire", "collegue", "responsable", "admin"]
DEHORS = ["autre_structure", "responsable_autre", "delegue_autre_territoire", "partenaire_sans_consentement"]


@pytest.mark.parametrize(
    "role", DEDANS + ["delegue_territoire", "conseillere_territoire", "partenaire_consentement"] + DEHORS
)
def test_la_matrice_sur_toutes_les_urls(client, monde, role):
    objets, roles = monde
    user = roles[role]
    client.force_login(user)
    nom_personne = objets["resident"].nom
    for nom, motif in sorted(TOUTES.items()):
        if nom == "logout":
            continue
        genre = CLASSEMENT[nom]
        url, a_un_id = _url(nom, motif, objets)
        response = client.get(url)
        statut = response.status_code
        contenu = b"" if response.streaming else response.content
        assert statut < 500, (role, nom, statut)
        if user.is_partenaire and genre != PUBLIC:
            # Deny by default: a partner reaches its own pages only, the file only with a consent.
            if nom not in PAGES_PARTENAIRE:
                assert statut == 404, (role, nom, statut)
            elif nom == "residents:partenaire_dossier":
                assert statut == (200 if role == "partenaire_consentement" else 404), (role, nom, statut)
        if role in DEHORS and genre in (DOSSIER, COLLECTIF) and a_un_id:
            assert statut in (404, 405), (role, nom, statut)
        if role in DEHORS:
            assert nom_personne.encode() not in contenu, (role, nom)
        if role in ("proprietaire", "admin") and genre == DOSSIER and statut != 405:
            # The owner and the admin reach every page of the file that exists for it (the admin to be
            # told, in French, that it is not theirs).
            assert statut != 404 or "pdf" in nom, (role, nom, statut)
        if role == "admin" and (genre == DOSSIER or nom in LISTES_NOMINATIVES) and statut != 405:
            # The IT administrator administers, the DPO answers the person's rights; neither reads the file.
            if nom in PAGES_DPO:
                assert statut != 403, (role, nom, statut)
            else:
                assert statut == 403 and nom_personne.encode() not in contenu, (role, nom, statut)
                assert "ne donne pas accès aux dossiers des personnes" in contenu.decode(), nom
        if role == "conseillere_territoire":
            # An RSA measure of her territory is not of her field: nothing of it.
            if genre == DOSSIER and a_un_id:
                assert statut in (404, 405), (role, nom, statut)
            assert nom_personne.encode() not in contenu, (role, nom)
        if genre == GESTION:
            attendu = 200 if role in ("responsable", "responsable_autre", "admin") else 404
            assert statut == attendu, (role, nom, statut)
        if genre == ADMINISTRATION and statut != 405 and not user.is_partenaire:
            attendus = (200, 404) if role == "admin" else (403,)  # the admin: 404 for the ids the test invents
            assert statut in attendus, (role, nom, statut)


ECRITURES = [
    ("residents:consentement_retirer", "consentement"),
    ("residents:demande_acces", "resident"),
    ("residents:archiver", "resident"),
    ("accompagnement:terminer", "accompagnement"),
    ("accompagnement:rendez_vous_cloturer", "entretien"),
    ("accompagnement:diagnostic_modifier", "diagnostic"),
    ("accompagnement:atelier_annuler", "atelier"),
    ("contrats:annuler", "contrat"),
    ("contrats:avenant", "contrat"),
    ("contrats:refus", "contrat"),
    ("echeances:signalement_piece_ajouter", "signalement"),
    ("admissions:synthese_tenir", "synthese"),
    ("admissions:glissement", "logement"),
    ("admissions:sortie", "accompagnement"),
]


@pytest.mark.parametrize("role", DEHORS)
def test_les_etrangers_ne_modifient_rien(client, monde, role):
    objets, roles = monde
    client.force_login(roles[role])
    for nom, cle in ECRITURES:
        response = client.post(reverse(nom, args=[objets[cle].pk]), {"motif": "x", "statut": "ANNULE"})
        assert response.status_code == 404, (role, nom, response.status_code)
    objets["consentement"].refresh_from_db()
    assert objets["consentement"].date_retrait is None
    objets["synthese"].refresh_from_db()
    objets["logement"].refresh_from_db()
    objets["accompagnement"].refresh_from_db()
    assert objets["synthese"].tenue_le is None and objets["logement"].glissement_fait_le is None
    assert objets["accompagnement"].date_fin is None


@pytest.mark.parametrize("role", ["proprietaire", "autre_structure"])
def test_une_mauvaise_methode_repond_405_partout(client, monde, role):
    """PUT and DELETE are no method of the app: every URL refuses them with 405 before anything else (an
    outsider may get 404), whoever asks, and nothing is ever shown or changed."""
    objets, roles = monde
    client.force_login(roles[role])
    acceptees = []
    for nom, motif in sorted(TOUTES.items()):
        url, _ = _url(nom, motif, objets)
        for methode in (client.put, client.delete):
            statut = methode(url).status_code
            attendus = (405,) if role == "proprietaire" or CLASSEMENT[nom] == PUBLIC else (404, 405)
            if statut not in attendus:
                acceptees.append((nom, methode.__name__.upper(), statut))
    assert acceptees == [], "sans 405 : " + " ; ".join(f"{nom} {m} → {statut}" for nom, m, statut in acceptees)
