"""Every screen: the owner, a colleague of the same résidence, an outsider (another structure → 404)."""

import html
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse

from accompagnement.models import Accompagnement
from accompagnement.verrou import MESSAGE_CONFLIT
from admissions import services
from admissions.models import Candidature, FinDePriseEnCharge, Logement, ReunionCoordination, Synthese
from referentiel.models import Structure
from residents.models import Consentement, Resident
from tests.accompagnement.factories import CoReferentFactory
from tests.accounts.factories import PartenaireFactory, ReferentFactory
from tests.admissions.factories import E, Residence, avancer, jour
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory
from tests.residents.factories import ConsentementFactory, ResidentFactory


@pytest.fixture
def r():
    return Residence()


@pytest.fixture
def admise(r):
    return avancer(r, r.candidature(), E.ENTREE)


@pytest.fixture
def etranger():
    return ReferentFactory(structures=[StructureFactory(type=Structure.Type.FJT)])


def _urls(c):
    m = c.accompagnement_id
    s = Synthese.objects.create(accompagnement_id=m, contact=c.contact_educatif, date_prevue=jour(1), auteur=c.referent)
    return [
        ("get", reverse("admissions:candidature", args=[c.pk])),
        ("post", reverse("admissions:etape", args=[c.pk, "contrat_sejour"])),
        ("get", reverse("admissions:suivi", args=[m])),
        ("post", reverse("admissions:synthese_planifier", args=[m])),
        ("post", reverse("admissions:synthese_tenir", args=[s.pk])),
        ("post", reverse("admissions:synthese_transmettre", args=[s.pk])),
        ("post", reverse("admissions:intervenant", args=[m])),
        ("post", reverse("admissions:reunion", args=[m])),
        ("post", reverse("admissions:logement", args=[m])),
        ("post", reverse("admissions:fin", args=[m])),
        ("post", reverse("admissions:objectif_sortie", args=[m])),
        ("post", reverse("admissions:sortie", args=[m])),
        ("get", reverse("admissions:sortie_pdf", args=[m])),
    ]


def test_un_etranger_recoit_404_partout(client, admise, etranger):
    client.force_login(etranger)
    for methode, url in _urls(admise):
        assert getattr(client, methode)(url).status_code == 404, url
    assert Synthese.objects.count() == 1


@pytest.mark.parametrize("qui", ["referent", "collegue"])
def test_proprietaire_et_collegue_voient_la_candidature_et_le_suivi(client, r, admise, qui):
    client.force_login(getattr(r, qui))
    page = client.get(reverse("admissions:candidature", args=[admise.pk]))
    assert page.status_code == 200 and str(r.jeune) in page.content.decode()
    page = client.get(reverse("admissions:suivi", args=[admise.accompagnement_id]))
    assert page.status_code == 200 and "Synthèses avec le tiers" in page.content.decode()


def test_tableau_par_etape_avec_age_en_jours(client, r, etranger, django_assert_max_num_queries):
    c = r.candidature()
    autres = [ResidentFactory(structure=r.residence, date_naissance=r.jeune.date_naissance) for _ in range(4)]
    for jeune in autres:
        r.candidature(resident=jeune)
    client.force_login(r.collegue)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("admissions:tableau"))
    contenu = page.content.decode()
    assert page.status_code == 200
    assert "déposée il y a 30 jours" in contenu and reverse("admissions:candidature", args=[c.pk]) in contenu
    client.force_login(etranger)
    contenu = client.get(reverse("admissions:tableau")).content.decode()
    assert reverse("admissions:candidature", args=[c.pk]) not in contenu


def test_tableau_filtre_par_residence_et_valeur_illisible(client, r):
    c = r.candidature()
    client.force_login(r.collegue)
    lien = reverse("admissions:candidature", args=[c.pk])
    assert lien in client.get(reverse("admissions:tableau"), {"residence": r.residence.pk}).content.decode()
    for illisible in ("²", "abc", "1.5"):  # ignored, the whole board shown: never a 500
        page = client.get(reverse("admissions:tableau"), {"residence": illisible})
        assert page.status_code == 200 and lien in page.content.decode()


def test_tableau_hors_fjt_explique(client):
    client.force_login(ReferentFactory())
    page = client.get(reverse("admissions:tableau"))
    assert page.status_code == 200 and "aucune résidence FJT" in page.content.decode()
    assert client.get(reverse("admissions:nouvelle")).status_code == 403


def test_creer_une_candidature_par_le_formulaire(client, r):
    client.force_login(r.referent)
    assert client.get(reverse("admissions:nouvelle")).status_code == 200
    donnees = {
        "residence": r.residence.pk,
        "resident": r.jeune.pk,
        "tiers": r.tiers.pk,
        "contact_educatif": r.contact.pk,
        "date_candidature": jour(-1).isoformat(),
        "note_sociale": "Note du référent éducatif.",
    }
    reponse = client.post(reverse("admissions:nouvelle"), donnees)
    c = Candidature.objects.get()
    assert reponse.status_code == 302 and reponse.url == reverse("admissions:candidature", args=[c.pk])
    # Another form for the same person (not a double submit): refused with a message, still one application.
    reponse = client.post(reverse("admissions:nouvelle"), donnees)
    assert reponse.status_code == 200 and "déjà en cours" in reponse.content.decode()
    assert Candidature.objects.count() == 1


def test_candidature_envoyee_deux_fois_mene_a_la_meme(client, r):
    client.force_login(r.referent)
    jeton = client.get(reverse("admissions:nouvelle")).context["form"].initial["jeton"]
    donnees = {
        "residence": r.residence.pk,
        "resident": r.jeune.pk,
        "tiers": r.tiers.pk,
        "contact_educatif": r.contact.pk,
        "date_candidature": jour(-1).isoformat(),
        "note_sociale": "Note du référent éducatif.",
        "jeton": jeton,
    }
    premiere, seconde = (client.post(reverse("admissions:nouvelle"), donnees) for _ in range(2))
    c = Candidature.objects.get()
    assert premiere.url == seconde.url == reverse("admissions:candidature", args=[c.pk])


def test_etape_par_le_collegue_et_hors_ordre_avec_message(client, r):
    c = r.candidature()
    client.force_login(r.collegue)
    url = reverse("admissions:etape", args=[c.pk, "note"])
    reponse = client.post(
        url,
        {
            "version": c.version,
            "date": jour(0),
            "autonomie": "a",
            "difficultes": "b",
            "parcours": "c",
            "premiers_objectifs": "d",
        },
    )
    assert reponse.status_code == 422 and "Étape hors ordre" in reponse.content.decode()
    reponse = client.post(
        reverse("admissions:etape", args=[c.pk, "contact"]),
        {"version": c.version, "date": jour(0), "referent": r.referent.pk, "compte_rendu": "Appel."},
    )
    assert reponse.status_code == 302
    c.refresh_from_db()
    assert c.etape == E.CONTACT


def test_decision_par_le_referent_refusee_403(client, r):
    c = avancer(r, r.candidature(), E.PREMIERE_RENCONTRE)
    client.force_login(r.referent)
    reponse = client.post(
        reverse("admissions:etape", args=[c.pk, "decision"]),
        {"version": c.version, "decision": "ACCEPTEE", "motif": "ok", "date": jour(0), "tiers_informe_le": jour(0)},
    )
    assert reponse.status_code == 403
    client.force_login(r.responsable)
    reponse = client.post(
        reverse("admissions:etape", args=[c.pk, "decision"]),
        {"version": c.version, "decision": "ACCEPTEE", "motif": "", "date": jour(0), "tiers_informe_le": jour(0)},
    )
    assert reponse.status_code == 422 and "motivée" in reponse.content.decode()


def test_entree_sans_tripartite_signe_message_francais(client, r):
    c = avancer(r, r.candidature(), E.ENTRETIEN_ADMISSION)
    client.force_login(r.referent)
    reponse = client.post(
        reverse("admissions:etape", args=[c.pk, "entree"]),
        {"version": c.version, "date_entree": jour(-2), "reglement_remis_le": jour(-5), "livret_remis_le": jour(-5)},
    )
    assert reponse.status_code == 422 and "tripartite n'est pas signé" in html.unescape(reponse.content.decode())


def test_fin_par_le_referent_403_par_le_responsable_ok(client, r, admise):
    url = reverse("admissions:fin", args=[admise.accompagnement_id])
    au_plus_tot = jour(0) + relativedelta(months=1)
    donnees = {
        "motif": "MANQUEMENT_REGLEMENT",
        "explications": "Manquements répétés.",
        "decidee_le": jour(0),
        "date_effet": au_plus_tot,
        "tiers_informe_le": jour(0),
    }
    client.force_login(r.referent)
    assert client.post(url, donnees).status_code == 403
    client.force_login(r.responsable)
    # Two weeks is shorter than the notice of the référentiel: the page says from when the end is possible.
    reponse = client.post(url, {**donnees, "date_effet": jour(15)})
    assert reponse.status_code == 422
    assert f"ne peut être fixée avant le {au_plus_tot:%d/%m/%Y}" in html.unescape(reponse.content.decode())
    assert not FinDePriseEnCharge.objects.exists()
    assert client.post(url, donnees).status_code == 302
    assert FinDePriseEnCharge.objects.get().decidee_par == r.responsable


def test_sortie_puis_pdf(client, r, admise):
    client.force_login(r.collegue)
    m = admise.accompagnement
    reponse = client.post(
        reverse("admissions:sortie", args=[m.pk]),
        {
            "version": m.version,
            "date_sortie": jour(0),
            "motif_fin": "OBJECTIFS_ATTEINTS",
            "destination": "LOCATION_PRIVEE",
            "repreneur": "Service logement de la Mission Locale",
            "date_relais": jour(0),
            "elements_transmis": "Dossier logement",
            "accord_personne": "on",
        },
    )
    assert reponse.status_code == 302
    pdf = client.get(reverse("admissions:sortie_pdf", args=[m.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_note_pdf_servie_a_l_equipe_seulement(client, r, etranger):
    c = r.candidature()
    client.force_login(r.referent)
    assert client.get(reverse("admissions:note_pdf", args=[c.pk])).status_code == 404  # none uploaded
    services.abandonner(candidature=c, par=r.referent, version=c.version, motif="Retrait")
    client.force_login(etranger)
    assert client.get(reverse("admissions:candidature", args=[c.pk])).status_code == 404


def test_le_dossier_mene_au_suivi_avec_les_partenaires(client, r, admise):
    client.force_login(r.collegue)
    contenu = client.get(reverse("residents:dossier", args=[r.jeune.pk]) + "?sections=1").content.decode()
    assert reverse("admissions:suivi", args=[admise.accompagnement_id]) in contenu


def test_le_tiers_ne_voit_les_syntheses_qu_avec_le_consentement(client, r, admise):
    partenaire = PartenaireFactory(contact_partenaire=r.contact)
    synthese = Synthese.objects.create(
        accompagnement=admise.accompagnement, contact=r.contact, date_prevue=jour(1), auteur=r.referent
    )
    assert not Synthese.objects.visibles_par(partenaire).exists()
    assert not Candidature.objects.visibles_par(partenaire).exists()
    ConsentementFactory(resident=r.jeune, tiers=r.tiers, categories=[Consentement.Categorie.PRESENCE])
    # Seeing the person (a consent in force) is not enough: the application and the other records of
    # the follow-up are no consent category, and a synthèse needs the objectives' consent and its sending.
    assert Accompagnement.objects.visibles_par(partenaire).exists()
    assert not Candidature.objects.visibles_par(partenaire).exists()
    assert not ReunionCoordination.objects.visibles_par(partenaire).exists()
    Synthese.objects.filter(pk=synthese.pk).update(tenue_le=jour(0), bilan="Avance.", transmise_le=jour(0))
    assert not Synthese.objects.visibles_par(partenaire).exists()
    ConsentementFactory(resident=r.jeune, tiers=r.tiers, categories=[Consentement.Categorie.OBJECTIFS])
    assert Synthese.objects.visibles_par(partenaire).count() == 1
    assert not Candidature.objects.visibles_par(partenaire).exists()
    Synthese.objects.filter(pk=synthese.pk).update(transmise_le=None)
    assert not Synthese.objects.visibles_par(partenaire).exists()
    # Another organisation's partner, even consented and co-referent, does not read this tiers' synthèse.
    Synthese.objects.filter(pk=synthese.pk).update(transmise_le=jour(0))
    autre = PartenaireFactory()
    CoReferentFactory(accompagnement=admise.accompagnement, contact=autre.contact_partenaire)
    ConsentementFactory(
        resident=r.jeune, tiers=autre.contact_partenaire.tiers, categories=[Consentement.Categorie.OBJECTIFS]
    )
    assert Accompagnement.objects.visibles_par(autre).exists()
    assert not Synthese.objects.visibles_par(autre).exists()
    # The staff screens stay closed to a partner account (partner pages only).
    # A surname no generated user can carry, so that finding it means the person was named.
    Resident.objects.filter(pk=r.jeune.pk).update(nom="Quennehen-Vasseur")
    client.force_login(partenaire)
    reponse = client.get(reverse("admissions:candidature", args=[admise.pk]))
    assert reponse.status_code != 200 and "Quennehen-Vasseur" not in reponse.content.decode()


def test_suivi_avec_deux_co_referents(client, r, admise):
    """Two co-referents on the measure (the tiers' contact and a colleague of another structure): each
    record of the follow-up is found once (no 500 from a get(), no duplicate in the lists)."""
    m = admise.accompagnement
    ailleurs = ReferentFactory()
    CoReferentFactory(accompagnement=m, user=ailleurs, role="référent du chantier")
    CoReferentFactory(accompagnement=m, user=ReferentFactory(), role="assistante sociale du bailleur")
    assert m.coreferents.count() == 3
    s = services.planifier_synthese(accompagnement=m, par=r.referent, contact=r.contact, date_prevue=jour(0))
    log = services.enregistrer_logement(
        accompagnement=m, par=r.referent, mode="BAIL_GLISSANT", date_debut=jour(-1), glissement_prevu_le=jour(90)
    )
    for qui in (r.referent, ailleurs):
        assert Synthese.objects.visibles_par(qui).count() == 1
        assert Logement.objects.visibles_par(qui).count() == 1
    client.force_login(ailleurs)
    page = client.get(reverse("admissions:suivi", args=[m.pk]))
    assert page.status_code == 200 and page.content.decode().count(f'data-synthese="{s.pk}"') == 1
    reponse = client.post(
        reverse("admissions:synthese_tenir", args=[s.pk]),
        {"version": s.version, "tenue_le": jour(0), "participants": "ASE", "bilan": "Le projet avance."},
    )
    assert reponse.status_code == 302
    s.refresh_from_db()
    assert s.tenue_le == jour(0)
    ConsentementFactory(resident=r.jeune, tiers=r.tiers, categories=[Consentement.Categorie.OBJECTIFS])
    reponse = client.post(reverse("admissions:synthese_transmettre", args=[s.pk]), {"version": s.version})
    assert reponse.status_code == 302
    s.refresh_from_db()
    assert s.transmise_le == jour(0)
    assert client.post(reverse("admissions:glissement", args=[log.pk])).status_code == 302
    log.refresh_from_db()
    assert log.glissement_fait_le == jour(0)


def test_brouillons_et_rappel_de_lecture_sur_les_textes(client, r, admise):
    """Each form keeps a draft of its own (app.js, data-brouillon); those with free text about the young
    person remind the writer that she can read it."""
    rappel = "peut demander à lire ces notes"
    c = r.candidature(resident=ResidentFactory(structure=r.residence, date_naissance=r.jeune.date_naissance))
    client.force_login(r.referent)
    page = client.get(reverse("admissions:candidature", args=[c.pk])).content.decode()
    assert (
        f'data-brouillon="candidature-{c.pk}-contact"' in page
        and f'data-brouillon="candidature-{c.pk}-abandon"' in page
    )
    assert page.count(rappel) == 2  # the phone contact's report and the reason of an abandon
    assert rappel in client.get(reverse("admissions:nouvelle")).content.decode()
    m = admise.accompagnement
    s = services.planifier_synthese(accompagnement=m, par=r.referent, contact=r.contact, date_prevue=jour(0))
    page = client.get(reverse("admissions:suivi", args=[m.pk])).content.decode()
    for cle in (f"synthese-{s.pk}", f"synthese-nouvelle-{m.pk}", f"reunion-{m.pk}", f"sortie-{m.pk}"):
        assert f'data-brouillon="{cle}"' in page, cle
    assert page.count(rappel) == 3  # the synthèse's bilan, the meeting's decisions, what is handed over
    client.force_login(r.responsable)
    page = client.get(reverse("admissions:suivi", args=[m.pk])).content.decode()
    assert f'data-brouillon="fin-{m.pk}"' in page and page.count(rappel) == 4


@pytest.mark.parametrize("version", ["abc", "1.5", "", "9" * 30])
def test_version_trafiquee_message_de_conflit(client, r, version):
    """A tampered hidden version is a conflict with its usual message, never an error 500."""
    c = r.candidature()
    client.force_login(r.referent)
    reponse = client.post(
        reverse("admissions:etape", args=[c.pk, "contact"]),
        {"version": version, "date": jour(0), "referent": r.referent.pk, "compte_rendu": "Appel."},
    )
    assert reponse.status_code == 422
    assert MESSAGE_CONFLIT in html.unescape(reponse.content.decode())
    c.refresh_from_db()
    assert c.etape == E.CANDIDATURE


def test_chaque_formulaire_du_suivi_envoye_deux_fois_n_enregistre_qu_une_ligne(client, r, admise):
    """A double click (or a re-sent POST after a slow answer) on each create form of the follow-up: the
    second submit carries the same jeton and finds the first row."""
    m = admise.accompagnement
    client.force_login(r.referent)
    page = client.get(reverse("admissions:suivi", args=[m.pk])).context
    contact = ContactPartenaireFactory(tiers=r.tiers)
    envois = {
        "synthese_planifier": ("synthese_form", {"contact": r.contact.pk, "date_prevue": jour(3)}),
        "intervenant": ("intervenant_form", {"contact": contact.pk, "role": "CESF du bailleur"}),
        "reunion": ("reunion_form", {"date": jour(0), "autres_participants": "ASE", "decisions": "Bail glissant."}),
        "logement": (
            "logement_form",
            {"mode": "BAIL_GLISSANT", "date_debut": jour(0), "glissement_prevu_le": jour(90)},
        ),
        "objectif_sortie": ("objectif_form", {"libelle": "Trouver un T1"}),
    }
    avant = (m.syntheses.count(), m.coreferents.count(), m.reunions_coordination.count(), m.logements.count())
    for nom, (form, donnees) in envois.items():
        donnees["jeton"] = page[form].initial["jeton"]
        reponses = [client.post(reverse(f"admissions:{nom}", args=[m.pk]), donnees) for _ in range(2)]
        assert [rep.status_code for rep in reponses] == [302, 302], nom
    apres = (m.syntheses.count(), m.coreferents.count(), m.reunions_coordination.count(), m.logements.count())
    assert apres == tuple(n + 1 for n in avant)
    assert m.objectifs.filter(libelle="Trouver un T1").count() == 1


def test_la_synthese_a_tenir_porte_sa_version_une_seule_fois(client, r, admise):
    """Each planned synthesis has its own form: the version the page was read at, once. A shared form
    added an empty `version` after the synthesis' own, and the browser sent both: the last one, empty,
    made every save a conflict."""
    m = admise.accompagnement
    s1 = services.planifier_synthese(accompagnement=m, par=r.referent, contact=r.contact, date_prevue=jour(0))
    s2 = services.planifier_synthese(accompagnement=m, par=r.referent, contact=r.contact, date_prevue=jour(7))
    Synthese.objects.filter(pk=s2.pk).update(version=5)
    client.force_login(r.referent)
    page = client.get(reverse("admissions:suivi", args=[m.pk])).content.decode()
    for s, version in ((s1, s1.version), (s2, 5)):
        action = reverse("admissions:synthese_tenir", args=[s.pk])
        formulaire = re.search(rf'<form method="post" action="{action}".*?</form>', page, re.S).group(0)
        [champ] = re.findall(r'<input[^>]*name="version"[^>]*>', formulaire)  # one, or the browser sends two
        assert f'value="{version}"' in champ
        assert f'id="id_tenue_le_{s.pk}"' in formulaire


@pytest.mark.parametrize(("date", "message"), [("9999-12-31", "trop lointaine"), ("1999-12-31", "trop ancienne")])
def test_une_date_hors_bornes_est_refusee_a_cote_du_champ(client, r, date, message):
    c = r.candidature()
    client.force_login(r.collegue)
    reponse = client.post(
        reverse("admissions:etape", args=[c.pk, "contact"]),
        {"version": c.version, "date": date, "referent": r.referent.pk, "compte_rendu": "Appel."},
    )
    assert message in " ".join(reponse.context["form"].errors["date"])
    c.refresh_from_db()
    assert c.etape == E.CANDIDATURE and c.date_contact is None
