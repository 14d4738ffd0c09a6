"""Pages with personal data are kept by no cache (Cache-Control: no-store): not the browser's back button
after logout, not a proxy."""

from django.urls import reverse

from tests.accompagnement.factories import AccompagnementFactory


def test_le_dossier_n_est_garde_par_aucun_cache(client):
    mesure = AccompagnementFactory()
    client.force_login(mesure.referent)
    reponse = client.get(reverse("residents:dossier", args=[mesure.resident_id]))
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"] and "private" in reponse["Cache-Control"]


def test_seules_les_reponses_a_un_utilisateur_connecte_sont_concernees(client):
    mesure = AccompagnementFactory()
    client.force_login(mesure.referent)
    assert "no-store" in client.get(reverse("accueil"))["Cache-Control"]
    client.logout()
    assert "no-store" not in client.get(reverse("sante")).get("Cache-Control", "")
