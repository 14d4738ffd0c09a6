"""Every URL of /api/v1/ (tests/test_matrice_acces.py leaves the « api » namespace to this file): each must
be classified below, and each is walked with no token (401), a revoked token (401), another organisation's
token (404, or a list without the person), and the owner's token (200 with the person)."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from api.services import revoquer_jeton
from contrats import services as services_contrats
from tests.contrats.conftest import brouillon

PUBLIC, LISTE, DETAIL = "PUBLIC", "LISTE", "DETAIL"

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
}


def _noms_api():
    for motif in get_resolver().url_patterns:
        if getattr(motif, "namespace", None) == "api":
            for sous in motif.url_patterns:
                assert isinstance(sous, URLPattern)
                yield f"api:{sous.name}"


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
    return monde


def _url(nom, monde):
    genre, arguments = CLASSEMENT[nom]
    return reverse(nom, args=arguments(monde) if arguments else None)


def test_la_matrice_sur_toutes_les_urls_de_l_api(api, monde_contrat):
    monde = monde_contrat
    nom_personne = monde.personne.nom
    for nom, (genre, _) in sorted(CLASSEMENT.items()):
        url = _url(nom, monde)
        if genre == PUBLIC:
            assert api.get(url, None).status_code == 200, nom
            continue
        assert api.get(url, None).status_code == 401, nom
        proprietaire = api.get(url, monde.secret_a)
        assert proprietaire.status_code == 200, (nom, proprietaire.content[:300])
        etranger = api.get(url, monde.secret_b)
        if genre == DETAIL:
            assert etranger.status_code == 404, nom
        else:
            assert etranger.status_code == 200, nom
            if nom != "api:referentiel":
                assert str(monde.personne.pk) in proprietaire.content.decode(), nom
                assert f'"personne":{monde.personne.pk}' not in etranger.content.decode().replace(" ", ""), nom
        assert nom_personne not in etranger.content.decode(), nom
    revoquer_jeton(jeton=monde.jeton_a)
    for nom, (genre, _) in CLASSEMENT.items():
        if genre != PUBLIC:
            assert api.get(_url(nom, monde), monde.secret_a).status_code == 401, nom


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


@pytest.mark.parametrize("params", [{"as_of": "31/12/2026"}, {"structure": "x"}, {"referent": "-1"}, {"inconnu": "1"}])
def test_echeances_filtres_invalides_400(api, monde, params):
    reponse = api.get(reverse("api:echeances"), monde.secret_a, **params)
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "donnees_invalides"


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
    from residents.models import Resident

    def en_panne(**kwargs):
        Resident.objects.create(structure=monde.structure_a, nom="Écrit", prenom="Puis", date_naissance="1990-01-01")
        raise RuntimeError("panne")

    monkeypatch.setattr(services_residents, "creer_resident", en_panne)
    donnees = {"nom": "Neuve", "prenom": "Anne", "date_naissance": "1991-02-03", "structure": monde.structure_a.pk}
    reponse = api.post(reverse("api:personnes"), monde.secret_a, donnees)
    assert reponse.status_code == 500
    assert reponse.json()["code"] == "erreur_interne"
    assert not Resident.objects.filter(nom="Écrit").exists()
