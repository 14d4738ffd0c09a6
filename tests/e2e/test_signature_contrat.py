"""A CER from draft to validation in a real Chromium: the référent drafts it, the person signs on the
référent's screen, the référent signs with their password, the délégué defers then validates, and the
signed PDF is downloaded."""

import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accompagnement.models import Objectif
from contrats.models import Contrat
from tests.accompagnement.factories import AccompagnementFactory, DiagnosticFactory, ObjectifFactory
from tests.accounts.factories import MOT_DE_PASSE, DelegueFactory, ReferentFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import StructureFactory


# Declared here (not only by the e2e conftest hook) so pytest-django serializes the référentiel
# before the first flush and restores it for the journeys that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_un_cer_du_brouillon_a_la_validation(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure], first_name="Nadia", last_name="Roux")
    delegue = DelegueFactory(territoires=[structure.territoire])
    mesure = AccompagnementFactory(
        referent=referent, resident__nom="Lefèvre", resident__prenom="Élodie", date_debut=timezone.localdate()
    )
    DiagnosticFactory(accompagnement=mesure)  # the first contract follows it
    ObjectifFactory(accompagnement=mesure, domaine=Objectif.Domaine.EMPLOI, libelle="Trouver un stage en cuisine")

    connecter(page, live_server, referent)
    page.goto(live_server.url + reverse("contrats:nouveau", kwargs={"accompagnement_pk": mesure.pk}))
    page.get_by_label("début").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Créer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("brouillon")
    page.get_by_role("link", name="voir le contrat").click()
    page.get_by_role("button", name="Soumettre à la signature").click()
    expect(page.get_by_text("soumis à la signature de chaque partie")).to_be_visible()
    verifier_accessibilite(page)

    page.get_by_role("link", name="Faire signer : personne accompagnée").click()
    page.get_by_role("link", name="Signature à l'écran").click()
    expect(page.get_by_text("Trouver un stage en cuisine")).to_be_visible()
    page.get_by_label("nom et prénom").fill("élodie lefèvre")
    page.get_by_label("J'ai lu ce contrat").check()
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("Signature de personne accompagnée enregistrée")).to_be_visible()

    page.get_by_role("link", name="Faire signer : référent").click()
    page.get_by_label("votre mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("en attente de validation").first).to_be_visible()

    page.context.clear_cookies()
    connecter(page, live_server, delegue)
    page.goto(live_server.url + reverse("contrats:file_delegue"))
    verifier_accessibilite(page)
    page.get_by_label("Motif").fill("Préciser le critère de l'objectif.")
    page.get_by_role("button", name="Différer").click()
    expect(page.get_by_text("Décision enregistrée : différer")).to_be_visible()
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Décision enregistrée : valider")).to_be_visible()
    contrat = Contrat.objects.get()
    assert contrat.etat == Contrat.Etat.VALIDE

    page.goto(live_server.url + contrat.get_absolute_url())
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="exemplaire signé").click()
    donnees = Path(telechargement.value.path()).read_bytes()
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(donnees)).pages)
    assert "Élodie Lefèvre" in texte and "Trouver un stage en cuisine" in texte and "Preuves des signatures" in texte


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_le_responsable_signe_trois_com_a_la_suite(page, live_server, settings, tmp_path):
    """Three COMs wait for the résidence's manager: « Signer à la suite » takes them one after another,
    each shown before it is signed, with no return to the list in between."""
    from contrats import services
    from referentiel.models import Modalite, TypeContrat
    from tests.accounts.factories import ResponsableFactory
    from tests.contrats.conftest import mesure

    settings.MEDIA_ROOT = tmp_path
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    responsable = ResponsableFactory(structures=[structure])
    noms = ["Aubert", "Besson", "Carpentier"]
    for nom in noms:
        acc = mesure(referent, code=Modalite.Code.FJT_REGULIER, resident__nom=nom, resident__prenom="Léa")
        objectif = ObjectifFactory(accompagnement=acc, domaine=Objectif.Domaine.LOGEMENT, libelle=f"Budget {nom}")
        com = services.creer_brouillon(
            accompagnement=acc,
            par=referent,
            type=TypeContrat.COM,
            date_debut=timezone.localdate(),
            objectifs=[objectif],
        )
        services.soumettre(contrat=com, par=referent, version=com.version)

    connecter(page, live_server, responsable)
    page.goto(live_server.url + reverse("contrats:file_responsable"))
    expect(page.get_by_text("3 documents attendent votre signature.")).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_role("link", name="Signer à la suite").click()
    for nom in noms:
        expect(page.get_by_text(f"Budget {nom}")).to_be_visible()
        page.get_by_label("votre mot de passe").fill(MOT_DE_PASSE)
        page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("Aucun document n'attend votre signature.")).to_be_visible()
    assert all(
        c.version_courante().signatures.filter(partie="RESPONSABLE").exists()
        for c in Contrat.objects.filter(type=TypeContrat.COM)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_un_avenant_refuse_laisse_le_cer_valide_en_vigueur(page, live_server, settings, tmp_path):
    """Issue 16 §1: the référent prepares an avenant of a validated CER, the person and the référent sign
    it, the délégué refuses it; the first version is still in force and its PDF unchanged."""
    import datetime
    import hashlib

    from django.test import RequestFactory

    from contrats import services
    from contrats.models import Partie, Signature

    settings.MEDIA_ROOT = tmp_path
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    delegue = DelegueFactory(territoires=[structure.territoire])
    aujourdhui = timezone.localdate()
    mesure = AccompagnementFactory(
        referent=referent,
        resident__nom="Garnier",
        resident__prenom="Inès",
        date_debut=aujourdhui - datetime.timedelta(days=30),
    )
    DiagnosticFactory(accompagnement=mesure)
    objectif = ObjectifFactory(accompagnement=mesure, domaine=Objectif.Domaine.EMPLOI, libelle="Passer le permis")
    cer = services.creer_brouillon(
        accompagnement=mesure, par=referent, type="CER", date_debut=mesure.date_debut, objectifs=[objectif]
    )
    cer = services.soumettre(contrat=cer, par=referent, version=cer.version)
    services.signer(
        contrat=cer, partie=Partie.RESIDENT, par=referent, numero_version=1, methode=Signature.Methode.PRESENCE,
        nom_signataire="Inès Garnier", consentement=True,
    )  # fmt: skip
    services.signer(
        contrat=cer, partie=Partie.REFERENT, par=referent, numero_version=1, methode=Signature.Methode.SESSION,
        mot_de_passe=MOT_DE_PASSE, requete=RequestFactory().post("/"),
    )  # fmt: skip
    cer.refresh_from_db()
    cer = services.valider(contrat=cer, par=delegue, version=cer.version)
    v1 = cer.version_courante()
    fin = cer.date_fin

    connecter(page, live_server, referent)
    page.goto(live_server.url + cer.get_absolute_url())
    expect(page.get_by_text("En vigueur : version 1")).to_be_visible()
    page.locator("summary", has_text="Préparer un avenant").click()
    page.get_by_label("date d'effet de l'avenant").fill((aujourdhui + datetime.timedelta(days=7)).isoformat())
    page.get_by_label("motif de l'avenant").fill("Ajout d'un objectif logement")
    verifier_accessibilite(page)
    page.get_by_role("button", name="Préparer un avenant").click()
    expect(page.get_by_text("Avenant préparé (version 2)")).to_be_visible()
    page.get_by_role("link", name="voir le contrat").click()
    expect(page.get_by_text("Avenant en préparation : version 2 (brouillon)")).to_be_visible()
    page.get_by_role("button", name="Soumettre à la signature").click()
    page.get_by_role("link", name="Faire signer : personne accompagnée").click()
    page.get_by_role("link", name="Signature à l'écran").click()
    page.get_by_label("nom et prénom").fill("Inès Garnier")
    page.get_by_label("J'ai lu ce contrat").check()
    page.get_by_role("button", name="Signer").click()
    page.get_by_role("link", name="Faire signer : référent").click()
    page.get_by_label("votre mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("Avenant en préparation : version 2 (en attente de validation)")).to_be_visible()

    page.context.clear_cookies()
    connecter(page, live_server, delegue)
    page.goto(live_server.url + reverse("contrats:file_delegue"))
    page.get_by_label("Motif").fill("L'objectif logement n'est pas mesurable.")
    page.get_by_role("button", name="Refuser").click()
    expect(page.get_by_text("Décision enregistrée : refuser")).to_be_visible()

    cer.refresh_from_db()
    assert (cer.etat, cer.date_fin) == (Contrat.Etat.VALIDE, fin)
    assert Contrat.objects.get(avenant_de=cer).etat == Contrat.Etat.REFUSE
    page.goto(live_server.url + cer.get_absolute_url())
    expect(page.get_by_text("En vigueur : version 1")).to_be_visible()
    expect(page.get_by_text("Avenant en préparation : version")).to_have_count(0)
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="document figé").first.click()
    assert hashlib.sha256(Path(telechargement.value.path()).read_bytes()).hexdigest() == v1.sha256


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_le_partenaire_signe_le_document_tripartite_depuis_son_compte(page, live_server, settings, tmp_path):
    """Issue 16 §3: the tiers partenaire finds the tripartite document on its home page, reads it and
    signs it from its own account after typing its password; the document leaves its list."""
    import datetime

    from contrats import services
    from contrats.models import Partie
    from referentiel.models import Modalite, TypeContrat
    from tests.accompagnement.factories import CoReferentFactory
    from tests.accounts.factories import PartenaireFactory
    from tests.residents.factories import ConsentementFactory

    settings.MEDIA_ROOT = tmp_path
    structure = StructureFactory()
    referent = ReferentFactory(structures=[structure])
    partenaire = PartenaireFactory(first_name="Karim", last_name="Benali")
    contact = partenaire.contact_partenaire
    aujourdhui = timezone.localdate()
    acc = AccompagnementFactory(
        referent=referent,
        structure=structure,
        modalite=Modalite.objects.get(code=Modalite.Code.FJT_CONVENTION),
        resident__nom="Moreau",
        resident__prenom="Chloé",
        date_debut=aujourdhui,
    )
    CoReferentFactory(accompagnement=acc, contact=contact)
    ConsentementFactory(resident=acc.resident, tiers=contact.tiers)
    objectif = ObjectifFactory(accompagnement=acc, domaine=Objectif.Domaine.LOGEMENT, libelle="Tenir son budget")
    contrat = services.creer_brouillon(
        accompagnement=acc,
        par=referent,
        type=TypeContrat.TRIPARTITE,
        date_debut=aujourdhui,
        date_fin=aujourdhui + datetime.timedelta(days=180),
        partenaire=contact,
        objectifs=[objectif],
    )
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)

    connecter(page, live_server, partenaire)
    page.get_by_role("link", name="Documents à signer").first.click()
    expect(page.get_by_text("1 document attend votre signature.")).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_role("link", name="Lire et signer").click()
    expect(page.get_by_text("Tenir son budget")).to_be_visible()
    verifier_accessibilite(page)
    page.get_by_label("votre mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text(f"Votre signature du document {contrat.reference} est enregistrée")).to_be_visible()
    expect(page.get_by_text("Aucun document n'attend votre signature.")).to_be_visible()
    signature = contrat.version_courante().signatures.get(partie=Partie.PARTENAIRE)
    assert signature.user == partenaire and "mot de passe" in signature.circonstances
