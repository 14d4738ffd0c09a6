"""The frozen document: byte-stable PDF, its hash in every signature's evidence, text readable by pypdf."""

import datetime
import io
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pypdf import PdfReader, PdfWriter

from accompagnement import fichiers
from accompagnement.models import EvaluationObjectif
from contrats import pdf, services
from contrats.models import Partie, Signature, VersionContrat
from referentiel.models import Modalite, TypeContrat

from .conftest import brouillon, signer_personne, signer_staff


def texte(donnees):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(donnees)).pages)


def lire(fichier):
    with fichier.open("rb") as flux:
        return flux.read()


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


# --- legally complete documents, one per kind (issue 16 §2) ---------------------------------------

ADRESSE = "12 rue de la Louvière\n88000 Épinal"


def _signer_tout(contrat, referent, responsable, delegue):
    """Every party signs (the person and the partner in the référent's presence), then the délégué
    validates where a validator exists."""
    for partie in contrat.version_courante().parties():
        if partie == Partie.REFERENT:
            signer_staff(contrat, referent, partie)
        elif partie == Partie.RESPONSABLE:
            signer_staff(contrat, responsable, partie)
        else:
            signer_personne(contrat, referent, partie)
    contrat.refresh_from_db()
    if contrat.a_valider:
        services.valider(contrat=contrat, par=delegue, version=contrat.version)
    return contrat.version_courante()


GENRES = {
    TypeContrat.CER: (Modalite.Code.RSA_SOCIOPRO, {}, ["L.262-35", "L.262-36", "tribunal administratif"]),
    TypeContrat.CONTRAT_ENGAGEMENT: (
        Modalite.Code.RSA_SOCIOPRO,
        {},
        ["L.262-34", "18 décembre 2023 pour le plein emploi", "recours administratif préalable"],
    ),
    TypeContrat.COM: (Modalite.Code.FJT_REGULIER, {}, ["contrat de séjour", "L.311-4", "personne qualifiée"]),
    TypeContrat.PLAN_ASLL: (Modalite.Code.ASLL, {}, ["loi n° 90-449", "solidarité pour le logement"]),
    TypeContrat.TRIPARTITE: (
        Modalite.Code.FJT_CONVENTION,
        {"date_fin": datetime.date(2026, 12, 31)},
        ["contrat de séjour", "L.311-4"],
    ),
}


PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def _pdfaid(lecteur):
    """(part, conformance) declared in the XMP metadata, as attributes or as elements."""
    xmp = ElementTree.fromstring(lecteur.trailer["/Root"]["/Metadata"].get_object().get_data())
    trouve = {}
    for element in xmp.iter():
        for cle in ("part", "conformance"):
            if element.get(PDFAID + cle):
                trouve[cle] = element.get(PDFAID + cle)
            if element.tag == PDFAID + cle:
                trouve[cle] = element.text
    return trouve.get("part"), trouve.get("conformance")


def _polices(lecteur):
    """(name, embedded?) of every font the pages use."""
    polices = []
    for page in lecteur.pages:
        for police in (page["/Resources"].get("/Font") or {}).values():
            police = police.get_object()
            descendants = police.get("/DescendantFonts")
            descripteur = (descendants[0].get_object() if descendants else police).get("/FontDescriptor")
            descripteur = descripteur.get_object() if descripteur else {}
            embarquee = any(cle in descripteur for cle in ("/FontFile", "/FontFile2", "/FontFile3"))
            polices.append((str(police.get("/BaseFont")), embarquee))
    return polices


@pytest.mark.parametrize("type_contrat", list(GENRES))
def test_chaque_genre_est_juridiquement_complet_et_pdf_a(
    type_contrat, referent, responsable, delegue, client, settings
):
    code, extra, mentions = GENRES[type_contrat]
    contrat = brouillon(referent, type=type_contrat, code=code, **extra)
    structure = contrat.accompagnement.structure
    structure.adresse = ADRESSE
    structure.save()
    services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    version = _signer_tout(contrat, referent, responsable, delegue)
    client.force_login(referent)
    reponse = client.get(f"/contrats/{contrat.pk}/version/{version.numero}.pdf")
    assert reponse.status_code == 200
    donnees = reponse.content
    lecteur = PdfReader(io.BytesIO(donnees))
    contenu = " ".join(texte(donnees).split())
    acc = contrat.accompagnement
    # Every party by the name of who signed and in the role signed, « Fait à » the structure's commune.
    for signature in version.signatures.all():
        assert signature.nom_signataire in contenu
    assert str(acc.resident) in contenu
    assert contenu.count("Fait à Épinal, le") == len(version.parties())
    # The legal basis, rights, recourse and the right of access (RGPD) of this kind.
    for attendu in mentions + ["Voies de recours", "Droits et devoirs", "protection des données", "CNIL"]:
        assert attendu in contenu, attendu
    if type_contrat in (TypeContrat.COM, TypeContrat.TRIPARTITE):
        assert str(responsable) in contenu and f"Le ou la responsable de {structure.nom}" not in contenu
    if contrat.a_valider:
        assert "Le Président du Conseil départemental" in contenu and "par délégation" in contenu
        assert "Décision : validé le" in contenu and str(delegue) in contenu
    # PDF/A-3a: XMP identification, every font embedded, an sRGB output intent.
    assert _pdfaid(lecteur) == ("3", "A")
    polices = _polices(lecteur)
    assert polices and all(embarquee for _, embarquee in polices), polices
    intention = lecteur.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intention["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intention
    # Pagination: the document proper (before the evidence page) ends with the whole signatures table.
    pages = [" ".join(p.extract_text().split()) for p in lecteur.pages]
    page_signatures = next(i for i, p in enumerate(pages) if "Signatures" in p and "Fait à" in p)
    assert all(p.count("Fait à") == 0 for i, p in enumerate(pages) if i != page_signatures)
    assert "Preuves des signatures" in pages[page_signatures + 1]


def test_le_responsable_nomme_remplace_la_mention_generique_une_fois_signe(referent, responsable):
    com = brouillon(referent, type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER)
    services.soumettre(contrat=com, par=referent, version=com.version)
    version = com.version_courante()
    avant = " ".join(texte(pdf.pdf_version(version)).split())
    assert f"Le ou la responsable de {com.accompagnement.structure}" in avant
    signer_staff(com, responsable, Partie.RESPONSABLE)
    apres = " ".join(texte(pdf.pdf_version(version)).split())
    assert f"{responsable}, le ou la responsable de la structure" in apres
    assert f"Le ou la responsable de {com.accompagnement.structure}" not in apres


def test_la_parole_de_la_personne_est_citee_une_seule_fois(cer_soumis, referent):
    EvaluationObjectif.objects.create(
        objectif=cer_soumis.objectifs.get(),
        date=datetime.date(2026, 2, 1),
        niveau=EvaluationObjectif.Niveau.PARTIEL,
        parole_personne="« Je me sens plus à l'aise. »",
        auteur=referent,
    )
    contenu = " ".join(texte(pdf.rendre_pdf(pdf.contenu_de(cer_soumis, numero=1))).split())
    assert "« Je me sens plus à l'aise. »" in contenu
    assert "« «" not in contenu and "» »" not in contenu


# --- the frozen copy: rendered once per change, then served from storage ---------------------------


def test_l_exemplaire_signe_est_rendu_une_fois_puis_servi_sans_rendu(
    cer_soumis, referent, client, monkeypatch, django_capture_on_commit_callbacks
):
    url = f"/contrats/{cer_soumis.pk}/version/1.pdf"
    client.force_login(referent)
    version = cer_soumis.version_courante()
    assert not version.exemplaire  # nobody signed: the frozen document is the copy
    assert client.get(url).content == lire(version.pdf)
    signer_personne(cer_soumis, referent)
    version.refresh_from_db()
    assert not version.exemplaire  # a signature renders nothing: the signer does not wait for WeasyPrint
    avec_une = client.get(url).content  # the first download renders and stores it
    version.refresh_from_db()
    premier = version.exemplaire.name
    assert premier and lire(version.exemplaire) == avec_une and pdf.sha256(avec_une) != version.sha256
    with django_capture_on_commit_callbacks(execute=True):
        signer_staff(cer_soumis, referent, Partie.REFERENT)
    version.refresh_from_db()
    # A new signature: the stale copy is gone after commit, the next download has both signatures.
    assert not version.exemplaire
    assert not VersionContrat.exemplaire.field.storage.exists(premier)
    avec_deux = client.get(url).content
    assert avec_deux != avec_une and "en présence du référent" in texte(avec_deux)

    def rendu_interdit(*args, **kwargs):
        raise AssertionError("un exemplaire figé ne se rend pas à chaque requête")

    monkeypatch.setattr(pdf, "rendre_pdf", rendu_interdit)
    assert client.get(url).content == avec_deux
    # The original stays the frozen document the parties signed.
    assert pdf.sha256(client.get(url + "?original=1").content) == version.sha256


def test_une_version_signee_sans_exemplaire_le_recoit_une_fois(cer_soumis, referent, client, monkeypatch):
    signer_personne(cer_soumis, referent)
    version = cer_soumis.version_courante()
    VersionContrat.objects.filter(pk=version.pk).update(exemplaire="")  # a copy signed before they were stored
    client.force_login(referent)
    url = f"/contrats/{cer_soumis.pk}/version/1.pdf"
    premier = client.get(url)
    assert premier.status_code == 200 and "Preuves des signatures" in texte(premier.content)
    version.refresh_from_db()
    assert version.exemplaire
    monkeypatch.setattr(pdf, "rendre_pdf", lambda *a, **k: pytest.fail("rendu une seconde fois"))
    assert client.get(url).content == premier.content


def test_le_refus_du_delegue_figure_dans_l_exemplaire(cer_soumis, referent, delegue):
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    cer_soumis.refresh_from_db()
    services.refuser(contrat=cer_soumis, par=delegue, motif="« Objectifs trop vagues »", version=cer_soumis.version)
    version = cer_soumis.version_courante()
    contenu = " ".join(texte(lire(services.exemplaire(version))).split())
    assert "Décision : refusé le" in contenu and str(delegue) in contenu
    assert "« Objectifs trop vagues »" in contenu and "« «" not in contenu
