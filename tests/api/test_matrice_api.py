"""Every URL of /api/v1/ (tests/test_matrice_acces.py leaves the « api » namespace to this file): each must
be classified below, and each is walked with no token (401), a revoked token (401), another organisation's
token (404, or a list without the person), and the owner's token (200 with the person). Every URL that
takes a POST is in ECRITURES too, walked the same way (the outsider's 404 or 400, nothing written)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from accompagnement.models import DecisionOrientation, Entretien
from accounts.models import Role
from api.models import JetonAPI, empreinte
from api.services import revoquer_jeton
from contrats import services as services_contrats
from residents import services_import
from residents.models import Consentement, ImportAllocataires, Resident
from tests.accompagnement.factories import CoReferentFactory
from tests.api.conftest import jeton
from tests.api.test_comites import decision_du_comite
from tests.contrats.conftest import brouillon
from tests.residents.factories import ConsentementFactory, ResidentFactory
from tests.residents.test_import import contenu_csv, ligne

PUBLIC, LISTE, DETAIL, ECRITURE = "PUBLIC", "LISTE", "DETAIL", "ECRITURE"

# url name -> (kind, the arguments of the owner's object, from the world)
CLASSEMENT = {
    "api:schema": (PUBLIC, None),
    "api:documentation": (PUBLIC, None),
    "api:referentiel": (LISTE, None),  # no person's data: the same for every token
    "api:personnes": (LISTE, None),
    "api:mesures": (LISTE, None),
    "api:entretiens": (LISTE, None),
    "api:contrats": (LISTE, None),
    "api:echeances": (LISTE, None),
    "api:personne": (DETAIL, lambda m: [m.personne.pk]),
    "api:mesure": (DETAIL, lambda m: [m.mesure.pk]),
    "api:entretien": (DETAIL, lambda m: [m.entretien.pk]),
    "api:contrat": (DETAIL, lambda m: [m.contrat.pk]),
    "api:contrat_pdf": (DETAIL, lambda m: [m.contrat.pk, 1]),
    "api:decisions_comite": (LISTE, None),
    "api:decision_comite": (DETAIL, lambda m: [m.decision_comite.pk]),
    "api:orientation": (ECRITURE, lambda m: [m.allocataire.pk]),  # POST only
    "api:imports": (ECRITURE, None),  # POST only
    "api:import": (DETAIL, lambda m: [m.import_.pk]),
    "api:import_confirmation": (ECRITURE, lambda m: [m.import_.pk]),  # POST only
}

# Reads whose owner is not structure A's token: url name -> (owner's secret, outsider's secret).
LECTEURS = {"api:import": ("secret_delegue_a", "secret_delegue_b")}

# url name -> (owner's secret, outsider's secret, body, the outsider's status, what the write adds to), from
# the world: the outsider names the owner's object in the URL (404) or the owner's measure / structure in
# the body (400). A body holding a file is sent as multipart/form-data.
ECRITURES = {
    "api:personnes": (
        "secret_a",
        "secret_b",
        lambda m: {"nom": "Matrice", "prenom": "Anne", "date_naissance": "1990-01-02", "structure": m.structure_a.pk},
        400,
        Resident.objects.all,
    ),
    "api:entretiens": (
        "secret_a",
        "secret_b",
        lambda m: {"mesure": m.mesure.pk, "type": "TELEPHONE", "notes": "Matrice."},
        400,
        Entretien.objects.all,
    ),
    "api:orientation": (
        "secret_delegue_a",
        "secret_delegue_b",
        lambda m: {"modalite": "RSA_SOCIOPRO", "structure": m.structure_a.pk, "date_decision": str(m.aujourdhui)},
        404,
        DecisionOrientation.objects.all,
    ),
    "api:imports": (
        "secret_delegue_a",
        "secret_delegue_b",
        lambda m: {"structure": m.structure_a.pk, "fichier": SimpleUploadedFile("a.csv", contenu_csv(ligne()))},
        400,
        ImportAllocataires.objects.all,
    ),
    "api:import_confirmation": (
        "secret_delegue_a",
        "secret_delegue_b",
        lambda m: None,
        404,
        lambda: ImportAllocataires.objects.filter(etat=ImportAllocataires.Etat.EN_ATTENTE),
    ),
}


def _vues_api():
    for motif in get_resolver().url_patterns:
        if getattr(motif, "namespace", None) == "api":
            for sous in motif.url_patterns:
                assert isinstance(sous, URLPattern)
                yield f"api:{sous.name}", sous.callback


def _noms_api():
    return [nom for nom, _vue in _vues_api()]


def test_chaque_url_de_l_api_est_classee():
    assert sorted(set(_noms_api()) - set(CLASSEMENT)) == []
    assert sorted(set(CLASSEMENT) - set(_noms_api())) == []


@pytest.fixture
def monde_contrat(monde):
    contrat = brouillon(monde.referent)
    monde.contrat = services_contrats.soumettre(contrat=contrat, par=monde.referent, version=contrat.version)
    monde.personne = monde.contrat.accompagnement.resident
    monde.mesure = monde.contrat.accompagnement
    monde.entretien.accompagnement = monde.mesure
    monde.entretien.save()
    monde.decision_comite = decision_du_comite(monde, monde.mesure)
    monde.aujourdhui = timezone.localdate()
    monde.allocataire = ResidentFactory(structure=monde.structure_a, date_ouverture_rsa=monde.aujourdhui)
    for nom, territoire in (("a", monde.territoire_a), ("b", monde.territoire_b)):
        _, secret = jeton(territoire=territoire, role_territoire=Role.DELEGUE, portee=JetonAPI.Portee.ECRITURE)
        setattr(monde, f"secret_delegue_{nom}", secret)
    # An import read by the preview of its file, naming the person of the world (the file's line is hers).
    delegue = JetonAPI.objects.get(empreinte=empreinte(monde.secret_delegue_a)).compte
    contenu = contenu_csv(ligne(nom=monde.personne.nom, prenom="Matrice", naissance="01/01/1980"))
    monde.import_ = services_import.deposer(
        par=delegue, structure=monde.structure_a, fichier=SimpleUploadedFile("m.csv", contenu)
    )
    correspondance = services_import.proposition(monde.import_, delegue)
    services_import.choisir_colonnes(import_=monde.import_, par=delegue, correspondance=correspondance)
    return monde


def _url(nom, monde):
    genre, arguments = CLASSEMENT[nom]
    return reverse(nom, args=arguments(monde) if arguments else None)


# What the co-referent partner whose consent is in force (presence, identity) reads of the world's person,
# as its screens: her file, her measure, her entretiens (presence) and what the engine says of it; not the
# contract (only the tripartite documents it signs), nor a committee's decision, nor an import.
VUS_PAR_LE_PARTENAIRE = {
    "api:personnes",
    "api:personne",
    "api:mesures",
    "api:mesure",
    "api:entretiens",
    "api:entretien",
    "api:echeances",
}


@pytest.mark.parametrize("consentement", [True, False])
def test_la_matrice_pour_un_partenaire(api, monde_contrat, consentement):
    """Every read URL for a partner's token: with the person's consent, what its screens show; without
    it, nothing of her (404, or a list without her)."""
    monde = monde_contrat
    # Both partners co-refer the measure of the world's person (the contract's); one has her consent.
    for partenaire in (monde.partenaire, monde.partenaire_sans):
        CoReferentFactory(accompagnement=monde.mesure, contact=partenaire.contact_partenaire)
    ConsentementFactory(
        resident=monde.personne,
        tiers=monde.partenaire.contact_partenaire.tiers,
        categories=[Consentement.Categorie.PRESENCE, Consentement.Categorie.IDENTITE],
        date_consentement=datetime.date(2026, 1, 5),
    )
    secret = monde.secret_partenaire if consentement else monde.secret_partenaire_sans
    for nom, (genre, _) in sorted(CLASSEMENT.items()):
        if genre in (PUBLIC, ECRITURE) or nom == "api:referentiel":
            continue
        reponse = api.get(_url(nom, monde), secret)
        voit = consentement and nom in VUS_PAR_LE_PARTENAIRE
        if genre == DETAIL:
            assert reponse.status_code == (200 if voit else 404), (nom, consentement)
        else:
            assert reponse.status_code == 200, nom
            assert (str(monde.personne.pk) in reponse.content.decode()) == voit, (nom, consentement)


def test_la_matrice_sur_toutes_les_urls_de_l_api(api, monde_contrat):
    monde = monde_contrat
    nom_personne = monde.personne.nom
    for nom, (genre, _) in sorted(CLASSEMENT.items()):
        url = _url(nom, monde)
        if genre == ECRITURE:
            continue
        if genre == PUBLIC:
            assert api.get(url, None).status_code == 200, nom
            continue
        assert api.get(url, None).status_code == 401, nom
        secret_proprietaire, secret_etranger = LECTEURS.get(nom, ("secret_a", "secret_b"))
        proprietaire = api.get(url, getattr(monde, secret_proprietaire))
        assert proprietaire.status_code == 200, (nom, proprietaire.content[:300])
        etranger = api.get(url, getattr(monde, secret_etranger))
        if genre == DETAIL:
            assert etranger.status_code == 404, nom
        else:
            assert etranger.status_code == 200, nom
            if nom != "api:referentiel":
                assert str(monde.personne.pk) in proprietaire.content.decode(), nom
                assert f'"personne":{monde.personne.pk}' not in etranger.content.decode().replace(" ", ""), nom
        assert nom_personne not in etranger.content.decode(), nom
    for secret in {"secret_a", *(proprietaire for proprietaire, _ in LECTEURS.values())}:
        revoquer_jeton(jeton=JetonAPI.objects.get(empreinte=empreinte(getattr(monde, secret))))
    for nom, (genre, _) in CLASSEMENT.items():
        if genre not in (PUBLIC, ECRITURE):
            secret = LECTEURS.get(nom, ("secret_a",))[0]
            assert api.get(_url(nom, monde), getattr(monde, secret)).status_code == 401, nom


def test_chaque_url_qui_ecrit_est_dans_la_matrice_des_ecritures():
    ecrivent = {nom for nom, vue in _vues_api() if hasattr(getattr(vue, "view_class", None), "post")}
    assert ecrivent == set(ECRITURES)


def _poster(api, url, secret, donnees):
    if donnees and any(isinstance(v, SimpleUploadedFile) for v in donnees.values()):
        return api.client.post(url, donnees, format="multipart", HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api.post(url, secret, donnees)


@pytest.mark.parametrize("nom", sorted(ECRITURES))
def test_la_matrice_des_ecritures(api, monde_contrat, nom):
    monde = monde_contrat
    proprietaire, etranger, corps, statut_etranger, ecrits = ECRITURES[nom]
    url = _url(nom, monde)
    avant = ecrits().count()
    assert api.post(url, None, corps(monde)).status_code == 401
    reponse = _poster(api, url, getattr(monde, etranger), corps(monde))
    assert reponse.status_code == statut_etranger, reponse.json()
    assert monde.personne.nom not in reponse.content.decode()
    assert ecrits().count() == avant
    reponse = _poster(api, url, getattr(monde, proprietaire), corps(monde))
    assert reponse.status_code in (201, 202), reponse.json()
    assert ecrits().count() == avant + 1
    revoquer_jeton(jeton=JetonAPI.objects.get(empreinte=empreinte(getattr(monde, proprietaire))))
    assert _poster(api, url, getattr(monde, proprietaire), corps(monde)).status_code == 401
    assert ecrits().count() == avant + 1


def test_le_pdf_d_une_version(api, monde_contrat):
    reponse = api.get(_url("api:contrat_pdf", monde_contrat), monde_contrat.secret_a)
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF")
    assert (
        api.get(reverse("api:contrat_pdf", args=[monde_contrat.contrat.pk, 9]), monde_contrat.secret_a).status_code
        == 404
    )


def test_contrat_etat_parties_versions(api, monde_contrat):
    contrat = api.get(_url("api:contrat", monde_contrat), monde_contrat.secret_a).json()
    assert contrat["etat"] == "EN_SIGNATURE"
    assert contrat["parties"] == ["RESIDENT", "REFERENT"]
    assert [v["numero"] for v in contrat["versions"]] == [1]
    assert contrat["versions"][0]["pdf"] == reverse("api:contrat_pdf", args=[monde_contrat.contrat.pk, 1])
    assert contrat["transitions"][-1]["etat_apres"] == "EN_SIGNATURE"


def test_echeances_comme_le_moteur(api, monde):
    """The same échéances as the engine on the token's measures, with the command's filters."""
    import datetime

    from accompagnement.models import Accompagnement
    from echeances.moteur import calculer

    le = datetime.date(2026, 11, 30)
    attendues = calculer(Accompagnement.objects.filter(structure=monde.structure_a), le=le)
    reponse = api.get(reverse("api:echeances"), monde.secret_a, as_of=le.isoformat()).json()
    assert reponse["le"] == "2026-11-30"
    assert [(e["cle"], e["due_le"], e["etat"]) for e in reponse["resultats"]] == [
        (e.cle, e.due_le.isoformat(), str(e.etat)) for e in attendues
    ]
    assert attendues
    filtre = api.get(reverse("api:echeances"), monde.secret_a, referent=monde.referent.pk + 1000).json()
    assert filtre["resultats"] == []
    assert api.get(reverse("api:echeances"), monde.secret_b).json()["resultats"] == [] or all(
        e["structure"] == monde.structure_b.pk
        for e in api.get(reverse("api:echeances"), monde.secret_b).json()["resultats"]
    )


def test_echeances_par_pages_de_mesures_comme_le_moteur(api, monde):
    """Page after page (`next`), each échéance of the engine once, a référent's caseload norm included (the
    engine gives it with each of her measures; the API on the page of her first one)."""
    from decimal import Decimal

    from accompagnement.models import Accompagnement
    from echeances.moteur import Regle, calculer
    from tests.accompagnement.factories import AccompagnementFactory
    from tests.accounts.factories import ReferentFactory
    from tests.referentiel.factories import modalite

    le = datetime.date(2026, 11, 30)
    referent = ReferentFactory(structures=[monde.structure_a], etp=Decimal("0.10"))  # ASLL: 4 at 0.1 ETP
    for _ in range(5):
        AccompagnementFactory(referent=referent, modalite=modalite("ASLL"), date_debut=datetime.date(2026, 1, 5))
    attendues = calculer(Accompagnement.objects.filter(structure=monde.structure_a), le=le)
    assert Regle.NORME_FILE_ACTIVE in {e.regle for e in attendues}

    lues, pages, url = [], 0, reverse("api:echeances") + f"?as_of={le.isoformat()}&taille=2"
    while url:
        reponse = api.client.get(url, HTTP_AUTHORIZATION=f"Bearer {monde.secret_a}").json()
        lues += reponse["resultats"]
        url, pages = reponse["next"], pages + 1
    assert pages == 3  # 6 measures, 2 by page
    assert sorted(e["cle"] for e in lues) == sorted(e.cle for e in attendues)


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "31/12/2026"},
        {"structure": "x"},
        {"referent": "-1"},
        {"inconnu": "1"},
        {"taille": "0"},
        {"taille": "501"},
        {"taille": "dix"},
    ],
)
def test_echeances_filtres_invalides_400(api, monde, params):
    reponse = api.get(reverse("api:echeances"), monde.secret_a, **params)
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "donnees_invalides"


@pytest.mark.parametrize("nom", ["api:echeances", "api:personnes", "api:entretiens"])
def test_un_curseur_invalide_400_en_francais(api, monde, nom):
    """A cursor not given by a `next` link (typed by hand, cut short) is bad input, said in French."""
    reponse = api.get(reverse(nom), monde.secret_a, curseur="pas-un-curseur")
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {"curseur": ["Curseur non valide"]}


def test_put_et_delete_405_partout(api, monde_contrat):
    for nom, (genre, _) in sorted(CLASSEMENT.items()):
        if genre == PUBLIC:
            continue
        url = _url(nom, monde_contrat)
        for methode in ("put", "delete", "patch"):
            reponse = getattr(api.client, methode)(url, HTTP_AUTHORIZATION=f"Bearer {monde_contrat.secret_a}")
            assert reponse.status_code == 405, (nom, methode)
            assert reponse.json() == {"code": "methode_non_permise", "message": "Méthode non permise."}


def test_une_erreur_interne_repond_en_json_sans_rien_ecrire(api, monde, monkeypatch):
    from residents import services as services_residents

    def en_panne(**kwargs):
        Resident.objects.create(structure=monde.structure_a, nom="Écrit", prenom="Puis", date_naissance="1990-01-01")
        raise RuntimeError("panne")

    monkeypatch.setattr(services_residents, "creer_resident", en_panne)
    donnees = {"nom": "Neuve", "prenom": "Anne", "date_naissance": "1991-02-03", "structure": monde.structure_a.pk}
    reponse = api.post(reverse("api:personnes"), monde.secret_a, donnees)
    assert reponse.status_code == 500
    assert reponse.json()["code"] == "erreur_interne"
    assert not Resident.objects.filter(nom="Écrit").exists()
