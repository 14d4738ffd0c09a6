"""The diagnostic global partagé (issue 19 §3): its record, its pages, its place before the first RSA
contract; and the rencontre tripartite (droits et devoirs) with its outcome."""

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accompagnement import services
from accompagnement.forms import EntretienForm
from accompagnement.models import Diagnostic, Entretien, IssueRencontre, TypeEntretien
from accompagnement.verrou import MESSAGE_CONFLIT, ConflitDeVersion
from contrats import services as contrats_services
from contrats.models import Contrat
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory, DiagnosticFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory, PartenaireFactory
from tests.contrats.factories import ContratFactory

TEXTES = {
    "logement": "Hébergée chez sa sœur.",
    "sante": "",
    "parole_personne": "Je voudrais un logement à moi avant tout.",
    "freins": "Pas de logement autonome.",
    "leviers": "Permis B.",
}


@pytest.fixture
def delegue(structure):
    return DelegueFactory(territoires=[structure.territoire])


@pytest.fixture
def delegue_ailleurs():
    return DelegueFactory()


def formulaire(**autres):
    return {"date": timezone.localdate().isoformat(), **TEXTES, "jeton": str(uuid.uuid4()), **autres}


# --- services ----------------------------------------------------------------------------------------


def test_un_diagnostic_s_enregistre_une_fois_par_jeton(mesure, referent):
    jeton = uuid.uuid4()
    premier = services.enregistrer_diagnostic(accompagnement=mesure, par=referent, jeton=jeton, **TEXTES)
    second = services.enregistrer_diagnostic(accompagnement=mesure, par=referent, jeton=jeton, **TEXTES)
    assert premier == second and Diagnostic.objects.count() == 1
    assert premier.auteur == referent and premier.history.count() == 1
    assert [libelle for libelle, _ in premier.domaines()] == ["logement"]


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"logement": "  "}, "au moins un domaine"),
        ({"parole_personne": ""}, "ce que la personne dit"),
        ({"date": datetime.date(2099, 1, 1)}, "dans le futur"),
        ({"date": datetime.date(2025, 12, 1)}, "antérieure au début"),
    ],
)
def test_un_diagnostic_incomplet_est_refuse_en_francais(mesure, referent, champs, message):
    with pytest.raises(ValidationError) as erreur:
        services.enregistrer_diagnostic(accompagnement=mesure, par=referent, **{**TEXTES, **champs})
    assert message in " ".join(erreur.value.messages)
    assert not Diagnostic.objects.exists()


def test_le_diagnostic_ne_concerne_que_le_rsa_et_l_asll(referent):
    fjt = AccompagnementFactory(referent=referent, modalite=Modalite.objects.get(code=Modalite.Code.FJT_REGULIER))
    with pytest.raises(ValidationError, match="RSA et ASLL"):
        services.enregistrer_diagnostic(accompagnement=fjt, par=referent, **TEXTES)


def test_un_lecteur_n_ecrit_pas_de_diagnostic(mesure, delegue):
    with pytest.raises(PermissionDenied):
        services.enregistrer_diagnostic(accompagnement=mesure, par=delegue, **TEXTES)


def test_modifier_un_diagnostic_verrou_optimiste_et_historique(mesure, referent, collegue):
    diagnostic = DiagnosticFactory(accompagnement=mesure)
    services.modifier_diagnostic(diagnostic=diagnostic, par=collegue, version=1, sante="Suivi médical régulier.")
    with pytest.raises(ConflitDeVersion):
        services.modifier_diagnostic(diagnostic=diagnostic, par=referent, version=1, sante="Écrasé ?")
    diagnostic.refresh_from_db()
    assert (diagnostic.sante, diagnostic.version) == ("Suivi médical régulier.", 2)
    assert diagnostic.history.count() == 2


# --- pages: owner / colleague / délégué / outsiders ---------------------------------------------------


def test_creer_un_diagnostic_depuis_le_dossier(client, mesure, referent, collegue, etranger, delegue, delegue_ailleurs):
    page = reverse("accompagnement:diagnostic_nouveau", args=[mesure.pk])
    for user, statut in ((etranger, 404), (delegue_ailleurs, 404), (delegue, 403)):
        client.force_login(user)
        assert client.get(page).status_code == statut
        assert client.post(page, formulaire()).status_code == statut
    assert not Diagnostic.objects.exists()
    for user in (referent, collegue):
        client.force_login(user)
        assert client.get(page).status_code == 200
        reponse = client.post(page, formulaire())
        diagnostic = Diagnostic.objects.get(auteur=user)
        assert reponse.url == reverse("accompagnement:diagnostic", args=[diagnostic.pk])


def test_un_formulaire_vide_dit_pourquoi_sans_rien_enregistrer(client, mesure, referent):
    client.force_login(referent)
    page = reverse("accompagnement:diagnostic_nouveau", args=[mesure.pk])
    reponse = client.post(page, formulaire(logement="", parole_personne=""))
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "Décrivez la situation dans au moins un domaine." in contenu
    assert not Diagnostic.objects.exists()


def test_lire_un_diagnostic(client, mesure, referent, collegue, responsable, delegue, delegue_ailleurs, etranger):
    ancien = DiagnosticFactory(accompagnement=mesure, date=datetime.date(2026, 1, 6))
    dernier = DiagnosticFactory(accompagnement=mesure, date=datetime.date(2026, 3, 2), sante="Asthme.")
    page = reverse("accompagnement:diagnostic", args=[dernier.pk])
    for user in (referent, collegue, responsable, delegue):
        client.force_login(user)
        reponse = client.get(page)
        assert reponse.status_code == 200
        contenu = reponse.content.decode()
        assert "Asthme." in contenu and reverse("accompagnement:diagnostic", args=[ancien.pk]) in contenu
        modifier = reverse("accompagnement:diagnostic_modifier", args=[dernier.pk])
        assert (modifier in contenu) is (user != delegue)
    for user in (etranger, delegue_ailleurs, PartenaireFactory()):
        client.force_login(user)
        assert client.get(page).status_code == 404


def test_modifier_un_diagnostic_par_la_page(client, mesure, referent, delegue, etranger):
    diagnostic = DiagnosticFactory(accompagnement=mesure)
    page = reverse("accompagnement:diagnostic_modifier", args=[diagnostic.pk])
    donnees = {**formulaire(date="2026-01-05", budget="Dettes de loyer."), "version": 1}
    client.force_login(etranger)
    assert client.post(page, donnees).status_code == 404
    client.force_login(delegue)
    assert client.post(page, donnees).status_code == 403
    client.force_login(referent)
    assert client.get(page).status_code == 200
    assert client.post(page, donnees).status_code == 302
    reponse = client.post(page, donnees)  # the same form again: stale
    assert escape(MESSAGE_CONFLIT) in reponse.content.decode()
    diagnostic.refresh_from_db()
    assert diagnostic.budget == "Dettes de loyer." and diagnostic.version == 2


def test_le_dossier_montre_le_dernier_diagnostic(client, mesure, referent, delegue):
    dossier = reverse("residents:dossier", args=[mesure.resident_id]) + "?sections=1"
    client.force_login(referent)
    contenu = client.get(dossier).content.decode()
    assert "Aucun diagnostic global partagé" in contenu
    assert reverse("accompagnement:diagnostic_nouveau", args=[mesure.pk]) in contenu
    DiagnosticFactory(accompagnement=mesure, date=datetime.date(2026, 1, 6))
    DiagnosticFactory(accompagnement=mesure, date=datetime.date(2026, 3, 2))
    contenu = client.get(dossier).content.decode()
    assert "Diagnostic global partagé du 02/03/2026" in contenu and "1 diagnostic précédent" in contenu
    client.force_login(delegue)
    contenu = client.get(dossier).content.decode()
    assert "Diagnostic global partagé du 02/03/2026" in contenu
    assert reverse("accompagnement:diagnostic_nouveau", args=[mesure.pk]) not in contenu


# --- before the first contract ------------------------------------------------------------------------


def test_le_premier_contrat_attend_le_diagnostic(client, mesure, referent):
    page = reverse("contrats:nouveau", kwargs={"accompagnement_pk": mesure.pk})
    client.force_login(referent)
    contenu = client.get(page).content.decode()
    assert "Le diagnostic global partagé précède le premier contrat (référentiel des Vosges)" in contenu
    lien = reverse("accompagnement:diagnostic_nouveau", args=[mesure.pk]) + "?suite=contrat"
    assert lien in contenu and "Faire le diagnostic d'abord" in contenu
    # Posted anyway (an old tab): nothing drafted.
    client.post(page, {"type": TypeContrat.CONTRAT_ENGAGEMENT, "date_debut": "2026-02-01"})
    assert not Contrat.objects.exists()
    with pytest.raises(ValidationError, match="précède le premier contrat"):
        contrats_services.creer_brouillon(
            accompagnement=mesure, par=referent, type=TypeContrat.CER, date_debut=datetime.date(2026, 2, 1)
        )
    # The diagnostic, and back to the contract.
    reponse = client.post(lien, formulaire())
    assert reponse.url == page
    assert "Créer le brouillon" in client.get(page).content.decode()
    client.post(page, {"type": TypeContrat.CONTRAT_ENGAGEMENT, "date_debut": "2026-02-01"})
    assert Contrat.objects.filter(accompagnement=mesure).count() == 1


def test_un_contrat_qui_n_est_pas_le_premier_n_attend_pas(mesure, referent):
    ContratFactory(accompagnement=mesure, type=TypeContrat.CER, etat=Contrat.Etat.SIGNE)
    assert not contrats_services.diagnostic_manquant(mesure)


def test_un_contrat_refuse_ne_compte_pas_comme_premier(mesure):
    ContratFactory(accompagnement=mesure, type=TypeContrat.CER, etat=Contrat.Etat.REFUSE)
    assert contrats_services.diagnostic_manquant(mesure)


def test_le_diagnostic_de_la_mesure_precedente_suffit_apres_une_reorientation(referent):
    avant = AccompagnementFactory(referent=referent, date_fin=datetime.date(2026, 3, 1), motif_fin="REORIENTATION")
    DiagnosticFactory(accompagnement=avant)
    apres = AccompagnementFactory(
        referent=referent,
        resident=avant.resident,
        modalite=Modalite.objects.get(code=Modalite.Code.RSA_MOBILISATION),
        date_debut=datetime.date(2026, 3, 2),
        precedent=avant,
    )
    assert not contrats_services.diagnostic_manquant(apres)


def test_hors_rsa_aucun_diagnostic_n_est_exige(referent):
    asll = AccompagnementFactory(referent=referent, modalite=Modalite.objects.get(code=Modalite.Code.ASLL))
    assert not contrats_services.diagnostic_manquant(asll)


# --- rencontre tripartite (droits et devoirs) ---------------------------------------------------------


def test_la_rencontre_tripartite_est_physique_et_a_une_issue(mesure, referent, delegue):
    entretien, _ = services.enregistrer_entretien(
        accompagnement=mesure,
        par=referent,
        type=TypeEntretien.DROITS_DEVOIRS,
        date_heure=timezone.now() - datetime.timedelta(hours=1),
        participants=[delegue],
        issue_rencontre=IssueRencontre.ENGAGEMENT,
        issue_precisions="Reprendre contact avec la mission locale.",
    )
    entretien.refresh_from_db()
    assert entretien.physique
    assert list(entretien.participants.all()) == [delegue]
    assert entretien.get_issue_rencontre_display() == "engagement pris par la personne"


def test_l_issue_est_exigee_pour_la_rencontre_et_ignoree_ailleurs(mesure, referent):
    hier = timezone.now() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="issue de la rencontre tripartite"):
        services.enregistrer_entretien(
            accompagnement=mesure, par=referent, type=TypeEntretien.DROITS_DEVOIRS, date_heure=hier
        )
    entretien, _ = services.enregistrer_entretien(
        accompagnement=mesure,
        par=referent,
        type=TypeEntretien.BUREAU,
        date_heure=hier,
        issue_rencontre=IssueRencontre.RAPPELES,
        issue_precisions="x",
    )
    assert (entretien.issue_rencontre, entretien.issue_precisions) == ("", "")
    # A rendez-vous planned: its outcome comes when it is closed.
    rdv, _ = services.planifier_rendez_vous(
        accompagnement=mesure,
        par=referent,
        type=TypeEntretien.DROITS_DEVOIRS,
        date_heure=timezone.now() + datetime.timedelta(days=3),
    )
    assert rdv.physique


def test_le_delegue_du_territoire_peut_etre_note_present(mesure, referent, delegue, delegue_ailleurs):
    form = EntretienForm(accompagnement=mesure, user=referent)
    choix = set(form.fields["participants"].queryset)
    assert delegue in choix and delegue_ailleurs not in choix
    widget = str(form["issue_rencontre"])
    assert f'data-si-type="{TypeEntretien.DROITS_DEVOIRS}"' in widget


def test_le_formulaire_d_entretien_demande_l_issue(client, mesure, referent, delegue):
    client.force_login(referent)
    page = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    quand = timezone.localtime(timezone.now() - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    donnees = {"type": TypeEntretien.DROITS_DEVOIRS, "date_heure": quand, "statut": "HONORE", "jeton": uuid.uuid4()}
    reponse = client.post(page, donnees)
    assert (
        reponse.status_code == 200 and "Indiquez l&#x27;issue de la rencontre tripartite." in reponse.content.decode()
    )
    assert not Entretien.objects.exists()
    donnees |= {"issue_rencontre": IssueRencontre.RAPPELES, "participants": [delegue.pk]}
    assert client.post(page, donnees).status_code == 302
    entretien = Entretien.objects.get()
    assert entretien.issue_rencontre == IssueRencontre.RAPPELES and entretien.physique
    contenu = client.get(reverse("residents:dossier", args=[mesure.resident_id])).content.decode()
    assert 'Issue : <span class="fw-semibold">droits et devoirs rappelés</span>' in contenu


def test_un_rendez_vous_tripartite_prend_son_issue_a_la_cloture(client, mesure, referent):
    rdv = EntretienFactory(
        accompagnement=mesure,
        type=TypeEntretien.DROITS_DEVOIRS,
        statut=Entretien.Statut.PLANIFIE,
        date_heure=timezone.now() - datetime.timedelta(hours=1),
    )
    page = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    client.force_login(referent)
    assert "Issue de la rencontre tripartite" in client.get(page).content.decode()
    reponse = client.post(page, {"statut": "ABSENT_NON_EXCUSE", "version": rdv.version})
    assert "issue de la rencontre tripartite" in reponse.content.decode()
    donnees = {"statut": "ABSENT_NON_EXCUSE", "version": rdv.version, "issue_rencontre": IssueRencontre.ABSENCE}
    assert client.post(page, donnees).status_code == 302
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.issue_rencontre) == ("ABSENT_NON_EXCUSE", IssueRencontre.ABSENCE)
    # Any other kind of rendez-vous: no such field.
    autre = EntretienFactory(
        accompagnement=mesure, statut=Entretien.Statut.PLANIFIE, date_heure=timezone.now() - datetime.timedelta(hours=1)
    )
    contenu = client.get(reverse("accompagnement:rendez_vous_cloturer", args=[autre.pk])).content.decode()
    assert "Issue de la rencontre tripartite" not in contenu


def test_corriger_le_type_efface_l_issue(mesure, referent):
    entretien = EntretienFactory(
        accompagnement=mesure, type=TypeEntretien.DROITS_DEVOIRS, issue_rencontre=IssueRencontre.RAPPELES
    )
    with pytest.raises(ValidationError, match="issue de la rencontre tripartite"):
        services.modifier_entretien(entretien=entretien, par=referent, version=1, issue_rencontre="")
    corrige = services.modifier_entretien(entretien=entretien, par=referent, version=1, type=TypeEntretien.BUREAU)
    assert (corrige.issue_rencontre, corrige.physique) == ("", True)


def test_le_diagnostic_en_pdf(client, mesure, referent, delegue, etranger):
    import io

    from pypdf import PdfReader

    from journal.models import Action, JournalAcces

    diagnostic = DiagnosticFactory(accompagnement=mesure, sante="Suivi par le CMP.")
    page = reverse("accompagnement:diagnostic_pdf", args=[diagnostic.pk])
    client.force_login(etranger)
    assert client.get(page).status_code == 404
    for user in (referent, delegue):
        client.force_login(user)
        reponse = client.get(page)
        assert reponse.status_code == 200 and reponse["Content-Type"] == "application/pdf"
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(reponse.content)).pages)
    assert "Diagnostic global partagé" in texte and "Suivi par le CMP." in texte
    assert JournalAcces.objects.filter(action=Action.IMPRESSION, resident=mesure.resident).count() == 2


def test_le_droit_d_acces_contient_le_diagnostic(mesure):
    from residents.droits import dossier_complet

    DiagnosticFactory(accompagnement=mesure, famille="Deux enfants, 4 et 7 ans.")
    (mesure_lue,) = dossier_complet(mesure.resident)["accompagnements"]
    assert [d["famille"] for d in mesure_lue["diagnostics"]] == ["Deux enfants, 4 et 7 ans."]
