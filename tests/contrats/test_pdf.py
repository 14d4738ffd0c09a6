"""The frozen document: byte-stable PDF, its hash in every signature's evidence, text readable by pypdf."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pypdf import PdfReader, PdfWriter

from accompagnement import fichiers
from contrats import pdf, services
from contrats.models import Partie, Signature, VersionContrat

from .conftest import brouillon, signer_personne, signer_staff


def texte(donnees):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(donnees)).pages)


def pdf_minimal():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    sortie = io.BytesIO()
    writer.write(sortie)
    return sortie.getvalue()


def test_le_fichier_stocke_a_l_empreinte_de_la_version(cer_soumis):
    version = cer_soumis.version_courante()
    with version.pdf.open("rb") as fichier:
        assert pdf.sha256(fichier.read()) == version.sha256


def test_le_rendu_est_stable_octet_pour_octet(cer_soumis):
    version = cer_soumis.version_courante()
    assert pdf.sha256(pdf.rendre_pdf(version.contenu)) == version.sha256
    assert pdf.sha256(pdf.pdf_version(version)) == pdf.sha256(pdf.pdf_version(version))


def test_le_pdf_montre_parties_objectifs_et_engagements(cer_soumis):
    version = cer_soumis.version_courante()
    with version.pdf.open("rb") as fichier:
        contenu = texte(fichier.read())
    acc = cer_soumis.accompagnement
    for attendu in (
        str(acc.resident),
        str(acc.referent),
        "Trouver un stage",
        "Exprimer ses besoins",
        acc.structure.nom,
    ):
        assert attendu in contenu
    assert f"{cer_soumis.reference}" in contenu and "Page 1 /" in contenu


def test_l_exemplaire_signe_porte_les_preuves(cer_soumis, referent):
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    version = cer_soumis.version_courante()
    contenu = texte(pdf.pdf_version(version))
    assert "Preuves des signatures" in contenu
    assert "en présence du référent" in contenu and "après saisie de son mot de passe" in contenu
    assert "10.0.0.2" in contenu
    assert version.sha256[:20] in contenu.replace("\n", "")


def test_chaque_signature_garde_sa_preuve(cer_soumis, referent):
    signature = signer_staff(cer_soumis, referent, Partie.REFERENT)
    version = cer_soumis.version_courante()
    assert signature.sha256_document == version.sha256
    assert (signature.user, signature.recueillie_par, signature.adresse_ip) == (referent, referent, "10.0.0.1")
    assert signature.navigateur == "pytest" and signature.signee_le is not None


def test_le_contenu_signe_ne_change_pas_quand_l_objectif_change(cer_soumis):
    objectif = cer_soumis.objectifs.get()
    objectif.libelle = "Autre chose"
    objectif.save()
    version = cer_soumis.version_courante()
    assert version.contenu["objectifs"][0]["libelle"] == "Trouver un stage"
    assert pdf.sha256(pdf.rendre_pdf(version.contenu)) == version.sha256


def _signer_papier(contrat, referent, scan, verifie=True):
    return services.signer(
        contrat=contrat,
        partie=Partie.RESIDENT,
        par=referent,
        numero_version=contrat.numero_version,
        methode=Signature.Methode.PAPIER,
        scan=scan,
        scan_verifie=verifie,
    )


def test_signature_papier_avec_scan_verifie(cer_soumis, referent):
    donnees = pdf_minimal()
    signature = _signer_papier(cer_soumis, referent, SimpleUploadedFile("scan.pdf", donnees))
    assert signature.sha256_scan == pdf.sha256(donnees) and signature.scan_verifie


@pytest.mark.parametrize(
    ("nom", "donnees", "message"),
    [
        ("image.png", b"\x89PNG\r\n\x1a\nfausse image de signature", "doit être un fichier PDF"),
        ("faux.pdf", b"%PDF-1.7 ceci n'est pas un pdf", "illisible"),
    ],
)
def test_scan_refuse_si_ce_n_est_pas_un_pdf(cer_soumis, referent, nom, donnees, message):
    with pytest.raises(ValidationError, match=message):
        _signer_papier(cer_soumis, referent, SimpleUploadedFile(nom, donnees))
    assert not Signature.objects.exists()


def test_scan_trop_gros_refuse(cer_soumis, referent, monkeypatch):
    monkeypatch.setattr(services, "SCAN_TAILLE_MAX", 100)
    with pytest.raises(ValidationError, match="dépasse la taille"):
        _signer_papier(cer_soumis, referent, SimpleUploadedFile("scan.pdf", pdf_minimal()))
    assert not Signature.objects.exists()


def test_scan_non_verifie_refuse(cer_soumis, referent):
    with pytest.raises(ValidationError, match="vérifié le scan"):
        _signer_papier(cer_soumis, referent, SimpleUploadedFile("scan.pdf", pdf_minimal()), verifie=False)


@pytest.mark.parametrize("erreur", [KeyError("/Root"), TypeError("NoneType"), RecursionError(), AttributeError("x")])
def test_scan_que_pypdf_ne_sait_pas_lire_refuse_en_francais(cer_soumis, referent, monkeypatch, erreur):
    def lecteur_en_echec(flux):
        raise erreur

    monkeypatch.setattr(fichiers, "PdfReader", lecteur_en_echec)  # the shared check (accompagnement.fichiers)
    with pytest.raises(ValidationError, match="illisible ou vide"):
        _signer_papier(cer_soumis, referent, SimpleUploadedFile("scan.pdf", pdf_minimal()))
    assert not Signature.objects.exists()


def test_les_dates_du_pdf_sont_a_la_francaise(cer_soumis):
    objectif = cer_soumis.objectifs.get()
    objectif.echeance = datetime.date(2026, 4, 30)
    objectif.save()
    contenu = pdf.contenu_de(cer_soumis, numero=1)
    texte_pdf = texte(pdf.rendre_pdf(contenu))
    assert "Du 05/01/2026 au 05/07/2026" in texte_pdf and "30/04/2026" in texte_pdf
    assert "née le 17/05/1990" in texte_pdf
    assert "2026-01-05" not in texte_pdf and "2026-04-30" not in texte_pdf


def test_les_deux_empreintes_ont_deux_noms(cer_soumis, referent):
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    version = cer_soumis.version_courante()
    contenu = texte(pdf.pdf_version(version)).replace("\n", " ")
    # the footer: the hash of the frozen content; the evidence: the SHA-256 of the frozen PDF.
    assert f"empreinte du contenu {pdf.empreinte_contenu(version.contenu)[:16]}" in contenu
    assert "Empreinte SHA-256 du PDF signé" in contenu
    assert pdf.empreinte_contenu(version.contenu) != version.sha256


def _fichiers(racine, dossier):
    chemin = Path(racine) / "contrats" / dossier
    return sorted(p.name for p in chemin.iterdir()) if chemin.exists() else []


def test_soumission_refusee_ne_laisse_pas_de_pdf(referent, settings, monkeypatch):
    contrat = brouillon(referent)

    def journal_en_echec(*args, **kwargs):
        raise ValidationError("refus simulé après l'écriture du PDF")

    monkeypatch.setattr(services, "_journaliser", journal_en_echec)
    with pytest.raises(ValidationError, match="refus simulé"):
        services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    assert not VersionContrat.objects.exists()
    assert _fichiers(settings.MEDIA_ROOT, "versions") == []


def test_signature_papier_refusee_ne_laisse_pas_de_scan(cer_soumis, referent, settings, monkeypatch):
    def journal_en_echec(*args, **kwargs):
        raise ValidationError("refus simulé après l'écriture du scan")

    monkeypatch.setattr(services, "_journaliser", journal_en_echec)
    with pytest.raises(ValidationError, match="refus simulé"):
        _signer_papier(cer_soumis, referent, SimpleUploadedFile("scan.pdf", pdf_minimal()))
    assert not Signature.objects.exists()
    assert _fichiers(settings.MEDIA_ROOT, "scans") == []


def test_rouvrir_ne_supprime_le_pdf_qu_apres_le_commit(cer_soumis, referent, django_capture_on_commit_callbacks):
    version = cer_soumis.version_courante()
    chemin = Path(version.pdf.path)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.rouvrir(contrat=cer_soumis, par=referent, version=cer_soumis.version)
        raise RuntimeError("la transaction de l'appelant échoue")
    assert chemin.exists() and VersionContrat.objects.filter(pk=version.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.rouvrir(contrat=cer_soumis, par=referent, version=cer_soumis.version)
    assert not chemin.exists() and not VersionContrat.objects.exists()
