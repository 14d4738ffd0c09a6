"""Issue 19 whole, in a real Chromium: the délégué imports the Département's file of 30 beneficiaries (one
probable duplicate, one bad line) and orients one of them; the MSVS's responsable assigns her référente;
the référente calls her in (accompagnement rénové), makes the diagnostic with her, drafts and has her
contrat d'engagement signed, which the délégué validates; two rendez-vous missed without excuse, the
référente reports; the person's observations are recorded; the délégué decides a suspension-remobilisation
and lifts it once the person comes back."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import Accompagnement, DecisionOrientation, Entretien, Objectif
from contrats.models import Contrat
from echeances.models import SignalementSanction
from referentiel.models import Structure, TypeContrat
from residents.models import Resident
from tests.accompagnement.factories import ObjectifFactory
from tests.accounts.factories import MOT_DE_PASSE, DelegueFactory, ReferentFactory, ResponsableFactory
from tests.e2e.conftest import connecter, verifier_accessibilite
from tests.e2e.test_import_allocataires import fichier_de_30_lignes
from tests.e2e.test_sanction import _etape
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ResidentFactory
from tests.taches import worker  # noqa: F401 - the Celery worker thread that runs the import


def _changer_d_utilisateur(page, live_server, user):
    page.context.clear_cookies()
    connecter(page, live_server, user)


def test_du_fichier_du_departement_a_la_levee_de_la_suspension(page, live_server, worker, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    pole = StructureFactory(nom="Pôle insertion du Département – Épinal", type=Structure.Type.SERVICE_CD)
    pole.territoire.accompagnement_renove = True
    pole.territoire.save()
    msvs = StructureFactory(nom="MSVS d'Épinal", territoire=pole.territoire)
    delegue = DelegueFactory(territoires=[pole.territoire], first_name="Didier", last_name="Valentin")
    responsable = ResponsableFactory(structures=[msvs])
    referente = ReferentFactory(structures=[msvs], first_name="Nadia", last_name="Pierrat")
    ResidentFactory(
        structure=StructureFactory(territoire=pole.territoire),
        nom="Lefevre",
        prenom="Elodie",
        date_naissance=datetime.date(1990, 4, 2),
    )
    fichier = tmp_path / "allocataires.csv"
    fichier.write_bytes(fichier_de_30_lignes())
    il_y_a_10_jours = timezone.localdate() - datetime.timedelta(days=10)

    # 1. The délégué imports the file: 28 new, the duplicate and the bad line left out.
    connecter(page, live_server, delegue)
    page.get_by_role("link", name="Importer des allocataires").first.click()
    page.get_by_label("Fichier des allocataires (CSV ou Excel XLSX)").set_input_files(str(fichier))
    page.get_by_role("button", name="Lire le fichier").click()
    page.get_by_role("button", name="Voir l'aperçu").click()
    expect(page.locator("#compteurs-import")).to_contain_text("1 doublon probable")
    expect(page.locator("#compteurs-import")).to_contain_text("1 erreur")
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", name="Compte rendu de l'import")).to_be_visible(timeout=30_000)
    assert Resident.objects.filter(numero_allocataire__startswith="80000", structure=pole).count() == 28

    # 2. She is « à orienter »; the délégué orients her to the MSVS (ten days ago).
    personne = Resident.objects.get(numero_allocataire="8000003")
    page.get_by_role("link", name="À orienter").first.click()
    page.get_by_role("link", name=f"Orienter {personne}").click()
    page.get_by_label("Modalité d'accompagnement").select_option(label="RSA – accompagnement socioprofessionnel")
    page.get_by_label("Organisme référent").select_option(label="MSVS d'Épinal")
    page.get_by_label("Date de la décision").fill(il_y_a_10_jours.isoformat())
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Orientation enregistrée")).to_be_visible()
    decision = DecisionOrientation.objects.get(resident=personne)

    # 3. The responsable designates the référente from « À affecter ».
    _changer_d_utilisateur(page, live_server, responsable)
    page.get_by_role("link", name="À affecter").first.click()
    page.get_by_role("link", name=f"Affecter {personne}").click()
    page.get_by_role("combobox", name="Référent").select_option(label="Nadia Pierrat")
    page.get_by_label("Début de l'accompagnement").fill(il_y_a_10_jours.isoformat())
    page.get_by_role("button", name="Ouvrir l'accompagnement").click()
    expect(page.get_by_text("Accompagnement ouvert : Nadia Pierrat")).to_be_visible()
    mesure = Accompagnement.objects.get(resident=personne)
    decision.refresh_from_db()
    assert decision.accompagnement == mesure

    # 4. The référente sees the call-in due and plans the rendez-vous.
    _changer_d_utilisateur(page, live_server, referente)
    page.goto(live_server.url + reverse("residents:dossier", args=[personne.pk]))
    expect(page.locator("#echeances-dossier")).to_contain_text("Accompagnement rénové : convoquer la personne")
    page.get_by_role("link", name="Planifier un rendez-vous").click()
    demain = timezone.localtime() + datetime.timedelta(days=1)
    page.get_by_label("Type").select_option("BUREAU")
    page.get_by_label("Date et heure").fill(demain.strftime("%Y-%m-%dT10:00"))
    page.get_by_role("button", name="Planifier").click()
    expect(page.get_by_text("Rendez-vous planifié.")).to_be_visible()
    page.goto(live_server.url + reverse("residents:dossier", args=[personne.pk]))
    expect(page.locator("#echeances-dossier")).not_to_contain_text("convoquer la personne")

    # 5. The diagnostic with her, then her contrat d'engagement, drafted and signed by both.
    page.get_by_role("link", name="Rédiger un contrat").click()
    page.get_by_role("link", name="Faire le diagnostic d'abord").click()
    page.get_by_label("Emploi et formation").fill("Sans emploi depuis un an ; CAP logistique.")
    page.get_by_label("Ce que la personne en dit").fill("Je veux travailler dans un entrepôt.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Diagnostic enregistré")).to_be_visible()
    ObjectifFactory(accompagnement=mesure, domaine=Objectif.Domaine.EMPLOI, libelle="Obtenir le CACES 1")
    page.get_by_label("type de contrat").select_option(TypeContrat.CONTRAT_ENGAGEMENT)
    page.get_by_label("début").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Créer le brouillon").click()
    page.get_by_role("link", name="voir le contrat").click()
    page.get_by_role("button", name="Soumettre à la signature").click()
    page.get_by_role("link", name="Faire signer : personne accompagnée").click()
    page.get_by_role("link", name="Signature à l'écran").click()
    page.get_by_label("nom et prénom").fill(f"{personne.prenom} {personne.nom}")
    page.get_by_label("J'ai lu ce contrat").check()
    page.get_by_role("button", name="Signer").click()
    page.get_by_role("link", name="Faire signer : référent").click()
    page.get_by_label("votre mot de passe").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Signer").click()
    expect(page.get_by_text("en attente de validation").first).to_be_visible()
    _changer_d_utilisateur(page, live_server, delegue)
    page.goto(live_server.url + reverse("contrats:file_delegue"))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Décision enregistrée : valider")).to_be_visible()
    assert Contrat.objects.get(accompagnement=mesure).etat == Contrat.Etat.VALIDE

    # 6. Two rendez-vous missed without excuse (the clock moves on), then the report with the absences.
    rdv = Entretien.objects.get(accompagnement=mesure, statut="PLANIFIE")
    Entretien.objects.filter(pk=rdv.pk).update(date_heure=timezone.now() - datetime.timedelta(days=2))
    Entretien.objects.create(
        accompagnement=mesure,
        type="BUREAU",
        statut="PLANIFIE",
        date_heure=timezone.now() - datetime.timedelta(hours=3),
        auteur=referente,
    )
    _changer_d_utilisateur(page, live_server, referente)
    for _ in range(2):
        page.get_by_role("link", name="Rendez-vous").first.click()
        page.get_by_role("link", name=f"Clôturer le rendez-vous de {personne}").first.click()
        page.get_by_label("Issue du rendez-vous").select_option("ABSENT_NON_EXCUSE")
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.get_by_text("Rendez-vous clôturé.")).to_be_visible()
    page.goto(live_server.url + reverse("residents:dossier", args=[personne.pk]))
    page.locator("#echeances-dossier").get_by_role("link", name="Y aller : absences non excusées").click()
    page.get_by_label("Motif").fill("Deux rendez-vous manqués sans nouvelles après la signature du contrat.")
    page.get_by_role("button", name="Adresser le signalement").click()
    expect(page.get_by_text("Signalement adressé au délégué insertion.")).to_be_visible()
    signalement = SignalementSanction.objects.get()

    # 7. The délégué informs her; the référente records her observations.
    _changer_d_utilisateur(page, live_server, delegue)
    page.goto(live_server.url + reverse("echeances:signalement", args=[signalement.pk]))
    _etape(page, "Informer la personne", {}, "Enregistrer l'information")
    expect(page.get_by_text("Information enregistrée.")).to_be_visible()
    _changer_d_utilisateur(page, live_server, referente)
    page.goto(live_server.url + reverse("echeances:signalement", args=[signalement.pk]))
    _etape(
        page,
        "Enregistrer ses observations",
        {"Observations de la personne": "Hospitalisée une semaine, elle n'a pas pu prévenir."},
        "Enregistrer les observations",
    )
    expect(page.get_by_text("Observations enregistrées.")).to_be_visible()

    # 8. The équipe's opinion, a suspension-remobilisation, then its lifting.
    _changer_d_utilisateur(page, live_server, delegue)
    page.goto(live_server.url + reverse("echeances:signalement", args=[signalement.pk]))
    _etape(
        page,
        "Avis de l'équipe pluridisciplinaire",
        {"Avis de l'équipe pluridisciplinaire": "Suspension partielle d'un mois."},
        "Enregistrer l'avis",
    )
    _etape(
        page,
        "Décision",
        {
            "Décision": "SUSPENSION",
            "Part du RSA suspendue (%)": "30",
            "Durée (mois)": "1",
            "Suspension à compter du": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
            "Motif de la décision": "Avis de l'équipe suivi.",
        },
        "Enregistrer la décision",
    )
    expect(page.get_by_text("Suspension-remobilisation en cours")).to_be_visible()
    verifier_accessibilite(page)
    _etape(
        page,
        "Lever la suspension",
        {"La personne a respecté ses engagements : comment": "Revenue à ses rendez-vous."},
        "Lever la suspension",
    )
    expect(page.get_by_text("Suspension levée.")).to_be_visible()
    signalement.refresh_from_db()
    assert signalement.etape == "LEVE"

    # The dossier tells the whole parcours.
    page.goto(live_server.url + reverse("residents:dossier", args=[personne.pk]))
    expect(page.get_by_role("heading", name="Orientation RSA")).to_be_visible()
    expect(page.locator("#sanctions-dossier")).to_contain_text("Suspension levée")
    expect(page.get_by_text(re.compile("Diagnostic global partagé du"))).to_be_visible()
