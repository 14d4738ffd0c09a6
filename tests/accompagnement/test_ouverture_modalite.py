"""Opening a measure follows the référentiel (issue 17 §4): a modality opens only in a structure whose kind
offers it (Modalite.types_structure), and only for a person inside its age range on the first day; both
refused at opening with a French message, by the service and by the page."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse

from accompagnement import services
from accompagnement.models import Accompagnement
from referentiel.models import Modalite, Structure, SurchargeModalite
from tests.accounts.factories import ReferentFactory
from tests.referentiel.factories import StructureFactory, modalite
from tests.residents.factories import ResidentFactory

DEBUT = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _aujourdhui(time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 10, 0), tick=False)


def _equipe(type_structure):
    structure = StructureFactory(type=type_structure)
    return structure, ReferentFactory(structures=[structure])


def _ouvrir(resident, referent, code):
    return services.ouvrir_accompagnement(
        resident=resident, par=referent, modalite=modalite(code), referent=referent, date_debut=DEBUT
    )


def test_la_donnee_du_referentiel_dit_quels_types_proposent_quoi():
    fjt = set(Modalite.objects.offertes_par(Structure.Type.FJT).values_list("code", flat=True))
    association = set(Modalite.objects.offertes_par(Structure.Type.ASSOCIATION).values_list("code", flat=True))
    assert {"FJT_REGULIER", "FJT_PONCTUEL", "FJT_CONVENTION"} <= fjt
    assert not {"FJT_REGULIER", "FJT_PONCTUEL", "FJT_CONVENTION"} & association
    assert {"RSA_SOCIOPRO", "ASLL", "GLOBAL"} <= association


def test_une_association_sans_residence_n_ouvre_pas_de_fjt():
    structure, referent = _equipe(Structure.Type.ASSOCIATION)
    resident = ResidentFactory(structure=structure, date_naissance=datetime.date(2005, 1, 1))
    with pytest.raises(ValidationError, match="ne se propose pas dans une structure de type « association »"):
        _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER)
    assert not Accompagnement.objects.exists()
    # The same person, the same day, in a modality the association offers.
    assert _ouvrir(resident, referent, Modalite.Code.ASLL).pk


def test_une_residence_n_ouvre_pas_de_mesure_rsa():
    structure, referent = _equipe(Structure.Type.FJT)
    resident = ResidentFactory(structure=structure, date_naissance=datetime.date(2000, 1, 1))
    with pytest.raises(ValidationError, match="ne se propose pas"):
        _ouvrir(resident, referent, Modalite.Code.RSA_SOCIOPRO)


def test_le_type_de_structure_est_une_donnee_modifiable():
    """Nothing hard-coded: the référentiel decides (an FJT whose département lets it do ASLL)."""
    structure, referent = _equipe(Structure.Type.FJT)
    resident = ResidentFactory(structure=structure, date_naissance=datetime.date(2000, 1, 1))
    asll = modalite(Modalite.Code.ASLL)
    with pytest.raises(ValidationError):
        _ouvrir(resident, referent, Modalite.Code.ASLL)
    asll.types_structure = [*asll.types_structure, Structure.Type.FJT]
    asll.save()
    assert _ouvrir(resident, referent, Modalite.Code.ASLL).modalite == asll


def _ne_le(anniversaire, age):
    """Born so that the birthday of `age` falls on `anniversaire`."""
    return anniversaire - relativedelta(years=age)


# FJT_REGULIER: 16 to 30 in the référentiel. The range starts on the 16th birthday and ends the day before
# the 31st.
@pytest.mark.parametrize(
    "anniversaire_16, ouvert",
    [(DEBUT + datetime.timedelta(days=1), False), (DEBUT, True), (DEBUT - datetime.timedelta(days=1), True)],
    ids=["16-ans-le-lendemain", "16-ans-le-jour-meme", "16-ans-la-veille"],
)
def test_age_minimum_a_l_ouverture(anniversaire_16, ouvert):
    structure, referent = _equipe(Structure.Type.FJT)
    resident = ResidentFactory(structure=structure, date_naissance=_ne_le(anniversaire_16, 16))
    if ouvert:
        assert _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER).pk
    else:
        with pytest.raises(ValidationError, match="a 15 ans au 02/03/2026 .* à partir de 16 ans"):
            _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER)


@pytest.mark.parametrize(
    "anniversaire_31, ouvert",
    [(DEBUT + datetime.timedelta(days=1), True), (DEBUT, False), (DEBUT - datetime.timedelta(days=1), False)],
    ids=["31-ans-le-lendemain", "31-ans-le-jour-meme", "31-ans-la-veille"],
)
def test_age_maximum_a_l_ouverture(anniversaire_31, ouvert):
    structure, referent = _equipe(Structure.Type.FJT)
    resident = ResidentFactory(structure=structure, date_naissance=_ne_le(anniversaire_31, 31))
    if ouvert:
        assert _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER).pk
    else:
        with pytest.raises(ValidationError, match="a 31 ans au 02/03/2026 .* jusqu'à 30 ans"):
            _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER)


def test_l_age_vient_du_referentiel_du_territoire():
    """A territory's override of the age range is the one applied."""
    structure, referent = _equipe(Structure.Type.FJT)
    SurchargeModalite.objects.create(
        modalite=modalite(Modalite.Code.FJT_REGULIER), territoire=structure.territoire, age_max=25
    )
    resident = ResidentFactory(structure=structure, date_naissance=_ne_le(DEBUT, 26))
    with pytest.raises(ValidationError, match="jusqu'à 25 ans"):
        _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER)


def test_la_veille_rsa_refuse_un_moins_de_30_ans():
    structure, referent = _equipe(Structure.Type.MSVS)
    resident = ResidentFactory(structure=structure, date_naissance=_ne_le(DEBUT + datetime.timedelta(days=1), 30))
    with pytest.raises(ValidationError, match="à partir de 30 ans"):
        _ouvrir(resident, referent, Modalite.Code.RSA_VEILLE)


# --- the page -------------------------------------------------------------------------------------------


def _poster(client, referent, resident, code):
    client.force_login(referent)
    url = reverse("accompagnement:ouvrir", args=[resident.pk])
    formulaire = client.get(url).context["form"]
    return formulaire, client.post(
        url,
        {
            "modalite": modalite(code).pk,
            "referent": referent.pk,
            "date_debut": DEBUT.isoformat(),
            "jeton": formulaire.initial["jeton"],
        },
    )


def test_la_page_ne_propose_que_les_modalites_du_type_de_structure(client):
    structure, referent = _equipe(Structure.Type.ASSOCIATION)
    resident = ResidentFactory(structure=structure)
    formulaire, reponse = _poster(client, referent, resident, Modalite.Code.FJT_REGULIER)
    codes = {m.code for m in formulaire.fields["modalite"].queryset}
    assert "FJT_REGULIER" not in codes and "ASLL" in codes
    assert reponse.status_code == 200
    assert "modalite" in reponse.context["form"].errors
    assert not Accompagnement.objects.exists()


def test_la_page_refuse_un_age_hors_tranche_en_francais(client):
    structure, referent = _equipe(Structure.Type.FJT)
    resident = ResidentFactory(structure=structure, nom="Trentedeux", date_naissance=_ne_le(DEBUT, 32))
    _, reponse = _poster(client, referent, resident, Modalite.Code.FJT_REGULIER)
    assert reponse.status_code == 200
    assert "accompagne jusqu&#x27;à 30 ans" in reponse.content.decode()
    assert not Accompagnement.objects.exists()


def test_une_residence_n_ouvre_pas_de_mesure_fjt_a_une_personne_avec_enfant():
    structure, referent = _equipe(Structure.Type.FJT)
    resident = ResidentFactory(structure=structure, date_naissance=_ne_le(DEBUT, 22), enfants_a_charge=1)
    with pytest.raises(ValidationError, match="1 enfant\\(s\\) à charge : une résidence FJT ne peut pas accueillir"):
        _ouvrir(resident, referent, Modalite.Code.FJT_REGULIER)
