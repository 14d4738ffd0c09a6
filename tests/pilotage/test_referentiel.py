"""The référentiel's page (issue 20): versions listed with their status, a new version previewed (its
impact, computed by the engine, nothing saved) then saved, an upcoming one edited or withdrawn, one in
force never edited; the preview agrees with the engine once the version is saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Accompagnement
from echeances.impact import (
    REGLES_DES_PARAMETRES,
    REGLES_DES_VALEURS,
    SANS_ECHEANCE,
    VALEURS_SANS_ECHEANCE,
    impact,
)
from echeances.moteur import Etat, Regle, calculer
from referentiel.models import Parametre, SurchargeModalite, ValeursModalite
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import AdministrateurFactory, DelegueFactory, ReferentFactory, ResponsableFactory
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import modalite

AUJOURD_HUI = timezone.localdate()
DANS_UN_MOIS = AUJOURD_HUI + datetime.timedelta(days=30)


@pytest.fixture
def admin(client):
    user = AdministrateurFactory()
    client.force_login(user)
    return user


@pytest.fixture
def mesures():
    """Three mobilisation sociale measures last met 5, 3 and 1 weeks before the day a version applies."""
    mobil = modalite("RSA_MOBILISATION")
    accs = []
    for semaines in (5, 3, 1):
        acc = AccompagnementFactory(modalite=mobil, date_debut=AUJOURD_HUI - datetime.timedelta(days=200))
        EntretienFactory(accompagnement=acc, date_heure=a_paris(DANS_UN_MOIS - datetime.timedelta(weeks=semaines)))
        accs.append(acc)
    return accs


def _donnees(**valeurs):
    return {"niveau": "national", "en_vigueur_le": DANS_UN_MOIS.isoformat(), "source": "essai", **valeurs}


@pytest.mark.parametrize("fabrique", [ReferentFactory, ResponsableFactory, DelegueFactory])
def test_reserve_a_l_administrateur(client, fabrique):
    client.force_login(fabrique())
    assert client.get(reverse("pilotage:referentiel")).status_code == 403
    url = reverse("pilotage:version_modalite", args=[modalite("RSA_MOBILISATION").pk])
    assert client.post(url, _donnees(intervalle_rencontre="P1W", apercu="")).status_code == 403
    assert not SurchargeModalite.objects.exists()


def test_la_page_liste_modalites_parametres_et_statuts(client, admin):
    mobil = modalite("RSA_MOBILISATION")
    SurchargeModalite.objects.create(modalite=mobil, intervalle_rencontre="P1M", en_vigueur_le=DANS_UN_MOIS)
    page = client.get(reverse("pilotage:referentiel")).content.decode()
    assert "RSA – mobilisation sociale" in page and "à venir" in page
    assert "Rencontre physique au moins tous les : 1 mois" in page
    assert "(et non plus CER) pour les orientations décidées à partir du" in page


def test_apercu_puis_enregistrement(client, admin, mesures):
    url = reverse("pilotage:version_modalite", args=[mesures[0].modalite_id])
    formulaire = client.get(url)
    assert formulaire.context["form"].initial["intervalle_rencontre"] == "P6W"  # from the values in force
    apercu = client.post(url, _donnees(intervalle_contact="P15D", intervalle_rencontre="P2W", apercu=""))
    assert not SurchargeModalite.objects.exists()  # a preview saves nothing
    page = apercu.content.decode()
    assert apercu.context["form"].errors == {}
    assert "rien n'est encore enregistré" in page and "Enregistrer la version" in page
    assert apercu.context["apercu"].mesures == 3
    empreinte = apercu.context["form"].data["empreinte"]
    autre = client.post(url, _donnees(intervalle_rencontre="P3W", empreinte=empreinte, enregistrer=""))
    assert not SurchargeModalite.objects.exists()  # other values than previewed: previewed again
    assert "Les valeurs ont changé depuis l" in autre.content.decode()
    donnees = _donnees(intervalle_contact="P15D", intervalle_rencontre="P2W", empreinte=empreinte, enregistrer="")
    reponse = client.post(url, donnees)
    assert reponse.status_code == 302
    version = SurchargeModalite.objects.get()
    assert (version.intervalle_rencontre, version.en_vigueur_le, version.departement, version.territoire) == (
        "P2W",
        DANS_UN_MOIS,
        None,
        None,
    )
    double = client.post(url, donnees)  # a second click: a form error, one version
    assert double.status_code == 200 and "Une version existe déjà à ce niveau à cette date" in double.content.decode()
    assert SurchargeModalite.objects.count() == 1


def test_une_date_passee_ou_une_valeur_fausse_est_refusee_en_francais(client, admin):
    url = reverse("pilotage:version_modalite", args=[modalite("RSA_MOBILISATION").pk])
    hier = (AUJOURD_HUI - datetime.timedelta(days=1)).isoformat()
    page = client.post(url, {**_donnees(intervalle_rencontre="6 semaines", apercu=""), "en_vigueur_le": hier})
    texte = page.content.decode()
    assert "au plus tôt aujourd&#x27;hui" in texte and "Délai invalide" in texte
    parametre = client.post(
        reverse("pilotage:version_parametre", args=["BIENTOT_DU"]), _donnees(valeur="sept jours", apercu="")
    )
    assert "Délai invalide" in parametre.content.decode()
    assert not Parametre.objects.filter(en_vigueur_le__isnull=False).exists()


def test_une_version_a_venir_se_modifie_ou_se_retire_une_version_en_vigueur_non(client, admin):
    mobil = modalite("RSA_MOBILISATION")
    a_venir = SurchargeModalite.objects.create(modalite=mobil, intervalle_rencontre="P1M", en_vigueur_le=DANS_UN_MOIS)
    en_vigueur = SurchargeModalite.objects.create(modalite=mobil, intervalle_rencontre="P5W", en_vigueur_le=AUJOURD_HUI)
    assert client.get(reverse("pilotage:modifier_version_modalite", args=[mobil.pk, a_venir.pk])).status_code == 200
    assert client.get(reverse("pilotage:modifier_version_modalite", args=[mobil.pk, en_vigueur.pk])).status_code == 403
    assert client.post(reverse("pilotage:retirer_version", args=["modalite", en_vigueur.pk])).status_code == 403
    assert client.post(reverse("pilotage:retirer_version", args=["autre", a_venir.pk])).status_code == 404
    assert client.post(reverse("pilotage:retirer_version", args=["modalite", a_venir.pk])).status_code == 302
    assert list(SurchargeModalite.objects.all()) == [en_vigueur]


def test_l_apercu_dit_ce_que_le_moteur_calcule_une_fois_la_version_enregistree(mesures):
    mobil = mesures[0].modalite
    proposee = SurchargeModalite(modalite=mobil, intervalle_rencontre="P2W", en_vigueur_le=DANS_UN_MOIS)
    apercu = impact(proposee)
    # 6 weeks → 2 weeks: met 5 and 3 weeks before, late; 1 week before, due within the week
    rencontre = Regle.RENCONTRE_PHYSIQUE
    assert set(apercu.changements) == {
        (mesures[0].pk, rencontre, Etat.BIENTOT, Etat.EN_RETARD),
        (mesures[1].pk, rencontre, Etat.A_JOUR, Etat.EN_RETARD),
        (mesures[2].pk, rencontre, Etat.A_JOUR, Etat.BIENTOT),
    }
    assert sum(ligne["plus_urgentes"] for ligne in apercu.par_structure) == 3
    proposee.save()
    apres = {}
    for e in calculer(Accompagnement.objects.all(), le=DANS_UN_MOIS, regles={rencontre}):
        apres[e.accompagnement_id] = e.etat
    assert {(acc_id, nouvel) for acc_id, _r, _a, nouvel in apercu.changements} == set(apres.items())


def test_l_apercu_d_une_fenetre_bientot_du_dit_ce_que_le_moteur_calcule_ensuite(mesures):
    """A window read by every rule on every measure (the whole base): the two runs share the rows of the
    rules' queries, which the window does not change; states differ only by it."""
    proposee = Parametre(code="BIENTOT_DU", nature="DELAI", valeur="P3W", en_vigueur_le=DANS_UN_MOIS)
    avant = {(e.accompagnement_id, e.regle): e.etat for e in calculer(Accompagnement.objects.all(), le=DANS_UN_MOIS)}
    apercu = impact(proposee)
    # met 3 weeks before on a 6-week rule: due in 3 weeks, within the new window only
    assert (mesures[1].pk, Regle.RENCONTRE_PHYSIQUE, Etat.A_JOUR, Etat.BIENTOT) in apercu.changements
    proposee.save()
    apres = {(e.accompagnement_id, e.regle): e.etat for e in calculer(Accompagnement.objects.all(), le=DANS_UN_MOIS)}
    attendus = {(*cle, avant.get(cle, Etat.A_JOUR), etat) for cle, etat in apres.items() if avant.get(cle) != etat}
    assert set(apercu.changements) == attendus


def test_seules_les_regles_des_valeurs_changees_sont_calculees(mesures):
    mobil = mesures[0].modalite
    frequence = impact(SurchargeModalite(modalite=mobil, intervalle_rencontre="P2W", en_vigueur_le=DANS_UN_MOIS))
    assert frequence.regles == (Regle.CONTACT, Regle.RENCONTRE_PHYSIQUE)
    norme = impact(SurchargeModalite(modalite=mobil, norme_file_active=10, en_vigueur_le=DANS_UN_MOIS))
    assert norme.regles == (Regle.NORME_FILE_ACTIVE,)
    # the values it already has: nothing to compute, nothing changes
    memes = impact(SurchargeModalite(modalite=mobil, intervalle_rencontre=mobil.intervalle_rencontre))
    assert memes.regles == () and memes.sans_effet
    parametre = Parametre.objects.filter(code="BIENTOT_DU", departement=None, territoire=None).first()
    meme_fenetre = impact(Parametre(code="BIENTOT_DU", nature="DELAI", valeur=parametre.valeur))
    assert meme_fenetre.regles == () and meme_fenetre.sans_effet


def test_chaque_valeur_d_une_modalite_est_rattachee_a_ses_regles_ou_sans_echeance():
    valeurs = {f.name for f in ValeursModalite._meta.get_fields()}
    assert valeurs == set(REGLES_DES_VALEURS) | VALEURS_SANS_ECHEANCE
    assert not set(REGLES_DES_VALEURS) & VALEURS_SANS_ECHEANCE


def test_chaque_parametre_est_rattache_a_ses_regles_ou_sans_echeance():
    assert set(Parametre.Code.values) == set(REGLES_DES_PARAMETRES) | SANS_ECHEANCE
    assert not set(REGLES_DES_PARAMETRES) & SANS_ECHEANCE


def test_un_parametre_sans_echeance_n_a_pas_d_impact():
    apercu = impact(Parametre(code="ATELIERS_PAR_MOIS_MIN", nature="NOMBRE", valeur="3"))
    assert apercu.regles == () and apercu.sans_effet
