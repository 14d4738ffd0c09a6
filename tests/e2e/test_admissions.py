"""Admission under convention in a real Chromium: an application goes from the note sociale to the
signed tripartite document and the entry; then the young person leaves with a hand-over and the exit
summary is downloaded."""

import datetime
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from accompagnement.models import Accompagnement
from admissions.models import Candidature, PassageRelais
from contrats.models import Contrat
from referentiel.models import Structure
from tests.accounts.factories import MOT_DE_PASSE, ReferentFactory, ResponsableFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory
from tests.residents.factories import ResidentFactory


def _etape(page, bouton="Enregistrer"):
    page.get_by_role("button", name=bouton, exact=True).click()
    expect(page.get_by_text("Étape enregistrée.")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_de_la_note_sociale_a_l_entree_puis_la_sortie(page, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    aujourd_hui = timezone.localdate().isoformat()
    residence = StructureFactory(type=Structure.Type.FJT, nom="Résidence Les Tilleuls")
    referent = ReferentFactory(structures=[residence], first_name="Nadia", last_name="Roux")
    responsable = ResponsableFactory(structures=[residence], first_name="Paul", last_name="Marchand")
    contact = ContactPartenaireFactory(prenom="Claire", nom="Besson", tiers__nom="ASE des Vosges")
    jeune = ResidentFactory(
        structure=residence, nom="Diallo", prenom="Awa", date_naissance=datetime.date.today().replace(year=2005)
    )

    connecter(page, live_server, referent)
    page.get_by_role("link", name="Candidatures").first.click()
    page.get_by_role("link", name="Nouvelle candidature").click()
    page.locator("#id_resident").select_option(str(jeune.pk))
    page.get_by_label("Tiers partenaire").select_option(str(contact.tiers_id))
    page.get_by_label("Référent éducatif du tiers").select_option(str(contact.pk))
    page.get_by_label("Note sociale du référent éducatif").fill("Awa est suivie par l'ASE, en CAP cuisine.")
    page.get_by_role("button", name="Enregistrer la candidature").click()
    expect(page.get_by_text("Candidature enregistrée.")).to_be_visible()
    verifier_accessibilite(page)

    page.get_by_label("Référent de la résidence").select_option(str(referent.pk))
    page.get_by_label("Compte rendu du contact").fill("Appel avec Mme Besson : projet de CAP, budget suivi.")
    _etape(page)
    page.get_by_label("Autonomie").fill("Prépare ses repas, gère ses rendez-vous.")
    page.get_by_label("Difficultés").fill("Budget serré.")
    page.get_by_label("Parcours").fill("Foyer ASE depuis 2019.")
    page.get_by_label("Premiers objectifs").fill("Ouvrir un compte, finir le CAP.")
    _etape(page)
    page.get_by_label("pièce d'identité ou titre de séjour").check()
    fin_garanties = (timezone.localdate() + datetime.timedelta(days=300)).isoformat()
    for libelle in ("paiement du loyer", "accompagnement éducatif", "assurance responsabilité civile"):
        page.get_by_label(f"Garantie « {libelle} » jusqu'au").fill(fin_garanties)
    _etape(page)
    expect(page.get_by_text("La décision est prononcée par le responsable")).to_be_visible()

    # The team decides; the responsable records it, with its reason, told to the tiers.
    page.context.clear_cookies()
    connecter(page, live_server, responsable)
    candidature = Candidature.objects.get()
    page.goto(live_server.url + reverse("admissions:candidature", args=[candidature.pk]))
    page.get_by_label("Décision de l'équipe").select_option("ACCEPTEE")
    page.get_by_label("Motif").fill("Projet cohérent, garanties vérifiées.")
    _etape(page)

    page.context.clear_cookies()
    connecter(page, live_server, referent)
    page.goto(live_server.url + reverse("admissions:candidature", args=[candidature.pk]))
    page.get_by_label("Entretien d'admission le").fill(aujourd_hui)
    page.get_by_label("Entrée prévue le").fill(aujourd_hui)
    page.get_by_label("Fin de la prise en charge par le tiers").fill(fin_garanties)
    _etape(page)
    # Entry is refused while the tripartite document is not signed.
    page.get_by_label("Règlement de fonctionnement remis le").fill(aujourd_hui)
    page.get_by_label("Livret d'accueil et charte des droits et libertés remis le").fill(aujourd_hui)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("n'est pas signé par toutes les parties").first).to_be_visible()

    # The tripartite document: an objective, submitted, signed by the young person and the tiers.
    contrat = Contrat.objects.get()
    page.goto(live_server.url + reverse("contrats:modifier", args=[contrat.pk]))
    page.locator("#id_objectif-domaine").select_option("FORMATION")
    page.locator("#id_objectif-libelle").fill("Obtenir le CAP cuisine")
    page.get_by_role("button", name="Ajouter l'objectif").click()
    page.goto(live_server.url + contrat.get_absolute_url())
    page.get_by_role("button", name="Soumettre à la signature").click()
    for partie, nom in (("personne accompagnée", "Awa Diallo"), ("partenaire", str(contact))):
        page.get_by_role("link", name=f"Faire signer : {partie}").click()
        page.get_by_role("link", name="Signature à l'écran").click()  # one method at a time
        page.get_by_label("nom et prénom").fill(nom)
        page.get_by_label("J'ai lu ce contrat").check()
        page.get_by_role("button", name="Signer").click()
        expect(page.get_by_text(f"Signature de {partie} enregistrée")).to_be_visible()

    page.context.clear_cookies()
    connecter(page, live_server, responsable)
    page.goto(live_server.url + contrat.get_absolute_url())
    page.get_by_role("link", name="Faire signer : responsable de structure").click()
    page.get_by_label("votre mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Signer").click()
    contrat.refresh_from_db()
    assert contrat.etat == Contrat.Etat.SIGNE

    page.context.clear_cookies()
    connecter(page, live_server, referent)
    page.goto(live_server.url + reverse("admissions:candidature", args=[candidature.pk]))
    page.get_by_label("Entrée le").fill(aujourd_hui)
    page.get_by_label("Règlement de fonctionnement remis le").fill(aujourd_hui)
    page.get_by_label("Livret d'accueil et charte des droits et libertés remis le").fill(aujourd_hui)
    page.get_by_label("Logement attribué").fill("B12")
    _etape(page)
    expect(page.locator("[data-statut]")).to_have_text("admise")
    candidature.refresh_from_db()
    assert candidature.statut == Candidature.Statut.ADMISE
    verifier_accessibilite(page)

    # Exit with a hand-over, then the exit summary.
    page.get_by_role("link", name="Suivi avec le tiers, sortie").click()
    verifier_accessibilite(page)
    page.get_by_label("Motif de la sortie").select_option("OBJECTIFS_ATTEINTS")
    page.get_by_label("Destination").select_option("LOCATION_SOCIALE")
    page.locator("#id_repreneur").fill("CCAS d'Épinal, M. Petit")
    page.get_by_label("Ce qui est transmis").fill("Dossier de demande de logement social.")
    page.get_by_label("La personne a donné son accord à cette transmission").check()
    page.get_by_label("Relais le").fill(aujourd_hui)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_role("link", name="Synthèse de sortie (PDF)")).to_be_visible()
    mesure = Accompagnement.objects.get()
    assert mesure.date_fin == timezone.localdate() and PassageRelais.objects.get().repreneur.startswith("CCAS")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Synthèse de sortie (PDF)").click()
    donnees = Path(telechargement.value.path()).read_bytes()
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(donnees)).pages)
    assert "Awa Diallo" in texte and "CCAS" in texte and "parc social" in texte
