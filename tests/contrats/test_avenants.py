"""Avenants (issue 16 §1): a new version beside the signed one, which stays in force, untouched, until the
avenant is signed by every party and validated; a refused, deferred or abandoned avenant changes nothing."""

import datetime
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError

from contrats import services
from contrats.models import Contrat, Partie
from referentiel.models import Modalite, TypeContrat
from tests.contrats.conftest import brouillon, renouveler, signer_personne, signer_staff

E = Contrat.Etat
D = datetime.date
EFFET = D(2026, 3, 2)
FIN = D(2026, 7, 5)


pytestmark = pytest.mark.usefixtures("un_jour_du_contrat")


def avenant_de(contrat, referent, effet=EFFET, motif="Ajout d'un objectif logement", **kwargs):
    contrat.refresh_from_db()
    return services.preparer_avenant(
        contrat=contrat, par=referent, date_effet=effet, motif=motif, version=contrat.version, **kwargs
    )


def soumis_et_signe(avenant, referent):
    services.ajouter_objectif(contrat=avenant, par=referent, domaine="LOGEMENT", libelle="Déposer une demande HLM")
    avenant = services.soumettre(contrat=avenant, par=referent, version=avenant.version)
    signer_personne(avenant, referent)
    signer_staff(avenant, referent, Partie.REFERENT)
    avenant.refresh_from_db()
    return avenant


def lire(version):
    with version.pdf.open("rb") as fichier:
        return fichier.read()


def test_un_contrat_en_vigueur_ne_se_rouvre_pas(cer_valide, referent):
    with pytest.raises(ValidationError, match="préparez un avenant"):
        services.rouvrir(contrat=cer_valide, par=referent, motif="Changement", version=cer_valide.version)
    cer_valide.refresh_from_db()
    assert cer_valide.etat == E.VALIDE and cer_valide.numero_version == 1


def test_preparer_un_avenant_laisse_la_version_signee_en_vigueur(cer_valide, referent):
    v1 = cer_valide.version_courante()
    pdf_v1 = lire(v1)
    avenant = avenant_de(cer_valide, referent)
    assert (avenant.etat, avenant.numero_version, avenant.avenant_de, avenant.date_debut, avenant.date_fin) == (
        E.BROUILLON,
        2,
        cer_valide,
        EFFET,
        FIN,
    )
    assert [ligne.objectif.libelle for ligne in avenant.lignes_objectifs.all()] == ["Trouver un stage"]
    cer_valide.refresh_from_db()
    assert (cer_valide.etat, cer_valide.date_fin, cer_valide.numero_version) == (E.VALIDE, FIN, 1)
    for jour in (EFFET - datetime.timedelta(days=1), EFFET, D(2026, 6, 1)):
        assert list(Contrat.objects.en_vigueur(le=jour)) == [cer_valide]
    assert cer_valide.avenant_en_preparation() == avenant
    assert cer_valide.version_courante().sha256 == v1.sha256 and lire(v1) == pdf_v1
    # Changing the avenant leaves the signed contract's objectives alone.
    services.ajouter_objectif(contrat=avenant, par=referent, domaine="LOGEMENT", libelle="Déposer une demande HLM")
    assert cer_valide.lignes_objectifs.count() == 1


@pytest.mark.parametrize("decision", ["refuser", "differer"])
def test_avenant_refuse_ou_differe_laisse_la_version_precedente(cer_valide, referent, delegue, decision):
    v1 = cer_valide.version_courante()
    pdf_v1 = lire(v1)
    avenant = soumis_et_signe(avenant_de(cer_valide, referent), referent)
    assert avenant.etat == E.EN_VALIDATION
    getattr(services, decision)(contrat=avenant, par=delegue, motif="Objectif flou", version=avenant.version)
    avenant.refresh_from_db()
    cer_valide.refresh_from_db()
    assert avenant.etat == (E.REFUSE if decision == "refuser" else E.DIFFERE)
    assert (cer_valide.etat, cer_valide.date_fin) == (E.VALIDE, FIN)
    assert list(Contrat.objects.en_vigueur(le=D(2026, 4, 1))) == [cer_valide]
    v1.refresh_from_db()
    assert v1.signatures.count() == 2 and lire(v1) == pdf_v1


def test_avenant_abandonne_meme_differe(cer_valide, referent, delegue):
    avenant = soumis_et_signe(avenant_de(cer_valide, referent), referent)
    services.differer(contrat=avenant, par=delegue, motif="À préciser", version=avenant.version)
    avenant.refresh_from_db()
    services.annuler(contrat=avenant, par=referent, motif="La personne y renonce", version=avenant.version)
    cer_valide.refresh_from_db()
    assert cer_valide.etat == E.VALIDE and cer_valide.avenant_en_preparation() is None
    # Another avenant may then be prepared; its document number follows the abandoned one's.
    assert avenant_de(cer_valide, referent).numero_version == 3


def test_avenant_valide_prend_effet_a_sa_date(cer_valide, referent, delegue):
    v1 = cer_valide.version_courante()
    avenant = soumis_et_signe(avenant_de(cer_valide, referent), referent)
    cer_valide.refresh_from_db()
    assert cer_valide.date_fin == FIN  # signed by the parties, not yet validated: nothing changes
    avenant = services.valider(contrat=avenant, par=delegue, version=avenant.version)
    cer_valide.refresh_from_db()
    assert (avenant.etat, cer_valide.etat, cer_valide.date_fin) == (E.VALIDE, E.VALIDE, EFFET)
    veille = EFFET - datetime.timedelta(days=1)
    assert list(Contrat.objects.en_vigueur(le=veille)) == [cer_valide]
    assert list(Contrat.objects.en_vigueur(le=EFFET)) == [avenant]
    assert list(Contrat.objects.en_vigueur(le=EFFET + datetime.timedelta(days=1))) == [avenant]
    assert cer_valide.statut_temporel(le=EFFET) == "remplacé"
    assert cer_valide.en_vigueur_dans_la_famille(le=veille) == cer_valide
    assert cer_valide.en_vigueur_dans_la_famille(le=EFFET) == avenant
    # The first version is still there, as signed.
    v1.refresh_from_db()
    assert v1.contenu["date_fin"] == FIN.isoformat()
    assert v1.signatures.count() == 2 and avenant.version_courante().numero == 2
    assert avenant.version_courante().motif == "Ajout d'un objectif logement"
    # The replaced version is neither amended, renewed nor broken any more: the one in force is.
    for action in (
        lambda: avenant_de(cer_valide, referent, effet=D(2026, 2, 1)),
        lambda: renouveler(contrat=cer_valide, par=referent, le=D(2026, 6, 10)),
        lambda: services.rompre(
            contrat=cer_valide, par=referent, motif="Départ", le=D(2026, 2, 1), version=cer_valide.version
        ),
    ):
        with pytest.raises(ValidationError, match="remplacée par un avenant"):
            action()


def test_le_renouvellement_deja_prepare_suit_l_avenant(cer_valide, referent, delegue):
    renouvellement = renouveler(contrat=cer_valide, par=referent, le=D(2026, 6, 10))
    avenant = soumis_et_signe(avenant_de(cer_valide, referent, effet=D(2026, 6, 15)), referent)
    services.valider(contrat=avenant, par=delegue, version=avenant.version)
    renouvellement.refresh_from_db()
    assert (renouvellement.precedent, renouvellement.date_debut) == (avenant, FIN)


def test_com_sans_validateur_prend_effet_a_la_derniere_signature(referent, responsable):
    com = brouillon(referent, type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER)
    com = services.soumettre(contrat=com, par=referent, version=com.version)
    signer_personne(com, referent)
    signer_staff(com, referent, Partie.REFERENT)
    signer_staff(com, responsable, Partie.RESPONSABLE)
    com.refresh_from_db()
    effet = com.date_debut + datetime.timedelta(days=10)
    avenant = avenant_de(com, referent, effet=effet)
    avenant = services.soumettre(contrat=avenant, par=referent, version=avenant.version)
    signer_personne(avenant, referent)
    signer_staff(avenant, referent, Partie.REFERENT)
    com.refresh_from_db()
    assert com.date_fin != effet  # the manager has not signed yet
    signer_staff(avenant, responsable, Partie.RESPONSABLE)
    com.refresh_from_db()
    avenant.refresh_from_db()
    assert (avenant.etat, com.date_fin) == (E.SIGNE, effet)


def test_un_seul_avenant_a_la_fois_et_dates_bornees(cer_valide, referent):
    for effet in (cer_valide.date_debut, FIN, D(2026, 9, 1)):
        with pytest.raises(ValidationError, match="L'avenant prend effet"):
            avenant_de(cer_valide, referent, effet=effet)
    with pytest.raises(ValidationError, match="motif"):
        avenant_de(cer_valide, referent, motif=" ")
    avenant = avenant_de(cer_valide, referent)
    with pytest.raises(ValidationError, match="déjà en préparation"):
        avenant_de(cer_valide, referent)
    with pytest.raises(ValidationError, match="pour changer le terme"):
        services.modifier_brouillon(contrat=avenant, par=referent, date_fin=D(2026, 9, 1), version=avenant.version)
    with pytest.raises(ValidationError, match="abandonnez-le"):
        services.rompre(contrat=cer_valide, par=referent, motif="Départ", le=D(2026, 4, 1), version=cer_valide.version)


def test_avenant_envoye_deux_fois_enregistre_une_fois(cer_valide, referent):
    jeton = uuid.uuid4()
    premier = avenant_de(cer_valide, referent, jeton=jeton)
    assert avenant_de(cer_valide, referent, jeton=jeton) == premier
    assert Contrat.objects.filter(avenant_de=cer_valide).count() == 1


def test_le_pdf_de_l_avenant_dit_ce_qu_il_modifie(cer_valide, referent):
    from tests.contrats.test_pdf import texte

    avenant = avenant_de(cer_valide, referent)
    avenant = services.soumettre(contrat=avenant, par=referent, version=avenant.version)
    contenu = " ".join(texte(lire(avenant.version_courante())).split())
    assert f"Avenant au contrat {cer_valide.reference}" in contenu
    assert "Ajout d'un objectif logement" in contenu and "version 2" in contenu
    assert "Avenant au contrat" not in texte(lire(cer_valide.version_courante()))


def test_un_contrat_termine_ne_se_modifie_ni_ne_se_rompt(cer_valide, referent):
    """An avenant or a rupture acts on a contract in force today; once over, it is renewed instead."""
    with time_machine.travel(datetime.datetime(2026, 7, 6, 10, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ValidationError, match="Ce contrat est terminé : préparez plutôt son renouvellement."):
            avenant_de(cer_valide, referent, effet=D(2026, 7, 6))
        with pytest.raises(ValidationError, match="Ce contrat est terminé"):
            services.rompre(contrat=cer_valide, par=referent, motif="Départ", le=FIN, version=cer_valide.version)
    cer_valide.refresh_from_db()
    assert (cer_valide.etat, cer_valide.date_fin) == (E.VALIDE, FIN)
    assert not Contrat.objects.filter(avenant_de=cer_valide).exists()


def test_un_avenant_n_est_jamais_retroactif(cer_valide, referent):
    with time_machine.travel(datetime.datetime(2026, 3, 10, 10, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ValidationError, match="Un avenant prend effet au plus tôt aujourd'hui."):
            avenant_de(cer_valide, referent, effet=D(2026, 3, 9))
        avenant = avenant_de(cer_valide, referent, effet=D(2026, 3, 10))
        services.ajouter_objectif(contrat=avenant, par=referent, domaine="LOGEMENT", libelle="Déposer une demande HLM")
    # Drafted for too long: its effective date has passed, it is not submitted as it stands.
    with time_machine.travel(datetime.datetime(2026, 3, 12, 10, tzinfo=datetime.UTC), tick=False):
        with pytest.raises(ValidationError, match="au plus tôt aujourd'hui"):
            services.soumettre(contrat=avenant, par=referent, version=avenant.version)
        with pytest.raises(ValidationError, match="au plus tôt aujourd'hui"):
            services.modifier_brouillon(
                contrat=avenant, par=referent, date_debut=D(2026, 3, 11), version=avenant.version
            )
        avenant = services.modifier_brouillon(
            contrat=avenant, par=referent, date_debut=D(2026, 3, 12), version=avenant.version
        )
        assert services.soumettre(contrat=avenant, par=referent, version=avenant.version).date_debut == D(2026, 3, 12)
