import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accompagnement.verrou import MESSAGE_CONFLIT
from residents.models import Resident
from tests.accompagnement.factories import (
    AccompagnementFactory,
    CoReferentFactory,
    EntretienFactory,
    ObjectifFactory,
)
from tests.referentiel.factories import ContactPartenaireFactory
from tests.residents.factories import ResidentFactory


def connecte(client, user):
    client.force_login(user)
    return client


def donnees_personne(resident=None, **extra):
    base = {
        "nom": "Lefèvre",
        "prenom": "Élodie",
        "date_naissance": "1995-04-02",
        "sexe": "F",
        "situation_familiale": "SEUL",
        "enfants_a_charge": "0",
        "role_menage": "DEMANDEUR",
    }
    if resident is not None:
        base["version"] = resident.version
    base.update(extra)
    return base


@pytest.mark.parametrize("nom", ["residents:dossier", "residents:modifier", "residents:entretiens", "residents:suivi"])
def test_pages_personne_proprietaire_collegue_etranger(client, nom, mesure, referent, collegue, etranger):
    url = reverse(nom, args=[mesure.resident_id])
    assert connecte(client, referent).get(url).status_code == 200
    assert connecte(client, collegue).get(url).status_code == 200
    assert connecte(client, etranger).get(url).status_code == 404


def test_echeances_a_traiter_rafraichies_seules_proprietaire_collegue_etranger(client, referent, collegue, etranger):
    mesure = AccompagnementFactory(referent=referent, date_debut=timezone.localdate() - datetime.timedelta(days=60))
    url = reverse("residents:suivi", args=[mesure.resident_id]) + "?partie=echeances"
    for user in (referent, collegue):
        reponse = connecte(client, user).get(url, HTTP_HX_REQUEST="true")
        contenu = reponse.content.decode()
        assert reponse.status_code == 200 and "<html" not in contenu
        assert "Échéances à traiter" in contenu and 'id="echeances-dossier"' in contenu
    assert connecte(client, etranger).get(url).status_code == 404
    # Sixty days without a contact: overdue; a phone call logged, the contact is no longer due.
    avant = connecte(client, referent).get(url).content.decode().count("list-group-item")
    EntretienFactory(accompagnement=mesure, type="TELEPHONE")
    apres = client.get(url).content.decode().count("list-group-item")
    assert apres == avant - 1
    # In the dossier's sections (loaded after the page), the same section without the out-of-band swap.
    sections = client.get(reverse("residents:suivi", args=[mesure.resident_id]), {"partie": "sections"})
    assert 'id="echeances-dossier"' in sections.content.decode() and "hx-swap-oob" not in sections.content.decode()


def test_sections_du_dossier_chargees_apres_la_page_proprietaire_collegue_etranger(
    client, referent, collegue, etranger
):
    """The sections below the measures (orientation, échéances to deal with, contracts…) are not in the
    dossier's first answer: htmx asks for them once it is shown, a link renders them in the page without
    script. The same content either way; an outsider gets a 404."""
    mesure = AccompagnementFactory(referent=referent, date_debut=timezone.localdate() - datetime.timedelta(days=60))
    dossier = reverse("residents:dossier", args=[mesure.resident_id])
    fragment = reverse("residents:suivi", args=[mesure.resident_id]) + "?partie=sections"
    page = connecte(client, referent).get(dossier).content.decode()
    assert "Échéances à traiter" not in page and "titre-contrats-dossier" not in page
    assert f'hx-get="{escape(fragment)}" hx-trigger="load"' in page
    assert 'href="?sections=1#sections-dossier"' in page
    for user in (referent, collegue):
        reponse = connecte(client, user).get(fragment, HTTP_HX_REQUEST="true")
        contenu = reponse.content.decode()
        assert reponse.status_code == 200 and "<html" not in contenu
        # Sixty days without a contact: the overdue contact is among the échéances to deal with.
        assert 'id="echeances-dossier"' in contenu and "En retard" in contenu
        assert "Aucun contrat pour l'instant." in contenu and "Partenaires, synthèses et sortie" in contenu
        assert contenu.strip() in client.get(dossier, {"sections": "1"}).content.decode()  # the same, in the page
    assert connecte(client, etranger).get(fragment).status_code == 404
    assert client.get(dossier, {"sections": "1"}).status_code == 404


def test_liste_et_recherche_sans_accents(client, referent, structure, etranger):
    elodie = ResidentFactory(structure=structure, nom="Lefèvre", prenom="Élodie")
    ResidentFactory(structure=structure, nom="Martin", prenom="Paul")
    ResidentFactory(nom="Lefevre", prenom="Elodie")  # same name, other structure: invisible
    reponse = connecte(client, referent).get(reverse("residents:liste"), {"q": "elodie LEFEVRE"})
    assert list(reponse.context["page"].object_list) == [elodie]
    reponse = connecte(client, etranger).get(reverse("residents:liste"), {"q": "Lefèvre"})
    assert [r.structure_id for r in reponse.context["page"].object_list] != [structure.pk]


def test_creer_une_personne(client, referent, structure):
    reponse = connecte(client, referent).post(reverse("residents:creer"), donnees_personne(structure=structure.pk))
    resident = Resident.objects.get()
    assert reponse.status_code == 302 and resident.structure == structure and resident.nom_recherche == "lefevre elodie"


def test_une_personne_envoyee_deux_fois_n_est_creee_qu_une_fois(client, referent, structure):
    """« Créer quand même » past the likely duplicates, clicked twice: one person (accompagnement.jeton)."""
    connecte(client, referent)
    page = client.get(reverse("residents:creer")).content.decode()
    jeton = re.search(r'name="jeton" value="([0-9a-f-]{36})"', page).group(1)
    donnees = donnees_personne(structure=structure.pk, jeton=jeton, creer_quand_meme="1")
    premiere, seconde = (client.post(reverse("residents:creer"), donnees) for _ in range(2))
    assert Resident.objects.count() == 1
    assert premiere["Location"] == seconde["Location"] == reverse("residents:dossier", args=[Resident.objects.get().pk])


def test_creer_une_personne_date_implausible_message(client, referent, structure):
    reponse = connecte(client, referent).post(
        reverse("residents:creer"), donnees_personne(structure=structure.pk, date_naissance="1850-01-01")
    )
    assert reponse.status_code == 200
    # The field's own bound (referentiel.bornes) answers before the database constraint does.
    assert "Cette date est trop ancienne : le 01/01/1900 au plus tôt." in reponse.content.decode()
    assert not Resident.objects.exists()


@pytest.mark.parametrize(
    ("champs", "message"),
    [
        ({"date_naissance": "9999-12-31"}, "Une date de naissance ne peut pas être dans le futur."),
        ({"date_ouverture_rsa": "9999-12-31"}, "Cette date est trop lointaine"),
        ({"date_ouverture_rsa": "1999-12-31"}, "Cette date est trop ancienne : le 01/01/2000 au plus tôt."),
        ({"montant_ressources": "-1"}, "Un montant ne peut pas être négatif."),
    ],
)
def test_une_valeur_hors_bornes_est_refusee_a_cote_du_champ(client, referent, structure, champs, message):
    reponse = connecte(client, referent).post(
        reverse("residents:creer"), donnees_personne(structure=structure.pk, **champs)
    )
    assert reponse.status_code == 200
    (nom,) = champs
    assert message in " ".join(reponse.context["form"].errors[nom])
    assert not Resident.objects.exists()


def test_modifier_puis_conflit_garde_la_saisie(client, mesure, referent, collegue):
    resident = mesure.resident
    url = reverse("residents:modifier", args=[resident.pk])
    # The colleague saves first...
    reponse = connecte(client, collegue).post(url, donnees_personne(resident, telephone="0600000001"))
    assert reponse.status_code == 302
    # ...the référent had opened the form at version 1 and typed something else.
    reponse = connecte(client, referent).post(url, donnees_personne(resident, telephone="0600000002"))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert escape(MESSAGE_CONFLIT) in contenu and "0600000002" in contenu
    resident.refresh_from_db()
    assert resident.telephone == "0600000001" and resident.version == 2
    # Saving again after reading the message goes through, on purpose.
    reponse = client.post(url, donnees_personne(resident, telephone="0600000002"))
    resident.refresh_from_db()
    assert reponse.status_code == 302 and resident.telephone == "0600000002"


def test_dossier_montre_parcours_coreferents_objectifs_et_entretiens(client, mesure, referent):
    CoReferentFactory(accompagnement=mesure, user=None, contact=ContactPartenaireFactory(nom="Durand"))
    ObjectifFactory(accompagnement=mesure, libelle="Ouvrir ses droits CAF")
    EntretienFactory(accompagnement=mesure, notes="Visite du logement")
    EntretienFactory(
        accompagnement=mesure,
        statut="PLANIFIE",
        date_heure=timezone.now() + datetime.timedelta(days=2),
        lieu="Bureau 7",
    )
    contenu = connecte(client, referent).get(reverse("residents:dossier", args=[mesure.resident_id])).content.decode()
    for attendu in ("Parcours", "Durand", "Ouvrir ses droits CAF", "Visite du logement", "Bureau 7", "Historique"):
        assert attendu in contenu
    assert 'id="suivi"' in contenu and 'id="entretiens"' in contenu and 'id="sections-dossier"' in contenu


def test_note_confidentielle_invisible_du_collegue(client, mesure, referent, collegue):
    EntretienFactory(accompagnement=mesure, notes="Confidence de la personne", confidentiel=True)
    url = reverse("residents:dossier", args=[mesure.resident_id])
    assert "Confidence de la personne" in connecte(client, referent).get(url).content.decode()
    assert "Confidence de la personne" not in connecte(client, collegue).get(url).content.decode()


def test_entretiens_du_plus_recent_au_plus_ancien_pagines(client, mesure, referent):
    maintenant = timezone.now()
    for i in range(25):
        EntretienFactory(
            accompagnement=mesure, date_heure=maintenant - datetime.timedelta(days=i), notes=f"note-{i:02d}"
        )
    connecte(client, referent)
    page1 = client.get(reverse("residents:entretiens", args=[mesure.resident_id])).context["page_entretiens"]
    page2 = client.get(reverse("residents:entretiens", args=[mesure.resident_id]), {"page": 2}).context[
        "page_entretiens"
    ]
    assert [e.notes for e in page1.object_list][:2] == ["note-00", "note-01"]
    assert len(page1.object_list) == 20 and len(page2.object_list) == 5


def test_historique_du_dossier_entretiens_objectifs_coreferents(client, mesure, referent, collegue):
    EntretienFactory(accompagnement=mesure, type="VAD", date_heure=timezone.now() - datetime.timedelta(days=1))
    EntretienFactory(accompagnement=mesure, type="VISIO", confidentiel=True, notes="Secret de la personne")
    ObjectifFactory(accompagnement=mesure, libelle="Trouver un T2")
    CoReferentFactory(accompagnement=mesure, user=None, contact=ContactPartenaireFactory(nom="Durand"))
    # Loaded by htmx once the section is in view (residents:suivi ?partie=historique).
    assert (
        "?partie=historique"
        in connecte(client, referent).get(reverse("residents:dossier", args=[mesure.resident_id])).content.decode()
    )
    url = reverse("residents:suivi", args=[mesure.resident_id]) + "?partie=historique"
    objets = [ligne["objet"] for ligne in client.get(url).context["historique"]]
    assert "de l'objectif « Trouver un T2 »" in objets
    assert any(o.startswith("du co-référent") and "Durand" in o for o in objets)
    assert any("(visite à domicile)" in o for o in objets) and any("(visioconférence)" in o for o in objets)
    # The colleague may not read the confidential note: it is not in their history either.
    objets = [ligne["objet"] for ligne in connecte(client, collegue).get(url).context["historique"]]
    assert any("(visite à domicile)" in o for o in objets)
    assert not any("(visioconférence)" in o for o in objets)
    assert "Secret de la personne" not in client.get(url).content.decode()
    from tests.accounts.factories import ReferentFactory

    client.force_login(ReferentFactory())  # an outsider
    assert client.get(url).status_code == 404


def test_la_chronologie_montre_les_ateliers_entre_les_memes_dates(client, mesure, referent, structure, etranger):
    from tests.accompagnement.factories import ActionCollectiveFactory, ParticipationFactory

    maintenant = timezone.now()
    for i in range(25):  # page 1: days 0–19, page 2: days 20–24
        EntretienFactory(accompagnement=mesure, date_heure=maintenant - datetime.timedelta(days=i))
    recent = ActionCollectiveFactory(
        structure=structure, theme="Budget", date_heure=maintenant - datetime.timedelta(days=5, hours=2)
    )
    ancien = ActionCollectiveFactory(
        structure=structure, theme="Mobilité", date_heure=maintenant - datetime.timedelta(days=19, hours=12)
    )
    tres_ancien = ActionCollectiveFactory(
        structure=structure, theme="Logement", date_heure=maintenant - datetime.timedelta(days=40)
    )
    for action in (recent, ancien, tres_ancien):
        ParticipationFactory(action=action, resident=mesure.resident)
    url = reverse("residents:entretiens", args=[mesure.resident_id])
    connecte(client, referent)

    def ateliers(page):
        chronologie = client.get(url, {"page": page}).context["chronologie"]
        dates = [o.action.date_heure if hasattr(o, "action") else o.date_heure for o in chronologie]
        assert dates == sorted(dates, reverse=True)
        return [o.action.theme for o in chronologie if hasattr(o, "action")]

    assert ateliers(1) == ["Budget"]
    assert ateliers(2) == ["Mobilité", "Logement"]
    assert "atelier collectif" in client.get(url).content.decode()


def _garnir(mesure, referent, debut, fin):
    for i in range(debut, fin):
        entretien = EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(days=i))
        entretien.participants.add(referent)
        if i % 5 == 0:
            ObjectifFactory(accompagnement=mesure)


def _requetes(client, url, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(url, params)
    assert reponse.status_code == 200
    return len(requetes)


def test_dossier_et_ses_fragments_nombre_de_requetes_constant(client, mesure, referent):
    """The same count with 2 entretiens and with 30 (more than a timeline page), for the dossier and the
    fragments htmx reloads; the dossier's own count pinned too, so that one query more is seen."""
    connecte(client, referent)
    dossier = reverse("residents:dossier", args=[mesure.resident_id])
    suivi = reverse("residents:suivi", args=[mesure.resident_id])
    pages = [
        (dossier, {}),
        (suivi, {}),
        (suivi, {"partie": "echeances"}),
        (suivi, {"partie": "historique"}),
        (suivi, {"partie": "sections"}),
        (dossier, {"sections": "1"}),
    ]
    client.get(dossier)  # the first page after login also prolongs the session (SESSION_PROLONGATION)
    _garnir(mesure, referent, 0, 2)
    peu = [_requetes(client, url, **params) for url, params in pages]
    _garnir(mesure, referent, 2, 30)
    beaucoup = [_requetes(client, url, **params) for url, params in pages]
    assert beaucoup == peu
    # Of which: the engine's section, one query per rule; one per kind of history; workshops; the
    # committees' decisions (one query, pilotage/includes/section_dossier.html); the menu's « Candidatures »
    # (one query: which modalities the user's structures offer, accounts.navigation.CONDITIONS). One more
    # each for REORIENTATION_DEMANDEE and the sanction procedure (their rules), the « Diagnostic » section
    # (accompagnement/templatetags/diagnostic_tags.py) and the person's reports
    # (echeances/includes/section_sanctions.html).
    # The dossier itself, then its sections (loaded after it) and the whole page without script.
    assert peu[0] <= 22 and peu[4] <= 26 and peu[5] <= 37


def test_saisie_d_un_entretien_depuis_le_dossier_nombre_de_requetes_constant(client, mesure, referent):
    """Logging an entretien from the dossier is one exchange (the answer carries the refreshed parts):
    its query count does not grow with the timeline, and is pinned."""
    import uuid

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connecte(client, referent)
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    dossier = "http://testserver" + reverse("residents:dossier", args=[mesure.resident_id])
    client.get(dossier)  # the first page after login also prolongs the session

    def poster():
        donnees = {
            "type": "TELEPHONE",
            "date_heure": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "statut": "HONORE",
            "duree_minutes": "10",
            "jeton": str(uuid.uuid4()),
        }
        with CaptureQueriesContext(connection) as requetes:
            reponse = client.post(url, donnees, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=dossier)
        assert reponse.status_code == 200 and 'id="entretiens" hx-swap-oob' in reponse.content.decode()
        return len(requetes)

    _garnir(mesure, referent, 0, 3)  # with an objective, so that its evaluations are read both times
    peu = poster()
    _garnir(mesure, referent, 3, 31)
    beaucoup = poster()
    assert beaucoup == peu
    assert peu <= 40  # among them, one query per rule of the engine


def _requetes_du_dossier(client, user, resident):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connecte(client, user)
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse("residents:dossier", args=[resident.pk]))
    assert reponse.status_code == 200
    return len(requetes)


def _personne_a_mesures(referent, nombre, coreferent_user):
    """A person with `nombre` measures (one of each modality), each with co-referents and a rendez-vous."""
    from referentiel.models import Modalite

    resident = ResidentFactory(structure=referent.structures.first())
    for modalite in Modalite.objects.filter(accompagnee_ici=True).order_by("pk")[:nombre]:
        mesure = AccompagnementFactory(referent=referent, resident=resident, modalite=modalite)
        CoReferentFactory(accompagnement=mesure, user=coreferent_user)
        CoReferentFactory(accompagnement=mesure, contact=ContactPartenaireFactory())
        EntretienFactory(
            accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() + datetime.timedelta(days=1)
        )
    return resident


def test_dossier_requetes_constantes_avec_plusieurs_mesures_et_coreferents(client, referent, etranger):
    """Write rights are read once for all the measures (no query per measure), for the team and for a
    co-referent of another structure alike."""
    petit = _personne_a_mesures(referent, 1, etranger)
    grand = _personne_a_mesures(referent, 4, etranger)
    assert grand.accompagnements.count() == 4
    _requetes_du_dossier(client, referent, petit)  # the référentiel read once after the factories
    for user in (referent, etranger):
        assert _requetes_du_dossier(client, user, grand) == _requetes_du_dossier(client, user, petit)
        assert _requetes_du_dossier(client, user, grand) <= 22  # its sections come after it


@pytest.mark.parametrize("nombre", [2, 30])
def test_liste_des_entretiens_nombre_de_requetes_constant(
    client, mesure, referent, django_assert_max_num_queries, nombre
):
    for i in range(nombre):
        EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(days=i))
    connecte(client, referent)
    # + the user's structures (which entretiens may be corrected) and the workshops of the same dates.
    with django_assert_max_num_queries(16):
        client.get(reverse("residents:entretiens", args=[mesure.resident_id]))
    with django_assert_max_num_queries(17):  # + where the previous page ended
        client.get(reverse("residents:entretiens", args=[mesure.resident_id]), {"page": 2})


@pytest.mark.parametrize("nombre", [2, 30])
def test_liste_des_personnes_nombre_de_requetes_constant(
    client, referent, structure, django_assert_max_num_queries, nombre
):
    ResidentFactory.create_batch(nombre, structure=structure)
    connecte(client, referent)
    with django_assert_max_num_queries(11):
        client.get(reverse("residents:liste"))


def test_deux_mesures_actives_on_choisit_celle_de_la_saisie(client, mesure, referent):
    from referentiel.models import Modalite
    from tests.referentiel.factories import modalite

    autre = AccompagnementFactory(referent=referent, resident=mesure.resident, modalite=modalite(Modalite.Code.ASLL))
    url = reverse("residents:dossier", args=[mesure.resident_id])
    reponse = connecte(client, referent).get(url, {"mesure": autre.pk})
    assert reponse.context["mesure_saisie"] == autre


def test_lien_cloturer_selon_les_droits_sur_la_mesure_du_rendez_vous(client, mesure, referent):
    from accompagnement.models import Accompagnement
    from tests.accounts.factories import DelegueFactory

    rdv = EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() - datetime.timedelta(days=3)
    )
    # The measure has ended since: no active measure is writable, yet its rendez-vous can still be closed.
    Accompagnement.objects.filter(pk=mesure.pk).update(
        date_fin=timezone.localdate() - datetime.timedelta(days=1), motif_fin="DEMENAGEMENT"
    )
    cloture = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    dossier = reverse("residents:dossier", args=[mesure.resident_id])
    assert f'href="{cloture}"' in connecte(client, referent).get(dossier).content.decode()
    assert client.get(cloture).status_code == 200
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    assert f'href="{cloture}"' not in connecte(client, delegue).get(dossier).content.decode()
    assert client.get(cloture).status_code == 403


def test_conjoint_nomme_seulement_si_son_dossier_est_visible(client, mesure, referent):
    from residents.models import Menage

    menage = Menage.objects.create()
    resident = mesure.resident
    resident.menage = menage
    resident.save()
    conjoint = ResidentFactory(structure=resident.structure, menage=menage, role_menage="CONJOINT", nom="Visible")
    url = reverse("residents:dossier", args=[resident.pk])
    contenu = connecte(client, referent).get(url).content.decode()
    assert reverse("residents:dossier", args=[conjoint.pk]) in contenu and "Visible" in contenu
    ailleurs = ResidentFactory(menage=menage, role_menage="CONJOINT", nom="Secretnom")  # another structure
    conjoint.menage = None
    conjoint.save()
    contenu = client.get(url).content.decode()
    assert "Secretnom" not in contenu and reverse("residents:dossier", args=[ailleurs.pk]) not in contenu
    assert "dossier que vous ne pouvez pas consulter" in contenu


def test_le_dossier_du_conjoint_nomme_le_demandeur(client, mesure, referent):
    from residents.models import Menage

    menage = Menage.objects.create()
    demandeur = mesure.resident
    demandeur.menage = menage
    demandeur.save()
    conjoint = ResidentFactory(structure=demandeur.structure, menage=menage, role_menage="CONJOINT")
    contenu = connecte(client, referent).get(reverse("residents:dossier", args=[conjoint.pk])).content.decode()
    assert reverse("residents:dossier", args=[demandeur.pk]) in contenu and str(demandeur) in contenu


def test_le_dossier_montre_la_residence_et_la_situation_administrative(client, mesure, referent):
    resident = mesure.resident
    resident.residence = mesure.structure
    resident.logement = "B12"
    resident.situation_administrative = "Titre de séjour en renouvellement"
    resident.save()
    contenu = connecte(client, referent).get(reverse("residents:dossier", args=[resident.pk])).content.decode()
    assert f"{mesure.structure}, logement B12" in contenu
    assert "Titre de séjour en renouvellement" in contenu


def test_le_delegue_lit_le_dossier_sans_pouvoir_le_modifier(client, mesure):
    from tests.accounts.factories import DelegueFactory

    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    connecte(client, delegue)
    reponse = client.get(reverse("residents:dossier", args=[mesure.resident_id]))
    assert reponse.status_code == 200 and reponse.context["form_entretien"] is None
    assert "Modifier l&#x27;identité" not in reponse.content.decode()
    assert client.get(reverse("residents:modifier", args=[mesure.resident_id])).status_code == 403


def test_dossier_montre_la_mesure_precedente_et_le_relais(client, mesure, referent):
    """The previous measure and the hand-over are read apart from the measures (not joined): shown all
    the same, with their names."""
    contact = ContactPartenaireFactory(nom="Quennehen-Relais")
    mesure.date_fin = timezone.localdate()
    mesure.motif_fin = "REORIENTATION"
    mesure.relais_contact = contact
    mesure.save()
    suite = AccompagnementFactory(
        resident=mesure.resident, referent=referent, structure=mesure.structure, precedent=mesure
    )
    connecte(client, referent)
    page = client.get(reverse("residents:dossier", args=[mesure.resident_id])).content.decode()
    assert f"Suite de : {mesure.modalite.libelle}" in page
    assert "Quennehen-Relais" in page
    assert suite.modalite.libelle in page


@pytest.mark.parametrize(
    "page, numero, lignes",
    [(None, 1, 20), ("2", 2, 5), ("abc", 1, 20), ("0", 2, 5), ("-1", 2, 5), ("99", 2, 5), ("1" + "0" * 30, 2, 5)],
)
def test_pages_de_la_chronologie(client, mesure, referent, page, numero, lignes):
    """The rows and their total come in one query (no COUNT apart); any page asked for gives a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(25):
        EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(days=i))
    connecte(client, referent)
    with CaptureQueriesContext(connection) as requetes:
        reponse = client.get(reverse("residents:entretiens", args=[mesure.resident_id]), {"page": page} if page else {})
    assert reponse.status_code == 200
    assert reponse.context["page_entretiens"].number == numero
    assert len(reponse.context["page_entretiens"].object_list) == lignes
    assert f"Page {numero} sur 2" in reponse.content.decode()
    comptes = [q["sql"] for q in requetes.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert comptes == [] if page in (None, "2", "abc") else len(comptes) == 1


def test_chronologie_vide(client, mesure, referent):
    connecte(client, referent)
    reponse = client.get(reverse("residents:entretiens", args=[mesure.resident_id]), {"page": "3"})
    assert reponse.status_code == 200
    assert "Aucun entretien ni atelier pour l'instant." in reponse.content.decode()


def test_dossier_orientation_sans_requete_de_plus(client, referent):
    """The RSA orientation is read with the person (not one more query when the page shows it). Both are RSA
    beneficiaries (the « Orientation RSA » section and the parcours' échéances cost the same for both)."""
    from referentiel.models import Modalite

    structure = referent.structures.first()
    ouverture = timezone.localdate() - datetime.timedelta(days=3)
    sans = ResidentFactory(structure=structure, date_ouverture_rsa=ouverture)
    avec = ResidentFactory(structure=structure, date_ouverture_rsa=ouverture)
    modalite = Modalite.objects.filter(accompagnee_ici=True).order_by("pk").first()
    avec.orientation, avec.date_orientation = modalite, timezone.localdate()
    avec.save()
    for resident in (sans, avec):
        AccompagnementFactory(referent=referent, resident=resident, modalite=modalite)
    _requetes_du_dossier(client, referent, sans)  # the référentiel read once after the factories
    # (`sans` may cost one more: her awaited orientation is an échéance whose délégués are read.)
    assert _requetes_du_dossier(client, referent, avec) <= _requetes_du_dossier(client, referent, sans)
    assert (
        f"{modalite} ({timezone.localdate():%d/%m/%Y})"
        in client.get(reverse("residents:dossier", args=[avec.pk])).content.decode()
    )


def test_etat_des_echeances_a_cote_de_la_mesure_jamais_coupe(client, mesure, referent):
    """In the dossier's narrow column the state came last and was cut off at the card's edge: it now
    follows the measure, and the dates scroll in a region the keyboard can reach."""
    page = connecte(client, referent).get(reverse("residents:suivi", args=[mesure.resident_id])).content.decode()
    assert 'role="region" aria-label="Échéances des mesures actives"' in page and 'tabindex="0"' in page
    entetes = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert entetes[:2] == ["Mesure", "État"]
