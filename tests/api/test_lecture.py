"""The read endpoints: a token sees exactly what the users of its organisation see (accounts/acces.py),
an id outside its view is a 404, every read of a person's data is in the access log."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from api.services import revoquer_jeton
from journal.models import Action, JournalAcces
from tests.api.conftest import ids


def test_personnes_de_la_structure(api, monde):
    reponse = api.get(reverse("api:personnes"), monde.secret_a)
    assert reponse.status_code == 200
    assert ids(reponse) == [monde.personne.pk]
    personne = reponse.json()["results"][0]
    assert personne["nom"] == "Zygmuntowicz"
    assert personne["date_naissance"] == monde.personne.date_naissance.isoformat()
    assert set(personne["rsa"]) == {"date_ouverture_droit", "orientation", "date_orientation"}
    assert personne["menage"]["place"] == "DEMANDEUR"
    assert personne["categories_partagees"] is None


def test_personne_d_une_autre_structure_404_et_absente(api, monde):
    autre = monde.autre_mesure.resident
    assert api.get(reverse("api:personne", args=[autre.pk]), monde.secret_a).status_code == 404
    assert autre.pk not in ids(api.get(reverse("api:personnes"), monde.secret_a))
    reponse = api.get(reverse("api:personne", args=[monde.personne.pk]), monde.secret_b)
    assert reponse.status_code == 404
    assert reponse.json() == {"code": "introuvable", "message": "Introuvable."}
    assert "Zygmuntowicz" not in reponse.content.decode()


def test_le_territoire_voit_les_mesures_rsa_de_son_territoire(api, monde):
    assert ids(api.get(reverse("api:mesures"), monde.secret_territoire)) == [monde.mesure.pk]
    assert api.get(reverse("api:mesure", args=[monde.autre_mesure.pk]), monde.secret_territoire).status_code == 404


def test_partenaire_avec_consentement_ne_lit_que_les_categories_consenties(api, monde):
    reponse = api.get(reverse("api:personnes"), monde.secret_partenaire)
    assert ids(reponse) == [monde.personne.pk]
    personne = reponse.json()["results"][0]
    assert personne["categories_partagees"] == ["IDENTITE", "PRESENCE"]
    assert "rsa" not in personne and "menage" not in personne and "ressources" not in personne
    assert personne["date_naissance"] == monde.personne.date_naissance.isoformat()
    # Presence consented, notes not: the entretiens without any note.
    entretiens = api.get(reverse("api:entretiens"), monde.secret_partenaire).json()["results"]
    assert {e["id"] for e in entretiens} == {monde.entretien.pk}
    assert all(e["notes"] is None for e in entretiens)


def test_partenaire_sans_presence_ni_notes_aucun_entretien_comme_a_l_ecran(api, monde):
    """Identity alone consented: the person is seen, none of her entretiens, by the rule of the partner's
    screens (Entretien.objects.visibles_par, accounts/acces.py)."""
    from accompagnement.models import Entretien
    from residents.models import Consentement

    monde.personne.consentements.update(categories=[Consentement.Categorie.IDENTITE])
    assert ids(api.get(reverse("api:personnes"), monde.secret_partenaire)) == [monde.personne.pk]
    assert ids(api.get(reverse("api:entretiens"), monde.secret_partenaire)) == []
    url = reverse("api:entretien", args=[monde.entretien.pk])
    assert api.get(url, monde.secret_partenaire).status_code == 404
    assert not Entretien.objects.visibles_par(monde.partenaire).exists()
    monde.personne.consentements.update(categories=[Consentement.Categorie.NOTES])
    reponse = api.get(url, monde.secret_partenaire)
    assert reponse.status_code == 200
    assert reponse.json()["notes"] == "Démarches CAF faites."


def test_partenaire_sans_consentement_ne_voit_rien(api, monde):
    for nom in ("personnes", "mesures", "entretiens", "contrats"):
        assert ids(api.get(reverse(f"api:{nom}"), monde.secret_partenaire_sans)) == [], nom
    url = reverse("api:personne", args=[monde.personne.pk])
    assert api.get(url, monde.secret_partenaire_sans).status_code == 404


def test_retrait_du_consentement_immediat(api, monde):
    monde.personne.consentements.update(date_retrait=timezone.localdate())
    assert api.get(reverse("api:personne", args=[monde.personne.pk]), monde.secret_partenaire).status_code == 404


def test_entretiens_sans_notes_confidentielles(api, monde):
    entretiens = api.get(reverse("api:entretiens"), monde.secret_a).json()["results"]
    par_id = {e["id"]: e for e in entretiens}
    assert par_id[monde.entretien.pk]["notes"] == "Démarches CAF faites."
    # The structure's token stands for its manager: it sees the confidential entretien only if the structure
    # decided so, and its note never.
    assert monde.confidentiel.pk not in par_id
    monde.structure_a.responsable_voit_notes_confidentielles = True
    monde.structure_a.save()
    reponse = api.get(reverse("api:entretien", args=[monde.confidentiel.pk]), monde.secret_a)
    assert reponse.status_code == 200
    assert reponse.json()["notes"] is None
    assert "violences" not in reponse.content.decode()


def test_entretien_d_une_autre_structure_404(api, monde):
    assert api.get(reverse("api:entretien", args=[monde.entretien.pk]), monde.secret_b).status_code == 404
    assert ids(api.get(reverse("api:entretiens"), monde.secret_b)) == []


def test_pas_de_jeton_401(api, monde):
    for url in (reverse("api:personnes"), reverse("api:personne", args=[monde.personne.pk]), reverse("api:echeances")):
        reponse = api.get(url, None)
        assert reponse.status_code == 401
        assert reponse["WWW-Authenticate"] == 'Bearer realm="api"'
        assert reponse.json()["code"] == "non_authentifie"


def test_jeton_revoque_401(api, monde):
    revoquer_jeton(jeton=monde.jeton_a)
    reponse = api.get(reverse("api:personnes"), monde.secret_a)
    assert reponse.status_code == 401
    assert reponse.json() == {"code": "non_authentifie", "message": "Jeton invalide ou révoqué."}


def test_jeton_inconnu_et_entete_mal_forme_401(api, monde):
    assert api.get(reverse("api:personnes"), "pas-un-jeton").status_code == 401
    reponse = api.client.get(reverse("api:personnes"), HTTP_AUTHORIZATION="Bearer")
    assert reponse.status_code == 401
    assert "mal formé" in reponse.json()["message"]


def test_une_session_n_ouvre_pas_l_api(client, api, monde):
    """No session authentication: a logged-in référent's browser gets a 401, not the data."""
    client.force_login(monde.referent)
    reponse = client.get(reverse("api:personnes"))
    assert reponse.status_code == 401
    assert "Zygmuntowicz" not in reponse.content.decode()


def test_chaque_lecture_est_journalisee_avec_l_organisation(api, monde):
    api.get(reverse("api:personnes"), monde.secret_a)
    api.get(reverse("api:entretien", args=[monde.entretien.pk]), monde.secret_a)
    api.get(reverse("api:personnes"), monde.secret_partenaire)
    lignes = list(JournalAcces.objects.du_dossier(monde.personne.pk).order_by("pk"))
    assert [(ligne.action, ligne.type_objet, ligne.page) for ligne in lignes] == [
        (Action.CONSULTATION, "resident", "api:personnes"),
        (Action.CONSULTATION, "entretien", "api:entretien"),
        (Action.PARTAGE, "resident", "api:personnes"),
    ]
    assert str(monde.structure_a) in lignes[0].detail and f"n° {monde.jeton_a.pk}" in lignes[0].detail
    assert lignes[0].structures == [monde.structure_a.pk]
    assert lignes[1].objet_id == monde.entretien.pk
    assert str(monde.partenaire.contact_partenaire.tiers) in lignes[2].detail


def test_une_liste_vide_n_ecrit_rien(api, monde):
    api.get(reverse("api:personnes"), monde.secret_partenaire_sans)
    assert not JournalAcces.objects.exists()


def test_pagination_par_curseur(api, monde):
    from tests.residents.factories import ResidentFactory

    for _ in range(3):
        ResidentFactory(structure=monde.structure_a)
    page = api.get(reverse("api:personnes"), monde.secret_a, taille=2).json()
    assert len(page["results"]) == 2 and page["next"]
    suite = api.client.get(page["next"], HTTP_AUTHORIZATION=f"Bearer {monde.secret_a}").json()
    assert len(suite["results"]) == 2 and suite["next"] is None
    tous = [r["id"] for r in page["results"] + suite["results"]]
    assert tous == sorted(tous) and len(set(tous)) == 4


def test_updated_since(api, monde):
    apres = (timezone.now() + datetime.timedelta(seconds=1)).isoformat()
    assert ids(api.get(reverse("api:personnes"), monde.secret_a, updated_since=apres)) == []
    monde.personne.telephone = "0600000000"
    monde.personne.save()
    assert ids(api.get(reverse("api:personnes"), monde.secret_a, updated_since=apres)) == []
    avant = (timezone.now() - datetime.timedelta(minutes=1)).isoformat()
    assert ids(api.get(reverse("api:personnes"), monde.secret_a, updated_since=avant)) == [monde.personne.pk]


@pytest.mark.parametrize("valeur", ["hier", "2026-13-45", ""])
def test_updated_since_invalide_400(api, monde, valeur):
    reponse = api.get(reverse("api:personnes"), monde.secret_a, updated_since=valeur)
    assert reponse.status_code == 400
    assert reponse.json()["champs"] == {
        "updated_since": ["Date invalide : attendu ISO 8601, ex. 2026-12-01T08:00:00+01:00."]
    }


def test_filtre_non_entier_400(api, monde):
    reponse = api.get(reverse("api:mesures"), monde.secret_a, personne="abc")
    assert reponse.status_code == 400
    assert reponse.json()["champs"]["personne"] == ["Identifiant invalide : attendu un nombre entier."]


def test_referentiel_en_vigueur(api, monde):
    reponse = api.get(reverse("api:referentiel"), monde.secret_partenaire)
    assert reponse.status_code == 200
    territoires = {t["territoire"]["id"]: t for t in reponse.json()["territoires"]}
    rsa = next(m for m in territoires[monde.territoire_a.pk]["modalites"] if m["code"] == "RSA_SOCIOPRO")
    assert rsa["intervalle_contact"].startswith("P")
    assert api.get(reverse("api:referentiel"), None).status_code == 401


def test_referentiel_d_un_jour_donne(api, monde):
    """A version from a future date: read on its day and after, not the day before; a bad day is a 400."""
    import datetime

    from django.utils import timezone

    from referentiel.models import SurchargeModalite
    from tests.referentiel.factories import modalite

    sociopro = modalite("RSA_SOCIOPRO")
    jour = timezone.localdate() + datetime.timedelta(days=40)
    SurchargeModalite.objects.create(modalite=sociopro, intervalle_contact="P9D", en_vigueur_le=jour, source="essai")

    def contact(le):
        reponse = api.get(reverse("api:referentiel"), monde.secret_partenaire, le=le.isoformat())
        assert reponse.status_code == 200 and reponse.json()["le"] == le.isoformat()
        territoire = next(t for t in reponse.json()["territoires"] if t["territoire"]["id"] == monde.territoire_a.pk)
        return next(m for m in territoire["modalites"] if m["code"] == "RSA_SOCIOPRO")

    assert contact(jour - datetime.timedelta(days=1))["intervalle_contact"] != "P9D"
    for le in (jour, jour + datetime.timedelta(days=1)):
        valeurs = contact(le)
        assert valeurs["intervalle_contact"] == "P9D"
        assert valeurs["provenance"]["intervalle_contact"] == {"source": "essai", "en_vigueur_le": jour.isoformat()}
    reponse = api.get(reverse("api:referentiel"), monde.secret_partenaire, le="hier")
    assert reponse.status_code == 400 and "le" in reponse.json()["champs"]


@pytest.mark.parametrize("nom", ["personnes", "mesures", "entretiens", "contrats"])
def test_le_nombre_de_requetes_ne_croit_pas_avec_les_lignes(api, monde, nom, django_assert_max_num_queries):
    from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
    from tests.contrats.factories import ContratFactory

    for _ in range(6):
        mesure = AccompagnementFactory(referent=monde.referent)
        EntretienFactory(accompagnement=mesure)
        ContratFactory(accompagnement=mesure)
    url = reverse(f"api:{nom}")
    api.get(url, monde.secret_a)  # the token's last use is written once a minute: not in the count
    with django_assert_max_num_queries(12):
        reponse = api.get(url, monde.secret_a)
    assert len(reponse.json()["results"]) >= 6


def test_aucun_cookie_pose_par_l_api(api, monde):
    for url in (reverse("api:personnes"), reverse("api:schema")):
        reponse = api.get(url, monde.secret_a)
        assert reponse.status_code == 200
        assert not reponse.cookies, url


# Transactional (serialized_rollback, as tests/journal): only outside a transaction is the read's line
# committed on its own.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_une_lecture_de_l_api_est_tracee_comme_celle_d_une_page(api, monde):
    """The API's log of a read follows the log's rule for reads (journal.services.LECTURES): committed
    without waiting for the disk, as a page's; the line is written."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as lecture:
        assert api.get(reverse("api:personne", args=[monde.personne.pk]), monde.secret_a).status_code == 200
    sql = [q["sql"] for q in lecture.captured_queries]
    insertion = next(i for i, q in enumerate(sql) if q.startswith('INSERT INTO "journal_journalacces"'))
    assert sql[insertion - 1] == "SET LOCAL synchronous_commit TO OFF"
    assert JournalAcces.objects.filter(resident_id=monde.personne.pk, action=Action.CONSULTATION).exists()
