"""Each step of the admission pipeline, its order, its roles, and the refusals (nothing half-saved)."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from accompagnement.models import Accompagnement, CoReferent
from accompagnement.verrou import ConflitDeVersion
from admissions import services
from admissions.models import Candidature, GarantieTiers
from contrats.models import Contrat
from referentiel.models import Modalite, TypeContrat
from tests.accounts.factories import ReferentFactory
from tests.admissions.factories import E, Residence, avancer, garanties, jour, signer_tripartite


@pytest.fixture
def r():
    return Residence()


def _pdf():
    tampon = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(tampon)
    return SimpleUploadedFile("note.pdf", tampon.getvalue(), content_type="application/pdf")


def test_parcours_complet_jusqu_a_l_entree(r):
    c = avancer(r, r.candidature(), E.ENTREE)
    assert (c.etape, c.statut) == (E.ENTREE, Candidature.Statut.ADMISE)
    mesure = c.accompagnement
    assert mesure.modalite.code == Modalite.Code.FJT_CONVENTION
    assert mesure.date_debut == jour(-2) and mesure.structure == r.residence and mesure.referent == r.referent
    assert CoReferent.objects.get(accompagnement=mesure).contact == r.contact
    assert c.contrat_tripartite.type == TypeContrat.TRIPARTITE and c.contrat_tripartite.partenaire == r.contact
    assert set(c.garanties.values_list("type", flat=True)) == set(GarantieTiers.Type.values)
    r.jeune.refresh_from_db()
    assert (r.jeune.residence, r.jeune.logement) == (r.residence, "B12")
    assert c.history.count() >= 7  # every step is in the history


def test_note_sociale_obligatoire_texte_ou_pdf(r):
    with pytest.raises(ValidationError, match="note sociale"):
        r.candidature(note_sociale="")
    c = r.candidature(note_sociale="", note_sociale_pdf=_pdf())
    assert c.note_sociale_pdf.name.endswith(".pdf")


@pytest.mark.parametrize(
    ("contenu", "message"),
    [(b"MZ\x90\x00 pas un pdf", "doit être un fichier PDF"), (b"%PDF-1.4 tronque", "illisible")],
)
def test_note_pdf_verifiee_par_son_contenu(r, contenu, message):
    faux = SimpleUploadedFile("note.pdf", contenu, content_type="application/pdf")
    with pytest.raises(ValidationError, match=message):
        r.candidature(note_sociale="", note_sociale_pdf=faux)
    assert not Candidature.objects.exists()


def test_note_pdf_que_pypdf_ne_sait_pas_lire_refusee_en_francais(r, monkeypatch):
    """pypdf raises almost anything on a crafted file (here a KeyError): a French message, not a 500."""
    from accompagnement import fichiers

    def lecteur_en_echec(flux):
        raise KeyError("/Root")

    monkeypatch.setattr(fichiers, "PdfReader", lecteur_en_echec)
    with pytest.raises(ValidationError, match="illisible"):
        r.candidature(note_sociale="", note_sociale_pdf=_pdf())
    assert not Candidature.objects.exists()


def test_note_pdf_trop_lourde(r, monkeypatch):
    monkeypatch.setattr(services, "NOTE_TAILLE_MAX", 10)
    with pytest.raises(ValidationError, match="taille autorisée"):
        r.candidature(note_sociale="", note_sociale_pdf=_pdf())


def test_double_envoi_ne_cree_pas_deux_candidatures(r):
    r.candidature()
    with pytest.raises(ValidationError, match="déjà en cours"):
        r.candidature()
    assert Candidature.objects.count() == 1


def test_une_structure_non_fjt_ne_recoit_pas_de_candidature(r):
    r.residence.type = "MSVS"
    r.residence.save()
    with pytest.raises(ValidationError, match="résidence FJT"):
        r.candidature()


def test_etape_hors_ordre_refusee(r):
    c = r.candidature()
    with pytest.raises(ValidationError, match="Étape hors ordre"):
        services.enregistrer_note_detaillee(
            candidature=c,
            par=r.referent,
            version=c.version,
            date=jour(-1),
            autonomie="a",
            difficultes="b",
            parcours="c",
            premiers_objectifs="d",
        )
    c.refresh_from_db()
    assert c.etape == E.CANDIDATURE and c.date_note_detaillee is None


def test_une_etape_ne_se_refait_pas(r):
    c = avancer(r, r.candidature(), E.CONTACT)
    with pytest.raises(ValidationError, match="Étape hors ordre"):
        services.enregistrer_contact(
            candidature=c, par=r.referent, version=c.version, date=jour(-1), compte_rendu="x", referent=r.referent
        )


def test_version_perimee_refusee(r):
    c = r.candidature()
    avancer(r, Candidature.objects.get(pk=c.pk), E.CONTACT)
    with pytest.raises(ConflitDeVersion):
        services.enregistrer_contact(
            candidature=c, par=r.referent, version=c.version, date=jour(-1), compte_rendu="x", referent=r.referent
        )


def test_le_collegue_fait_avancer_un_autre_structure_non(r):
    c = r.candidature()
    c = services.enregistrer_contact(
        candidature=c, par=r.collegue, version=c.version, date=jour(-25), compte_rendu="Échange.", referent=r.referent
    )
    assert c.etape == E.CONTACT
    with pytest.raises(PermissionDenied):
        services.enregistrer_note_detaillee(
            candidature=c,
            par=ReferentFactory(),
            version=c.version,
            date=jour(-1),
            autonomie="a",
            difficultes="b",
            parcours="c",
            premiers_objectifs="d",
        )


def test_premiere_rencontre_exige_les_trois_garanties(r):
    c = avancer(r, r.candidature(), E.NOTE_DETAILLEE)
    incompletes = garanties()
    del incompletes[GarantieTiers.Type.RESPONSABILITE_CIVILE]
    with pytest.raises(ValidationError, match="responsabilité civile"):
        services.enregistrer_premiere_rencontre(
            candidature=c, par=r.referent, version=c.version, date=jour(-15), pieces=[], garanties=incompletes
        )
    assert not GarantieTiers.objects.exists()
    with pytest.raises(ValidationError, match="prennent fin avant"):
        services.enregistrer_premiere_rencontre(
            candidature=c, par=r.referent, version=c.version, date=jour(-15), pieces=[], garanties=garanties(jour(-16))
        )


def test_decision_reservee_au_responsable_et_motivee(r):
    c = avancer(r, r.candidature(), E.PREMIERE_RENCONTRE)
    arguments = {"decision": "ACCEPTEE", "tiers_informe_le": jour(0), "date": jour(0)}
    with pytest.raises(PermissionDenied, match="responsable"):
        services.decider(candidature=c, par=r.referent, version=c.version, motif="ok", **arguments)
    with pytest.raises(ValidationError, match="motivée"):
        services.decider(candidature=c, par=r.responsable, version=c.version, motif="  ", **arguments)
    with pytest.raises(ValidationError, match="informé"):
        services.decider(
            candidature=c, par=r.responsable, version=c.version, motif="ok", decision="ACCEPTEE", tiers_informe_le=None
        )
    c.refresh_from_db()
    assert c.etape == E.PREMIERE_RENCONTRE and c.decision == ""


def test_refus_clot_la_candidature(r):
    c = avancer(r, r.candidature(), E.PREMIERE_RENCONTRE)
    c = services.decider(
        candidature=c,
        par=r.responsable,
        version=c.version,
        decision="REFUSEE",
        motif="Pas de place adaptée.",
        tiers_informe_le=jour(0),
    )
    assert c.statut == Candidature.Statut.REFUSEE
    with pytest.raises(ValidationError, match="close"):
        services.preparer_admission(
            candidature=c,
            par=r.referent,
            version=c.version,
            date_entretien=jour(1),
            date_entree=jour(2),
            fin_prise_en_charge=jour(300),
        )


def test_liste_d_attente_puis_acceptation(r):
    c = avancer(r, r.candidature(), E.PREMIERE_RENCONTRE)
    c = services.decider(
        candidature=c,
        par=r.responsable,
        version=c.version,
        decision="LISTE_ATTENTE",
        motif="Aucun logement libre.",
        tiers_informe_le=jour(0),
    )
    assert (c.etape, c.statut) == (E.DECISION, Candidature.Statut.LISTE_ATTENTE)
    c = services.decider(
        candidature=c,
        par=r.responsable,
        version=c.version,
        decision="ACCEPTEE",
        motif="Un logement se libère.",
        tiers_informe_le=jour(0),
    )
    assert (c.etape, c.statut, c.decision) == (E.DECISION, Candidature.Statut.EN_COURS, "ACCEPTEE")


def test_entree_sans_tripartite_signe_refusee_rien_n_est_enregistre(r):
    c = avancer(r, r.candidature(), E.ENTRETIEN_ADMISSION)
    arguments = {"date_entree": jour(-2), "reglement_remis_le": jour(-5), "livret_remis_le": jour(-5)}
    with pytest.raises(ValidationError, match="tripartite n'est pas signé"):
        services.prononcer_entree(candidature=c, par=r.referent, version=c.version, **arguments)
    c.refresh_from_db()
    assert c.etape == E.ENTRETIEN_ADMISSION and c.date_entree is None
    signer_tripartite(c)
    with pytest.raises(ValidationError, match="règlement"):
        services.prononcer_entree(
            candidature=c,
            par=r.referent,
            version=c.version,
            date_entree=jour(-2),
            reglement_remis_le=None,
            livret_remis_le=jour(-5),
        )
    c = services.prononcer_entree(candidature=c, par=r.referent, version=c.version, **arguments)
    assert c.statut == Candidature.Statut.ADMISE


def test_l_entree_reelle_fixe_le_debut_de_la_mesure(r):
    c = avancer(r, r.candidature(), E.ENTRETIEN_ADMISSION)
    signer_tripartite(c)
    c = services.prononcer_entree(
        candidature=c,
        par=r.referent,
        version=c.version,
        date_entree=jour(-1),
        reglement_remis_le=jour(-1),
        livret_remis_le=jour(-1),
    )
    assert c.accompagnement.date_debut == jour(-1)


def test_abandon_ferme_la_mesure_preparee_et_annule_le_tripartite(r):
    c = avancer(r, r.candidature(), E.ENTRETIEN_ADMISSION)
    c = services.abandonner(candidature=c, par=r.referent, version=c.version, motif="Le jeune a trouvé ailleurs.")
    assert c.statut == Candidature.Statut.ABANDONNEE
    assert Accompagnement.objects.get(pk=c.accompagnement_id).date_fin is not None
    assert Contrat.objects.get(pk=c.contrat_tripartite_id).etat == Contrat.Etat.ANNULE
    r.candidature()  # a new application may be opened


def test_contrat_de_sejour_apres_l_entree(r):
    c = avancer(r, r.candidature(), E.ENTRETIEN_ADMISSION)
    with pytest.raises(ValidationError, match="après l'entrée"):
        services.enregistrer_contrat_sejour(candidature=c, par=r.referent, version=c.version, remis_le=jour(0))
    c = avancer(r, c, E.ENTREE)
    with pytest.raises(ValidationError, match="précéder la remise"):
        services.enregistrer_contrat_sejour(
            candidature=c, par=r.referent, version=c.version, remis_le=jour(0), signe_le=jour(-1)
        )
    c = services.enregistrer_contrat_sejour(candidature=c, par=r.referent, version=c.version, remis_le=jour(0))
    c = services.enregistrer_contrat_sejour(candidature=c, par=r.referent, version=c.version, signe_le=jour(0))
    assert (c.contrat_sejour_remis_le, c.contrat_sejour_signe_le) == (jour(0), jour(0))
