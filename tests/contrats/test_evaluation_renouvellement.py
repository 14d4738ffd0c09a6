"""The renewal of a CER / contrat d'engagement / plan ASLL starts from the évaluation partagée of the ending
contract (domain.md §5, §7); a COM carries its unmet objectives to next month."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.models import EvaluationObjectif, EvaluationPartagee, Objectif
from contrats import evaluation, services
from contrats.models import Contrat, Partie
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import ObjectifFactory

from .conftest import brouillon, evaluation_type, signer_personne, signer_staff

E = Contrat.Etat
N = EvaluationObjectif.Niveau
FIN = datetime.date(2026, 7, 5)
PREAVIS = datetime.datetime(2026, 6, 20, 10, tzinfo=datetime.UTC)


@pytest.fixture
def pendant_le_preavis():
    with time_machine.travel(PREAVIS, tick=False):
        yield


def avec_deux_objectifs(contrat):
    """The contract's « Trouver un stage » plus a second objective; returns (stage, logement)."""
    logement = ObjectifFactory(accompagnement=contrat.accompagnement, libelle="Déposer une demande de logement")
    contrat.lignes_objectifs.create(objectif=logement, ordre=5)
    stage = contrat.lignes_objectifs.get(objectif__libelle="Trouver un stage").objectif
    return stage, logement


# --- service ---------------------------------------------------------------------------------------


def test_sans_evaluation_un_cer_ne_se_renouvelle_pas(cer_valide, referent):
    with pytest.raises(ValidationError, match="évaluation partagée du contrat qui se termine"):
        services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN)
    assert cer_valide.successeur() is None and not EvaluationPartagee.objects.exists()


def test_l_evaluation_est_enregistree_et_reprend_les_objectifs_non_atteints(cer_valide, referent):
    stage, logement = avec_deux_objectifs(cer_valide)
    donnees = {
        "niveaux": {
            stage.pk: {"niveau": N.ATTEINT, "competences": "Rédiger un CV", "parole_personne": "J'ai trouvé !"},
            logement.pk: {"niveau": N.AMORCE, "competences": "", "parole_personne": "C'est long."},
        },
        "cooperation": "Présente à chaque rendez-vous.",
        "satisfaction": "Je me sens écoutée.",
    }
    nouveau = services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN, evaluation=donnees)
    ev = evaluation.de(cer_valide)
    assert (ev.cooperation, ev.satisfaction, ev.auteur, ev.date) == (
        "Présente à chaque rendez-vous.",
        "Je me sens écoutée.",
        referent,
        FIN,
    )
    assert {(e.objectif, e.niveau, e.parole_personne) for e in ev.objectifs.all()} == {
        (stage, N.ATTEINT, "J'ai trouvé !"),
        (logement, N.AMORCE, "C'est long."),
    }
    stage.refresh_from_db()
    logement.refresh_from_db()
    assert (stage.etat, logement.etat) == (Objectif.Etat.ATTEINT, Objectif.Etat.EN_COURS)
    # The met objective is not proposed again; the one only begun is.
    assert list(nouveau.objectifs.all()) == [logement]
    assert cer_valide.transitions.filter(action="évaluation partagée").exists()


def test_chaque_objectif_doit_etre_evalue(cer_valide, referent):
    stage, logement = avec_deux_objectifs(cer_valide)
    donnees = evaluation_type(cer_valide)
    del donnees["niveaux"][logement.pk]
    with pytest.raises(ValidationError, match="niveau d'atteinte de chaque objectif : Déposer une demande"):
        services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN, evaluation=donnees)
    assert not EvaluationPartagee.objects.exists() and not Contrat.objects.filter(precedent=cer_valide).exists()


def test_cooperation_et_satisfaction_obligatoires(cer_valide, referent):
    donnees = {**evaluation_type(cer_valide), "satisfaction": "  "}
    with pytest.raises(ValidationError, match="satisfaction"):
        services.preparer_renouvellement(contrat=cer_valide, par=referent, le=FIN, evaluation=donnees)
    assert not EvaluationPartagee.objects.exists()


def test_un_plan_asll_aussi_demande_l_evaluation(referent):
    plan = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL)
    Contrat.objects.filter(pk=plan.pk).update(etat=E.SIGNE)
    plan.refresh_from_db()
    with pytest.raises(ValidationError, match="évaluation partagée"):
        services.preparer_renouvellement(contrat=plan, par=referent, le=FIN)


@time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC), tick=False)
def test_le_com_reporte_ses_objectifs_non_atteints_au_mois_suivant(referent, responsable):
    debut = datetime.date(2026, 3, 1)
    com = brouillon(referent, type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER, debut=debut)
    atteint = ObjectifFactory(accompagnement=com.accompagnement, libelle="Ouvrir un compte", etat=Objectif.Etat.ATTEINT)
    partiel = ObjectifFactory(
        accompagnement=com.accompagnement, libelle="Payer la redevance", etat=Objectif.Etat.PARTIELLEMENT_ATTEINT
    )
    com.lignes_objectifs.create(objectif=atteint, ordre=1)
    com.lignes_objectifs.create(objectif=partiel, ordre=2)
    com = services.soumettre(contrat=com, par=referent, version=com.version)
    signer_personne(com, referent)
    signer_staff(com, referent, Partie.REFERENT)
    signer_staff(com, responsable, Partie.RESPONSABLE)
    com.refresh_from_db()
    assert com.etat == E.SIGNE and not evaluation.requise(com)
    suivant = services.preparer_renouvellement(contrat=com, par=referent, le=com.date_fin)
    assert suivant.type == TypeContrat.COM and suivant.date_debut == com.date_fin == datetime.date(2026, 4, 1)
    assert suivant.date_fin == datetime.date(2026, 5, 1)
    assert set(suivant.objectifs.values_list("libelle", flat=True)) == {"Trouver un stage", "Payer la redevance"}


# --- the page « Préparer le renouvellement » --------------------------------------------------------


def url(contrat):
    return reverse("contrats:renouveler", args=[contrat.pk])


def formulaire(contrat, **autres):
    donnees = {f"niveau_{ligne.objectif_id}": N.PARTIEL for ligne in contrat.lignes_objectifs.all()}
    return {**donnees, "cooperation": "Assidue.", "satisfaction": "Ça m'a aidée à y voir clair.", **autres}


@pytest.mark.usefixtures("pendant_le_preavis")
def test_la_page_demande_l_evaluation_au_referent_seulement(client, cer_valide, referent, collegue, etranger):
    client.force_login(etranger)
    assert client.get(url(cer_valide)).status_code == 404
    assert client.post(url(cer_valide), formulaire(cer_valide)).status_code == 404
    client.force_login(collegue)
    assert client.get(url(cer_valide)).status_code == 403
    assert client.post(url(cer_valide), formulaire(cer_valide)).status_code == 403
    client.force_login(referent)
    html = client.get(url(cer_valide)).content.decode()
    assert "Évaluation partagée du contrat qui se termine" in html and "Objectif : Trouver un stage" in html
    assert "Satisfaction de la personne, en ses propres mots" in html
    assert not Contrat.objects.filter(precedent=cer_valide).exists()


@pytest.mark.usefixtures("pendant_le_preavis")
def test_une_evaluation_incomplete_est_redemandee_en_francais(client, cer_valide, referent):
    client.force_login(referent)
    reponse = client.post(url(cer_valide), formulaire(cer_valide, cooperation=""))
    assert reponse.status_code == 200 and "Ce champ est obligatoire." in reponse.content.decode()
    reponse = client.post(
        url(cer_valide), {**formulaire(cer_valide), "niveau_" + str(cer_valide.objectifs.get().pk): "9"}
    )
    assert reponse.status_code == 200 and "Sélectionnez un choix valide" in reponse.content.decode()
    assert not EvaluationPartagee.objects.exists() and not Contrat.objects.filter(precedent=cer_valide).exists()


@pytest.mark.usefixtures("pendant_le_preavis")
def test_l_evaluation_est_reportee_sur_le_nouveau_brouillon_et_l_ancien_contrat(client, cer_valide, referent):
    client.force_login(referent)
    reponse = client.post(url(cer_valide), formulaire(cer_valide))
    nouveau = Contrat.objects.get(precedent=cer_valide)
    assert reponse.url == reverse("contrats:modifier", args=[nouveau.pk])
    assert list(nouveau.objectifs.values_list("libelle", flat=True)) == ["Trouver un stage"]
    brouillon_html = client.get(reponse.url).content.decode()
    assert "Évaluation du contrat précédent" in brouillon_html and "Ça m&#x27;a aidée à y voir clair." in brouillon_html
    assert "Évaluation du contrat précédent" in client.get(nouveau.get_absolute_url()).content.decode()
    ancien = client.get(cer_valide.get_absolute_url()).content.decode()
    assert "Évaluation partagée de fin de contrat" in ancien and "partiellement atteint" in ancien


@pytest.mark.usefixtures("pendant_le_preavis")
def test_une_evaluation_faite_est_montree_puis_reutilisee(client, cer_valide, referent):
    premier = services.preparer_renouvellement(
        contrat=cer_valide, par=referent, le=FIN, evaluation=evaluation_type(cer_valide)
    )
    services.annuler(contrat=premier, par=referent, motif="Erreur de dates", version=premier.version)
    client.force_login(referent)
    html = client.get(url(cer_valide)).content.decode()
    assert "Je suis contente, j&#x27;ai avancé." in html and 'name="cooperation"' not in html
    reponse = client.post(url(cer_valide))
    second = Contrat.objects.get(precedent=cer_valide, etat=E.BROUILLON)
    assert reponse.url == reverse("contrats:modifier", args=[second.pk])
    assert EvaluationPartagee.objects.count() == 1


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_avant_le_preavis_la_page_le_dit(client, cer_valide, referent):
    client.force_login(referent)
    reponse = client.get(url(cer_valide), follow=True)
    assert reponse.redirect_chain[-1][0] == cer_valide.get_absolute_url()
    assert "Le renouvellement se prépare à partir du 05/06/2026" in reponse.content.decode()
