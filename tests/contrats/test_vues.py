"""Every screen: owner, colleague of the same structure, outsider (404); forbidden roles get 403."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape

from accompagnement.models import CoReferent
from accompagnement.verrou import MESSAGE_CONFLIT
from contrats import services
from contrats.forms import BrouillonForm
from contrats.models import Contrat, Partie
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import MOT_DE_PASSE, DelegueFactory
from tests.referentiel.factories import ContactPartenaireFactory, TerritoireFactory

from .conftest import brouillon, mesure, signer_personne, signer_staff
from .factories import ContratFactory, ObjectifContratFactory

E = Contrat.Etat


def url(nom, contrat, **kwargs):
    return reverse(f"contrats:{nom}", kwargs={"pk": contrat.pk, **kwargs})


@pytest.fixture
def cer(referent):
    return brouillon(referent)


def test_detail_proprietaire_collegue_etranger(client, cer, referent, collegue, etranger):
    for user, statut in ((referent, 200), (collegue, 200), (etranger, 404)):
        client.force_login(user)
        assert client.get(url("detail", cer)).status_code == statut
    client.force_login(referent)
    assert "Soumettre à la signature" in client.get(url("detail", cer)).content.decode()


def test_modifier_proprietaire_collegue_etranger(client, cer, referent, collegue, etranger):
    for user, statut in ((referent, 200), (collegue, 403), (etranger, 404)):
        client.force_login(user)
        assert client.get(url("modifier", cer)).status_code == statut


def test_modifier_enregistre_le_brouillon(client, cer, referent):
    client.force_login(referent)
    objectif = cer.objectifs.get()
    reponse = client.post(
        url("modifier", cer),
        {
            "version": cer.version,
            "date_debut": "2026-01-05",
            "date_fin": "2026-07-05",
            "engagements_personne": "Venir aux rendez-vous.",
            "engagements_structure": "Recevoir la personne.",
            "objectifs": [objectif.pk],
        },
    )
    assert reponse.status_code == 302
    cer.refresh_from_db()
    assert cer.engagements_personne == "Venir aux rendez-vous." and cer.version == 2


def test_modifier_avec_une_version_perimee_ne_perd_rien(client, cer, referent):
    client.force_login(referent)
    donnees = {"version": cer.version, "date_debut": "2026-01-05", "date_fin": "2026-07-05"}
    client.post(url("modifier", cer), {**donnees, "engagements_personne": "A"})
    reponse = client.post(url("modifier", cer), {**donnees, "engagements_personne": "B"}, follow=True)
    assert escape(MESSAGE_CONFLIT) in reponse.content.decode()
    cer.refresh_from_db()
    assert cer.engagements_personne == "A"


def test_nouveau_contrat(client, referent, collegue, etranger):
    acc = mesure(referent)
    page = reverse("contrats:nouveau", kwargs={"accompagnement_pk": acc.pk})
    for user, statut in ((collegue, 403), (etranger, 404)):
        client.force_login(user)
        assert client.get(page).status_code == statut
    client.force_login(referent)
    assert client.get(page).status_code == 200
    reponse = client.post(page, {"type": TypeContrat.CONTRAT_ENGAGEMENT, "date_debut": "2026-02-01"})
    contrat = Contrat.objects.get()
    assert reponse.url == url("modifier", contrat)
    assert (contrat.date_fin, contrat.heures_activite_hebdo) == (datetime.date(2026, 8, 1), 15)
    # Another draft over the same dates (a second form, not a double submit): the database refuses.
    reponse = client.post(page, {"type": TypeContrat.CONTRAT_ENGAGEMENT, "date_debut": "2026-02-01"})
    assert "chevauchent" in reponse.content.decode() and Contrat.objects.count() == 1


def test_nouveau_contrat_envoye_deux_fois_mene_au_meme_brouillon(client, referent):
    acc = mesure(referent)
    page = reverse("contrats:nouveau", kwargs={"accompagnement_pk": acc.pk})
    client.force_login(referent)
    donnees = {
        "type": TypeContrat.CER,
        "date_debut": "2026-02-01",
        "jeton": client.get(page).context["form"].initial["jeton"],
    }
    premiere, seconde = (client.post(page, donnees) for _ in range(2))
    contrat = Contrat.objects.get()
    assert premiere.url == seconde.url == url("modifier", contrat)
    assert contrat.transitions.count() == 1


def test_objectif_ajoute_deux_fois_au_brouillon_une_seule_fois(client, referent):
    contrat = brouillon(referent)
    client.force_login(referent)
    jeton = client.get(url("modifier", contrat)).context["objectif_form"].initial["jeton"]
    donnees = {"objectif-domaine": "LOGEMENT", "objectif-libelle": "Trouver un logement", "objectif-jeton": jeton}
    avant = contrat.lignes_objectifs.count()
    assert [client.post(url("ajouter_objectif", contrat), donnees).status_code for _ in range(2)] == [302, 302]
    assert contrat.lignes_objectifs.count() == avant + 1
    assert contrat.accompagnement.objectifs.filter(libelle="Trouver un logement").count() == 1


def test_soumettre(client, cer, referent, collegue, etranger):
    client.force_login(etranger)
    assert client.post(url("soumettre", cer)).status_code == 404
    client.force_login(collegue)
    assert client.post(url("soumettre", cer)).status_code == 403
    client.force_login(referent)
    ancienne = cer.version
    client.post(url("soumettre", cer), {"version": ancienne})
    cer.refresh_from_db()
    assert cer.etat == E.EN_SIGNATURE
    # The same form sent again carries a version that has moved on; a fresh one meets the state's rule.
    reponse = client.post(url("soumettre", cer), {"version": ancienne}, follow=True)
    assert escape(MESSAGE_CONFLIT) in reponse.content.decode()
    reponse = client.post(url("soumettre", cer), {"version": cer.version}, follow=True)
    assert "déjà été soumis" in reponse.content.decode()


def test_signature_du_referent_avec_mot_de_passe(client, cer_soumis, referent, collegue, etranger):
    page = url("signer", cer_soumis, partie=Partie.REFERENT)
    client.force_login(etranger)
    assert client.get(page).status_code == 404
    client.force_login(collegue)
    assert client.get(page).status_code == 403
    client.force_login(referent)
    assert "Trouver un stage" in client.get(page).content.decode()
    reponse = client.post(page, {"numero_version": 1, "mot_de_passe": "faux"}, follow=True)
    assert "Mot de passe ou code incorrect" in reponse.content.decode()
    client.post(page, {"numero_version": 1, "mot_de_passe": MOT_DE_PASSE}, HTTP_USER_AGENT="Navigateur test")
    signature = cer_soumis.version_courante().signatures.get()
    assert (signature.adresse_ip, signature.navigateur) == ("127.0.0.1", "Navigateur test")


def test_signature_de_la_personne_sur_l_ecran(client, cer_soumis, referent):
    client.force_login(referent)
    nom = str(cer_soumis.accompagnement.resident)
    client.post(
        url("signer", cer_soumis, partie=Partie.RESIDENT),
        {"numero_version": 1, "methode": "PRESENCE", "nom_signataire": nom, "consentement": "on"},
    )
    assert cer_soumis.version_courante().signatures.get().nom_signataire == nom


def test_decision_du_delegue(client, cer_soumis, referent, delegue):
    signer_personne(cer_soumis, referent)
    signer_staff(cer_soumis, referent, Partie.REFERENT)
    cer_soumis.refresh_from_db()
    client.force_login(DelegueFactory())
    assert client.post(url("decider", cer_soumis), {"decision": "valider"}).status_code == 404
    client.force_login(referent)
    assert client.post(url("decider", cer_soumis), {"decision": "valider"}).status_code == 403
    client.force_login(delegue)
    assert "Décision du délégué insertion" in client.get(url("detail", cer_soumis)).content.decode()
    reponse = client.post(
        url("decider", cer_soumis), {"decision": "differer", "motif": "", "version": cer_soumis.version}, follow=True
    )
    assert "Indiquez au référent" in reponse.content.decode()
    # A decision form without its version (stale or tampered) is a conflict: nothing is decided.
    for version in ("", None):
        donnees = {"decision": "valider", "motif": "", **({} if version is None else {"version": version})}
        reponse = client.post(url("decider", cer_soumis), donnees, follow=True)
        assert escape(MESSAGE_CONFLIT) in reponse.content.decode()
        cer_soumis.refresh_from_db()
        assert cer_soumis.etat == E.EN_VALIDATION
    client.post(
        url("decider", cer_soumis), {"decision": "differer", "motif": "Préciser", "version": cer_soumis.version}
    )
    cer_soumis.refresh_from_db()
    client.post(url("decider", cer_soumis), {"decision": "valider", "suite": "file", "version": cer_soumis.version})
    cer_soumis.refresh_from_db()
    assert cer_soumis.etat == E.VALIDE


def test_pdf_telechargeable(client, cer_soumis, referent, collegue, etranger):
    for user, statut in ((referent, 200), (collegue, 200), (etranger, 404)):
        client.force_login(user)
        reponse = client.get(url("pdf", cer_soumis, numero=1))
        assert reponse.status_code == statut
    assert reponse.status_code == 404
    client.force_login(referent)
    reponse = client.get(url("pdf", cer_soumis, numero=1) + "?original=1")
    assert reponse["Content-Type"] == "application/pdf" and reponse.content.startswith(b"%PDF-")
    assert client.get(url("pdf", cer_soumis, numero=9)).status_code == 404


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_renouveler_et_rompre_par_les_vues(client, cer_valide, referent, etranger):
    client.force_login(etranger)
    assert client.post(url("renouveler", cer_valide)).status_code == 404
    client.force_login(referent)
    reponse = client.post(url("renouveler", cer_valide), follow=True)
    # Today is before the notice period of a contract ending on 05/07/2026 only if the clock says so:
    # the service decides, the screen shows its message or the new draft.
    assert reponse.status_code == 200
    cer_valide.refresh_from_db()
    reponse = client.post(
        url("rompre", cer_valide), {"le": "2026-03-01", "motif": "", "version": cer_valide.version}, follow=True
    )
    assert "motif de la rupture" in reponse.content.decode()


def test_file_delegue_nombre_de_requetes_constant(client, structure, delegue, referent, django_assert_max_num_queries):
    def creer(n):
        for _ in range(n):
            acc = AccompagnementFactory(referent=referent, structure=structure)
            ContratFactory(accompagnement=acc, etat=E.EN_VALIDATION, date_soumission_validation="2026-01-10T10:00Z")

    client.force_login(delegue)
    creer(3)
    with django_assert_max_num_queries(13):
        assert client.get(reverse("contrats:file_delegue")).status_code == 200
    creer(20)
    with django_assert_max_num_queries(13):
        reponse = client.get(reverse("contrats:file_delegue"))
    assert "23 contrats en attente" in reponse.content.decode()
    client.force_login(referent)
    assert client.get(reverse("contrats:file_delegue")).status_code == 403


def test_file_delegue_plus_ancien_d_abord_et_territoire(client, structure, delegue, referent):
    ancien = ContratFactory(
        accompagnement=AccompagnementFactory(referent=referent, structure=structure),
        etat=E.EN_VALIDATION,
        date_soumission_validation="2026-01-02T10:00Z",
    )
    recent = ContratFactory(
        accompagnement=AccompagnementFactory(referent=referent, structure=structure),
        etat=E.DIFFERE,
        date_soumission_validation="2026-01-20T10:00Z",
    )
    ailleurs = ContratFactory(etat=E.EN_VALIDATION, date_soumission_validation="2026-01-01T10:00Z")
    client.force_login(delegue)
    page = client.get(reverse("contrats:file_delegue"))
    assert [c.pk for c in page.context["page_obj"]] == [ancien.pk, recent.pk]
    assert ailleurs.pk not in [c.pk for c in page.context["page_obj"]]


def test_le_responsable_signe_trois_com_a_la_suite(client, referent, responsable):
    coms = []
    for _ in range(3):
        com = brouillon(referent, type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER)
        coms.append(services.soumettre(contrat=com, par=referent, version=com.version))
    client.force_login(responsable)
    file = client.get(reverse("contrats:file_responsable"))
    assert [c.pk for c in file.context["page_obj"]] == [c.pk for c in coms]
    page = url("signer", coms[0], partie=Partie.RESPONSABLE)
    for i in range(len(coms)):
        reponse = client.post(page, {"numero_version": 1, "mot_de_passe": MOT_DE_PASSE})
        suivant = url("signer", coms[i + 1], partie=Partie.RESPONSABLE) if i < 2 else None
        assert reponse.url == (suivant or reverse("contrats:file_responsable"))
        page = suivant
    for com in coms:
        assert com.version_courante().signatures.filter(partie=Partie.RESPONSABLE).exists()
    client.force_login(referent)
    assert client.get(reverse("contrats:file_responsable")).status_code == 403


def test_mes_contrats_et_notifications(client, cer_valide, referent, collegue):
    client.force_login(referent)
    contenu = client.get(reverse("contrats:mes_contrats")).content.decode()
    assert cer_valide.reference in contenu and "validé par le délégué insertion" in contenu
    assert not referent.notifications_contrats.non_lues().exists()
    client.force_login(collegue)
    assert cer_valide.reference not in client.get(reverse("contrats:mes_contrats")).content.decode()


def test_section_du_dossier(cer, referent, etranger, rf):
    acc = cer.accompagnement
    contexte = {"resident": acc.resident, "accompagnements": [acc], "user": referent}
    assert cer.reference in render_to_string("contrats/includes/section_dossier.html", contexte)
    contexte["user"] = etranger
    assert cer.reference not in render_to_string("contrats/includes/section_dossier.html", contexte)


def test_objectif_ajoute_depuis_le_brouillon(client, cer, referent, collegue):
    client.force_login(collegue)
    donnees = {"objectif-domaine": "LOGEMENT", "objectif-libelle": "Déposer une demande de logement social"}
    assert client.post(url("ajouter_objectif", cer), donnees).status_code == 403
    client.force_login(referent)
    client.post(url("ajouter_objectif", cer), donnees)
    assert cer.objectifs.filter(libelle__startswith="Déposer").exists()
    assert ObjectifContratFactory._meta.model.objects.filter(contrat=cer).count() == 2


def test_soumettre_avec_une_version_trafiquee_ne_plante_pas(client, cer, referent):
    client.force_login(referent)
    reponse = client.post(url("soumettre", cer), {"version": "abc"}, follow=True)
    assert reponse.status_code == 200 and escape(MESSAGE_CONFLIT) in reponse.content.decode()
    cer.refresh_from_db()
    assert cer.etat == E.BROUILLON


def test_les_echecs_du_mot_de_passe_de_signature_comptent_pour_le_verrouillage(client, cer_soumis, referent, settings):
    client.force_login(referent)
    page = url("signer", cer_soumis, partie=Partie.REFERENT)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        reponse = client.post(page, {"numero_version": 1, "mot_de_passe": "faux"})
        assert "Mot de passe ou code incorrect" in reponse.content.decode()
    assert AccessAttempt.objects.get(username=referent.username).failures_since_start == settings.AXES_FAILURE_LIMIT - 1
    assert client.post(page, {"numero_version": 1, "mot_de_passe": "faux"}).status_code == 429
    # Locked out: even the right password signs nothing until the cool-off ends.
    assert client.post(page, {"numero_version": 1, "mot_de_passe": MOT_DE_PASSE}).status_code == 429
    assert not cer_soumis.version_courante().signatures.exists()


def test_le_brouillon_ne_propose_que_les_partenaires_de_la_mesure(referent):
    contrat = brouillon(referent, type=TypeContrat.PLAN_ASLL, code=Modalite.Code.ASLL)
    territoire = contrat.accompagnement.structure.territoire
    local = ContactPartenaireFactory(tiers__territoire=territoire)
    ailleurs = ContactPartenaireFactory(tiers__territoire=TerritoireFactory())
    coreferent = ContactPartenaireFactory(tiers__territoire=TerritoireFactory())
    CoReferent.objects.create(accompagnement=contrat.accompagnement, contact=coreferent, role="prescriptrice")
    proposes = set(BrouillonForm(instance=contrat).fields["partenaire"].queryset)
    assert {local, coreferent, contrat.partenaire} <= proposes and ailleurs not in proposes
    # A co-referent from elsewhere counts only while the co-reference is in place (coreference_en_cours).
    futur = ContactPartenaireFactory(tiers__territoire=TerritoireFactory())
    CoReferent.objects.create(
        accompagnement=contrat.accompagnement, contact=futur, role="bailleur",
        date_debut=datetime.date.today() + datetime.timedelta(days=10),
    )  # fmt: skip
    assert futur not in set(BrouillonForm(instance=contrat).fields["partenaire"].queryset)


@pytest.mark.parametrize(
    ("etat", "attendus", "absents"),
    [
        (
            E.BROUILLON,
            ["Abandonner", "Soumettre à la signature"],
            ["Modifier (nouvelle version)", "Préparer un avenant", "Préparer le renouvellement"],
        ),
        (
            E.EN_SIGNATURE,
            ["Abandonner", "Modifier (nouvelle version)"],
            ["Soumettre à la signature", "Préparer un avenant"],
        ),
        (
            E.SIGNE,
            ["Préparer un avenant", "Préparer le renouvellement", "Rompre"],
            ["Abandonner", "Modifier (nouvelle version)"],
        ),
        (E.REFUSE, [], ["Abandonner", "Préparer un avenant", "Préparer le renouvellement", "Rompre"]),
        (
            E.ANNULE,
            [],
            ["Abandonner", "Préparer un avenant", "Modifier (nouvelle version)", "Préparer le renouvellement"],
        ),
    ],
)
def test_les_actions_du_detail_selon_l_etat(client, referent, etat, attendus, absents):
    contrat = ContratFactory(accompagnement=mesure(referent), etat=etat)
    client.force_login(referent)
    with time_machine.travel(datetime.datetime(2026, 6, 20, 10, tzinfo=datetime.UTC)):
        contenu = client.get(url("detail", contrat)).content.decode()
    for texte in attendus:
        assert texte in contenu, texte
    for texte in absents:
        assert texte not in contenu, texte


def test_un_contrat_termine_n_offre_ni_avenant_ni_rupture(client, referent):
    """Seen on the demo: a validated CER already over still offered « Préparer un avenant », whose submission
    failed. Amending and breaking act on a contract in force today; renewing stays offered."""
    contrat = ContratFactory(accompagnement=mesure(referent), etat=E.VALIDE)
    client.force_login(referent)
    for jour, offert in ((datetime.datetime(2026, 7, 4, 10), True), (datetime.datetime(2026, 12, 3, 10), False)):
        with time_machine.travel(jour.replace(tzinfo=datetime.UTC)):
            contenu = client.get(url("detail", contrat)).content.decode()
        assert ("Préparer un avenant" in contenu) is offert, jour
        assert ("Rompre le contrat" in contenu) is offert, jour
        assert "Préparer le renouvellement" in contenu


def test_le_pdf_d_un_contrat_n_est_garde_par_aucun_cache(client, cer_soumis, referent):
    client.force_login(referent)
    reponse = client.get(url("pdf", cer_soumis, numero=1))
    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"] and "private" in reponse["Cache-Control"]


def test_un_contrat_plus_long_que_son_type_est_refuse_a_cote_de_la_fin(client, referent):
    """RSA socioprofessionnel: a CER (or a contrat d'engagement) lasts 6 months in the référentiel."""
    acc = mesure(referent)
    page = reverse("contrats:nouveau", kwargs={"accompagnement_pk": acc.pk})
    client.force_login(referent)
    for type_ in (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT):
        reponse = client.post(page, {"type": type_, "date_debut": "2026-02-01", "date_fin": "2026-08-02"})
        assert reponse.status_code == 200
        erreurs = " ".join(reponse.context["form"].errors["date_fin"])
        assert "dure au plus 6 mois : fin le 01/08/2026 au plus tard." in erreurs
    assert not Contrat.objects.exists()
    reponse = client.post(page, {"type": TypeContrat.CER, "date_debut": "2026-02-01", "date_fin": "2026-08-01"})
    assert reponse.status_code == 302 and Contrat.objects.count() == 1


def test_le_brouillon_ne_s_allonge_pas_au_dela_du_referentiel(client, cer, referent):
    client.force_login(referent)
    donnees = {"version": cer.version, "date_debut": "2026-01-05", "date_fin": "2027-01-05"}
    reponse = client.post(url("modifier", cer), donnees)
    assert reponse.status_code == 200
    assert "fin le 05/07/2026 au plus tard." in " ".join(reponse.context["form"].errors["date_fin"])
    cer.refresh_from_db()
    assert cer.date_fin == datetime.date(2026, 7, 5)


def test_une_date_de_contrat_hors_bornes_est_refusee(client, referent):
    acc = mesure(referent)
    client.force_login(referent)
    reponse = client.post(
        reverse("contrats:nouveau", kwargs={"accompagnement_pk": acc.pk}),
        {"type": TypeContrat.CER, "date_debut": "9999-12-01"},
    )
    assert reponse.status_code == 200
    assert "Cette date est trop lointaine" in " ".join(reponse.context["form"].errors["date_debut"])


# --- avenants (issue 16 §1) ------------------------------------------------------------------------


@pytest.fixture
def cer_valide(referent, structure):
    contrat = brouillon(referent)
    contrat = services.soumettre(contrat=contrat, par=referent, version=contrat.version)
    signer_personne(contrat, referent)
    signer_staff(contrat, referent, Partie.REFERENT)
    contrat.refresh_from_db()
    delegue = DelegueFactory(territoires=[structure.territoire])
    return services.valider(contrat=contrat, par=delegue, version=contrat.version)


def _donnees_avenant(contrat, jeton="8d5c7f0e-3b1a-4c3e-9d1e-5a0b2c4d6e8f"):
    return {"version": contrat.version, "date_effet": "2026-03-02", "motif": "Objectif logement", "jeton": jeton}


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_avenant_proprietaire_collegue_etranger(client, cer_valide, referent, collegue, etranger):
    for user, statut in ((etranger, 404), (collegue, 403)):
        client.force_login(user)
        assert client.post(url("avenant", cer_valide), _donnees_avenant(cer_valide)).status_code == statut
    assert not Contrat.objects.filter(avenant_de=cer_valide).exists()
    client.force_login(referent)
    assert client.get(url("avenant", cer_valide)).status_code == 405
    reponse = client.post(url("avenant", cer_valide), _donnees_avenant(cer_valide))
    avenant = Contrat.objects.get(avenant_de=cer_valide)
    assert reponse.status_code == 302 and reponse["Location"] == url("modifier", avenant)
    # The same form sent again finds the avenant it created.
    client.post(url("avenant", cer_valide), _donnees_avenant(cer_valide))
    assert Contrat.objects.filter(avenant_de=cer_valide).count() == 1
    cer_valide.refresh_from_db()
    assert cer_valide.etat == E.VALIDE


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_avenant_refuse_revient_au_detail_avec_le_message(client, cer_valide, referent):
    client.force_login(referent)
    donnees = dict(_donnees_avenant(cer_valide), date_effet="2026-09-01")
    reponse = client.post(url("avenant", cer_valide), donnees, follow=True)
    assert "L&#x27;avenant prend effet" in reponse.content.decode()
    assert not Contrat.objects.filter(avenant_de=cer_valide).exists()


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_le_detail_montre_la_version_en_vigueur_et_l_avenant(client, cer_valide, referent, structure):
    client.force_login(referent)
    client.post(url("avenant", cer_valide), _donnees_avenant(cer_valide))
    avenant = Contrat.objects.get(avenant_de=cer_valide)
    for page in (cer_valide, avenant):
        contenu = client.get(url("detail", page)).content.decode()
        assert "En vigueur : version 1" in contenu
        assert "Avenant en préparation : version 2 (brouillon)" in contenu
    assert "Préparer un avenant" not in client.get(url("detail", cer_valide)).content.decode()
    avenant = services.soumettre(contrat=avenant, par=referent, version=avenant.version)
    signer_personne(avenant, referent)
    signer_staff(avenant, referent, Partie.REFERENT)
    avenant.refresh_from_db()
    delegue = DelegueFactory(territoires=[structure.territoire])
    services.valider(contrat=avenant, par=delegue, version=avenant.version)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC)):
        client.force_login(referent)  # the session opened on the day of the contract has expired since
        contenu = client.get(url("detail", cer_valide)).content.decode()
    assert "En vigueur : version 2" in contenu and "Avenant en préparation" not in contenu
    # Both versions stay readable from either page: their PDFs, hashes and signatures.
    for version in (cer_valide.version_courante(), avenant.version_courante()):
        assert url("pdf", version.contrat, numero=version.numero) in contenu
        assert version.sha256 in contenu
    assert client.get(url("pdf", avenant, numero=2)).status_code == 200
    assert "Rompre le contrat" not in contenu and "Préparer un avenant" not in contenu


@pytest.mark.usefixtures("un_jour_du_contrat")
def test_la_file_du_delegue_signale_l_avenant(client, cer_valide, referent, structure):
    avenant = services.preparer_avenant(
        contrat=cer_valide,
        par=referent,
        date_effet=datetime.date(2026, 3, 2),
        motif="Logement",
        version=cer_valide.version,
    )
    avenant = services.soumettre(contrat=avenant, par=referent, version=avenant.version)
    signer_personne(avenant, referent)
    signer_staff(avenant, referent, Partie.REFERENT)
    client.force_login(DelegueFactory(territoires=[structure.territoire]))
    contenu = client.get(reverse("contrats:file_delegue")).content.decode()
    assert "avenant (version 2) : refusé, la version en vigueur le reste" in contenu
    # While the délégué holds it, the référent may still abandon the avenant (not a first contract).
    client.force_login(referent)
    assert "Abandonner" in client.get(url("detail", avenant)).content.decode()
    ContratFactory(accompagnement=mesure(referent), etat=E.EN_VALIDATION)
    premier = Contrat.objects.filter(avenant_de__isnull=True, etat=E.EN_VALIDATION).get()
    assert "Abandonner" not in client.get(url("detail", premier)).content.decode()
