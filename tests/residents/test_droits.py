"""The person's rights: partner access by consent, the right-of-access ZIP, bad input."""

import datetime
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Accompagnement, Entretien
from journal.models import Action, JournalAcces
from residents.models import Consentement
from tests.accompagnement.factories import AccompagnementFactory, CoReferentFactory, EntretienFactory, ObjectifFactory
from tests.accounts.factories import PartenaireFactory, ReferentFactory
from tests.residents.factories import ConsentementFactory

C = Consentement.Categorie


@pytest.fixture
def mesure():
    return AccompagnementFactory()


@pytest.fixture
def partenaire(mesure):
    user = PartenaireFactory()
    CoReferentFactory(accompagnement=mesure, contact=user.contact_partenaire)
    return user


def consentir(mesure, partenaire, categories):
    return ConsentementFactory(
        resident=mesure.resident, tiers=partenaire.contact_partenaire.tiers, categories=categories
    )


def test_partenaire_sans_consentement_ne_voit_rien(client, mesure, partenaire):
    client.force_login(partenaire)
    assert client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).status_code == 404
    assert str(mesure.resident) not in client.get(reverse("residents:partenaire_personnes")).content.decode()


def test_partenaire_avec_consentement_voit_seulement_les_categories(client, mesure, partenaire):
    EntretienFactory(accompagnement=mesure, notes="Note ordinaire à ne pas partager")
    ObjectifFactory(accompagnement=mesure, libelle="Trouver un stage")
    consentir(mesure, partenaire, [C.PRESENCE, C.OBJECTIFS])
    client.force_login(partenaire)
    assert str(mesure.resident) in client.get(reverse("residents:partenaire_personnes")).content.decode()
    html = client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).content.decode()
    assert "Trouver un stage" in html
    assert "data-presences" in html
    assert "Note ordinaire" not in html
    partage = JournalAcces.objects.get(action=Action.PARTAGE)
    assert partage.resident_id == mesure.resident_id
    assert "présence" in partage.detail and "objectifs" in partage.detail


def test_partenaire_ne_voit_jamais_une_note_confidentielle(client, mesure, partenaire):
    EntretienFactory(accompagnement=mesure, notes="Note partagée")
    EntretienFactory(accompagnement=mesure, notes="Secret du référent", confidentiel=True)
    consentir(mesure, partenaire, [C.NOTES])
    client.force_login(partenaire)
    html = client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).content.decode()
    assert "Note partagée" in html
    assert "Secret du référent" not in html


def test_retrait_du_consentement_coupe_l_acces_immediatement(client, mesure, partenaire):
    consentement = consentir(mesure, partenaire, [C.OBJECTIFS])
    client.force_login(mesure.referent)
    response = client.post(reverse("residents:consentement_retirer", args=[consentement.pk]))
    assert response.status_code == 302
    consentement.refresh_from_db()
    assert consentement.date_retrait == timezone.localdate()
    client.force_login(partenaire)
    assert client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).status_code == 404
    assert not Accompagnement.objects.visibles_par(partenaire).exists()
    assert not Entretien.objects.visibles_par(partenaire).exists()


def test_le_partenaire_n_atteint_aucun_ecran_du_personnel(client, mesure, partenaire):
    consentir(mesure, partenaire, [C.NOTES, C.OBJECTIFS, C.PRESENCE, C.CONTRATS, C.IDENTITE])
    client.force_login(partenaire)
    for url in (
        reverse("residents:dossier", args=[mesure.resident_id]),
        reverse("residents:liste"),
        reverse("accompagnement:file_active"),
        reverse("contrats:mes_contrats"),
    ):
        assert client.get(url).status_code == 404, url


def test_enregistrer_un_consentement(client, mesure, partenaire):
    client.force_login(mesure.referent)
    donnees = {
        "tiers": partenaire.contact_partenaire.tiers_id,
        "finalite": "suivi du contrat jeune majeur",
        "categories": [C.OBJECTIFS, C.CONTRATS],
        "date_consentement": timezone.localdate().isoformat(),
        "mode": "ECRIT",
    }
    assert client.post(reverse("residents:consentement_nouveau", args=[mesure.resident_id]), donnees).status_code == 302
    consentement = Consentement.objects.get()
    assert consentement.recueilli_par == mesure.referent
    assert sorted(consentement.categories) == [C.CONTRATS, C.OBJECTIFS]
    # a consent in the future or without category: a French message, nothing saved
    futur = {**donnees, "date_consentement": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()}
    response = client.post(reverse("residents:consentement_nouveau", args=[mesure.resident_id]), futur)
    assert response.status_code == 200 and "futur" in response.content.decode()
    vide = {**donnees, "categories": []}
    response = client.post(reverse("residents:consentement_nouveau", args=[mesure.resident_id]), vide)
    assert response.status_code == 200
    assert Consentement.objects.count() == 1


def test_consentement_collegue_et_etranger(client, mesure):
    collegue = ReferentFactory(structures=[mesure.structure])
    client.force_login(collegue)
    assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 200
    client.force_login(ReferentFactory())
    assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 404
    assert client.get(reverse("residents:consentement_nouveau", args=[mesure.resident_id])).status_code == 404


def test_le_zip_du_droit_d_acces_contient_tout(client, mesure, partenaire):
    resident = mesure.resident
    resident.telephone = "06 12 34 56 78"
    resident.save()
    EntretienFactory(accompagnement=mesure, notes="Note confidentielle de l'entretien", confidentiel=True)
    objectif = ObjectifFactory(accompagnement=mesure, libelle="Ouvrir un compte bancaire")
    consentement = consentir(mesure, partenaire, [C.OBJECTIFS])
    client.force_login(partenaire)
    client.get(reverse("residents:partenaire_dossier", args=[resident.pk]))
    client.force_login(mesure.referent)
    client.post(reverse("residents:demande_acces", args=[resident.pk]))
    response = client.get(reverse("residents:droit_acces_zip", args=[resident.pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )
    assert {"dossier.json", "dossier.pdf", "LISEZMOI.txt"} <= set(archive.namelist())
    assert archive.read("dossier.pdf").startswith(b"%PDF")
    d = json.loads(archive.read("dossier.json"))
    assert d["identite"]["nom"] == resident.nom
    assert d["identite"]["prenom"] == resident.prenom
    assert d["identite"]["telephone"] == "06 12 34 56 78"
    assert d["identite"]["date_naissance"] == resident.date_naissance.isoformat()
    [m] = d["accompagnements"]
    assert m["id"] == mesure.pk and m["modalite_id"] == mesure.modalite_id
    [e] = m["entretiens"]
    assert e["notes"] == "Note confidentielle de l'entretien" and e["confidentiel"] is True
    assert m["objectifs"][0]["libelle"] == objectif.libelle
    [c] = d["consentements"]
    assert c["id"] == consentement.pk and c["categories"] == [C.OBJECTIFS]
    assert len(d["partages"]) == 1 and d["partages"][0]["par"] == partenaire.username
    [demande] = d["demandes_acces"]
    assert (
        demande["date_limite"]
        == (timezone.localdate() + __import__("dateutil").relativedelta.relativedelta(months=1)).isoformat()
    )


def test_html_dans_les_notes_affiche_comme_texte(client, mesure, partenaire):
    EntretienFactory(accompagnement=mesure, notes="<script>alert('x')</script><b>gras</b>")
    consentir(mesure, partenaire, [C.NOTES])
    client.force_login(partenaire)
    html = client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_recherche_qui_ressemble_a_du_sql(client, mesure):
    client.force_login(mesure.referent)
    for terme in ("' OR 1=1 --", "%'; DROP TABLE residents_resident; --", "\\x00"):
        response = client.get(reverse("residents:liste"), {"q": terme})
        assert response.status_code == 200
        assert str(mesure.resident.nom) not in response.content.decode() or terme == ""
    assert client.get(reverse("residents:liste"), {"q": mesure.resident.nom}).status_code == 200


@pytest.mark.parametrize("url", ["/personnes/abc/", "/personnes/99999999999999999999/", "/personnes/-1/droits/"])
def test_identifiants_malformes_404(client, mesure, url):
    client.force_login(mesure.referent)
    assert client.get(url).status_code == 404


def test_mauvaise_methode_405(client, mesure):
    client.force_login(mesure.referent)
    assert client.get(reverse("residents:demande_acces", args=[mesure.resident_id])).status_code == 405
    assert client.post(reverse("residents:droit_acces_zip", args=[mesure.resident_id])).status_code == 405
