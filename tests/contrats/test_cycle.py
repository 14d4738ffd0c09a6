"""The lifecycle through the services: allowed and forbidden transitions per role."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from accompagnement.models import CoReferent
from accompagnement.verrou import ConflitDeVersion
from contrats import services
from contrats.models import Contrat, Partie, Transition
from courriels import services as courriels
from referentiel.models import Modalite, TypeContrat
from residents.models import Menage, Resident
from tests.accounts.factories import DelegueFactory
from tests.referentiel.factories import ContactPartenaireFactory, TerritoireFactory
from tests.residents.factories import ResidentFactory

from .conftest import DEBUT, brouillon, signer_personne, signer_staff

E = Contrat.Etat


def test_un_cer_dure_six_mois_selon_le_referentiel(referent):
    contrat = brouillon(referent)
    assert (contrat.date_debut, contrat.date_fin) == (DEBUT, datetime.date(2026, 7, 5))
    assert "Exprimer ses besoins." in contrat.engagements_personne
    assert "Recevoir la personne rapidement" in contrat.engagements_structure


def test_un_cer_en_veille_dure_douze_mois(referent):
    contrat = brouillon(referent, code=Modalite.Code.RSA_VEILLE)
    assert contrat.date_fin == datetime.date(2027, 1, 5)


def test_cycle_complet_du_cer(referent, delegue, mailoutbox, django_capture_on_commit_callbacks):
    contrat = brouillon(referent)
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    assert contrat.etat == E.EN_SIGNATURE
    version = contrat.version_courante()
    assert len(version.sha256) == 64
    signer_personne(contrat, referent)
    contrat.refresh_from_db()
    assert contrat.etat == E.EN_SIGNATURE
    with django_capture_on_commit_callbacks(execute=True):
        signer_staff(contrat, referent, Partie.REFERENT)
    contrat.refresh_from_db()
    assert contrat.etat == E.EN_VALIDATION and contrat.date_soumission_validation is not None
    contrat = services.differer(
        contrat=contrat, par=delegue, motif="Préciser l'objectif logement.", version=contrat.version
    )
    assert contrat.etat == E.DIFFERE
    contrat = services.repondre(
        contrat=contrat, par=referent, message="Précisé avec la personne.", version=contrat.version
    )
    assert contrat.etat == E.EN_VALIDATION
    with django_capture_on_commit_callbacks(execute=True):
        contrat = services.valider(contrat=contrat, par=delegue, version=contrat.version)
    assert contrat.etat == E.VALIDE
    assert Contrat.objects.en_vigueur(le=DEBUT).filter(pk=contrat.pk).exists()
    actions = list(Transition.objects.filter(contrat=contrat).values_list("action", "par_id"))
    assert ("validation différée", delegue.pk) in actions and ("validation", delegue.pk) in actions
    assert referent.notifications_contrats.count() == 3
    assert mailoutbox == []  # recorded with each step, sent by a worker after its commit
    assert courriels.envoyer_en_attente() == 3
    assert [m.to for m in mailoutbox] == [[referent.email]] * 3


def test_un_com_est_signe_sans_validation(referent, responsable):
    contrat = brouillon(referent, type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER)
    assert contrat.date_fin == datetime.date(2026, 2, 5)
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    assert contrat.parties() == [Partie.RESIDENT, Partie.REFERENT, Partie.RESPONSABLE]
    signer_staff(contrat, responsable, Partie.RESPONSABLE)
    signer_personne(contrat, referent)
    signer_staff(contrat, referent, Partie.REFERENT)
    contrat.refresh_from_db()
    assert contrat.etat == E.SIGNE


def test_soumettre_sans_objectif_est_refuse(referent):
    contrat = brouillon(referent)
    contrat.lignes_objectifs.all().delete()
    with pytest.raises(ValidationError, match="au moins un objectif"):
        services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    contrat.refresh_from_db()
    assert contrat.etat == E.BROUILLON and not contrat.versions.exists()


def test_soumettre_deux_fois_est_refuse(cer_soumis, referent):
    with pytest.raises(ValidationError, match="déjà été soumis"):
        services.soumettre(contrat=cer_soumis, par=referent, version=cer_soumis.version)
    assert cer_soumis.versions.count() == 1


def test_un_collegue_ne_redige_pas_pour_la_mesure_d_un_autre(referent, collegue):
    contrat = brouillon(referent)
    with pytest.raises(PermissionDenied):
        services.soumettre(contrat=contrat, par=collegue, version=contrat.version)


def test_signer_deux_fois_est_refuse(cer_soumis, referent):
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    with pytest.raises(ValidationError, match="déjà signé"):
        signer_staff(cer_soumis, referent, Partie.REFERENT)
    assert cer_soumis.version_courante().signatures.count() == 1


def test_mauvais_mot_de_passe_ne_signe_pas(cer_soumis, referent):
    with pytest.raises(ValidationError, match="Mot de passe ou code incorrect"):
        services.signer(
            contrat=cer_soumis,
            partie=Partie.REFERENT,
            par=referent,
            numero_version=1,
            methode="SESSION",
            mot_de_passe="faux",
            requete=RequestFactory().post("/"),
        )
    assert not cer_soumis.version_courante().signatures.exists()


def test_un_collegue_ne_signe_pas_a_la_place_du_referent(cer_soumis, collegue):
    with pytest.raises(PermissionDenied):
        signer_staff(cer_soumis, collegue, Partie.REFERENT)


def test_la_personne_doit_consentir_et_taper_son_nom(cer_soumis, referent):
    base = {
        "contrat": cer_soumis,
        "partie": Partie.RESIDENT,
        "par": referent,
        "numero_version": 1,
        "methode": "PRESENCE",
    }
    nom = str(cer_soumis.accompagnement.resident)
    with pytest.raises(ValidationError, match="consentement"):
        services.signer(**base, nom_signataire=nom, consentement=False)
    with pytest.raises(ValidationError, match="Le nom tapé"):
        services.signer(**base, nom_signataire="Quelqu'un d'autre", consentement=True)
    signature = services.signer(**base, nom_signataire=nom.upper(), consentement=True)
    assert signature.consentement.startswith("J'ai lu ce contrat")


def test_signer_une_version_remplacee_est_refuse(cer_soumis, referent):
    signer_personne(cer_soumis, referent)
    cer_soumis.refresh_from_db()
    contrat = services.rouvrir(
        contrat=cer_soumis, par=referent, motif="Ajout d'un objectif santé", version=cer_soumis.version
    )
    assert contrat.etat == E.BROUILLON and contrat.numero_version == 2
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    with pytest.raises(ValidationError, match="remplacée par la version 2"):
        services.signer(
            contrat=contrat,
            partie=Partie.REFERENT,
            par=referent,
            numero_version=1,
            methode="SESSION",
            mot_de_passe="mot-de-passe-de-test-solide",
            requete=RequestFactory().post("/"),
        )
    assert [v.numero for v in contrat.versions.all()] == [1, 2]
    assert contrat.versions.get(numero=1).signatures.count() == 1


def test_rouvrir_sans_signature_rend_le_brouillon(cer_soumis, referent):
    contrat = services.rouvrir(contrat=cer_soumis, par=referent, version=cer_soumis.version)
    assert contrat.etat == E.BROUILLON and contrat.numero_version == 1 and not contrat.versions.exists()


def test_seul_le_delegue_du_territoire_valide(cer_soumis, referent, responsable):
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    autre_delegue = DelegueFactory()
    for intrus in (referent, responsable, autre_delegue):
        with pytest.raises(PermissionDenied):
            services.valider(contrat=cer_soumis, par=intrus, version=cer_soumis.version)
    cer_soumis.refresh_from_db()
    assert cer_soumis.etat == E.EN_VALIDATION


def test_valider_un_contrat_pas_signe_est_refuse(cer_soumis, delegue):
    with pytest.raises(ValidationError, match="n'attend pas de validation"):
        services.valider(contrat=cer_soumis, par=delegue, version=cer_soumis.version)


def test_refuser_et_differer_demandent_un_motif(cer_soumis, referent, delegue):
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    cer_soumis.refresh_from_db()
    with pytest.raises(ValidationError, match="motif du refus"):
        services.refuser(contrat=cer_soumis, par=delegue, motif=" ", version=cer_soumis.version)
    with pytest.raises(ValidationError):
        services.differer(contrat=cer_soumis, par=delegue, motif="", version=cer_soumis.version)
    contrat = services.refuser(
        contrat=cer_soumis, par=delegue, motif="Objectifs non mesurables", version=cer_soumis.version
    )
    assert contrat.etat == E.REFUSE


def test_verrou_optimiste(cer_soumis, referent):
    ancienne = cer_soumis.version
    services.rouvrir(contrat=cer_soumis, par=referent, version=cer_soumis.version)
    with pytest.raises(ConflitDeVersion):
        services.modifier_brouillon(contrat=cer_soumis, par=referent, version=ancienne)


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_rompre_un_contrat_valide(cer_valide, referent):
    with pytest.raises(ValidationError, match="motif"):
        services.rompre(
            contrat=cer_valide, par=referent, motif="", le=datetime.date(2026, 3, 1), version=cer_valide.version
        )
    contrat = services.rompre(
        contrat=cer_valide, par=referent, motif="Déménagement", le=datetime.date(2026, 3, 1), version=cer_valide.version
    )
    assert contrat.etat == E.ROMPU and contrat.date_fin == datetime.date(2026, 3, 1)


def test_seul_le_responsable_rompt_le_document_tripartite(referent, responsable):
    contrat = brouillon(
        referent, type=TypeContrat.TRIPARTITE, code=Modalite.Code.FJT_CONVENTION, date_fin=datetime.date(2026, 12, 31)
    )
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE)
    contrat.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.rompre(
            contrat=contrat, par=referent, motif="Manquement", le=datetime.date(2026, 3, 1), version=contrat.version
        )
    services.rompre(
        contrat=contrat,
        par=responsable,
        motif="Manquement au règlement",
        le=datetime.date(2026, 3, 1),
        version=contrat.version,
    )


def test_intensite_reduite_exige_un_motif(referent):
    with pytest.raises(ValidationError, match="15 heures"):
        brouillon(referent, type=TypeContrat.CONTRAT_ENGAGEMENT, heures_activite_hebdo=8)
    assert not Contrat.objects.exists()
    contrat = brouillon(
        referent, type=TypeContrat.CONTRAT_ENGAGEMENT, heures_activite_hebdo=8, motif_intensite_reduite="SANTE"
    )
    assert contrat.heures_activite_hebdo == 8


def test_intensite_par_defaut_du_referentiel(referent):
    contrat = brouillon(referent, type=TypeContrat.CONTRAT_ENGAGEMENT)
    assert contrat.heures_activite_hebdo == 15


def test_type_incompatible_avec_la_modalite(referent):
    with pytest.raises(ValidationError, match="modalité"):
        brouillon(referent, type=TypeContrat.COM)


# --- the conjoint, the partner, the avenant ------------------------------------------------------


def _avec_conjoint(contrat):
    resident = contrat.accompagnement.resident
    resident.menage = Menage.objects.create()
    resident.role_menage = Resident.RoleMenage.DEMANDEUR
    resident.save()
    return ResidentFactory(
        structure=resident.structure, menage=resident.menage, role_menage=Resident.RoleMenage.CONJOINT
    )


def test_le_conjoint_signe_le_cer(referent):
    contrat = brouillon(referent)
    conjoint = _avec_conjoint(contrat)
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    assert [p["code"] for p in contrat.version_courante().contenu["parties"]] == [
        Partie.RESIDENT,
        Partie.CONJOINT,
        Partie.REFERENT,
    ]
    signer_personne(contrat, referent)
    # The household changes after the freeze: the version keeps its parties, the conjoint must still sign.
    conjoint.menage = None
    conjoint.save()
    signer_staff(contrat, referent, Partie.REFERENT)
    contrat.refresh_from_db()
    assert contrat.etat == E.EN_SIGNATURE
    signature = services.signer(
        contrat=contrat,
        partie=Partie.CONJOINT,
        par=referent,
        numero_version=1,
        methode="PRESENCE",
        nom_signataire=str(conjoint),
        consentement=True,
    )
    assert signature.nom_signataire == str(conjoint)
    contrat.refresh_from_db()
    assert contrat.etat == E.EN_VALIDATION


def test_un_conjoint_arrive_apres_la_soumission_ne_bloque_pas(cer_soumis, referent):
    _avec_conjoint(cer_soumis)
    with pytest.raises(ValidationError, match="ne signe pas ce contrat"):
        signer_personne(cer_soumis, referent, Partie.CONJOINT)
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    cer_soumis.refresh_from_db()
    assert cer_soumis.etat == E.EN_VALIDATION


def test_le_partenaire_et_le_responsable_signent_le_document_tripartite(referent, responsable, collegue):
    contrat = brouillon(
        referent, type=TypeContrat.TRIPARTITE, code=Modalite.Code.FJT_CONVENTION, date_fin=datetime.date(2026, 12, 31)
    )
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    assert contrat.parties() == [Partie.RESIDENT, Partie.PARTENAIRE, Partie.RESPONSABLE]
    with pytest.raises(PermissionDenied):
        signer_personne(contrat, collegue, Partie.PARTENAIRE)
    with pytest.raises(ValidationError, match="Le nom tapé"):
        services.signer(
            contrat=contrat,
            partie=Partie.PARTENAIRE,
            par=referent,
            numero_version=1,
            methode="PRESENCE",
            nom_signataire="Un autre partenaire",
            consentement=True,
        )
    partenaire = signer_personne(contrat, referent, Partie.PARTENAIRE)
    assert (partenaire.nom_signataire, partenaire.recueillie_par, partenaire.user) == (
        str(contrat.partenaire),
        referent,
        None,
    )
    signer_personne(contrat, referent)
    contrat.refresh_from_db()
    assert contrat.etat == E.EN_SIGNATURE
    signer_staff(contrat, responsable, Partie.RESPONSABLE)
    contrat.refresh_from_db()
    assert contrat.etat == E.SIGNE  # no validator for the tripartite document


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_un_avenant_est_signe_a_nouveau_par_chaque_partie(cer_valide, referent, delegue):
    v1 = cer_valide.version_courante()
    contrat = services.preparer_avenant(
        contrat=cer_valide,
        par=referent,
        date_effet=datetime.date(2026, 3, 2),
        motif="Ajout d'un objectif logement",
        version=cer_valide.version,
    )
    assert (contrat.etat, contrat.numero_version) == (E.BROUILLON, 2)
    services.ajouter_objectif(contrat=contrat, par=referent, domaine="LOGEMENT", libelle="Déposer une demande HLM")
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    v2 = contrat.version_courante()
    assert v2.numero == 2 and v2.sha256 != v1.sha256
    assert [o["libelle"] for o in v2.contenu["objectifs"]] == ["Trouver un stage", "Déposer une demande HLM"]
    assert not v2.signatures.exists()
    with pytest.raises(ValidationError, match="remplacée par la version 2"):
        services.signer(
            contrat=contrat,
            partie=Partie.RESIDENT,
            par=referent,
            numero_version=1,
            methode="PRESENCE",
            nom_signataire=str(contrat.accompagnement.resident),
            consentement=True,
        )
    signer_personne(contrat, referent)
    signer_staff(contrat, referent, Partie.REFERENT)
    contrat.refresh_from_db()
    assert contrat.etat == E.EN_VALIDATION
    contrat = services.valider(contrat=contrat, par=delegue, version=contrat.version)
    assert contrat.etat == E.VALIDE
    assert {s.sha256_document for s in v2.signatures.all()} == {v2.sha256}
    v1.refresh_from_db()
    assert v1.signatures.count() == 2 and [v.numero for v in contrat.versions.all()] == [2]
    assert [v.numero for v in cer_valide.versions.all()] == [1]


# --- the partner who signs belongs to the measure's territory or is one of its co-referents ------------


def test_un_partenaire_d_un_autre_territoire_est_refuse(referent):
    ailleurs = ContactPartenaireFactory(tiers__territoire=TerritoireFactory())
    with pytest.raises(ValidationError, match="n'intervient pas sur ce territoire"):
        brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL, partenaire=ailleurs)
    assert not Contrat.objects.exists()
    local = ContactPartenaireFactory(tiers__territoire=referent.structures.first().territoire)
    contrat = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL, partenaire=local)
    with pytest.raises(ValidationError, match="n'intervient pas sur ce territoire"):
        services.modifier_brouillon(contrat=contrat, par=referent, partenaire=ailleurs, version=contrat.version)
    CoReferent.objects.create(accompagnement=contrat.accompagnement, contact=ailleurs, role="assistante sociale")
    contrat = services.modifier_brouillon(contrat=contrat, par=referent, partenaire=ailleurs, version=contrat.version)
    assert contrat.partenaire == ailleurs
