"""Figures of the yearly bilan against a hand-counted caseload (reading in pilotage/bilan.py)."""

import datetime

from accompagnement.models import Accompagnement
from contrats.models import Contrat
from pilotage import bilan
from referentiel.models import Modalite, TypeContrat
from residents.models import Menage
from tests.accompagnement.factories import ActionCollectiveFactory, EntretienFactory, ParticipationFactory
from tests.accounts.factories import AdministrateurFactory, ResponsableFactory
from tests.contrats.factories import ContratFactory
from tests.pilotage.conftest import MOBILISATION, SOCIOPRO, VEILLE, a_paris, mesure
from tests.residents.factories import ResidentFactory

D = datetime.date


def _cas(monde):
    """Hand-counted 2025 caseload of the first structure:
    A  veille all year, still open                     -> accompagné, veille, poursuite
    B  mobilisation ended 10/03 (re-oriented) then
       sociopro from 11/03, still open                 -> accompagné once, mobilisation AND sociopro, poursuite
    C  sociopro ended 30/06, no follow-up              -> accompagné, sociopro, sortie
    D  sociopro ended 31/12/2024                       -> not counted (before the year)
    E  veille from 02/01/2026                          -> not counted (after the year)
    F  sociopro ended 31/12/2025                       -> counted, sortie (ended in the year)
    G  mobilisation ended 15/05 re-oriented to France
       Travail (RSA emploi, not accompanied here)      -> accompagné, mobilisation, sortie
    H  ASLL                                            -> not RSA, not counted
    Expected: accompagnés 5 (A B C F G), veille 1, mobilisation 2, sociopro 3, poursuite 2, sorties 3."""
    r = monde["referent"]
    mesure(r, VEILLE, D(2024, 5, 1))
    b = mesure(r, MOBILISATION, D(2024, 9, 1), D(2025, 3, 10), "REORIENTATION")
    mesure(r, SOCIOPRO, D(2025, 3, 11), resident=b.resident, precedent=b)
    mesure(r, SOCIOPRO, D(2025, 1, 15), D(2025, 6, 30), "OBJECTIFS_ATTEINTS", destination="LOCATION_SOCIALE")
    mesure(r, SOCIOPRO, D(2024, 1, 1), D(2024, 12, 31), "FIN_DROITS")
    mesure(r, VEILLE, D(2026, 1, 2))
    mesure(r, SOCIOPRO, D(2025, 2, 1), D(2025, 12, 31), "DEMENAGEMENT")
    g = mesure(r, MOBILISATION, D(2025, 2, 1), D(2025, 5, 15), "REORIENTATION")
    mesure(r, Modalite.Code.RSA_EMPLOI, D(2025, 5, 16), resident=g.resident, precedent=g)
    mesure(r, Modalite.Code.ASLL, D(2025, 1, 1))
    # Another structure of another territory: counted only for who may see it.
    mesure(monde["etranger"], VEILLE, D(2025, 1, 1))


def test_tableau_du_referentiel_compte_a_la_main(monde):
    _cas(monde)
    responsable = ResponsableFactory(structures=[monde["structure"]])
    lignes, total = bilan.bilan_rsa(responsable, 2025)
    assert len(lignes) == 1
    ligne = lignes[0]
    assert ligne.structure == monde["structure"].nom
    assert ligne.valeurs() == [5, 1, 2, 3, 2, 3]
    assert total.valeurs() == [5, 1, 2, 3, 2, 3]
    assert ligne.accompagnes == ligne.poursuite + ligne.sorties


def test_ligne_par_structure_et_total_pour_l_administrateur(monde):
    _cas(monde)
    lignes, total = bilan.bilan_rsa(AdministrateurFactory(), 2025)
    assert {ligne.structure: ligne.accompagnes for ligne in lignes} == {
        monde["structure"].nom: 5,
        monde["autre"].nom: 1,
    }
    assert total.valeurs() == [6, 2, 2, 3, 3, 3]


def test_colonne_convention_numero_de_la_structure_sinon_son_nom(client, monde):
    """« Convention n° »: the structure's convention number when recorded, else its name; on the page too."""
    from django.urls import reverse

    from tests.accounts.factories import MOT_DE_PASSE

    _cas(monde)
    monde["structure"].numero_convention = "CD88-RSA-2025-012"
    monde["structure"].save()
    lignes, total = bilan.bilan_rsa(AdministrateurFactory(), 2025)
    assert {ligne.structure: ligne.convention for ligne in lignes} == {
        monde["structure"].nom: "CD88-RSA-2025-012",
        monde["autre"].nom: monde["autre"].nom,
    }
    assert total.convention == "Total"
    client.login(username=monde["delegue"].username, password=MOT_DE_PASSE)
    contenu = client.get(reverse("pilotage:bilan"), {"annee": "2025"}).content.decode()
    corps = contenu[contenu.index('id="tableau-bilan"') :]
    corps = corps[corps.index("<tbody>") : corps.index("</tbody>")]
    assert '<th scope="row" class="fw-normal">CD88-RSA-2025-012 ' in corps
    assert monde["structure"].nom in corps  # the structure stays named next to its number


def test_une_personne_dans_deux_structures_compte_une_fois_au_total(monde):
    r, e = monde["referent"], monde["etranger"]
    a = mesure(r, VEILLE, D(2025, 1, 1), D(2025, 4, 30), "DEMENAGEMENT")
    mesure(e, VEILLE, D(2025, 5, 1), resident=a.resident)
    lignes, total = bilan.bilan_rsa(AdministrateurFactory(), 2025)
    par_structure = {ligne.structure: (ligne.accompagnes, ligne.sorties) for ligne in lignes}
    assert par_structure == {monde["structure"].nom: (1, 1), monde["autre"].nom: (1, 0)}
    assert (total.accompagnes, total.poursuite, total.sorties) == (1, 1, 0)


def test_le_delegue_ne_voit_que_son_territoire(monde):
    _cas(monde)
    lignes, total = bilan.bilan_rsa(monde["delegue"], 2025)
    assert [ligne.structure for ligne in lignes] == [monde["structure"].nom]
    lignes, total = bilan.bilan_rsa(monde["delegue_ailleurs"], 2025)
    assert [ligne.structure for ligne in lignes] == [monde["autre"].nom]
    assert total.accompagnes == 1


def test_sorties_de_l_annee_avec_motif_et_destination(monde):
    _cas(monde)
    sorties = list(bilan.sorties_rsa(monde["delegue"], 2025))
    assert sorted((m.date_fin, m.motif_fin) for m in sorties) == [
        (D(2025, 5, 15), "REORIENTATION"),
        (D(2025, 6, 30), "OBJECTIFS_ATTEINTS"),
        (D(2025, 12, 31), "DEMENAGEMENT"),
    ]
    social = next(m for m in sorties if m.date_fin == D(2025, 6, 30))
    assert social.get_destination_display() == "location dans le parc social"


def test_personne_sortie_deux_fois_dans_l_annee_apparait_une_fois(monde):
    r = monde["referent"]
    a = mesure(r, MOBILISATION, D(2025, 1, 1), D(2025, 3, 31), "REORIENTATION")
    mesure(r, SOCIOPRO, D(2025, 4, 1), D(2025, 9, 30), "REFUS", resident=a.resident, precedent=a)
    sorties = list(bilan.sorties_rsa(monde["delegue"], 2025))
    assert [(m.modalite.code, m.motif_fin) for m in sorties] == [(SOCIOPRO, "REFUS")]


def test_osa_heures_par_semaine_et_modalite(monde):
    r = monde["referent"]
    a = mesure(r, SOCIOPRO, D(2025, 1, 1))
    b = mesure(r, MOBILISATION, D(2025, 1, 1))
    # ISO week 2025-W03 runs Monday 13 to Sunday 19 January.
    EntretienFactory(accompagnement=a, date_heure=a_paris(D(2025, 1, 13)), duree_minutes=60)
    EntretienFactory(accompagnement=a, date_heure=a_paris(D(2025, 1, 19)), duree_minutes=30)
    EntretienFactory(accompagnement=a, date_heure=a_paris(D(2025, 1, 20)), duree_minutes=45)  # W04
    EntretienFactory(accompagnement=b, date_heure=a_paris(D(2025, 1, 14)), duree_minutes=90, statut="ABSENT_EXCUSE")
    atelier = ActionCollectiveFactory(
        structure=monde["structure"], date_heure=a_paris(D(2025, 1, 15)), duree_minutes=120
    )
    ParticipationFactory(action=atelier, resident=b.resident)
    ParticipationFactory(action=atelier, resident=ResidentFactory(structure=monde["structure"]))  # no RSA measure
    # [heures, personnes, heures par personne]; the week's total counts each person once.
    assert _osa(monde["delegue"]) == {
        "semaine du 13 janvier 2025": {SOCIOPRO: [1.5, 1, 1.5], MOBILISATION: [2.0, 1, 2.0], "total": [3.5, 2, 1.75]},
        "semaine du 20 janvier 2025": {SOCIOPRO: [0.75, 1, 0.75], "total": [0.75, 1, 0.75]},
    }
    assert bilan.osa(monde["delegue_ailleurs"], 2025) == []


def test_semaine_osa_nommee_par_son_lundi():
    assert bilan.SemaineOSA(2025, 21).libelle == "semaine du 19 mai 2025"
    assert bilan.SemaineOSA(2025, 36).libelle == "semaine du 1er septembre 2025"
    # ISO week 1 of 2026 starts on Monday 29 December 2025.
    assert bilan.SemaineOSA(2026, 1).libelle == "semaine du 29 décembre 2025"


def _osa(user, annee=2025):
    return {
        s.libelle: {**{code: a.valeurs() for code, a in s.par_modalite.items()}, "total": s.total.valeurs()}
        for s in bilan.osa(user, annee)
    }


def test_osa_personne_reorientee_en_cours_d_annee(monde):
    """C: mobilisation until 10/03 then socioprofessionnel from 11/03, and an ASLL measure open all
    along (a second open measure, not RSA). D: socioprofessionnel. Hand count, ISO weeks 2025:
    W10 (3–9 March):  workshop 05/03, 2 h, C          -> mobilisation 2 h, 1 person
    W11 (10–16 March): entretien 10/03, 1 h, C (mobilisation measure) -> mobilisation 1 h, 1 person
                       workshop 12/03, 1.5 h, C and D -> socioprofessionnel 3 h, 2 people, 1.5 h each
                       week total: 4 h for 2 people (C counted once), 2 h per person."""
    r = monde["referent"]
    c_mob = mesure(r, MOBILISATION, D(2024, 9, 1), D(2025, 3, 10), "REORIENTATION")
    mesure(r, SOCIOPRO, D(2025, 3, 11), resident=c_mob.resident, precedent=c_mob)
    mesure(r, Modalite.Code.ASLL, D(2025, 1, 1), resident=c_mob.resident)
    d = mesure(r, SOCIOPRO, D(2025, 1, 1))
    EntretienFactory(accompagnement=c_mob, date_heure=a_paris(D(2025, 3, 10)), duree_minutes=60)
    avant = ActionCollectiveFactory(structure=monde["structure"], date_heure=a_paris(D(2025, 3, 5)), duree_minutes=120)
    apres = ActionCollectiveFactory(structure=monde["structure"], date_heure=a_paris(D(2025, 3, 12)), duree_minutes=90)
    ParticipationFactory(action=avant, resident=c_mob.resident)
    ParticipationFactory(action=apres, resident=c_mob.resident)
    ParticipationFactory(action=apres, resident=d.resident)
    assert _osa(monde["delegue"]) == {
        "semaine du 3 mars 2025": {MOBILISATION: [2.0, 1, 2.0], "total": [2.0, 1, 2.0]},
        "semaine du 10 mars 2025": {MOBILISATION: [1.0, 1, 1.0], SOCIOPRO: [3.0, 2, 1.5], "total": [4.0, 2, 2.0]},
    }


def test_chiffres_asll(monde):
    r = monde["referent"]
    menage = Menage.objects.create()
    p1 = ResidentFactory(structure=monde["structure"], menage=menage)
    p2 = ResidentFactory(structure=monde["structure"], menage=menage, role_menage="CONJOINT")
    asll = Modalite.Code.ASLL
    m1 = mesure(r, asll, D(2024, 10, 1), resident=p1)
    mesure(r, asll, D(2025, 3, 1), D(2025, 9, 1), "OBJECTIFS_ATTEINTS", resident=p2)
    mesure(r, asll, D(2025, 4, 1), D(2025, 11, 2), "REFUS")
    mesure(r, asll, D(2023, 1, 1), D(2024, 6, 1), "REFUS")  # not in 2025
    premier = ContratFactory(
        accompagnement=m1, type=TypeContrat.PLAN_ASLL, date_debut=D(2024, 10, 1), date_fin=D(2025, 4, 1), etat="SIGNE"
    )
    renouvellement = ContratFactory(
        accompagnement=m1,
        type=TypeContrat.PLAN_ASLL,
        date_debut=D(2025, 4, 1),
        date_fin=D(2025, 7, 1),
        etat="SIGNE",
        precedent=premier,
        numero_renouvellement=1,
    )
    # A signed avenant of the renewal (same plan, from 1 July) is not another renewal.
    ContratFactory(
        accompagnement=m1,
        type=TypeContrat.PLAN_ASLL,
        date_debut=D(2025, 7, 1),
        date_fin=D(2025, 10, 1),
        etat="SIGNE",
        avenant_de=renouvellement,
        numero_renouvellement=1,
    )
    c = bilan.chiffres_asll(monde["conseillere"], 2025)
    assert (c["menages"], c["mesures"], c["ouvertes"], c["terminees"], c["renouvelees"]) == (2, 3, 2, 2, 1)
    assert sorted(c["motifs"]) == [("objectifs atteints", 1), ("refus de l'accompagnement", 1)]
    assert bilan.chiffres_asll(monde["delegue"], 2025)["mesures"] == 0  # the délégué does not see the ASLL
    assert Contrat.objects.count() == 3 and Accompagnement.objects.count() == 4


def test_page_du_bilan_selon_l_utilisateur(client, monde):
    from django.urls import reverse

    from tests.accounts.factories import MOT_DE_PASSE

    _cas(monde)
    responsable = ResponsableFactory(structures=[monde["structure"]])
    client.login(username=responsable.username, password=MOT_DE_PASSE)
    page = client.get(reverse("pilotage:bilan"), {"annee": "2025"})
    assert page.status_code == 200
    assert page.context["total"].valeurs() == [5, 1, 2, 3, 2, 3]
    assert len(page.context["sorties"]) == 3
    # An unreadable year: a clear message, last year's bilan, never a 500.
    page = client.get(reverse("pilotage:bilan"), {"annee": "deux-mille"})
    assert page.status_code == 200 and "Année invalide" in page.content.decode()
    client.logout()
    client.login(username=monde["delegue_ailleurs"].username, password=MOT_DE_PASSE)
    assert client.get(reverse("pilotage:bilan"), {"annee": "2025"}).context["total"].accompagnes == 1
    client.logout()
    client.login(username=monde["referent"].username, password=MOT_DE_PASSE)
    assert client.get(reverse("pilotage:bilan")).status_code == 403


def test_page_du_bilan_au_libelle_du_referentiel(client, monde):
    from django.urls import reverse

    from tests.accounts.factories import MOT_DE_PASSE

    _cas(monde)
    client.login(username=monde["delegue"].username, password=MOT_DE_PASSE)
    contenu = client.get(reverse("pilotage:bilan"), {"annee": "2025"}).content.decode()
    tableau = contenu[contenu.index('id="tableau-bilan"') :]
    entete = tableau[: tableau.index("</thead>")]
    # Two-row header of the Vosges table: the three « Dont » under « ARSA accompagnés ».
    assert entete.count("<tr>") == 2
    for libelle in (
        "Convention n°",
        '<th scope="colgroup" colspan="4" class="text-center">ARSA accompagnés</th>',
        "Dont Veille",
        "Dont Mobilisation sociale",
        "Dont Accompagnement socioprofessionnel",
        "Poursuite de l'accompagnement",
        "NB de sorties",
    ):
        assert libelle in entete, libelle
    assert "compte une fois parmi les ARSA accompagnés et une fois dans chaque modalité suivie" in contenu


def test_page_du_bilan_dit_que_les_sorties_sont_tronquees(client, monde, monkeypatch):
    from django.urls import reverse

    from pilotage import views
    from tests.accounts.factories import MOT_DE_PASSE

    _cas(monde)  # three exits
    client.login(username=monde["delegue"].username, password=MOT_DE_PASSE)
    page = client.get(reverse("pilotage:bilan"), {"annee": "2025"})
    assert "Sorties de l'année (3)" in page.content.decode() and 'id="sorties-tronquees"' not in page.content.decode()
    monkeypatch.setattr(views, "SORTIES_AFFICHEES", 2)
    page = client.get(reverse("pilotage:bilan"), {"annee": "2025"})
    contenu = page.content.decode()
    assert len(page.context["sorties"]) == 2 and page.context["nb_sorties"] == 3
    assert "Sorties de l'année (3)" in contenu
    assert "2 premières sur 3, export complet ci-dessous." in contenu


def test_page_du_bilan_osa_par_personne(client, monde):
    from django.urls import reverse

    from tests.accounts.factories import MOT_DE_PASSE

    a = mesure(monde["referent"], SOCIOPRO, D(2025, 1, 1))
    b = mesure(monde["referent"], SOCIOPRO, D(2025, 1, 1))
    EntretienFactory(accompagnement=a, date_heure=a_paris(D(2025, 1, 13)), duree_minutes=60)
    EntretienFactory(accompagnement=b, date_heure=a_paris(D(2025, 1, 14)), duree_minutes=120)
    client.login(username=monde["delegue"].username, password=MOT_DE_PASSE)
    page = client.get(reverse("pilotage:bilan"), {"annee": "2025"})
    [ligne] = page.context["osa_lignes"]
    # 3 h for 2 people: 1.5 h per person, beside the per-person weekly target.
    assert [c.valeurs() for c in ligne["cellules"]] == [[3.0, 2, 1.5]]
    assert ligne["total"].valeurs() == [3.0, 2, 1.5]
    contenu = page.content.decode()
    assert "h par personne" in contenu and "15 heures d'activité par semaine et par personne" in contenu


def test_page_du_bilan_annee_illisible(client, monde):
    from django.urls import reverse

    from tests.accounts.factories import MOT_DE_PASSE

    client.login(username=monde["delegue"].username, password=MOT_DE_PASSE)
    for annee in ("²", "2025.0", "-"):
        page = client.get(reverse("pilotage:bilan"), {"annee": annee})
        assert page.status_code == 200 and "Année invalide" in page.content.decode(), annee
