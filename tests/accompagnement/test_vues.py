import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accompagnement.models import Accompagnement, ActionCollective, Entretien
from accompagnement.verrou import MESSAGE_CONFLIT
from tests.accompagnement.factories import (
    AccompagnementFactory,
    ActionCollectiveFactory,
    CoReferentFactory,
    EntretienFactory,
    ObjectifFactory,
    ParticipationFactory,
)
from tests.accounts.factories import ReferentFactory
from tests.residents.factories import ResidentFactory


def connecte(client, user):
    client.force_login(user)
    return client


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


# --- owner / colleague / outsider on every page of a measure -----------------------------------------

PAGES_MESURE = [
    "accompagnement:entretien_nouveau",
    "accompagnement:rendez_vous_nouveau",
    "accompagnement:demander_reorientation",
    "accompagnement:terminer",
    "accompagnement:objectif_nouveau",
    "accompagnement:coreferent_ajouter",
]


@pytest.mark.parametrize("nom", PAGES_MESURE)
def test_pages_d_une_mesure_proprietaire_collegue_etranger(client, nom, mesure, referent, collegue, etranger):
    url = reverse(nom, args=[mesure.pk])
    assert connecte(client, referent).get(url).status_code == 200
    assert connecte(client, collegue).get(url).status_code == 200
    assert connecte(client, etranger).get(url).status_code == 404
    assert connecte(client, etranger).post(url, {}).status_code == 404


def test_pages_objectif_et_coreferent_etranger_404(client, mesure, referent, etranger):
    objectif = ObjectifFactory(accompagnement=mesure)
    coref = CoReferentFactory(accompagnement=mesure, user=referent.__class__.objects.create(username="x"))
    urls = [
        reverse("accompagnement:objectif_modifier", args=[objectif.pk]),
        reverse("accompagnement:objectif_evaluer", args=[objectif.pk]),
        reverse("accompagnement:coreferent_retirer", args=[coref.pk]),
    ]
    for url in urls:
        assert connecte(client, referent).get(url).status_code == 200
        assert connecte(client, etranger).get(url).status_code == 404


# --- entretien ----------------------------------------------------------------------------------------


def donnees_entretien(**extra):
    return {
        "type": "TELEPHONE",
        "date_heure": local(timezone.now() - datetime.timedelta(minutes=2)),
        "statut": "HONORE",
        "duree_minutes": "10",
        "notes": "Appel pour le dossier CAF.",
        "jeton": str(uuid.uuid4()),
        **extra,
    }


def test_noter_un_appel_htmx_renvoie_un_formulaire_neuf_et_les_parties_du_dossier(client, mesure, referent):
    """One exchange: the answer carries the emptied form and, out of band, the dossier's suivi table,
    échéances and timeline with the new entretien (no follow-up request)."""
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    dossier = "http://testserver" + reverse("residents:dossier", args=[mesure.resident_id])
    donnees = donnees_entretien(notes="Appel pour le dossier CAF du jour.")
    reponse = connecte(client, referent).post(url, donnees, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=dossier)
    assert reponse.status_code == 200 and "HX-Trigger" not in reponse
    contenu = reponse.content.decode()
    assert contenu.index('id="form-entretien"') < contenu.index("hx-swap-oob")
    assert "Entretien enregistré." in contenu
    for partie in ('id="suivi"', 'id="echeances-dossier"', 'id="entretiens"'):
        assert f'{partie} hx-swap-oob="outerHTML"' in contenu
    assert "Appel pour le dossier CAF du jour." in contenu.split('id="entretiens"')[1]
    entretien = Entretien.objects.get()
    assert (entretien.type, entretien.statut, entretien.physique) == ("TELEPHONE", "HONORE", False)


def test_noter_un_appel_hors_du_dossier_ne_renvoie_que_le_formulaire(client, mesure, referent):
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    page = "http://testserver" + url  # the form's own page: no suivi table to refresh there
    reponse = connecte(client, referent).post(
        url, donnees_entretien(), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=page
    )
    contenu = reponse.content.decode()
    assert "Entretien enregistré." in contenu and "hx-swap-oob" not in contenu
    assert Entretien.objects.count() == 1


def test_participants_et_objectifs_notes_puis_formulaire_neuf_aux_memes_choix(client, mesure, referent, collegue):
    objectif = ObjectifFactory(accompagnement=mesure, libelle="Ouvrir ses droits CAF")
    ailleurs = ObjectifFactory()  # another measure's objective: not a choice
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    donnees = donnees_entretien(participants=[collegue.pk], objectifs=[objectif.pk])
    reponse = connecte(client, referent).post(url, donnees, HTTP_HX_REQUEST="true")
    entretien = Entretien.objects.get()
    assert list(entretien.participants.all()) == [collegue]
    assert list(entretien.objectifs.all()) == [objectif]
    # The blank form that follows offers the same choices, none ticked.
    html = reponse.content.decode()
    [case] = re.findall(r'<input[^>]*name="objectifs"[^>]*>', html)
    assert f'value="{objectif.pk}"' in case and "checked" not in case and "Ouvrir ses droits CAF" in html
    [case] = re.findall(r'<input[^>]*name="participants"[^>]*>', html)
    assert f'value="{collegue.pk}"' in case and "checked" not in case
    refus = client.post(url, donnees_entretien(objectifs=[ailleurs.pk]), HTTP_HX_REQUEST="true")
    assert Entretien.objects.count() == 1 and "choix valide" in refus.content.decode()


def test_double_clic_un_seul_entretien(client, mesure, referent):
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    donnees = donnees_entretien()
    connecte(client, referent)
    client.post(url, donnees)
    reponse = client.post(url, donnees, follow=True)
    assert Entretien.objects.count() == 1
    assert "déjà enregistré" in reponse.content.decode()


def test_entretien_futur_message_clair_et_saisie_conservee(client, mesure, referent):
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    futur = local(timezone.now() + datetime.timedelta(days=1))
    reponse = connecte(client, referent).post(url, donnees_entretien(date_heure=futur, notes="Texte à garder"))
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "ne peut pas être marqué honoré" in contenu and "Texte à garder" in contenu
    assert not Entretien.objects.exists()


def test_entretien_date_invalide_message_francais(client, mesure, referent):
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    reponse = connecte(client, referent).post(url, donnees_entretien(date_heure="pas une date"))
    assert reponse.status_code == 200
    assert "Saisissez une date et une heure valides" in reponse.content.decode()


def test_un_partenaire_lecteur_recoit_403(client, mesure):
    from tests.accounts.factories import DelegueFactory

    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    assert connecte(client, delegue).get(url).status_code == 403


# --- rendez-vous --------------------------------------------------------------------------------------


def test_planifier_puis_marquer_absent(client, mesure, referent):
    connecte(client, referent)
    url = reverse("accompagnement:rendez_vous_nouveau", args=[mesure.pk])
    demain = local(timezone.now() + datetime.timedelta(days=1))
    reponse = client.post(url, {"type": "BUREAU", "date_heure": demain, "lieu": "Bureau 2", "jeton": str(uuid.uuid4())})
    assert reponse.status_code == 302
    rdv = Entretien.objects.get(statut="PLANIFIE")
    cloture = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    reponse = client.post(cloture, {"statut": "ABSENT_NON_EXCUSE", "version": rdv.version})
    assert "pas encore eu lieu" in reponse.content.decode()
    Entretien.objects.filter(pk=rdv.pk).update(date_heure=timezone.now() - datetime.timedelta(hours=1))
    reponse = client.post(cloture, {"statut": "ABSENT_NON_EXCUSE", "version": rdv.version})
    assert reponse.status_code == 302
    rdv.refresh_from_db()
    assert rdv.statut == "ABSENT_NON_EXCUSE"


def test_cloture_concurrente_message_de_conflit(client, mesure, referent):
    rdv = EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() - datetime.timedelta(hours=1)
    )
    Entretien.objects.filter(pk=rdv.pk).update(version=2)
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    reponse = connecte(client, referent).post(url, {"statut": "HONORE", "version": 1})
    assert escape(MESSAGE_CONFLIT) in reponse.content.decode()


def test_liste_des_rendez_vous_du_jour_et_de_la_semaine(client, mesure, referent, etranger):
    passe = EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() - datetime.timedelta(days=3)
    )
    autre = EntretienFactory(statut="PLANIFIE", date_heure=timezone.now() + datetime.timedelta(hours=1))
    reponse = connecte(client, referent).get(reverse("accompagnement:rendez_vous"))
    assert reponse.status_code == 200
    assert passe in reponse.context["a_cloturer"]
    tous = reponse.context["aujourdhui"] + reponse.context["semaine"] + reponse.context["a_cloturer"]
    assert autre not in tous


# --- file active ---------------------------------------------------------------------------------------


def test_file_active_du_referent(client, referent, collegue, etranger):
    a_moi = AccompagnementFactory(referent=referent, resident__nom="Lefèvre", resident__prenom="Élodie")
    AccompagnementFactory(referent=collegue)
    AccompagnementFactory(referent=etranger)
    terminee = AccompagnementFactory(referent=referent)
    Accompagnement.objects.filter(pk=terminee.pk).update(date_fin=datetime.date(2026, 2, 1), motif_fin="AUTRE")
    reponse = connecte(client, referent).get(reverse("accompagnement:file_active"))
    mesures = [ligne["mesure"] for ligne in reponse.context["page"].object_list]
    assert mesures == [a_moi]
    assert reponse.context["page"].object_list[0]["etat"] in ("A_JOUR", "BIENTOT", "EN_RETARD")


def test_file_active_recherche_sans_accents(client, referent):
    elodie = AccompagnementFactory(referent=referent, resident__nom="Lefèvre", resident__prenom="Élodie")
    AccompagnementFactory(referent=referent, resident__nom="Martin", resident__prenom="Paul")
    connecte(client, referent)
    for terme in ("elodie lefevre", "LEFÈVRE", "lefev"):
        reponse = client.get(reverse("accompagnement:file_active"), {"q": terme})
        assert [ligne["mesure"] for ligne in reponse.context["page"].object_list] == [elodie]


def test_file_active_filtre_modalite_et_etat(client, referent):
    from referentiel.models import Modalite
    from tests.referentiel.factories import modalite

    asll = AccompagnementFactory(referent=referent, modalite=modalite(Modalite.Code.ASLL))
    AccompagnementFactory(referent=referent)
    connecte(client, referent)
    reponse = client.get(reverse("accompagnement:file_active"), {"modalite": asll.modalite_id})
    assert [ligne["mesure"] for ligne in reponse.context["page"].object_list] == [asll]
    # Both measures started long ago without any contact: the engine says they are overdue.
    reponse = client.get(reverse("accompagnement:file_active"), {"etat": "A_JOUR"})
    assert reponse.context["total"] == 0
    reponse = client.get(reverse("accompagnement:file_active"), {"etat": "EN_RETARD"})
    assert reponse.context["total"] == 2


def test_un_appel_met_la_mesure_a_jour_pour_le_contact(client, mesure, referent):
    connecte(client, referent)
    avant = client.get(reverse("accompagnement:file_active")).context["page"].object_list[0]["suivi"]
    client.post(reverse("accompagnement:entretien_nouveau", args=[mesure.pk]), donnees_entretien())
    apres = client.get(reverse("accompagnement:file_active")).context["page"].object_list[0]["suivi"]
    assert avant.dernier_contact is None
    # The call's own day (made two minutes ago: just after midnight, that is yesterday).
    assert apres.dernier_contact == timezone.localdate(mesure.entretiens.get().date_heure)
    assert apres.prochain_contact > avant.prochain_contact


def test_responsable_voit_la_structure_et_filtre_par_referent(client, responsable, referent, collegue, etranger):
    m1 = AccompagnementFactory(referent=referent)
    m2 = AccompagnementFactory(referent=collegue)
    AccompagnementFactory(referent=etranger)
    connecte(client, responsable)
    reponse = client.get(reverse("accompagnement:file_active"))
    assert {ligne["mesure"] for ligne in reponse.context["page"].object_list} == {m1, m2}
    reponse = client.get(reverse("accompagnement:file_active"), {"referent": collegue.pk})
    assert [ligne["mesure"] for ligne in reponse.context["page"].object_list] == [m2]


@pytest.mark.parametrize(("valeur", "ignore"), [("²", True), ("abc", True), (" ", True), ("9" * 20, False)])
def test_file_active_filtres_invalides_sans_erreur(client, responsable, referent, valeur, ignore):
    """ "²".isdigit() is True but int("²") fails: an invalid filter is ignored, an unknown one finds nothing."""
    mesure = AccompagnementFactory(referent=referent)
    reponse = connecte(client, responsable).get(
        reverse("accompagnement:file_active"), {"referent": valeur, "modalite": valeur}
    )
    assert reponse.status_code == 200
    assert [ligne["mesure"] for ligne in reponse.context["page"].object_list] == ([mesure] if ignore else [])


def test_file_active_htmx_renvoie_le_tableau_seul(client, referent, mesure):
    reponse = connecte(client, referent).get(reverse("accompagnement:file_active"), HTTP_HX_REQUEST="true")
    assert "<html" not in reponse.content.decode() and "<table" in reponse.content.decode()


@pytest.mark.parametrize("nombre", [3, 12])
def test_file_active_nombre_de_requetes_constant(client, referent, django_assert_max_num_queries, nombre):
    for _ in range(nombre):
        mesure = AccompagnementFactory(referent=referent)
        EntretienFactory(accompagnement=mesure)
    connecte(client, referent)
    # The référentiel is read afresh after the factories wrote to it: 4 of these queries once it is kept.
    with django_assert_max_num_queries(17):
        reponse = client.get(reverse("accompagnement:file_active"))
    assert reponse.context["total"] == nombre


@pytest.mark.parametrize("nombre", [3, 12])
def test_file_active_responsable_nombre_de_requetes_constant(
    client, responsable, referent, collegue, django_assert_max_num_queries, nombre
):
    for i in range(nombre):
        AccompagnementFactory(referent=referent if i % 2 else collegue)
    connecte(client, responsable)
    with django_assert_max_num_queries(18):  # the référentiel read afresh, as above
        reponse = client.get(reverse("accompagnement:file_active"))
    assert reponse.context["total"] == nombre


# --- workshops -----------------------------------------------------------------------------------------


def test_creer_un_atelier_de_six_personnes(client, referent, structure):
    personnes = ResidentFactory.create_batch(6, structure=structure)
    donnees = {
        "theme": "Gérer son budget",
        "date_heure": local(timezone.now() - datetime.timedelta(hours=1)),
        "duree_minutes": "90",
        "structure": structure.pk,
        "residents": [p.pk for p in personnes],
        "jeton": str(uuid.uuid4()),
    }
    connecte(client, referent)
    reponse = client.post(reverse("accompagnement:atelier_nouveau"), donnees)
    assert reponse.status_code == 302
    client.post(reverse("accompagnement:atelier_nouveau"), donnees)
    action = ActionCollective.objects.get()
    assert action.participations.count() == 6


def test_atelier_personne_d_une_autre_structure_refusee(client, referent, structure):
    donnees = {
        "theme": "Budget",
        "date_heure": local(timezone.now()),
        "duree_minutes": "90",
        "structure": structure.pk,
        "residents": [ResidentFactory().pk],
    }
    reponse = connecte(client, referent).post(reverse("accompagnement:atelier_nouveau"), donnees)
    assert reponse.status_code == 200 and not ActionCollective.objects.exists()


def test_liste_des_ateliers_signale_moins_de_cinq(client, referent, collegue, etranger, structure):
    petit = ActionCollectiveFactory(structure=structure, theme="Petit groupe")
    grand = ActionCollectiveFactory(structure=structure, theme="Grand groupe")
    for _ in range(2):
        ParticipationFactory(action=petit, resident=ResidentFactory(structure=structure))
    for _ in range(6):
        ParticipationFactory(action=grand, resident=ResidentFactory(structure=structure))
    ActionCollectiveFactory(theme="Ailleurs")
    reponse = connecte(client, collegue).get(reverse("accompagnement:ateliers"))
    lignes = {a.theme: a for a in reponse.context["page"].object_list}
    assert set(lignes) == {"Petit groupe", "Grand groupe"}
    assert lignes["Petit groupe"].sous_minimum and not lignes["Grand groupe"].sous_minimum
    assert "moins de 5 participants" in reponse.content.decode()
    assert connecte(client, etranger).get(reverse("accompagnement:atelier", args=[petit.pk])).status_code == 404
    assert connecte(client, referent).get(reverse("accompagnement:atelier", args=[petit.pk])).status_code == 200


# --- orientation, exit, conflicts -----------------------------------------------------------------------


def test_terminer_fin_avant_debut_message(client, mesure, referent):
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    reponse = connecte(client, referent).post(
        url,
        {"date_fin": "2025-12-01", "motif_fin": "DEMENAGEMENT", "destination": "FAMILLE", "version": mesure.version},
    )
    assert "La date de fin ne peut pas précéder la date de début." in reponse.content.decode()
    mesure.refresh_from_db()
    assert mesure.date_fin is None


def test_terminer_conflit_garde_la_saisie(client, mesure, referent):
    Accompagnement.objects.filter(pk=mesure.pk).update(version=5)
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    reponse = connecte(client, referent).post(
        url,
        {
            "date_fin": "2026-06-01",
            "motif_fin": "DEMENAGEMENT",
            "destination": "FAMILLE",
            "relais": "Relais CCAS",
            "version": 1,
        },
    )
    contenu = reponse.content.decode()
    assert escape(MESSAGE_CONFLIT) in contenu and "Relais CCAS" in contenu
    assert 'name="version" value="5"' in contenu


def test_terminer_un_sejour_sous_convention_exige_la_decision_du_responsable(client, referent):
    """The measure's end form does not bypass the responsable's decision (domain.md §8)."""
    from referentiel.models import Modalite

    convention = AccompagnementFactory(referent=referent, modalite=Modalite.objects.get(code="FJT_CONVENTION"))
    url = reverse("accompagnement:terminer", args=[convention.pk])
    reponse = connecte(client, referent).post(
        url,
        {
            "date_fin": timezone.localdate(),
            "motif_fin": "FIN_CONTRAT_JEUNE_MAJEUR",
            "destination": "FAMILLE",
            "version": convention.version,
        },
    )
    assert reponse.status_code == 200  # the form shown again with its error
    assert "décidé par le responsable de la résidence" in reponse.content.decode()
    convention.refresh_from_db()
    assert convention.date_fin is None


def _mesure_fjt(referent):
    """A measure its team re-orients (an RSA one goes through the délégué: test_orientations)."""
    from referentiel.models import Modalite
    from tests.referentiel.factories import StructureFactory

    fjt = StructureFactory(type="FJT")
    referent.structures.add(fjt)
    return AccompagnementFactory(
        referent=referent,
        structure=fjt,
        resident__structure=fjt,
        resident__date_naissance=datetime.date(2005, 3, 1),  # within the FJT's ages
        modalite=Modalite.objects.get(code="FJT_REGULIER"),
    )


def test_reorienter_par_le_formulaire(client, referent):
    from referentiel.models import Modalite

    mesure = _mesure_fjt(referent)
    cible = Modalite.objects.get(code=Modalite.Code.FJT_PONCTUEL)
    reponse = connecte(client, referent).post(
        reverse("accompagnement:reorienter", args=[mesure.pk]),
        {"modalite": cible.pk, "date": "2026-03-01", "referent": referent.pk, "version": mesure.version},
    )
    assert reponse.status_code == 302
    assert Accompagnement.objects.get(precedent=mesure).modalite == cible


def test_une_mesure_rsa_se_reoriente_sur_demande_au_delegue(client, mesure, referent):
    url = reverse("accompagnement:reorienter", args=[mesure.pk])
    reponse = connecte(client, referent).get(url)
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("accompagnement:demander_reorientation", args=[mesure.pk])
    assert client.post(url, {"modalite": "1", "date": "2026-03-01", "version": mesure.version}).status_code == 302
    mesure.refresh_from_db()
    assert mesure.date_fin is None


def test_reorienter_sans_referent_vers_une_modalite_accompagnee_ici(client, referent):
    from referentiel.models import Modalite

    mesure = _mesure_fjt(referent)
    ponctuel = Modalite.objects.get(code=Modalite.Code.FJT_PONCTUEL)
    reponse = connecte(client, referent).post(
        reverse("accompagnement:reorienter", args=[mesure.pk]),
        {"modalite": ponctuel.pk, "date": "2026-03-01", "version": mesure.version},
    )
    assert reponse.status_code == 200  # the form shown again with its error
    assert "Choisissez le référent de la nouvelle mesure." in reponse.content.decode()
    mesure.refresh_from_db()
    assert mesure.date_fin is None


# --- htmx after an expired session or without the second factor -----------------------------------------


def test_htmx_sans_session_recoit_hx_redirect_vers_la_connexion(client, mesure):
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    dossier = f"http://testserver/personnes/{mesure.resident_id}/?mesure={mesure.pk}"
    reponse = client.post(url, donnees_entretien(), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=dossier)
    assert reponse.status_code == 204 and not reponse.content
    assert reponse["HX-Redirect"] == f"/connexion/?next=%2Fpersonnes%2F{mesure.resident_id}%2F%3Fmesure%3D{mesure.pk}"
    # Another site's address is never a destination; without htmx, the plain redirect stays.
    reponse = client.post(url, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://ailleurs.example/")
    assert reponse["HX-Redirect"] == f"/connexion/?next=%2Faccompagnement%2F{mesure.pk}%2Fentretien%2F"
    reponse = client.post(url, donnees_entretien())
    assert reponse.status_code == 302 and reponse["Location"].startswith("/connexion/?next=")
    assert not Entretien.objects.exists()


def test_htmx_sans_second_facteur_recoit_hx_redirect_vers_le_code(client_sans_2fa, mesure, referent):
    from demo.clients import appareil_totp

    appareil_totp(referent)
    client_sans_2fa.force_login(referent)
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    dossier = f"http://testserver/personnes/{mesure.resident_id}/"
    reponse = client_sans_2fa.post(url, donnees_entretien(), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=dossier)
    assert reponse.status_code == 204
    assert reponse["HX-Redirect"] == f"{reverse('otp_verifier')}?next=%2Fpersonnes%2F{mesure.resident_id}%2F"
    assert client_sans_2fa.post(url, donnees_entretien()).status_code == 302
    assert not Entretien.objects.exists()


# --- correcting an entretien, closing a rendez-vous with notes -----------------------------------------


def donnees_modification(entretien, **extra):
    return {
        "type": entretien.type,
        "date_heure": local(entretien.date_heure),
        "statut": entretien.statut,
        "duree_minutes": "30",
        "notes": "Note corrigée.",
        "version": entretien.version,
        **extra,
    }


def test_modifier_un_entretien_proprietaire_collegue_etranger(client, mesure, referent, collegue, etranger):
    entretien = EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(hours=2))
    url = reverse("accompagnement:entretien_modifier", args=[entretien.pk])
    assert connecte(client, etranger).get(url).status_code == 404
    assert client.post(url, donnees_modification(entretien)).status_code == 404
    reponse = connecte(client, referent).get(url)
    assert reponse.status_code == 200 and "Point sur les démarches en cours." in reponse.content.decode()
    assert "confidentiel" in reponse.context["form"].fields
    # The colleague corrects it (the team's veille); the confidential flag is not theirs to set.
    reponse = connecte(client, collegue).get(url)
    assert reponse.status_code == 200 and "confidentiel" not in reponse.context["form"].fields
    reponse = client.post(url, donnees_modification(entretien, type="VAD", confidentiel="on"))
    assert reponse.status_code == 302
    entretien.refresh_from_db()
    assert (entretien.type, entretien.physique, entretien.notes, entretien.duree_minutes) == (
        "VAD",
        True,
        "Note corrigée.",
        30,
    )
    assert entretien.version == 2 and not entretien.confidentiel
    assert entretien.history.count() == 2


def test_modifier_un_entretien_conflit_garde_la_saisie(client, mesure, referent, collegue):
    entretien = EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(hours=2))
    url = reverse("accompagnement:entretien_modifier", args=[entretien.pk])
    premier = donnees_modification(entretien, notes="Version du collègue")
    assert connecte(client, collegue).post(url, premier).status_code == 302
    reponse = connecte(client, referent).post(url, donnees_modification(entretien, notes="Ma version"))
    contenu = reponse.content.decode()
    assert escape(MESSAGE_CONFLIT) in contenu and "Ma version" in contenu
    assert 'name="version" value="2"' in contenu
    entretien.refresh_from_db()
    assert entretien.notes == "Version du collègue"


def test_modifier_une_note_confidentielle_reservee_a_son_auteur(client, mesure, referent, collegue, responsable):
    entretien = EntretienFactory(
        accompagnement=mesure, confidentiel=True, date_heure=timezone.now() - datetime.timedelta(hours=1)
    )
    url = reverse("accompagnement:entretien_modifier", args=[entretien.pk])
    assert connecte(client, collegue).get(url).status_code == 404  # the colleague does not even see it
    mesure.structure.responsable_voit_notes_confidentielles = True
    mesure.structure.save()
    assert connecte(client, responsable).get(url).status_code == 403  # reads it, may not change it
    assert connecte(client, referent).post(url, donnees_modification(entretien, confidentiel="on")).status_code == 302
    entretien.refresh_from_db()
    assert entretien.notes == "Note corrigée." and entretien.confidentiel


def test_modifier_un_entretien_date_future_refusee(client, mesure, referent):
    entretien = EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(hours=1))
    url = reverse("accompagnement:entretien_modifier", args=[entretien.pk])
    futur = local(timezone.now() + datetime.timedelta(days=1))
    reponse = connecte(client, referent).post(url, donnees_modification(entretien, date_heure=futur))
    assert reponse.status_code == 200 and "ne peut pas être marqué honoré" in reponse.content.decode()
    entretien.refresh_from_db()
    assert entretien.version == 1


def test_un_rendez_vous_se_modifie_par_sa_cloture(client, mesure, referent):
    rdv = EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() + datetime.timedelta(days=1)
    )
    reponse = connecte(client, referent).get(reverse("accompagnement:entretien_modifier", args=[rdv.pk]))
    assert reponse.status_code == 302
    assert reponse["Location"] == reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])


def test_cloturer_honore_avec_notes_et_duree(client, mesure, referent):
    rdv = EntretienFactory(
        accompagnement=mesure,
        statut="PLANIFIE",
        notes="",
        duree_minutes=60,
        date_heure=timezone.now() - datetime.timedelta(hours=2),
    )
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    connecte(client, referent)
    reponse = client.post(url, {"statut": "ABSENT_EXCUSE", "duree_minutes": "40", "version": rdv.version})
    assert "Seul un rendez-vous honoré a une durée" in reponse.content.decode()
    reponse = client.post(
        url, {"statut": "HONORE", "duree_minutes": "40", "notes": "Dossier CAF déposé.", "version": rdv.version}
    )
    assert reponse.status_code == 302
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.duree_minutes, rdv.notes) == ("HONORE", 40, "Dossier CAF déposé.")


def test_cloturer_un_rendez_vous_etranger_404(client, mesure, etranger):
    rdv = EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", date_heure=timezone.now() - datetime.timedelta(hours=1)
    )
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    connecte(client, etranger)
    assert client.get(url).status_code == 404
    assert client.post(url, {"statut": "HONORE", "version": rdv.version}).status_code == 404
    rdv.refresh_from_db()
    assert rdv.statut == "PLANIFIE"


# --- partners of the measure's territory, hand-over at the end -------------------------------------------


def _contacts(structure):
    from tests.referentiel.factories import ContactPartenaireFactory, TerritoireFactory, TiersPartenaireFactory

    return {
        "ici": ContactPartenaireFactory(tiers=TiersPartenaireFactory(territoire=structure.territoire)),
        "departemental": ContactPartenaireFactory(tiers=TiersPartenaireFactory(territoire=None)),
        "ailleurs": ContactPartenaireFactory(tiers=TiersPartenaireFactory(territoire=TerritoireFactory())),
    }


def test_coreferent_contacts_du_territoire_de_la_structure(client, mesure, referent):
    contacts = _contacts(mesure.structure)
    url = reverse("accompagnement:coreferent_ajouter", args=[mesure.pk])
    choix = set(connecte(client, referent).get(url).context["form"].fields["contact"].queryset)
    assert choix == {contacts["ici"], contacts["departemental"]}
    reponse = client.post(url, {"contact": contacts["ailleurs"].pk, "date_debut": "2026-02-01"})
    assert reponse.status_code == 200 and not mesure.coreferents.exists()
    reponse = client.post(url, {"contact": contacts["ici"].pk, "date_debut": "2026-02-01"})
    assert reponse.status_code == 302 and mesure.coreferents.get().contact == contacts["ici"]


def test_coreferent_envoye_deux_fois_ajoute_une_fois_sans_message_d_erreur(client, mesure, referent):
    contact = _contacts(mesure.structure)["ici"]
    url = reverse("accompagnement:coreferent_ajouter", args=[mesure.pk])
    jeton = connecte(client, referent).get(url).context["form"].initial["jeton"]
    donnees = {"contact": contact.pk, "date_debut": "2026-02-01", "jeton": jeton}
    assert [client.post(url, donnees).status_code for _ in range(2)] == [302, 302]
    assert mesure.coreferents.get().contact == contact


def test_terminer_avec_le_contact_qui_prend_le_relais(client, mesure, referent, collegue):
    contacts = _contacts(mesure.structure)
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    connecte(client, referent)
    form = client.get(url).context["form"]
    assert set(form.fields["relais_contact"].queryset) == {contacts["ici"], contacts["departemental"]}
    assert collegue in form.fields["relais_user"].queryset and referent not in form.fields["relais_user"].queryset
    fin = {"date_fin": "2026-06-01", "motif_fin": "DEMENAGEMENT", "destination": "FAMILLE", "version": mesure.version}
    reponse = client.post(url, {**fin, "relais_contact": contacts["ici"].pk, "relais_user": collegue.pk})
    assert "soit un contact partenaire, soit un intervenant" in reponse.content.decode()
    reponse = client.post(url, {**fin, "relais_contact": contacts["ici"].pk, "relais": "Dossier CAF transmis"})
    assert reponse.status_code == 302
    mesure.refresh_from_db()
    assert (mesure.relais_contact, mesure.relais_user, mesure.relais) == (contacts["ici"], None, "Dossier CAF transmis")
    dossier = client.get(reverse("residents:dossier", args=[mesure.resident_id])).content.decode()
    assert str(contacts["ici"]) in dossier and "Dossier CAF transmis" in dossier


# --- the number of queries does not grow with the rows -----------------------------------------------------


def _requetes(client, url, donnees=None, **entetes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        reponse = client.post(url, donnees, **entetes) if donnees is not None else client.get(url)
    assert reponse.status_code == 200, reponse.status_code  # pages, and an htmx save (HX-Trigger)
    return len(requetes)


def _atelier(structure, participants):
    action = ActionCollectiveFactory(structure=structure)
    action.animateurs.add(*ReferentFactory.create_batch(2, structures=[structure]))
    for _ in range(participants):
        ParticipationFactory(action=action, resident=ResidentFactory(structure=structure))
    return action


def test_liste_et_page_des_ateliers_requetes_constantes(client, referent, structure):
    petit = _atelier(structure, 2)
    connecte(client, referent)
    liste_petite = _requetes(client, reverse("accompagnement:ateliers"))
    page_petite = _requetes(client, reverse("accompagnement:atelier", args=[petit.pk]))
    grand = _atelier(structure, 12)
    for _ in range(8):
        _atelier(structure, 3)
    # 15: the menu asks whether the user's structures receive applications (« Candidatures »).
    assert _requetes(client, reverse("accompagnement:ateliers")) == liste_petite <= 15
    assert _requetes(client, reverse("accompagnement:atelier", args=[grand.pk])) == page_petite <= 15


def test_liste_des_rendez_vous_requetes_constantes(client, referent):
    def planifier(nombre):
        for i in range(nombre):
            mesure = AccompagnementFactory(referent=referent)
            for jours in (-2, 0, 3):
                EntretienFactory(
                    accompagnement=mesure,
                    statut="PLANIFIE",
                    date_heure=timezone.now() + datetime.timedelta(days=jours, minutes=i),
                )

    connecte(client, referent)
    planifier(1)
    peu = _requetes(client, reverse("accompagnement:rendez_vous"))
    planifier(10)
    assert _requetes(client, reverse("accompagnement:rendez_vous")) == peu <= 12


def test_noter_un_entretien_requetes_constantes(client, referent, structure):
    from tests.referentiel.factories import ContactPartenaireFactory

    def mesure_garnie(nombre):
        mesure = AccompagnementFactory(referent=referent)
        objectifs = ObjectifFactory.create_batch(nombre, accompagnement=mesure)
        collegues = ReferentFactory.create_batch(nombre, structures=[structure])
        contacts = [
            CoReferentFactory(accompagnement=mesure, contact=ContactPartenaireFactory()).contact for _ in range(nombre)
        ]
        return mesure, {
            "objectifs": [o.pk for o in objectifs],
            "participants": [u.pk for u in collegues],
            "partenaires": [c.pk for c in contacts],
        }

    connecte(client, referent)
    comptes = []
    for nombre in (1, 6):
        mesure, choix = mesure_garnie(nombre)
        url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
        comptes.append(_requetes(client, url, donnees_entretien(**choix), HTTP_HX_REQUEST="true"))
        entretien = Entretien.objects.get(accompagnement=mesure)
        assert entretien.objectifs.count() == entretien.participants.count() == nombre
    assert comptes[0] == comptes[1] <= 43, comptes


def test_formulaire_du_dossier_memes_choix_que_lus_en_base(mesure, referent, collegue):
    """On a dossier the form takes the partners and objectives from the measure the page prefetched:
    the same choices, in the same order, as the queries it makes elsewhere (ended, future and team
    co-referents, reached objectives left out)."""
    from accompagnement.forms import EntretienForm
    from accompagnement.selectors import mesures_du_dossier
    from tests.referentiel.factories import ContactPartenaireFactory

    aujourd_hui = timezone.localdate()
    hier = aujourd_hui - datetime.timedelta(days=1)
    for nom, debut, fin in [
        ("Zola", hier, None),
        ("Adam", hier, None),
        ("Fini", hier, aujourd_hui),  # removed today: no longer co-referent
        ("Futur", aujourd_hui + datetime.timedelta(days=2), None),
    ]:
        contact = ContactPartenaireFactory(nom=nom, prenom="Lou")
        CoReferentFactory(accompagnement=mesure, contact=contact, date_debut=debut, date_fin=fin)
    CoReferentFactory(accompagnement=mesure, user=collegue)
    for libelle, etat in [
        ("Trouver un emploi", "EN_COURS"),
        ("Permis B", "ATTEINT"),
        ("Ouvrir ses droits", "EN_COURS"),
    ]:
        ObjectifFactory(accompagnement=mesure, libelle=libelle, etat=etat)
    (prelue,) = [m for m in mesures_du_dossier(referent, mesure.resident) if m.pk == mesure.pk]

    def choix(accompagnement):
        form = EntretienForm(accompagnement=accompagnement, user=referent)
        return {
            nom: [str(v.instance) for v, _label in form.fields[nom].widget.choices]
            for nom in ("partenaires", "objectifs")
        }

    attendus = choix(type(mesure).objects.get(pk=mesure.pk))
    assert [p.split(" (")[0] for p in attendus["partenaires"]] == ["Lou Adam", "Lou Zola"]
    assert len(attendus["objectifs"]) == 2 and not any("Permis B" in o for o in attendus["objectifs"])
    assert choix(prelue) == attendus
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as requetes:
        EntretienForm(accompagnement=prelue, user=referent)
    lues = " ".join(q["sql"] for q in requetes.captured_queries)
    assert "referentiel_contactpartenaire" not in lues and "accompagnement_objectif" not in lues


# --- a colleague (same structure, neither référent nor co-referent) writes; a reader is refused -----------
# docs/acces.md: the structure's staff read and write its measures (peut_modifier, the team's veille
# bienveillante); the délégué insertion of the territory reads them only (403 on a write, nothing saved).


def _lecteur(mesure):
    from tests.accounts.factories import DelegueFactory

    return DelegueFactory(territoires=[mesure.structure.territoire])


def test_collegue_modifie_un_objectif_le_lecteur_non(client, mesure, collegue):
    objectif = ObjectifFactory(accompagnement=mesure, libelle="Ouvrir ses droits")
    url = reverse("accompagnement:objectif_modifier", args=[objectif.pk])
    donnees = {"domaine": "EMPLOI", "libelle": "Ouvrir ses droits CAF", "etat": "EN_COURS", "version": 1}
    assert connecte(client, _lecteur(mesure)).post(url, donnees).status_code == 403
    objectif.refresh_from_db()
    assert (objectif.libelle, objectif.version) == ("Ouvrir ses droits", 1)
    assert connecte(client, collegue).get(url).status_code == 200
    assert client.post(url, donnees).status_code == 302
    objectif.refresh_from_db()
    assert (objectif.libelle, objectif.version) == ("Ouvrir ses droits CAF", 2)


def test_collegue_evalue_un_objectif_le_lecteur_non(client, mesure, collegue):
    objectif = ObjectifFactory(accompagnement=mesure)
    url = reverse("accompagnement:objectif_evaluer", args=[objectif.pk])
    donnees = {"date": timezone.localdate().isoformat(), "niveau": "2", "parole_personne": "J'avance."}
    assert connecte(client, _lecteur(mesure)).post(url, donnees).status_code == 403
    assert not objectif.evaluations.exists()
    assert connecte(client, collegue).get(url).status_code == 200
    assert client.post(url, donnees).status_code == 302
    evaluation = objectif.evaluations.get()
    assert (evaluation.niveau, evaluation.parole_personne, evaluation.auteur) == (2, "J'avance.", collegue)


def test_collegue_retire_un_co_referent_le_lecteur_non(client, mesure, collegue):
    from tests.accounts.factories import ReferentFactory as Referent

    coreferent = CoReferentFactory(
        accompagnement=mesure, user=Referent(structures=[mesure.structure]), date_debut=mesure.date_debut
    )
    url = reverse("accompagnement:coreferent_retirer", args=[coreferent.pk])
    donnees = {"date_fin": timezone.localdate().isoformat()}
    assert connecte(client, _lecteur(mesure)).post(url, donnees).status_code == 403
    coreferent.refresh_from_db()
    assert coreferent.date_fin is None
    assert connecte(client, collegue).get(url).status_code == 200
    assert client.post(url, donnees).status_code == 302
    coreferent.refresh_from_db()
    assert coreferent.date_fin == timezone.localdate()


def test_collegue_cloture_un_rendez_vous_le_lecteur_non(client, mesure, collegue):
    rdv = EntretienFactory(
        accompagnement=mesure, statut="PLANIFIE", notes="", date_heure=timezone.now() - datetime.timedelta(hours=1)
    )
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    donnees = {"statut": "HONORE", "notes": "Reçue à l'accueil.", "version": 1}
    assert connecte(client, _lecteur(mesure)).post(url, donnees).status_code == 403
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.version) == ("PLANIFIE", 1)
    assert connecte(client, collegue).get(url).status_code == 200
    assert client.post(url, donnees).status_code == 302
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.notes, rdv.version) == ("HONORE", "Reçue à l'accueil.", 2)


def test_ouverture_envoyee_deux_fois_une_seule_mesure(client, mesure, referent):
    from referentiel.models import Modalite

    asll = Modalite.objects.get(code=Modalite.Code.ASLL)
    url = reverse("accompagnement:ouvrir", args=[mesure.resident_id])
    jeton = connecte(client, referent).get(url).context["form"].initial["jeton"]
    donnees = {
        "modalite": asll.pk,
        "referent": referent.pk,
        "date_debut": timezone.localdate().isoformat(),
        "jeton": jeton,
    }
    assert [client.post(url, donnees).status_code for _ in range(2)] == [302, 302]
    assert Accompagnement.objects.filter(modalite=asll).count() == 1


def test_collegue_ouvre_un_accompagnement_le_lecteur_non(client, mesure, referent, collegue):
    from referentiel.models import Modalite

    asll = Modalite.objects.get(code=Modalite.Code.ASLL)
    url = reverse("accompagnement:ouvrir", args=[mesure.resident_id])
    donnees = {"modalite": asll.pk, "referent": referent.pk, "date_debut": timezone.localdate().isoformat()}
    # A reader is refused up front, the form and its submit alike, and nothing is opened.
    connecte(client, _lecteur(mesure))
    assert client.get(url).status_code == 403
    assert client.post(url, donnees).status_code == 403
    assert not Accompagnement.objects.filter(modalite=asll).exists()
    assert connecte(client, collegue).get(url).status_code == 200
    assert client.post(url, donnees).status_code == 302
    ouverte = Accompagnement.objects.get(modalite=asll)
    assert (ouverte.resident_id, ouverte.referent, ouverte.structure) == (
        mesure.resident_id,
        referent,
        mesure.structure,
    )


def test_double_envoi_un_seul_objectif_une_seule_evaluation(client, mesure, referent):
    connecte(client, referent)
    url = reverse("accompagnement:objectif_nouveau", args=[mesure.pk])
    jeton = client.get(url).context["form"].initial["jeton"]
    donnees = {"domaine": "LOGEMENT", "libelle": "Déposer la demande de logement", "jeton": jeton}
    assert [client.post(url, donnees).status_code for _ in range(2)] == [302, 302]
    objectif = mesure.objectifs.get()
    url = reverse("accompagnement:objectif_evaluer", args=[objectif.pk])
    jeton = client.get(url).context["form"].initial["jeton"]
    donnees = {"date": timezone.localdate().isoformat(), "niveau": "2", "parole_personne": "Ça avance.", "jeton": jeton}
    assert [client.post(url, donnees).status_code for _ in range(2)] == [302, 302]
    assert objectif.evaluations.count() == 1
