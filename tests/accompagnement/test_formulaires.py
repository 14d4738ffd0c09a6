"""The forms of accompagnement/forms.py: bounded dates (never a 500, a French message on the field), a
workshop only once held, the confidential flag, drafts and the reading reminder on the generic form."""

import datetime
import inspect
import re
import uuid

import pytest
from dateutil.relativedelta import relativedelta
from django import forms as django_forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accompagnement import forms
from accompagnement.models import Accompagnement, ActionCollective, CoReferent, Entretien
from accompagnement.verrou import MESSAGE_CONFLIT
from tests.accompagnement.factories import (
    AccompagnementFactory,
    ActionCollectiveFactory,
    CoReferentFactory,
    DiagnosticFactory,
    EntretienFactory,
    ObjectifFactory,
)
from tests.residents.factories import ResidentFactory


def connecte(client, user):
    client.force_login(user)
    return client


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def dans_annees(annees, jours=0):
    return timezone.localdate() + relativedelta(years=annees) + datetime.timedelta(days=jours)


# --- every date field of the file is bounded ------------------------------------------------------------


def _formulaires(mesure, referent):
    """Each form of accompagnement/forms.py, built as its view builds it, by class name."""
    entretien = EntretienFactory(accompagnement=mesure, date_heure=timezone.now() - datetime.timedelta(hours=1))
    sur_mesure = {"accompagnement": mesure, "user": referent}
    return {
        "EntretienForm": lambda data: forms.EntretienForm(data, **sur_mesure),
        "ModificationEntretienForm": lambda data: forms.ModificationEntretienForm(
            data, entretien=entretien, user=referent
        ),
        "RendezVousForm": lambda data: forms.RendezVousForm(data),
        "ClotureRendezVousForm": lambda data: forms.ClotureRendezVousForm(data, entretien=entretien, user=referent),
        "ActionCollectiveForm": lambda data: forms.ActionCollectiveForm(data, user=referent),
        "ModificationAtelierForm": lambda data: forms.ModificationAtelierForm(
            data, action=ActionCollectiveFactory(structure=mesure.structure), user=referent
        ),
        "AnnulationAtelierForm": lambda data: forms.AnnulationAtelierForm(data),
        "AccompagnementForm": lambda data: forms.AccompagnementForm(data, user=referent, structure=mesure.structure),
        "ReorientationForm": lambda data: forms.ReorientationForm(data, **sur_mesure),
        "FinAccompagnementForm": lambda data: forms.FinAccompagnementForm(data, accompagnement=mesure),
        "ObjectifForm": lambda data: forms.ObjectifForm(data),
        "EvaluationForm": lambda data: forms.EvaluationForm(data),
        "CoReferentForm": lambda data: forms.CoReferentForm(data, **sur_mesure),
        "RetraitCoReferentForm": lambda data: forms.RetraitCoReferentForm(data),
        "DiagnosticForm": lambda data: forms.DiagnosticForm(data),
        "ModificationDiagnosticForm": lambda data: forms.ModificationDiagnosticForm(
            data, instance=DiagnosticFactory(accompagnement=mesure)
        ),
    }


# Not after today: said in their own words (« futur »).
FORMULAIRES_SANS_FUTUR = (
    "ActionCollectiveForm",
    "ModificationAtelierForm",
    "EvaluationForm",
    "DiagnosticForm",
    "ModificationDiagnosticForm",
)


def _classes_de_formulaire():
    return {
        nom
        for nom, classe in inspect.getmembers(forms, inspect.isclass)
        if issubclass(classe, django_forms.BaseForm) and classe.__module__ == forms.__name__ and "Mixin" not in nom
    }


def test_chaque_formulaire_du_fichier_est_verifie(mesure, referent):
    """A form added to accompagnement/forms.py fails here until the test below knows how to build it."""
    assert _classes_de_formulaire() == set(_formulaires(mesure, referent))


@pytest.mark.parametrize(
    ("saisie", "message"),
    [
        ("9999-12-31", "trop lointaine"),
        ("0001-01-01", "trop ancienne"),
        ("1899-12-31", "trop ancienne"),
    ],
)
def test_chaque_champ_de_date_refuse_une_annee_extreme_avec_un_message(mesure, referent, saisie, message):
    vus = 0
    for nom, construire in _formulaires(mesure, referent).items():
        for champ, field in construire(None).fields.items():
            if not isinstance(field, django_forms.DateField | django_forms.DateTimeField):
                continue
            vus += 1
            valeur = f"{saisie}T10:00" if isinstance(field, django_forms.DateTimeField) else saisie
            form = construire({champ: valeur})
            assert not form.is_valid()
            erreurs = " ".join(form.errors.get(champ, []))
            # Not after now for a workshop or an evaluation: said in their own words.
            attendu = "futur" if message == "trop lointaine" and nom in FORMULAIRES_SANS_FUTUR else message
            assert attendu in erreurs, (nom, champ, erreurs)
    assert vus == 14  # every date field of the file (a new one is bounded by DatesBorneesMixin)


def test_une_date_plausible_passe(mesure, referent):
    form = forms.FinAccompagnementForm({"date_fin": dans_annees(1).isoformat()}, accompagnement=mesure)
    form.is_valid()
    assert "date_fin" not in form.errors
    form = forms.FinAccompagnementForm({"date_fin": dans_annees(1, 1).isoformat()}, accompagnement=mesure)
    form.is_valid()
    assert form.errors["date_fin"] == [f"Cette date est trop lointaine : le {dans_annees(1):%d/%m/%Y} au plus tard."]


# --- the dates that gave a 500 ----------------------------------------------------------------------------


def test_fin_de_mesure_en_9999_message_et_rien_d_enregistre(client, mesure, referent):
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    donnees = {
        "date_fin": "9999-12-31",
        "motif_fin": "DEMENAGEMENT",
        "destination": "FAMILLE",
        "relais": "Relais au CCAS",
        "version": mesure.version,
    }
    reponse = connecte(client, referent).post(url, donnees)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Cette date est trop lointaine" in contenu and "Relais au CCAS" in contenu
    mesure.refresh_from_db()
    assert mesure.date_fin is None and mesure.version == 1


def test_fin_de_mesure_avant_son_debut_toujours_refusee(client, mesure, referent):
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    donnees = {"date_fin": "2025-12-01", "motif_fin": "DEMENAGEMENT", "destination": "FAMILLE", "version": 1}
    reponse = connecte(client, referent).post(url, donnees)
    assert "La date de fin ne peut pas précéder la date de début." in reponse.content.decode()


def test_rendez_vous_a_plus_de_deux_ans_refuse_le_calendrier_reste_lisible(client, mesure, referent):
    url = reverse("accompagnement:rendez_vous_nouveau", args=[mesure.pk])
    connecte(client, referent)

    def planifier(jour):
        return client.post(
            url, {"type": "BUREAU", "date_heure": f"{jour}T10:00", "lieu": "Bureau 2", "jeton": str(uuid.uuid4())}
        )

    reponse = planifier("9999-12-31")
    assert reponse.status_code == 200 and "Cette date est trop lointaine" in reponse.content.decode()
    assert "Bureau 2" in reponse.content.decode()
    assert planifier(dans_annees(2, 1).isoformat()).status_code == 200
    assert not Entretien.objects.exists()
    assert planifier(dans_annees(2).isoformat()).status_code == 302
    client.post(reverse("accompagnement:calendrier_regenerer"))
    referent.refresh_from_db()
    flux = client.get(reverse("accompagnement:calendrier", args=[referent.jeton_calendrier]))
    assert flux.status_code == 200 and b"BEGIN:VEVENT" in flux.content


def _mesure_fjt(referent):
    """A measure the team re-orients itself (an RSA one is re-oriented by the délégué, on request)."""
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


def test_reorientation_en_9999_refusee_le_dossier_reste_lisible(client, referent):
    from referentiel.models import Modalite

    mesure = _mesure_fjt(referent)
    cible = Modalite.objects.get(code=Modalite.Code.FJT_PONCTUEL)
    connecte(client, referent)
    reponse = client.post(
        reverse("accompagnement:reorienter", args=[mesure.pk]),
        {"modalite": cible.pk, "date": "9999-12-31", "referent": referent.pk, "version": mesure.version},
    )
    assert reponse.status_code == 200 and "Cette date est trop lointaine" in reponse.content.decode()
    assert not Accompagnement.objects.filter(precedent=mesure).exists()
    assert client.get(reverse("residents:dossier", args=[mesure.resident_id])).status_code == 200


def test_reorientation_avant_le_debut_toujours_refusee(client, referent):
    from referentiel.models import Modalite

    mesure = _mesure_fjt(referent)
    cible = Modalite.objects.get(code=Modalite.Code.FJT_PONCTUEL)
    reponse = connecte(client, referent).post(
        reverse("accompagnement:reorienter", args=[mesure.pk]),
        {"modalite": cible.pk, "date": "2025-01-01", "referent": referent.pk, "version": mesure.version},
    )
    assert "La réorientation doit suivre le début de la mesure" in reponse.content.decode()


def test_co_referent_dates_bornees(client, mesure, referent, collegue):
    connecte(client, referent)
    url = reverse("accompagnement:coreferent_ajouter", args=[mesure.pk])
    reponse = client.post(url, {"user": collegue.pk, "role": "appui", "date_debut": "9999-12-31"})
    assert "Cette date est trop lointaine" in reponse.content.decode() and not mesure.coreferents.exists()
    coreferent = CoReferentFactory(accompagnement=mesure, user=collegue, date_debut=mesure.date_debut)
    url = reverse("accompagnement:coreferent_retirer", args=[coreferent.pk])
    reponse = client.post(url, {"date_fin": "9999-12-31"})
    assert "Cette date est trop lointaine" in reponse.content.decode()
    assert CoReferent.objects.get(pk=coreferent.pk).date_fin is None


@pytest.mark.parametrize("saisie", ["0001-01-01T00:30", "1899-12-31T10:00"])
def test_entretien_d_avant_1900_message(client, mesure, referent, saisie):
    url = reverse("accompagnement:entretien_nouveau", args=[mesure.pk])
    donnees = {
        "type": "TELEPHONE",
        "date_heure": saisie,
        "statut": "HONORE",
        "notes": "Appel à garder",
        "jeton": str(uuid.uuid4()),
    }
    reponse = connecte(client, referent).post(url, donnees)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200 and "Appel à garder" in contenu
    assert "Cette date est trop ancienne : le 01/01/1900 au plus tôt." in contenu
    assert not Entretien.objects.exists()


def test_objectif_et_evaluation_dates_bornees(client, mesure, referent):
    connecte(client, referent)
    url = reverse("accompagnement:objectif_nouveau", args=[mesure.pk])
    reponse = client.post(url, {"domaine": "EMPLOI", "libelle": "Trouver un stage", "echeance": "9999-12-31"})
    assert "Cette date est trop lointaine" in reponse.content.decode() and not mesure.objectifs.exists()
    objectif = ObjectifFactory(accompagnement=mesure)
    url = reverse("accompagnement:objectif_evaluer", args=[objectif.pk])
    demain = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for jour, message in (("1800-01-01", "trop ancienne"), (demain, "ne peut pas être datée dans le futur")):
        reponse = client.post(url, {"date": jour, "niveau": "2", "parole_personne": "Mes mots à moi"})
        contenu = reponse.content.decode()
        assert message in contenu and "Mes mots à moi" in contenu
    assert not objectif.evaluations.exists()


# --- a workshop is recorded once held ----------------------------------------------------------------------


def test_atelier_dans_le_futur_refuse(client, referent, structure):
    personnes = ResidentFactory.create_batch(2, structure=structure)
    donnees = {
        "theme": "Gérer son budget",
        "date_heure": local(timezone.now() + datetime.timedelta(hours=1)),
        "duree_minutes": "90",
        "structure": structure.pk,
        "residents": [p.pk for p in personnes],
        "jeton": str(uuid.uuid4()),
    }
    connecte(client, referent)
    reponse = client.post(reverse("accompagnement:atelier_nouveau"), donnees)
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Un atelier s&#x27;enregistre une fois tenu : sa date ne peut pas être dans le futur." in contenu
    assert "Gérer son budget" in contenu
    assert not ActionCollective.objects.exists()
    donnees["date_heure"] = local(timezone.now() - datetime.timedelta(minutes=1))
    assert client.post(reverse("accompagnement:atelier_nouveau"), donnees).status_code == 302


def test_participants_d_un_atelier_en_cases_a_cocher(client, referent, structure):
    personne = ResidentFactory(structure=structure, nom="Zola", prenom="Lou")
    ResidentFactory(nom="Ailleurs")  # another structure: not a choice
    contenu = connecte(client, referent).get(reverse("accompagnement:atelier_nouveau")).content.decode()
    assert f'type="checkbox" class="form-check-input" name="residents" value="{personne.pk}"' in contenu
    assert re.search(r'<select[^>]*name="residents"', contenu) is None
    assert "Ctrl" not in contenu and "Cochez les personnes venues" in contenu
    assert "Zola" in contenu and "Ailleurs" not in contenu


# --- the confidential flag ----------------------------------------------------------------------------------


def test_libelle_de_la_note_confidentielle(mesure, referent):
    champ = forms.EntretienForm(accompagnement=mesure, user=referent).fields["confidentiel"]
    assert champ.label == "Note confidentielle"
    assert champ.help_text == (
        "Visible seulement de son auteur et du référent de la mesure "
        "(et du responsable de structure si la structure l'a permis)."
    )


def _rendez_vous_passe(mesure, **extra):
    return EntretienFactory(
        accompagnement=mesure,
        statut="PLANIFIE",
        notes="",
        date_heure=timezone.now() - datetime.timedelta(hours=2),
        **extra,
    )


def test_cloturer_honore_avec_une_note_confidentielle(client, mesure, referent, collegue):
    rdv = _rendez_vous_passe(mesure)
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    page = connecte(client, referent).get(url).content.decode()
    assert "Note confidentielle" in page and "Visible seulement de son auteur et du référent" in page
    assert "La personne accompagnée peut demander à lire ces notes" in page
    reponse = client.post(
        url, {"statut": "HONORE", "notes": "Difficultés de santé évoquées.", "confidentiel": "on", "version": 1}
    )
    assert reponse.status_code == 302
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.notes, rdv.confidentiel) == ("HONORE", "Difficultés de santé évoquées.", True)
    assert not Entretien.objects.visibles_par(collegue).filter(pk=rdv.pk).exists()
    # No saved version, history included, ever showed the note without the flag.
    assert not rdv.history.filter(notes="Difficultés de santé évoquées.", confidentiel=False).exists()


def test_une_absence_ne_se_marque_pas_confidentielle(client, mesure, referent):
    rdv = _rendez_vous_passe(mesure)
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    reponse = connecte(client, referent).post(
        url, {"statut": "ABSENT_EXCUSE", "notes": "Prévenu par SMS.", "confidentiel": "on", "version": 1}
    )
    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Seul un rendez-vous honoré a des notes confidentielles" in contenu and "Prévenu par SMS." in contenu
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.confidentiel, rdv.version) == ("PLANIFIE", False, 1)


def test_cloture_confidentielle_en_conflit_rien_d_enregistre(client, mesure, referent):
    rdv = _rendez_vous_passe(mesure)
    Entretien.objects.filter(pk=rdv.pk).update(version=2)
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    reponse = connecte(client, referent).post(
        url, {"statut": "HONORE", "notes": "Note sensible", "confidentiel": "on", "version": 1}
    )
    contenu = reponse.content.decode()
    assert escape(MESSAGE_CONFLIT) in contenu and "Note sensible" in contenu
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.confidentiel, rdv.version) == ("PLANIFIE", False, 2)


def test_le_collegue_qui_cloture_n_a_pas_la_case(client, mesure, referent, collegue):
    """As when an entretien is corrected: the flag is the author's (the one who planned it)."""
    rdv = _rendez_vous_passe(mesure)
    url = reverse("accompagnement:rendez_vous_cloturer", args=[rdv.pk])
    reponse = connecte(client, collegue).get(url)
    assert "confidentiel" not in reponse.context["form"].fields
    reponse = client.post(url, {"statut": "HONORE", "notes": "Vu à l'accueil.", "confidentiel": "on", "version": 1})
    assert reponse.status_code == 302
    rdv.refresh_from_db()
    assert (rdv.statut, rdv.confidentiel) == ("HONORE", False)


# --- the generic form: a draft per form and object, the reading reminder ----------------------------------


def _cle_brouillon(client, url):
    contenu = client.get(url).content.decode()
    [cle] = [
        ligne.split('data-brouillon="')[1].split('"')[0] for ligne in contenu.splitlines() if "data-brouillon" in ligne
    ]
    return cle


def test_formulaire_generique_garde_un_brouillon_par_formulaire_et_par_objet(client, mesure, referent, collegue):
    autre = AccompagnementFactory(referent=referent)
    objectif, second = ObjectifFactory(accompagnement=mesure), ObjectifFactory(accompagnement=mesure)
    coreferent = CoReferentFactory(accompagnement=mesure, user=collegue)
    connecte(client, referent)
    urls = [
        reverse("accompagnement:objectif_nouveau", args=[mesure.pk]),
        reverse("accompagnement:objectif_nouveau", args=[autre.pk]),
        reverse("accompagnement:terminer", args=[mesure.pk]),
        reverse("accompagnement:demander_reorientation", args=[mesure.pk]),
        reverse("accompagnement:coreferent_ajouter", args=[mesure.pk]),
        reverse("accompagnement:coreferent_retirer", args=[coreferent.pk]),
        reverse("accompagnement:objectif_modifier", args=[objectif.pk]),
        reverse("accompagnement:objectif_evaluer", args=[objectif.pk]),
        reverse("accompagnement:objectif_evaluer", args=[second.pk]),
        reverse("accompagnement:ouvrir", args=[mesure.resident_id]),
    ]
    cles = [_cle_brouillon(client, url) for url in urls]
    assert len(set(cles)) == len(urls), cles
    assert cles[7] == f"accompagnement:objectif_evaluer-{objectif.pk}"


def test_rappel_de_lecture_au_dessus_d_une_evaluation(client, mesure, referent):
    objectif = ObjectifFactory(accompagnement=mesure)
    connecte(client, referent)
    rappel = "La personne accompagnée peut demander à lire ces notes"
    assert rappel in client.get(reverse("accompagnement:objectif_evaluer", args=[objectif.pk])).content.decode()
    assert rappel not in client.get(reverse("accompagnement:coreferent_ajouter", args=[mesure.pk])).content.decode()
