"""Exit conditions per modality (issue 20 §3, seed 003): référentiel data offered when a measure ends, the
ones the person meets stored on the measure and shown in the dossier, the exit summary and the access export."""

import importlib
import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from accompagnement import services
from accompagnement.models import Accompagnement, ConditionSortieRemplie
from admissions.pdf import synthese_sortie_pdf
from referentiel.models import ConditionSortie, Modalite
from residents.droits import dossier_complet
from tests.accompagnement.factories import AccompagnementFactory

MIGRATION = importlib.import_module("referentiel.migrations.0013_conditions_de_sortie")


def conditions(code):
    return list(ConditionSortie.objects.filter(modalite__code=code).order_by("ordre"))


def fin(mesure, **extra):
    return {
        "date_fin": timezone.localdate().isoformat(),
        "motif_fin": "OBJECTIFS_ATTEINTS",
        "destination": "MEME_LOGEMENT",
        "version": mesure.version,
        **extra,
    }


def test_le_referentiel_porte_les_conditions_de_sortie_du_seed_003():
    comptes = {code: ConditionSortie.objects.filter(modalite__code=code).count() for code in Modalite.Code.values}
    assert comptes == {
        **dict.fromkeys(Modalite.Code.values, 0),
        "RSA_VEILLE": 4,
        "RSA_MOBILISATION": 3,
        "RSA_SOCIOPRO": 5,
        "ASLL": 2,
    }
    assert conditions("RSA_SOCIOPRO")[0].libelle == "Accès à un emploi ou une formation."
    assert conditions("RSA_MOBILISATION")[2].libelle.startswith("Pas de plus-value de l'accompagnement")


def test_la_migration_se_defait_et_se_refait():
    MIGRATION.retirer(apps, None)
    assert not ConditionSortie.objects.exists()
    MIGRATION.charger(apps, None)
    MIGRATION.charger(apps, None)  # twice: nothing doubled
    assert ConditionSortie.objects.count() == 14


def test_le_formulaire_n_offre_que_les_conditions_de_la_modalite(client, mesure, referent):
    client.force_login(referent)
    reponse = client.get(reverse("accompagnement:terminer", args=[mesure.pk]))
    assert list(reponse.context["form"].fields["conditions_sortie"].queryset) == conditions("RSA_SOCIOPRO")
    contenu = reponse.content.decode()
    assert "Conditions de sortie remplies" in contenu
    assert escape(conditions("RSA_SOCIOPRO")[0].libelle) in contenu
    assert escape(conditions("RSA_VEILLE")[0].libelle) not in contenu


def test_une_modalite_sans_condition_n_a_pas_le_champ(client, referent):
    fjt = AccompagnementFactory(referent=referent, modalite=Modalite.objects.get(code="FJT_REGULIER"))
    client.force_login(referent)
    url = reverse("accompagnement:terminer", args=[fjt.pk])
    reponse = client.get(url)
    assert "conditions_sortie" not in reponse.context["form"].fields
    assert "Conditions de sortie" not in reponse.content.decode()
    # A value posted anyway is ignored: the measure ends without any.
    veille = conditions("RSA_VEILLE")[0]
    assert client.post(url, fin(fjt, conditions_sortie=[veille.pk])).status_code == 302
    fjt.refresh_from_db()
    assert fjt.date_fin == timezone.localdate() and not fjt.conditions_sortie.exists()


def test_une_condition_d_une_autre_modalite_est_refusee_en_francais(client, mesure, referent):
    client.force_login(referent)
    sociopro, veille = conditions("RSA_SOCIOPRO")[0], conditions("RSA_VEILLE")[0]
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    for valeur in ([sociopro.pk, veille.pk], ["abc"], [999_999]):
        reponse = client.post(url, fin(mesure, conditions_sortie=valeur))
        assert reponse.status_code == 200
        assert reponse.context["form"].errors["conditions_sortie"]
    assert "Cette condition de sortie n&#x27;est pas une de celles de la modalité." in reponse.content.decode()
    mesure.refresh_from_db()
    assert mesure.date_fin is None and not ConditionSortieRemplie.objects.exists()


def test_le_service_refuse_une_condition_d_une_autre_modalite(mesure, referent):
    veille = conditions("RSA_VEILLE")[0]
    with pytest.raises(ValidationError) as erreur:
        services.terminer_accompagnement(
            accompagnement=mesure,
            par=referent,
            date_fin=timezone.localdate(),
            motif_fin="OBJECTIFS_ATTEINTS",
            version=mesure.version,
            conditions_sortie=[veille],
        )
    assert erreur.value.message_dict["conditions_sortie"] == [
        f"« {veille} » n'est pas une condition de sortie de la modalité « {mesure.modalite} »."
    ]
    mesure.refresh_from_db()
    assert mesure.date_fin is None


def test_conditions_cochees_enregistrees_et_montrees(client, mesure, collegue):
    """A colleague of the structure ends the measure: the conditions ticked are stored, with who ticked
    them, and shown in the dossier, the exit summary and the person's access export."""
    premiere, _, troisieme, *_ = conditions("RSA_SOCIOPRO")
    client.force_login(collegue)
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    assert client.post(url, fin(mesure, conditions_sortie=[troisieme.pk, premiere.pk])).status_code == 302
    mesure.refresh_from_db()
    assert mesure.date_fin == timezone.localdate()
    assert set(mesure.conditions_sortie.all()) == {premiere, troisieme}
    assert {h.history_user for h in ConditionSortieRemplie.history.all()} == {collegue}

    dossier = client.get(reverse("residents:dossier", args=[mesure.resident_id])).content.decode()
    assert "Conditions de sortie remplies" in dossier
    assert dossier.index(escape(premiere.libelle)) < dossier.index(escape(troisieme.libelle))

    pdf = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(synthese_sortie_pdf(mesure))).pages)
    assert "Conditions de sortie remplies" in pdf and premiere.libelle in pdf

    export = dossier_complet(mesure.resident)["accompagnements"][0]
    assert export["conditions_sortie"] == [premiere.libelle, troisieme.libelle]


def test_un_etranger_ne_termine_pas_la_mesure(client, mesure, etranger):
    client.force_login(etranger)
    url = reverse("accompagnement:terminer", args=[mesure.pk])
    reponse = client.post(url, fin(mesure, conditions_sortie=[conditions("RSA_SOCIOPRO")[0].pk]))
    assert reponse.status_code == 404
    assert Accompagnement.objects.get(pk=mesure.pk).date_fin is None
    assert not ConditionSortieRemplie.objects.exists()


def test_un_dossier_sans_mesure_terminee_ne_lit_pas_les_conditions(client, mesure, referent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(referent)
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(reverse("residents:dossier", args=[mesure.resident_id])).status_code == 200
    assert not [q for q in requetes.captured_queries if "conditionsortieremplie" in q["sql"]]
