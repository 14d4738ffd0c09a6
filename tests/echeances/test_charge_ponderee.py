"""NORME_FILE_ACTIVE as a weighted caseload (issue 19 §6): each active measure weighs 1/norm of its
modality (référentiel: veille 300, mobilisation 80, socioprofessionnel 70, ASLL 40 per full time), the sum
is compared with the référent's ETP; the manager's screen shows it with the detail per modality."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accompagnement.models import Accompagnement
from echeances.moteur import Etat, Regle, calculer, charges
from referentiel.models import Modalite, SurchargeModalite
from tests.accounts.factories import ReferentFactory, ResponsableFactory
from tests.referentiel.factories import modalite

D = datetime.date
LE = D(2026, 2, 1)


def _mesures(referent, code, nombre):
    """`nombre` active measures of a modality for the référent, in one insert."""
    structure = referent.structures.first()
    m = modalite(code)
    from tests.residents.factories import ResidentFactory

    residents = ResidentFactory.create_batch(nombre, structure=structure)
    Accompagnement.objects.bulk_create(
        Accompagnement(referent=referent, structure=structure, resident=r, modalite=m, date_debut=D(2026, 1, 5))
        for r in residents
    )


def _alertes(referent):
    return calculer(Accompagnement.objects.filter(referent=referent), le=LE, regles={Regle.NORME_FILE_ACTIVE})


def test_les_normes_viennent_du_referentiel():
    normes = dict(Modalite.objects.filter(norme_file_active__isnull=False).values_list("code", "norme_file_active"))
    assert normes == {"RSA_VEILLE": 300, "RSA_MOBILISATION": 80, "RSA_SOCIOPRO": 70, "ASLL": 40, "GLOBAL": 15}


# The cases, at a tenth of the ETP (the same ratios with a tenth of the rows: a few thousand measures
# inserted and rolled back grow the tables enough to change the plans tests/echeances/test_plans.py reads
# without statistics). 0.10 ETP holds 30 veille, 8 mobilisation, 7 socioprofessionnel or 4 ASLL.
@pytest.mark.parametrize(
    ("etp", "mesures", "alerte"),
    [
        # exactly at the ETP: no alert; one measure more: alert
        ("0.10", {"RSA_SOCIOPRO": 7}, False),
        ("0.10", {"RSA_SOCIOPRO": 8}, True),
        ("0.10", {"RSA_MOBILISATION": 4, "RSA_VEILLE": 15}, False),
        ("0.10", {"RSA_MOBILISATION": 4, "RSA_VEILLE": 16}, True),
        ("0.10", {"ASLL": 2, "RSA_MOBILISATION": 4}, False),
        ("0.10", {"ASLL": 3, "RSA_MOBILISATION": 4}, True),
        # 300 veille + 80 mobilisation for a full time: twice the norm
        ("0.10", {"RSA_VEILLE": 30, "RSA_MOBILISATION": 8}, True),
        ("0.10", {"RSA_VEILLE": 30}, False),
        # « 150 suivis pour ½ ETP »: 15 for 0.05 ETP, not 16
        ("0.05", {"RSA_VEILLE": 15}, False),
        ("0.05", {"RSA_VEILLE": 16}, True),
    ],
)
def test_charge_ponderee_comparee_a_l_etp(etp, mesures, alerte):
    referent = ReferentFactory(etp=Decimal(etp))
    for code, nombre in mesures.items():
        _mesures(referent, code, nombre)
    found = _alertes(referent)
    assert bool(found) is alerte
    attendu = sum(Decimal(n) / {"RSA_VEILLE": 300, "RSA_MOBILISATION": 80, "RSA_SOCIOPRO": 70, "ASLL": 40}[c]
                  for c, n in mesures.items())  # fmt: skip
    [lignes] = charges(Accompagnement.objects.filter(referent=referent), le=LE).values()
    assert abs(lignes[0]["charge_ponderee"] - attendu) < Decimal("1e-6")
    assert {r["modalite_libelle"] for r in lignes} == {modalite(c).libelle for c in mesures}
    if alerte:
        [e] = found
        assert (e.etat, e.cle, e.referent_id) == (Etat.EN_RETARD, f"NORME_FILE_ACTIVE:{referent.pk}", referent.pk)
        assert f"pour {etp.replace('.', ',')} ETP" in e.message
        assert len(e.details["par_modalite"]) == len(mesures)


def test_une_norme_locale_du_referentiel_change_le_poids():
    """The weight is read from the référentiel: a territory's own norm (veille 200) counts."""
    referent = ReferentFactory(etp=Decimal("0.10"))
    _mesures(referent, "RSA_VEILLE", 25)
    assert _alertes(referent) == []
    SurchargeModalite.objects.create(
        modalite=modalite("RSA_VEILLE"), territoire=referent.structures.first().territoire, norme_file_active=200
    )
    [e] = _alertes(referent)
    assert e.details["charge_ponderee"] == Decimal("0.125")


def test_l_ecran_du_responsable_montre_la_charge_ponderee(client):
    referent = ReferentFactory(etp=Decimal("0.50"))
    _mesures(referent, "RSA_VEILLE", 60)
    _mesures(referent, "RSA_MOBILISATION", 30)
    client.force_login(ResponsableFactory(structures=[referent.structures.first()]))
    contenu = client.get(reverse("echeances:a_faire")).content.decode()
    assert "File active pondérée : <strong>0,58 ETP pour 0,50 ETP</strong>" in contenu
    assert "Au-dessus de la norme" in contenu
    assert '<td class="text-end">60</td><td class="text-end">300</td><td class="text-end">0,20</td>' in contenu
    assert '<td class="text-end">30</td><td class="text-end">80</td><td class="text-end">0,38</td>' in contenu


@pytest.mark.parametrize(("nombre", "alerte"), [(15, False), (16, True)])
def test_accompagnement_global_quinze_par_temps_plein(client, nombre, alerte):
    """Issue 20 §3, seed 004: « une quinzaine de personnes » a year for one full-time worker, read as a
    caseload of 15 (referentiel/migrations/0014). The engine's alert and the manager's screen both use it."""
    referent = ReferentFactory(etp=Decimal("1.00"))
    _mesures(referent, "GLOBAL", nombre)
    found = _alertes(referent)
    assert bool(found) is alerte
    [lignes] = charges(Accompagnement.objects.filter(referent=referent), le=LE).values()
    assert [(r["nb"], r["norme"], r["plafond"]) for r in lignes] == [(nombre, 15, 15)]
    if alerte:
        [e] = found
        assert "Accompagnement global coordonné 16 pour 15 par temps plein (1,07 ETP)" in e.message
    client.force_login(ResponsableFactory(structures=[referent.structures.first()]))
    contenu = client.get(reverse("echeances:a_faire")).content.decode()
    assert f'<td class="text-end">{nombre}</td><td class="text-end">15</td>' in contenu
    assert ("Au-dessus de la norme" in contenu) is alerte


def test_la_norme_de_l_accompagnement_global_est_dans_son_historique():
    [changement] = modalite("GLOBAL").history.filter(history_change_reason="Norme de file active : seed 004")
    assert (changement.history_type, changement.norme_file_active) == ("~", 15)
