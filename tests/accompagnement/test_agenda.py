"""The agenda: day, week, month of planned rendez-vous, scoped like the files."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from accompagnement import agenda
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import ReferentFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Wednesday morning in Paris.
MERCREDI = datetime.datetime(2026, 12, 2, 9, 0, tzinfo=PARIS)


@pytest.fixture
def horloge():
    with time_machine.travel(MERCREDI, tick=False):
        yield


def rdv(mesure, jour, heure=10, **extra):
    return EntretienFactory(
        accompagnement=mesure,
        statut="PLANIFIE",
        date_heure=datetime.datetime.combine(jour, datetime.time(heure), tzinfo=PARIS),
        **extra,
    )


def ouvrir(client, user, **params):
    client.force_login(user)
    return client.get(reverse("accompagnement:agenda"), params)


def rdvs_affiches(reponse):
    return {r for _, liste in reponse.context["jours"] for r in liste} | set(reponse.context["du_jour"])


def test_les_periodes_et_leurs_voisines():
    mercredi = datetime.date(2026, 12, 2)
    semaine = agenda.periode("semaine", mercredi)
    assert (semaine.debut, semaine.fin) == (datetime.date(2026, 11, 30), datetime.date(2026, 12, 7))
    assert semaine.suivante.debut == datetime.date(2026, 12, 7)
    assert semaine.precedente.debut == datetime.date(2026, 11, 23)
    mois = agenda.periode("mois", mercredi)
    assert (mois.debut, mois.fin) == (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1))
    assert mois.precedente.debut == datetime.date(2026, 11, 1) and mois.suivante.debut == datetime.date(2027, 1, 1)
    jour = agenda.periode("jour", mercredi)
    assert (jour.precedente.debut, jour.suivante.debut) == (datetime.date(2026, 12, 1), datetime.date(2026, 12, 3))
    assert agenda.periode("n'importe quoi", mercredi) == semaine


def test_le_rendez_vous_de_mardi_prochain_dans_la_semaine_suivante(client, horloge, mesure, referent):
    mardi_prochain = rdv(mesure, datetime.date(2026, 12, 8), 14)
    aujourdhui = rdv(mesure, datetime.date(2026, 12, 2), 11)
    reponse = ouvrir(client, referent)
    assert reponse.status_code == 200
    # Today's first, on its own; next Tuesday is not in this week.
    assert reponse.context["du_jour"] == [aujourdhui]
    assert mardi_prochain not in rdvs_affiches(reponse)
    suivante = client.get(reponse.context["url_suivante"])
    jours = dict(suivante.context["jours"])
    assert jours[datetime.date(2026, 12, 8)] == [mardi_prochain]
    contenu = suivante.content.decode()
    assert reverse("residents:dossier", args=[mesure.resident_id]) in contenu
    assert "mardi 8 décembre 2026" in contenu
    # Today keeps its heading, marked as the current date.
    assert 'aria-current="date"' in contenu


def test_vue_jour_et_mois(client, horloge, mesure, referent):
    rdv(mesure, datetime.date(2026, 12, 2), 15)
    fin_du_mois = rdv(mesure, datetime.date(2026, 12, 30))
    janvier = rdv(mesure, datetime.date(2027, 1, 4))
    mois = ouvrir(client, referent, vue="mois")
    assert fin_du_mois in rdvs_affiches(mois) and janvier not in rdvs_affiches(mois)
    # A month lists only its days with a rendez-vous (today apart).
    assert [jour for jour, _ in mois.context["jours"]] == [datetime.date(2026, 12, 30)]
    jour = ouvrir(client, referent, vue="jour", date="2026-12-30")
    # The day asked, after today's (always first).
    assert [(j, liste) for j, liste in jour.context["jours"]] == [(datetime.date(2026, 12, 30), [fin_du_mois])]
    assert 'aria-current="page"' in jour.content.decode()


def test_collegue_et_etranger_ne_voient_pas_les_rendez_vous_du_referent(client, horloge, mesure, collegue, etranger):
    # A name no factory invents: the outsider's own random name once matched the person's (« Laurent »).
    Resident.objects.filter(pk=mesure.resident_id).update(nom="Zygmuntowicz")
    vu = rdv(mesure, datetime.date(2026, 12, 3), notes="")
    assert vu not in rdvs_affiches(ouvrir(client, collegue))
    reponse = ouvrir(client, etranger)
    assert reponse.status_code == 200 and vu not in rdvs_affiches(reponse)
    assert "Zygmuntowicz" not in reponse.content.decode()


def test_responsable_voit_la_structure_et_filtre_par_referent(
    client, horloge, mesure, referent, collegue, responsable, etranger
):
    du_referent = rdv(mesure, datetime.date(2026, 12, 3))
    du_collegue = rdv(AccompagnementFactory(referent=collegue), datetime.date(2026, 12, 4))
    ailleurs = rdv(AccompagnementFactory(referent=etranger), datetime.date(2026, 12, 4))
    tous = ouvrir(client, responsable)
    assert rdvs_affiches(tous) == {du_referent, du_collegue}
    filtre = ouvrir(client, responsable, referent=collegue.pk)
    assert rdvs_affiches(filtre) == {du_collegue}
    # The filter follows the period links.
    assert f"referent={collegue.pk}" in filtre.context["url_suivante"]
    # A référent of another structure as filter shows nothing of theirs.
    assert ailleurs not in rdvs_affiches(ouvrir(client, responsable, referent=etranger.pk))
    # A référent's own agenda ignores the filter.
    assert rdvs_affiches(ouvrir(client, referent, referent=collegue.pk)) == {du_referent}


@pytest.mark.parametrize(
    "params", [{"date": "2026-13-45"}, {"date": "abc"}, {"date": "0001-01-01"}, {"vue": "an"}, {"referent": "²"}]
)
def test_parametres_invalides_sans_erreur(client, horloge, responsable, params):
    reponse = ouvrir(client, responsable, **params)
    assert reponse.status_code == 200
    assert reponse.context["periode"].contient(datetime.date(2026, 12, 2))


def test_un_rendez_vous_passe_se_cloture_depuis_l_agenda(client, horloge, mesure, referent):
    passe = rdv(mesure, datetime.date(2026, 12, 1))
    contenu = ouvrir(client, referent).content.decode()
    assert reverse("accompagnement:rendez_vous_cloturer", args=[passe.pk]) in contenu


def test_un_partenaire_n_a_pas_d_agenda(client, mesure):
    from tests.accounts.factories import PartenaireFactory

    assert ouvrir(client, PartenaireFactory()).status_code == 404


def test_un_referent_d_une_autre_structure_voit_son_propre_agenda(client, horloge):
    autre = ReferentFactory()
    sien = rdv(AccompagnementFactory(referent=autre), datetime.date(2026, 12, 3))
    assert rdvs_affiches(ouvrir(client, autre)) == {sien}
