"""Committees: who may open, see and decide; the decision → action flow; double submits and conflicts."""

import datetime
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement.verrou import MESSAGE_CONFLIT, ConflitDeVersion
from pilotage import services
from pilotage.actions import actions_pour
from pilotage.models import ComiteSuivi, DecisionComite
from referentiel.models import Modalite
from tests.accompagnement.factories import EntretienFactory
from tests.accounts.factories import MOT_DE_PASSE, ResponsableFactory
from tests.contrats.factories import ContratFactory
from tests.pilotage.conftest import MOBILISATION, SOCIOPRO, a_paris, mesure

D = datetime.date
JOUR = D(2026, 3, 31)


@pytest.fixture
def comite(monde):
    r = monde["referent"]
    monde["m1"] = mesure(r, SOCIOPRO, D(2025, 10, 1))
    monde["m2"] = mesure(r, MOBILISATION, D(2026, 1, 10))
    monde["asll"] = mesure(r, Modalite.Code.ASLL, D(2026, 1, 10))
    monde["hors"] = mesure(monde["collegue"], SOCIOPRO, D(2026, 1, 10))
    ContratFactory(accompagnement=monde["m1"], date_debut=D(2025, 10, 1), date_fin=D(2026, 4, 1), etat="VALIDE")
    EntretienFactory(accompagnement=monde["m1"], date_heure=a_paris(D(2026, 3, 20)))
    return services.ouvrir_comite(par=monde["delegue"], type=ComiteSuivi.Type.TRIMESTRIEL_RSA, referent=r, date=JOUR)


def _client(client, user):
    client.login(username=user.username, password=MOT_DE_PASSE)
    return client


def test_ouvrir_est_idempotent_et_reserve_au_delegue_du_territoire(monde, comite):
    r = monde["referent"]
    assert services.ouvrir_comite(par=monde["delegue"], type="TRIMESTRIEL_RSA", referent=r, date=JOUR) == comite
    assert ComiteSuivi.objects.count() == 1
    with pytest.raises(ValidationError, match="territoire"):
        services.ouvrir_comite(par=monde["delegue_ailleurs"], type="TRIMESTRIEL_RSA", referent=r, date=JOUR)
    with pytest.raises(ValidationError, match="délégué"):
        services.ouvrir_comite(par=monde["conseillere"], type="TRIMESTRIEL_RSA", referent=r, date=JOUR)
    asll = services.ouvrir_comite(par=monde["conseillere"], type="MENSUEL_ASLL", referent=r, date=JOUR)
    assert asll.territoire == monde["structure"].territoire


def test_ouverture_par_la_page(client, monde):
    mesure(monde["referent"], SOCIOPRO, D(2025, 10, 1))
    reponse = _client(client, monde["delegue"]).post(
        reverse("pilotage:comites"), {"referent": monde["referent"].pk, "date": "2026-03-31"}
    )
    comite = ComiteSuivi.objects.get()
    assert reponse.status_code == 302 and reponse.url == reverse("pilotage:comite", args=[comite.pk])
    assert comite.president == monde["delegue"] and comite.type == "TRIMESTRIEL_RSA"
    # The référent of another territory is not offered: a clear error, nothing created.
    reponse = client.post(reverse("pilotage:comites"), {"referent": monde["etranger"].pk, "date": "2026-03-31"})
    assert reponse.status_code == 200 and "choix valide" in reponse.content.decode()
    assert ComiteSuivi.objects.count() == 1


def test_pack_liste_les_mesures_rsa_du_referent(monde, comite):
    from pilotage.pack import pack

    lignes, precedent = pack(comite, monde["delegue"])
    assert [ligne.mesure for ligne in lignes] == sorted(
        [monde["m1"], monde["m2"]], key=lambda m: (m.resident.nom, m.resident.prenom, m.pk)
    )
    m1 = next(ligne for ligne in lignes if ligne.mesure == monde["m1"])
    assert m1.contrat.etat == "VALIDE" and m1.contacts_periode == 1
    assert m1.suivi.dernier_contact == D(2026, 3, 20)
    assert precedent is None
    # The délégué of another territory sees nothing of it.
    assert pack(comite, monde["delegue_ailleurs"])[0] == []


def test_pack_frequences_tenues_sur_toute_la_periode(monde, comite):
    """« Tenue » is false when the measure was overdue on any day of the quarter, even if the last
    contact brought it back up to date before the committee."""
    from pilotage.pack import pack

    m1, m2 = monde["m1"], monde["m2"]
    for jour in (D(2025, 12, 30), D(2026, 1, 14), D(2026, 1, 28), D(2026, 2, 11), D(2026, 2, 25), D(2026, 3, 11)):
        EntretienFactory(accompagnement=m1, type="BUREAU", date_heure=a_paris(jour))
    # m2 (mobilisation sociale, from 10 January): contacts kept, but none from 11/02 to 20/03.
    for jour in (D(2026, 1, 20), D(2026, 2, 3), D(2026, 3, 20)):
        EntretienFactory(accompagnement=m2, type="BUREAU", date_heure=a_paris(jour))
    lignes = {ligne.mesure: ligne for ligne in pack(comite, monde["delegue"])[0]}
    assert {m: ligne.tenue for m, ligne in lignes.items()} == {m1: True, m2: False}
    # On the committee's day alone, m2's contact looks fine: only the whole period tells.
    assert lignes[m2].suivi.etat_contact != "EN_RETARD"


@pytest.mark.parametrize(
    ("qui", "statut"),
    [("delegue", 200), ("referent", 200), ("collegue", 404), ("etranger", 404), ("delegue_ailleurs", 404)],
)
def test_page_du_comite_selon_l_utilisateur(client, monde, comite, qui, statut):
    reponse = _client(client, monde[qui]).get(reverse("pilotage:comite", args=[comite.pk]))
    assert reponse.status_code == statut
    if statut == 200:
        contenu = reponse.content.decode()
        assert str(monde["m1"].resident) in contenu
        assert str(monde["hors"].resident) not in contenu
        assert ("Enregistrer la décision" in contenu) is (qui == "delegue")


def test_le_responsable_voit_les_comites_de_sa_structure(client, monde, comite):
    responsable = ResponsableFactory(structures=[monde["structure"]])
    assert _client(client, responsable).get(reverse("pilotage:comite", args=[comite.pk])).status_code == 200
    autre = ResponsableFactory(structures=[monde["autre"]])
    client.logout()
    assert _client(client, autre).get(reverse("pilotage:comite", args=[comite.pk])).status_code == 404


def test_decision_cree_une_action_pour_le_referent(client, monde, comite):
    url = reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk])
    p = f"m{monde['m1'].pk}-"
    donnees = {
        p + "decision": "SANCTION",
        p + "commentaire": "Deux absences non excusées.",
        p + "action": "Envoyer le rapport de signalement",
        p + "action_due_le": "2026-04-15",
        p + "version": "",
    }
    reponse = _client(client, monde["delegue"]).post(url, donnees)
    assert reponse.status_code == 302
    decision = DecisionComite.objects.get()
    assert decision.decision == "SANCTION" and decision.action_due_le == D(2026, 4, 15)
    # A double submit of the same form (version of before) does not duplicate nor overwrite.
    client.post(url, {**donnees, p + "commentaire": "autre"})
    assert DecisionComite.objects.count() == 1
    assert DecisionComite.objects.get().commentaire == "Deux absences non excusées."
    actions = actions_pour(monde["referent"])
    assert [(a["libelle"], a["due_le"]) for a in actions] == [("Envoyer le rapport de signalement", D(2026, 4, 15))]
    assert actions_pour(monde["collegue"]) == []
    # The référent sees it and marks it done; a colleague cannot.
    client.logout()
    faite = reverse("pilotage:action_faite", args=[decision.pk])
    _client(client, monde["collegue"]).post(faite)
    decision.refresh_from_db()
    assert decision.action_faite_le is None
    client.logout()
    _client(client, monde["etranger"])
    assert client.post(faite).status_code == 404
    client.logout()
    page = _client(client, monde["referent"]).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    assert "Envoyer le rapport de signalement" in page and "Marquer comme faite" in page
    client.post(faite)
    decision.refresh_from_db()
    assert decision.action_faite_le is not None
    assert actions_pour(monde["referent"]) == []


def test_le_referent_ne_peut_pas_decider(client, monde, comite):
    p = f"m{monde['m1'].pk}-"
    _client(client, monde["referent"]).post(
        reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk]), {p + "decision": "SORTIE"}
    )
    assert not DecisionComite.objects.exists()


def test_mesure_hors_comite_404(client, monde, comite):
    url = reverse("pilotage:decision", args=[comite.pk, monde["hors"].pk])
    assert _client(client, monde["delegue"]).post(url, {}).status_code == 404
    url = reverse("pilotage:decision", args=[comite.pk, monde["asll"].pk])
    assert client.post(url, {}).status_code == 404


def test_erreurs_claires(monde, comite):
    d = monde["delegue"]
    with pytest.raises(ValidationError, match="modalité"):
        services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="REORIENTATION")
    with pytest.raises(ValidationError, match="pour quand"):
        services.enregistrer_decision(
            comite=comite, accompagnement=monde["m1"], par=d, decision="AUTRE", action="Appeler"
        )
    assert not DecisionComite.objects.exists()


def test_modification_concurrente_refusee(monde, comite):
    d = monde["delegue"]
    premiere = services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE")
    services.enregistrer_decision(
        comite=comite, accompagnement=monde["m1"], par=d, decision="SORTIE", version=premiere.version
    )
    with pytest.raises(ConflitDeVersion):
        services.enregistrer_decision(
            comite=comite, accompagnement=monde["m1"], par=d, decision="AUTRE", version=premiere.version
        )
    assert DecisionComite.objects.get().decision == "SORTIE"


def test_comite_clos_fige_les_decisions_et_pdf(client, monde, comite):
    d = monde["delegue"]
    services.enregistrer_decision(
        comite=comite,
        accompagnement=monde["m2"],
        par=d,
        decision="REORIENTATION",
        modalite_cible=Modalite.objects.get(code=SOCIOPRO),
        commentaire="Projet professionnel défini.",
    )
    services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE")
    reponse = _client(client, d).post(
        reverse("pilotage:compte_rendu", args=[comite.pk]),
        {"compte_rendu": "Comité tenu en présence du référent.", "version": comite.version, "clore": "1"},
    )
    assert reponse.status_code == 302
    comite.refresh_from_db()
    assert comite.etat == "CLOS"
    with pytest.raises(ValidationError, match="clos"):
        services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="SORTIE", version=1)
    pdf = client.get(reverse("pilotage:compte_rendu_pdf", args=[comite.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    client.logout()
    assert (
        _client(client, monde["etranger"]).get(reverse("pilotage:compte_rendu_pdf", args=[comite.pk])).status_code
        == 404
    )


def test_historique_par_referent(client, monde, comite):
    services.ouvrir_comite(par=monde["delegue"], type="TRIMESTRIEL_RSA", referent=monde["collegue"], date=JOUR)
    page = _client(client, monde["delegue"]).get(reverse("pilotage:comites"), {"referent": monde["referent"].pk})
    assert list(page.context["comites"]) == [comite]
    client.logout()
    page = _client(client, monde["referent"]).get(reverse("pilotage:comites"))
    assert list(page.context["comites"]) == [comite] and page.context["form"] is None
    client.logout()
    page = _client(client, monde["etranger"]).get(reverse("pilotage:comites"))
    assert list(page.context["comites"]) == []


def test_action_dans_la_page_a_faire(client, monde, comite):
    services.enregistrer_decision(
        comite=comite,
        accompagnement=monde["m1"],
        par=monde["delegue"],
        decision="AUTRE",
        action="Proposer l'atelier mobilité",
        action_due_le=D(2026, 4, 30),
    )
    page = _client(client, monde["referent"]).get(reverse("echeances:a_faire")).content.decode()
    assert "Proposer l&#x27;atelier mobilité" in page and "30/04/2026" in page
    client.logout()
    page = _client(client, monde["collegue"]).get(reverse("echeances:a_faire")).content.decode()
    assert "atelier mobilité" not in page


def test_nombre_de_requetes_du_pack_independant_du_nombre_de_mesures(client, monde, comite):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _client(client, monde["delegue"])
    url = reverse("pilotage:comite", args=[comite.pk])
    client.get(url)  # the référentiel read once after the factories (referentiel_en_vigueur)
    with CaptureQueriesContext(connection) as avant:
        assert client.get(url).status_code == 200
    for _ in range(4):
        m = mesure(monde["referent"], SOCIOPRO, D(2026, 1, 5))
        ContratFactory(accompagnement=m, date_debut=D(2026, 1, 5), date_fin=D(2026, 7, 5), etat="SIGNE")
        EntretienFactory(accompagnement=m, date_heure=a_paris(D(2026, 3, 1)))
    with CaptureQueriesContext(connection) as apres:
        page = client.get(url)
    assert page.content.decode().count('class="card mb-3"') == 6
    assert len(apres) == len(avant)


@pytest.mark.parametrize(("qui", "statut"), [("delegue", 200), ("referent", 200), ("collegue", 404), ("etranger", 404)])
def test_graphiques_du_comite(client, monde, comite, qui, statut):
    reponse = _client(client, monde[qui]).get(reverse("pilotage:graphiques", args=[comite.pk]), HTTP_HX_REQUEST="true")
    assert reponse.status_code == statut
    if statut == 200:
        g = reponse.context["graphiques"]
        assert [(b["libelle"], b["n"]) for b in g["par_modalite"]["barres"]] == [
            ("RSA – accompagnement socioprofessionnel", 1),
            ("RSA – mobilisation sociale", 1),
        ]
        assert [(b["libelle"], b["n"]) for b in g["par_etat"]["barres"]] == [
            ("validé", 1),
            ("sans contrat en cours", 1),
        ]
        # Four quarter-ends; on the committee's date both measures are counted.
        assert [c["total"] for c in g["conformite"]] == [0, 0, 1, 2]
        assert g["par_modalite"]["barres"][0]["largeur"] == 200 and g["par_modalite"]["hauteur"] == 40
        assert "<table" in reponse.content.decode() and "<svg" in reponse.content.decode()


def test_comite_mensuel_asll(client, monde, comite):
    from pilotage.pack import pack

    asll = services.ouvrir_comite(par=monde["conseillere"], type="MENSUEL_ASLL", referent=monde["referent"], date=JOUR)
    lignes, _precedent = pack(asll, monde["conseillere"])
    assert [ligne.mesure for ligne in lignes] == [monde["asll"]]
    # No sanction procedure in the ASLL committee's choices.
    reponse = _client(client, monde["conseillere"]).get(reverse("pilotage:comite", args=[asll.pk]))
    assert reponse.status_code == 200 and "procédure de sanction" not in reponse.content.decode()
    services.enregistrer_decision(
        comite=asll, accompagnement=monde["asll"], par=monde["conseillere"], decision="POURSUITE"
    )
    with pytest.raises(ValidationError):
        services.enregistrer_decision(
            comite=asll, accompagnement=monde["m1"], par=monde["conseillere"], decision="POURSUITE"
        )
    # The délégué does not see the ASLL committee, the conseillère does not see the RSA one.
    client.logout()
    assert _client(client, monde["delegue"]).get(reverse("pilotage:comite", args=[asll.pk])).status_code == 404
    client.logout()
    assert _client(client, monde["conseillere"]).get(reverse("pilotage:comite", args=[comite.pk])).status_code == 404


@pytest.mark.parametrize("version", ["abc", "²", "1.5"])
def test_version_trafiquee_est_un_conflit(monde, comite, version):
    """The one lock (accompagnement.verrou): a version that is not a number is a stale or tampered form."""
    d = monde["delegue"]
    with pytest.raises(ConflitDeVersion):
        services.enregistrer_decision(
            comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE", version=version
        )
    services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=d, decision="POURSUITE")
    with pytest.raises(ConflitDeVersion):
        services.enregistrer_decision(
            comite=comite, accompagnement=monde["m1"], par=d, decision="SORTIE", version=version
        )
    for fonction in (services.enregistrer_compte_rendu, services.clore_comite):
        with pytest.raises(ConflitDeVersion):
            fonction(comite=comite, par=d, compte_rendu="CR", version=version)
    comite.refresh_from_db()
    assert comite.etat == "OUVERT" and comite.compte_rendu == ""
    assert DecisionComite.objects.get().decision == "POURSUITE"


def test_formulaires_trafiques_par_les_pages(client, monde, comite):
    _client(client, monde["delegue"])
    p = f"m{monde['m1'].pk}-"
    reponse = client.post(
        reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk]),
        {p + "decision": "POURSUITE", p + "version": "²"},
        follow=True,
    )
    assert reponse.status_code == 200 and MESSAGE_CONFLIT in html.unescape(reponse.content.decode())
    reponse = client.post(
        reverse("pilotage:compte_rendu", args=[comite.pk]),
        {"compte_rendu": "CR", "version": "x", "clore": "1"},
        follow=True,
    )
    assert reponse.status_code == 200 and MESSAGE_CONFLIT in html.unescape(reponse.content.decode())
    assert not DecisionComite.objects.exists()
    comite.refresh_from_db()
    assert comite.etat == "OUVERT"


@pytest.mark.parametrize("filtre", ["²", "abc", "1.5"])
def test_filtre_referent_illisible_ignore(client, monde, comite, filtre):
    page = _client(client, monde["delegue"]).get(reverse("pilotage:comites"), {"referent": filtre})
    assert page.status_code == 200 and list(page.context["comites"]) == [comite]


def _export_comite(client, comite):
    import csv
    import io

    reponse = client.post(reverse("pilotage:demander_export"), {"type": "comite", "comite": comite.pk, "format": "csv"})
    assert reponse.status_code == 200
    lignes = list(csv.DictReader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))
    return lignes


def test_mesure_terminee_dans_la_periode_dernier_contact_a_sa_fin(client, monde, comite):
    """A measure ended during the quarter is not active on the committee's day: its last contact and
    meeting are read as of its end, not shown as « aucun »."""
    from pilotage.pack import pack

    finie = mesure(monde["referent"], SOCIOPRO, D(2025, 9, 1), D(2026, 2, 15))
    EntretienFactory(accompagnement=finie, type="VAD", date_heure=a_paris(D(2026, 1, 20)))
    EntretienFactory(accompagnement=finie, type="TELEPHONE", date_heure=a_paris(D(2026, 2, 10)))
    ligne = next(ligne for ligne in pack(comite, monde["delegue"])[0] if ligne.mesure == finie)
    assert ligne.suivi is None and ligne.terminee
    assert (ligne.dernier_contact, ligne.derniere_rencontre) == (D(2026, 2, 10), D(2026, 1, 20))
    m1 = next(ligne for ligne in pack(comite, monde["delegue"])[0] if ligne.mesure == monde["m1"])
    assert not m1.terminee and m1.dernier_contact == D(2026, 3, 20)
    page = _client(client, monde["delegue"]).get(reverse("pilotage:comite", args=[comite.pk])).content.decode()
    assert "mesure terminée le 15/02/2026 ; à cette date, dernier contact : 10/02/2026" in page
    assert "dernière rencontre physique : 20/01/2026" in page
    ligne_export = next(row for row in _export_comite(client, comite) if row["nom"] == finie.resident.nom)
    assert ligne_export["fin"] == "15/02/2026"
    assert (ligne_export["dernier contact"], ligne_export["dernière rencontre"]) == ("10/02/2026", "20/01/2026")


def test_contacts_de_la_periode_comptent_les_ateliers(monde, comite):
    """Each workshop participation counts as a contact (domain.md §2), only within the period."""
    from pilotage.pack import pack
    from tests.accompagnement.factories import ActionCollectiveFactory, ParticipationFactory

    m1 = monde["m1"]
    for jour in (D(2025, 12, 15), D(2026, 3, 5), D(2026, 3, 25), D(2026, 4, 2)):  # 2 in the quarter
        action = ActionCollectiveFactory(structure=m1.structure, date_heure=a_paris(jour, 14))
        ParticipationFactory(action=action, resident=m1.resident)
    ligne = next(ligne for ligne in pack(comite, monde["delegue"])[0] if ligne.mesure == m1)
    assert ligne.contacts_periode == 3  # the entretien of 20/03 and the workshops of 05/03 and 25/03
    assert ligne.dernier_contact == D(2026, 3, 25)


def test_comite_mensuel_asll_ne_prend_que_les_mesures_asll(client, monde):
    """domain.md §7: the monthly committee reviews the ASLL measures (their plan d'actions); an
    accompagnement global coordonné of the same référent, in the conseillère's field, is not one."""
    from pilotage.pack import graphiques, pack

    r = monde["referent"]
    asll = mesure(r, Modalite.Code.ASLL, D(2026, 1, 10))
    mesure(r, Modalite.Code.GLOBAL, D(2026, 1, 10))
    comite = services.ouvrir_comite(par=monde["conseillere"], type="MENSUEL_ASLL", referent=r, date=JOUR)
    assert [ligne.mesure for ligne in pack(comite, monde["conseillere"])[0]] == [asll]
    barres = graphiques(comite, monde["conseillere"])["par_modalite"]["barres"]
    assert [(b["libelle"], b["n"]) for b in barres] == [(asll.modalite.libelle, 1)]


def test_historique_des_comites_pagine(client, monde, comite, monkeypatch):
    """The history is paginated rather than cut silently; the filter stays from page to page and an
    unreadable page number is no 500."""
    from pilotage import views

    monkeypatch.setattr(views, "PAR_PAGE_COMITES", 2)
    ComiteSuivi.objects.bulk_create(
        ComiteSuivi(
            type="TRIMESTRIEL_RSA",
            referent=monde["referent"],
            territoire=comite.territoire,
            president=monde["delegue"],
            date=JOUR - datetime.timedelta(days=91 * k),
        )
        for k in range(1, 5)
    )
    _client(client, monde["delegue"])
    url = reverse("pilotage:comites")
    dates = []
    for numero in (1, 2, 3):
        page = client.get(url, {"referent": monde["referent"].pk, "page": numero})
        dates += [c.date for c in page.context["comites"]]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 5 and dates[0] == JOUR
    html = client.get(url, {"referent": monde["referent"].pk}).content.decode()
    assert f"referent={monde['referent'].pk}&amp;page=2" in html
    for illisible in ("²", "abc", "999", "-1"):
        page = client.get(url, {"page": illisible})
        assert page.status_code == 200 and len(page.context["comites"]) >= 1


def test_decision_qui_appelle_une_action_en_cree_une_par_defaut(client, monde, comite):
    """A re-orientation, a sanction procedure or an exit with no typed action still lands in the
    référent's « À faire », in words, due one month after the committee unless a date is given."""
    d, m1, m2 = monde["delegue"], monde["m1"], monde["m2"]
    p = f"m{m1.pk}-"
    _client(client, d).post(
        reverse("pilotage:decision", args=[comite.pk, m1.pk]),
        {p + "decision": "SANCTION", p + "action": "", p + "action_due_le": "", p + "version": ""},
    )
    reorientation = services.enregistrer_decision(
        comite=comite,
        accompagnement=m2,
        par=d,
        decision="REORIENTATION",
        modalite_cible=Modalite.objects.get(code=SOCIOPRO),
        action_due_le=D(2026, 4, 10),
    )
    assert {(a["resident"], a["libelle"], a["due_le"]) for a in actions_pour(monde["referent"])} == {
        (
            m1.resident,
            "Engager la procédure de sanction décidée en comité du 31/03/2026 : rapport motivé au délégué insertion",
            D(2026, 4, 30),
        ),
        (
            m2.resident,
            "Mettre en œuvre la réorientation vers RSA – accompagnement socioprofessionnel décidée en comité du "
            "31/03/2026",
            D(2026, 4, 10),
        ),
    }
    # The chair changes her mind: the form carries the previous default wording back, it follows the
    # new decision; « poursuite » asks nothing.
    sortie = services.enregistrer_decision(
        comite=comite,
        accompagnement=m2,
        par=d,
        decision="SORTIE",
        action=reorientation.action,
        action_due_le=reorientation.action_due_le,
        version=reorientation.version,
    )
    assert sortie.action.startswith("Organiser la sortie du dispositif décidée en comité du 31/03/2026")
    sanction = DecisionComite.objects.get(accompagnement=m1)
    poursuite = services.enregistrer_decision(
        comite=comite,
        accompagnement=m1,
        par=d,
        decision="POURSUITE",
        action=sanction.action,
        action_due_le=sanction.action_due_le,
        version=sanction.version,
    )
    assert poursuite.action == "" and poursuite.action_due_le is None


def test_export_du_dossier_modalite_visee_et_objectifs(client, monde, comite):
    from accompagnement.models import EvaluationObjectif
    from tests.accompagnement.factories import ObjectifFactory

    m1, m2 = monde["m1"], monde["m2"]
    objectif = ObjectifFactory(accompagnement=m1, libelle="Trouver un stage", echeance=D(2026, 6, 1))
    EvaluationObjectif.objects.create(
        objectif=objectif, date=D(2026, 3, 1), niveau=EvaluationObjectif.Niveau.AMORCE, auteur=monde["referent"]
    )
    services.enregistrer_decision(
        comite=comite,
        accompagnement=m1,
        par=monde["delegue"],
        decision="REORIENTATION",
        modalite_cible=Modalite.objects.get(code=MOBILISATION),
    )
    lignes = {row["nom"]: row for row in _export_comite(_client(client, monde["delegue"]), comite)}
    assert lignes[m1.resident.nom]["décision"] == "réorientation"
    assert lignes[m1.resident.nom]["modalité visée"] == "RSA – mobilisation sociale"
    assert lignes[m1.resident.nom]["objectifs"] == "Trouver un stage (en cours, évalué amorcé le 01/03/2026)"
    assert lignes[m2.resident.nom]["modalité visée"] == "" and lignes[m2.resident.nom]["objectifs"] == ""


# --- owner / colleague / outsider on every committee view -----------------------------------------


@pytest.mark.parametrize(("qui", "statut"), [("referent", 302), ("collegue", 404), ("etranger", 404)])
def test_compte_rendu_seul_le_president_l_ecrit(client, monde, comite, qui, statut):
    """The référent sees the committee but may not write its minutes (a clear message); a colleague
    and an outsider get a 404. Nothing changes in any case."""
    reponse = _client(client, monde[qui]).post(
        reverse("pilotage:compte_rendu", args=[comite.pk]),
        {"compte_rendu": "Réécrit.", "version": comite.version, "clore": "1"},
        follow=statut == 302,
    )
    assert reponse.status_code == (200 if statut == 302 else 404)
    if statut == 302:
        assert "Seul·e la personne qui préside ce comité" in reponse.content.decode()
    comite.refresh_from_db()
    assert comite.compte_rendu == "" and comite.etat == "OUVERT" and comite.version == 1


@pytest.mark.parametrize(("qui", "statut"), [("referent", 200), ("collegue", 404)])
def test_compte_rendu_pdf_referent_et_collegue(client, monde, comite, qui, statut):
    reponse = _client(client, monde[qui]).get(reverse("pilotage:compte_rendu_pdf", args=[comite.pk]))
    assert reponse.status_code == statut
    if statut == 200:
        assert reponse["Content-Type"] == "application/pdf" and reponse.content.startswith(b"%PDF")


def test_decision_par_un_delegue_d_un_autre_territoire_404(client, monde, comite):
    p = f"m{monde['m1'].pk}-"
    reponse = _client(client, monde["delegue_ailleurs"]).post(
        reverse("pilotage:decision", args=[comite.pk, monde["m1"].pk]),
        {p + "decision": "SORTIE", p + "version": ""},
    )
    assert reponse.status_code == 404
    assert not DecisionComite.objects.exists()


def test_liste_des_comites_pour_un_collegue(client, monde, comite):
    """A colleague of the same structure does not see the référent's committees, nor may open one."""
    page = _client(client, monde["collegue"]).get(reverse("pilotage:comites"))
    assert page.status_code == 200 and list(page.context["comites"]) == [] and page.context["form"] is None
    assert list(page.context["referents_historique"]) == []
    assert (
        client.post(reverse("pilotage:comites"), {"referent": monde["collegue"].pk, "date": "2026-03-31"}).status_code
        == 403
    )
    assert ComiteSuivi.objects.count() == 1


@pytest.mark.parametrize("qui", ["etranger", "collegue", "delegue_ailleurs"])
def test_export_du_dossier_d_un_comite_inaccessible_refuse(client, monde, comite, qui, monkeypatch):
    from pilotage import exports
    from pilotage.models import Export

    monkeypatch.setattr(exports, "SEUIL_ARRIERE_PLAN", 0)  # would be queued if it were allowed
    reponse = _client(client, monde[qui]).post(
        reverse("pilotage:demander_export"),
        {"type": "comite", "comite": comite.pk, "format": "xlsx", "jeton": "2" * 32},
        follow=True,
    )
    assert reponse.status_code == 200
    assert "Ce comité n&#x27;existe pas ou ne vous est pas accessible." in reponse.content.decode()
    assert not Export.objects.exists()


def test_export_de_l_historique_des_comites(client, monde, comite):
    """The history page offers its list in XLSX and CSV, with its référent filter; an export holds
    only the committees the user sees."""
    import csv
    import io
    import re

    autre = services.ouvrir_comite(
        par=monde["delegue"], type="TRIMESTRIEL_RSA", referent=monde["collegue"], date=D(2026, 2, 27)
    )
    services.enregistrer_decision(comite=comite, accompagnement=monde["m1"], par=monde["delegue"], decision="POURSUITE")
    _client(client, monde["delegue"])
    page = client.get(reverse("pilotage:comites"), {"referent": monde["referent"].pk}).content.decode()
    formulaire = re.search(r'name="type" value="comites">.*?</form>', page, re.S).group(0)
    assert f'name="referent" value="{monde["referent"].pk}"' in formulaire and 'value="xlsx"' in formulaire

    def lignes(user, **filtre):
        client.logout()
        reponse = _client(client, user).post(
            reverse("pilotage:demander_export"), {"type": "comites", "format": "csv", **filtre}
        )
        assert reponse.status_code == 200
        return list(csv.reader(io.StringIO(reponse.content.decode("utf-8-sig")), delimiter=";"))

    tout = lignes(monde["delegue"])
    assert tout[0] == ["date", "type", "référent", "territoire", "présidé par", "état", "clos le", "décisions"]
    assert [(r[0], r[2], r[7]) for r in tout[1:]] == [
        ("31/03/2026", str(monde["referent"]), "1"),
        ("27/02/2026", str(monde["collegue"]), "0"),
    ]
    assert [r[2] for r in lignes(monde["delegue"], referent=monde["collegue"].pk)[1:]] == [str(autre.referent)]
    assert len(lignes(monde["delegue"], referent="²")) == 3  # an unreadable filter is ignored
    assert len(lignes(monde["etranger"])) == 1 and len(lignes(monde["delegue_ailleurs"])) == 1  # header only
