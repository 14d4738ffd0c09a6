"""The committee never loses a decision (issue 17 §1): each card starts « à décider » and shows its state,
a card is saved alone (htmx), closing is refused while a person has no decision (« non examiné » is an
explicit one), the minutes PDF is complete, a closed committee is corrected only by an addendum, and the
référent picker offers only the référents of the committee's field."""

import datetime
import html
import re
import subprocess
import uuid

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.verrou import MESSAGE_CONFLIT
from pilotage import services
from pilotage.models import AvenantComite, ComiteSuivi, DecisionComite
from referentiel.models import Modalite
from tests.accounts.factories import MOT_DE_PASSE
from tests.pilotage.conftest import MOBILISATION, PARIS, SOCIOPRO, mesure

D = datetime.date
JOUR = D(2026, 3, 31)


@pytest.fixture
def comite(monde):
    r = monde["referent"]
    monde["m1"] = mesure(r, SOCIOPRO, D(2025, 10, 1), resident__nom="Lefèvre", resident__prenom="Élodie")
    monde["m2"] = mesure(r, MOBILISATION, D(2026, 1, 10), resident__nom="Bernard", resident__prenom="Yanis")
    monde["m3"] = mesure(r, SOCIOPRO, D(2026, 1, 10), resident__nom="Caron", resident__prenom="Inès")
    return services.ouvrir_comite(par=monde["delegue"], type=ComiteSuivi.Type.TRIMESTRIEL_RSA, referent=r, date=JOUR)


def _client(client, user):
    client.login(username=user.username, password=MOT_DE_PASSE)
    return client


def _carte(page, mesure):
    """The decision block of one card, as the page shows it."""
    debut = page.index(f'id="decision-{mesure.pk}"')
    return page[debut : page.index("</article>", debut)]


def _donnees(mesure, **valeurs):
    p = f"m{mesure.pk}-"
    base = {"decision": "", "modalite_cible": "", "commentaire": "", "action": "", "action_due_le": "", "version": ""}
    return {p + cle: valeur for cle, valeur in {**base, **valeurs}.items()}


# --- 1. a card is saved or visibly not ---------------------------------------------------------------


def test_chaque_carte_commence_a_decider_sans_choix_preselectionne(client, monde, comite):
    page = _client(client, monde["delegue"]).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    for m in (monde["m1"], monde["m2"], monde["m3"]):
        carte = _carte(page, m)
        assert "À décider" in carte
        select = re.search(rf'<select name="m{m.pk}-decision".*?</select>', carte, re.S).group(0)
        # The only selected option is the empty one: nothing looks chosen, let alone saved.
        assert re.findall(r'<option value="([^"]*)" selected>', select) == [""]
        assert "poursuite de l&#x27;accompagnement" in select


def test_une_carte_enregistree_montre_son_heure_locale(client, monde, comite):
    # 09:42 UTC is 10:42 in Paris (summer time from 29 March 2026).
    with time_machine.travel(datetime.datetime(2026, 3, 31, 8, 42, tzinfo=datetime.UTC), tick=False):
        services.enregistrer_decision(
            comite=comite, accompagnement=monde["m1"], par=monde["delegue"], decision="POURSUITE"
        )
    with time_machine.travel(datetime.datetime(2026, 3, 31, 9, 5, tzinfo=PARIS), tick=False):
        page = _client(client, monde["delegue"]).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    carte = _carte(page, monde["m1"])
    assert "Enregistrée à 10 h 42" in carte
    assert '<option value="POURSUITE" selected>' in carte
    assert "À décider" in _carte(page, monde["m2"])
    # Another day, the date is said too.
    client.logout()
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, 0, tzinfo=PARIS), tick=False):
        page = _client(client, monde["delegue"]).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    assert "Enregistrée le 31/03/2026 à 10 h 42" in _carte(page, monde["m1"])


def test_enregistrer_une_carte_en_htmx_ne_renvoie_que_cette_carte(client, monde, comite):
    url = reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk])
    reponse = _client(client, monde["delegue"]).post(
        url, _donnees(monde["m1"], decision="POURSUITE", commentaire="Bonne dynamique."), HTTP_HX_REQUEST="true"
    )
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert [t.name for t in reponse.templates][0] == "pilotage/includes/decision.html"
    assert contenu.lstrip().startswith("<div") and "<html" not in contenu
    assert f'id="decision-{monde["m1"].pk}"' in contenu and f'id="decision-{monde["m2"].pk}"' not in contenu
    assert "Décision enregistrée pour Élodie Lefèvre." in contenu and "Enregistrée à" in contenu
    # The count beside « Clore le comité » follows, out of band: two people left.
    assert 'id="reste-a-decider" hx-swap-oob="true"' in contenu
    assert "2 personnes sans décision" in contenu
    assert DecisionComite.objects.get().commentaire == "Bonne dynamique."
    # The version moved on in the card: saving it again changes the decision, no conflict.
    version = re.search(rf'name="m{monde["m1"].pk}-version" value="(\d+)"', contenu).group(1)
    reponse = client.post(url, _donnees(monde["m1"], decision="SORTIE", version=version), HTTP_HX_REQUEST="true")
    assert DecisionComite.objects.get().decision == "SORTIE"
    # Without htmx, the whole page (redirect to the card).
    reponse = client.post(
        reverse("pilotage:decision", args=[comite.pk, monde["m2"].pk]), _donnees(monde["m2"], decision="POURSUITE")
    )
    assert reponse.status_code == 302 and reponse.url.endswith(f"#mesure-{monde['m2'].pk}")


def test_erreur_dans_la_carte_saisie_conservee(client, monde, comite):
    url = reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk])
    reponse = _client(client, monde["delegue"]).post(
        url,
        _donnees(monde["m1"], decision="REORIENTATION", commentaire="Projet à préciser", action="Appeler"),
        HTTP_HX_REQUEST="true",
    )
    contenu = html.unescape(reponse.content.decode())
    assert reponse.status_code == 200
    assert "Indiquez la modalité vers laquelle réorienter la personne." in contenu
    assert 'role="alert"' in contenu
    assert "Projet à préciser</textarea>" in contenu and 'value="Appeler"' in contenu
    assert '<option value="REORIENTATION" selected>' in contenu and "À décider" in contenu
    # No decision chosen: a French message, nothing saved.
    reponse = client.post(url, _donnees(monde["m1"], commentaire="Sans choix"), HTTP_HX_REQUEST="true")
    contenu = html.unescape(reponse.content.decode())
    assert "Décision : Choisissez une décision." in contenu and "Sans choix</textarea>" in contenu
    assert not DecisionComite.objects.exists()


def test_conflit_dans_la_carte(client, monde, comite):
    d = monde["delegue"]
    premiere = services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE")
    services.enregistrer_decision(
        comite=comite, accompagnement=monde["m1"], par=d, decision="SORTIE", version=premiere.version
    )
    url = reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk])
    reponse = _client(client, d).post(
        url,
        _donnees(monde["m1"], decision="AUTRE", commentaire="Mon avis", version=premiere.version),
        HTTP_HX_REQUEST="true",
    )
    contenu = html.unescape(reponse.content.decode())
    assert MESSAGE_CONFLIT in contenu and "Mon avis</textarea>" in contenu
    assert "Décision :</strong> sortie du dispositif" in contenu  # what is saved now, shown
    assert DecisionComite.objects.get().decision == "SORTIE"
    # A deliberate resubmit of the same card goes through (the version moved on).
    version = re.search(rf'name="m{monde["m1"].pk}-version" value="(\d+)"', contenu).group(1)
    client.post(url, _donnees(monde["m1"], decision="AUTRE", version=version), HTTP_HX_REQUEST="true")
    assert DecisionComite.objects.get().decision == "AUTRE"


def test_page_legere_formulaires_sans_requete_par_carte(client, monde, comite):
    """The cards are plain markup: the page's queries and its weight per card do not grow with them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _client(client, monde["delegue"])
    url = reverse("pilotage:comite", args=[comite.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as avant:
        taille_avant = len(client.get(url).content)
    for i in range(10):
        mesure(monde["referent"], SOCIOPRO, D(2026, 1, 5), resident__nom=f"Nom{i}")
    with CaptureQueriesContext(connection) as apres:
        taille_apres = len(client.get(url).content)
    assert len(apres) == len(avant)
    assert (taille_apres - taille_avant) / 10 < 6000  # bytes per card


# --- 2. closing ----------------------------------------------------------------------------------------


def test_clore_refuse_tant_qu_une_personne_n_a_pas_de_decision(monde, comite):
    d = monde["delegue"]
    services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE")
    with pytest.raises(services.PersonnesSansDecision) as refus:
        services.clore_comite(comite=comite, par=d, compte_rendu="CR", version=comite.version)
    assert [m.pk for m in refus.value.mesures] == [monde["m2"].pk, monde["m3"].pk]
    assert "2 personnes sans décision (Yanis Bernard, Inès Caron)" in refus.value.messages[0]
    comite.refresh_from_db()
    assert comite.etat == "OUVERT" and comite.compte_rendu == ""
    for m in (monde["m2"], monde["m3"]):
        services.enregistrer_decision(comite=comite, accompagnement=m, par=d, decision="AUTRE")
    services.clore_comite(comite=comite, par=d, compte_rendu="CR", version=comite.version)
    comite.refresh_from_db()
    assert comite.etat == "CLOS"


def test_clore_par_la_page_liste_les_personnes_restantes(client, monde, comite):
    d = monde["delegue"]
    services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE")
    reponse = _client(client, d).post(
        reverse("pilotage:compte_rendu", args=[comite.pk]),
        {"compte_rendu": "Comité tenu avec le référent.", "version": comite.version, "clore": "1"},
    )
    assert reponse.status_code == 200
    contenu = html.unescape(reponse.content.decode())
    refus = contenu[contenu.index('id="refus-cloture"') :]
    refus = refus[: refus.index("</div>")]
    assert "Le comité ne peut pas être clos : 2 personnes sans décision" in refus
    assert f'href="#mesure-{monde["m2"].pk}">Yanis Bernard' in refus and "Inès Caron" in refus
    assert "Élodie Lefèvre" not in refus
    assert "Comité tenu avec le référent.</textarea>" in contenu  # the minutes as typed
    assert "Marquer les personnes restantes « non examinées »" in contenu
    comite.refresh_from_db()
    assert comite.etat == "OUVERT"


def test_marquer_les_personnes_restantes_non_examinees(client, monde, comite):
    d = monde["delegue"]
    services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="SORTIE")
    page = _client(client, d).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    formulaire = re.search(r'action="[^"]*/non-examines/".*?</form>', page, re.S).group(0)
    ids = re.findall(r'name="mesure" value="(\d+)"', formulaire)
    assert sorted(ids) == sorted([str(monde["m2"].pk), str(monde["m3"].pk)])
    assert (
        "data-confirm"
        in page[page.index('action="' + reverse("pilotage:non_examines", args=[comite.pk])) - 300 :][:600]
    )
    # Meanwhile m2 gets a real decision: it keeps it.
    services.enregistrer_decision(comite=comite, accompagnement=monde["m2"], par=d, decision="POURSUITE")
    # The référent may not do it.
    client.logout()
    _client(client, monde["referent"]).post(reverse("pilotage:non_examines", args=[comite.pk]), {"mesure": ids})
    assert DecisionComite.objects.count() == 2
    client.logout()
    reponse = _client(client, d).post(reverse("pilotage:non_examines", args=[comite.pk]), {"mesure": ids})
    assert reponse.status_code == 302
    decisions = dict(DecisionComite.objects.values_list("accompagnement_id", "decision"))
    assert decisions == {monde["m1"].pk: "SORTIE", monde["m2"].pk: "POURSUITE", monde["m3"].pk: "NON_EXAMINE"}
    # Twice is harmless; a non-examined person asks nothing of the référent.
    client.post(reverse("pilotage:non_examines", args=[comite.pk]), {"mesure": ids})
    assert DecisionComite.objects.count() == 3
    assert DecisionComite.objects.get(accompagnement=monde["m3"]).action == ""
    services.clore_comite(comite=comite, par=d, compte_rendu="", version=comite.version)


def test_non_examine_ne_touche_que_les_personnes_listees(monde, comite):
    d = monde["delegue"]
    creees = services.marquer_non_examines(comite=comite, par=d, mesures=[str(monde["m3"].pk)])
    assert [c.accompagnement for c in creees] == [monde["m3"]]
    with pytest.raises(services.PersonnesSansDecision):
        services.clore_comite(comite=comite, par=d, compte_rendu="", version=comite.version)
    with pytest.raises(ValidationError, match="Formulaire invalide"):
        services.marquer_non_examines(comite=comite, par=d, mesures=["abc"])


# --- 3. minutes and addenda ----------------------------------------------------------------------------


def _texte_pdf(contenu, tmp_path):
    chemin = tmp_path / "pv.pdf"
    chemin.write_bytes(contenu)
    return subprocess.run(["pdftotext", str(chemin), "-"], capture_output=True, check=True, text=True).stdout


def _clore(monde, comite):
    d = monde["delegue"]
    services.enregistrer_decision(
        comite=comite,
        accompagnement=monde["m1"],
        par=d,
        decision="REORIENTATION",
        modalite_cible=Modalite.objects.get(code=MOBILISATION),
        commentaire="Projet à reprendre pas à pas.",
    )
    services.enregistrer_decision(comite=comite, accompagnement=monde["m2"], par=d, decision="POURSUITE")
    services.marquer_non_examines(comite=comite, par=d, mesures=[monde["m3"].pk])
    return services.clore_comite(comite=comite, par=d, compte_rendu="Comité tenu en présence du référent.", version=1)


def test_proces_verbal_complet(client, monde, comite, tmp_path):
    _clore(monde, comite)
    reponse = _client(client, monde["delegue"]).get(reverse("pilotage:compte_rendu_pdf", args=[comite.pk]))
    texte = " ".join(_texte_pdf(reponse.content, tmp_path).split())
    assert "Procès-verbal du comité de suivi trimestriel RSA" in texte
    assert "Participants" in texte
    assert f"{monde['delegue']}, délégué·e insertion, président·e du comité" in texte
    assert f"{monde['referent']}, référent·e RSA" in texte
    assert "Personnes suivies 3" in texte and "Personnes examinées 2" in texte
    assert "Personnes non examinées 1" in texte
    assert "Décision : poursuite de l'accompagnement 1" in texte and "Décision : réorientation 1" in texte
    assert "Alertes au jour du comité" in texte
    # Each decision, in its table row (a cell's words may wrap).
    assert re.search(r"Élodie .*Lefèvre.*réorientation vers.*Projet à reprendre", texte)
    assert re.search(r"Inès .*Caron.*non examiné", texte)
    assert "Comité tenu en présence du référent." in texte
    assert "Signatures" in texte and "Signature :" in texte


def test_avenant_seule_correction_d_un_comite_clos(client, monde, comite, tmp_path):
    d = monde["delegue"]
    with pytest.raises(ValidationError, match="encore ouvert"):
        services.ajouter_avenant(comite=comite, par=d, texte="Trop tôt")
    _clore(monde, comite)
    comite.refresh_from_db()
    with pytest.raises(ValidationError, match="avant le comité"):
        services.ajouter_avenant(comite=comite, par=d, texte="Antidaté", date=D(2026, 3, 30))
    # The original stays as it was: decisions and minutes refuse any change.
    decision = DecisionComite.objects.get(accompagnement=monde["m2"])
    with pytest.raises(ValidationError, match="clos"):
        services.enregistrer_decision(
            comite=comite, accompagnement=monde["m2"], par=d, decision="SORTIE", version=decision.version
        )
    with pytest.raises(ValidationError, match="clos"):
        services.enregistrer_compte_rendu(comite=comite, par=d, compte_rendu="Réécrit", version=comite.version)
    page = _client(client, d).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    assert "Enregistrer la décision" not in page and "Ajouter l'avenant" in page
    jeton = str(uuid.uuid4())
    url = reverse("pilotage:avenant", args=[comite.pk])
    donnees = {
        "texte": "Yanis Bernard : lire « sortie » au lieu de « poursuite ».",
        "date": "2026-04-03",
        "jeton": jeton,
    }
    assert client.post(url, donnees).status_code == 302
    client.post(url, donnees)  # sent twice: one addendum
    avenant = AvenantComite.objects.get()
    assert (avenant.auteur, avenant.date) == (d, D(2026, 4, 3))
    assert DecisionComite.objects.get(accompagnement=monde["m2"]).decision == "POURSUITE"
    page = html.unescape(client.get(reverse("pilotage:comite", args=[comite.pk])).content.decode())
    assert "Avenant du 03/04/2026" in page and "lire « sortie » au lieu de « poursuite »" in page
    texte = " ".join(
        _texte_pdf(client.get(reverse("pilotage:compte_rendu_pdf", args=[comite.pk])).content, tmp_path).split()
    )
    assert "Avenants au procès-verbal" in texte and "Avenant n° 1 du 03/04/2026" in texte
    assert "lire « sortie » au lieu de « poursuite »" in texte
    assert "Comité tenu en présence du référent." in texte  # the original kept
    # An empty text is refused in French, the form shown again.
    reponse = client.post(url, {"texte": "", "date": "2026-04-03", "jeton": str(uuid.uuid4())})
    assert reponse.status_code == 200 and "Écrivez le texte de l&#x27;avenant." in reponse.content.decode()
    # The référent sees the addendum, may not write one; an outsider gets a 404.
    client.logout()
    _client(client, monde["referent"])
    assert "lire « sortie »" in html.unescape(client.get(reverse("pilotage:comite", args=[comite.pk])).content.decode())
    client.post(url, {**donnees, "jeton": str(uuid.uuid4())})
    client.logout()
    assert _client(client, monde["etranger"]).post(url, {**donnees, "jeton": str(uuid.uuid4())}).status_code == 404
    assert AvenantComite.objects.count() == 1


# --- 5. the decision in the person's dossier ----------------------------------------------------------


def test_la_decision_apparait_dans_le_dossier_de_la_personne(client, monde, comite):
    services.enregistrer_decision(
        comite=comite,
        accompagnement=monde["m1"],
        par=monde["delegue"],
        decision="AUTRE",
        commentaire="Reprendre contact avec la Mission Locale.",
        action="Proposer l'atelier mobilité",
        action_due_le=D(2026, 4, 30),
    )
    url = reverse("residents:dossier", args=[monde["m1"].resident_id]) + "?sections=1"
    page = html.unescape(_client(client, monde["referent"]).get(url).content.decode())
    section = page[page.index('id="titre-comites-dossier"') :]
    section = section[: section.index("</section>")]
    assert "Comité de suivi trimestriel RSA du 31/03/2026" in section and "autre" in section
    assert "Reprendre contact avec la Mission Locale." in section
    assert "Action demandée au référent : Proposer l'atelier mobilité — pour le 30/04/2026" in section
    m1 = monde["m1"].pk  # the page shows the cards down to hers (they come by blocks)
    assert f'href="{reverse("pilotage:comite", args=[comite.pk])}?voir={m1}#mesure-{m1}"' in section
    # Another person's dossier shows none of it.
    page = client.get(reverse("residents:dossier", args=[monde["m2"].resident_id]) + "?sections=1").content.decode()
    assert 'id="titre-comites-dossier"' not in page


def test_non_examines_en_une_ecriture_avec_historique(monde, comite, django_assert_max_num_queries):
    """Marking many people costs the same few queries as marking one, and each decision has its history."""
    d = monde["delegue"]
    for i in range(20):
        mesure(monde["referent"], SOCIOPRO, D(2026, 1, 5), resident__nom=f"Restant{i}")
    from pilotage.pack import mesures_du_comite

    ids = list(mesures_du_comite(comite, d).values_list("pk", flat=True))
    with django_assert_max_num_queries(12):
        creees = services.marquer_non_examines(comite=comite, par=d, mesures=ids)
    assert len(creees) == 23 == DecisionComite.objects.filter(decision="NON_EXAMINE").count()
    assert DecisionComite.history.filter(decision="NON_EXAMINE", history_user=d).count() == 23


def test_carte_envoyee_apres_la_cloture(client, monde, comite):
    """A card sent from a page opened before the closing: refused in French in the card, and the form
    is gone (the committee is closed)."""
    d = monde["delegue"]
    _client(client, d)
    for m in (monde["m1"], monde["m2"], monde["m3"]):
        services.enregistrer_decision(comite=comite, accompagnement=m, par=d, decision="POURSUITE")
    services.clore_comite(comite=comite, par=d, compte_rendu="", version=comite.version)
    reponse = client.post(
        reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk]),
        _donnees(monde["m1"], decision="SORTIE", version="1"),
        HTTP_HX_REQUEST="true",
    )
    contenu = reponse.content.decode()
    assert "Ce comité est clos : ses décisions ne peuvent plus être modifiées." in contenu
    assert "Enregistrer la décision" not in contenu
    assert DecisionComite.objects.get(accompagnement=monde["m1"]).decision == "POURSUITE"
