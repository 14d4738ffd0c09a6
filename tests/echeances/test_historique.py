"""`--as-of` a past day reads the base as it was recorded that day (echeances/historique.py), with the
référentiel in force that day (referentiel.regles): contracts
signed, cancelled or ended since, a measure closed since, an orientation decided since, an entretien
recorded since but dated before that day, none of them changes what the engine said that day."""

import datetime
import io
import json
import re

import pytest
from django.apps import apps
from django.core.management import call_command

from accompagnement import orientations
from accompagnement.models import Accompagnement, Entretien
from contrats.models import Contrat
from echeances import (
    base,
    historique,
    regles_admissions,
    regles_contacts,
    regles_contrats,
    regles_parcours,
    regles_personnes,
    regles_sanctions,
)
from echeances.base import Contexte
from echeances.management.commands.echeances import en_dict
from echeances.moteur import calculer
from referentiel.models import Modalite, SurchargeModalite
from residents.models import Resident
from tests.accompagnement.factories import AccompagnementFactory, EntretienFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory
from tests.contrats.factories import ContratFactory
from tests.echeances.conftest import a_paris
from tests.referentiel.factories import StructureFactory, modalite
from tests.residents.factories import ResidentFactory

D = datetime.date
JOUR = D(2026, 3, 10)  # the day whose échéances are reproduced
PLUS_TARD = D(2026, 4, 20)  # the day the base is changed, and « today » afterwards


def _tout(le, *, historique=False):
    return calculer(
        Accompagnement.objects.all(),
        le=le,
        contexte=Contexte(le, historique=historique),
        personnes=Resident.objects.all(),
    )


def _causes(echeances):
    return {(e.cle, e.due_le, e.etat) for e in echeances}


@pytest.fixture
def base_changee(voyager):
    """A base built on JOUR, its échéances of that day, then changed on PLUS_TARD (clock frozen each time:
    history_date is the clock's)."""
    voyager(JOUR)
    service_cd = StructureFactory(type="SERVICE_CD")
    msvs = StructureFactory(territoire=service_cd.territoire)
    referent = ReferentFactory(structures=[msvs])
    delegue = DelegueFactory(territoires=[service_cd.territoire])

    # A CER in force near its end (RENOUVELLEMENT, CER_A_REMPLACER), renewed later.
    a_renouveler = ContratFactory(
        accompagnement=AccompagnementFactory(referent=referent),
        etat=Contrat.Etat.VALIDE,
        date_debut=D(2025, 10, 1),
        date_fin=D(2026, 4, 1),
    )
    # No contract that day (CONTRAT_MANQUANT); one signed later, backdated over that day.
    sans_contrat = AccompagnementFactory(referent=referent)
    # A contract in force, cancelled later.
    a_annuler = ContratFactory(
        accompagnement=AccompagnementFactory(referent=referent),
        etat=Contrat.Etat.VALIDE,
        date_debut=D(2026, 1, 5),
        date_fin=D(2026, 12, 5),
    )
    # A measure closed later with an end before that day.
    a_clore = AccompagnementFactory(referent=referent)
    # Contacts: one deleted later; another measure gets an entretien recorded later, dated before that day.
    efface = EntretienFactory(accompagnement=a_clore, date_heure=a_paris(D(2026, 2, 20)))
    sans_contact = AccompagnementFactory(referent=referent)
    # An RSA beneficiary waiting for her orientation, decided later with an earlier date.
    allocataire = ResidentFactory(structure=service_cd, date_ouverture_rsa=D(2026, 1, 2))

    ce_jour_la = _tout(JOUR)
    mesures_ce_jour_la = calculer(Accompagnement.objects.all(), le=JOUR)
    attendues = {
        f"RENOUVELLEMENT:{a_renouveler.pk}",
        f"CONTRAT_MANQUANT:{sans_contrat.pk}:20260105",
        f"CONTRAT_MANQUANT:orientation:{allocataire.pk}",
    }
    assert attendues <= {e.cle for e in ce_jour_la}

    voyager(PLUS_TARD)
    ContratFactory(
        accompagnement=a_renouveler.accompagnement,
        etat=Contrat.Etat.VALIDE,
        precedent=a_renouveler,
        numero_renouvellement=1,
        date_debut=D(2026, 4, 1),
        date_fin=D(2026, 10, 1),
    )
    ContratFactory(accompagnement=sans_contrat, etat=Contrat.Etat.VALIDE, date_debut=D(2026, 2, 1))
    a_annuler.etat = Contrat.Etat.ANNULE
    a_annuler.save()
    a_clore.date_fin = D(2026, 3, 1)
    a_clore.motif_fin = "Fin de la mesure"
    a_clore.save()
    Entretien.objects.get(pk=efface.pk).delete()
    EntretienFactory(accompagnement=sans_contact, date_heure=a_paris(D(2026, 3, 5)))
    orientations.decider_orientation(
        resident=allocataire,
        par=delegue,
        modalite=modalite(Modalite.Code.RSA_SOCIOPRO),
        structure=msvs,
        date_decision=D(2026, 2, 2),
    )
    # And the référentiel: weekly contacts from that day on (a version: the past keeps its rule).
    SurchargeModalite.objects.create(
        modalite=modalite(Modalite.Code.RSA_SOCIOPRO), intervalle_contact="P7D", en_vigueur_le=PLUS_TARD
    )
    return ce_jour_la, locals()


def test_le_jour_passe_est_reproduit_malgre_les_changements(base_changee):
    ce_jour_la, _ = base_changee
    assert _tout(JOUR, historique=True) == ce_jour_la
    assert any("un contact tous les 7 jours" in e.message for e in _tout(PLUS_TARD))  # the new rule, from its day


def test_sans_historique_l_etat_d_aujourd_hui(base_changee):
    """What --as-of did before: today's contracts, measures, entretiens and orientations on that day."""
    ce_jour_la, v = base_changee
    aujourdhui = _causes(_tout(JOUR))
    disparues = {cle for cle, _d, _e in _causes(ce_jour_la) - aujourdhui}
    apparues = {cle for cle, _d, _e in aujourdhui - _causes(ce_jour_la)}
    assert f"RENOUVELLEMENT:{v['a_renouveler'].pk}" in disparues  # renewed
    assert f"CONTRAT_MANQUANT:{v['sans_contrat'].pk}:20260105" in disparues  # signed, backdated
    assert f"CONTRAT_MANQUANT:orientation:{v['allocataire'].pk}" in disparues  # oriented
    assert f"CONTRAT_MANQUANT:{v['a_annuler'].accompagnement_id}:20260105" in apparues  # cancelled
    assert not any(f":{v['a_clore'].pk}:" in cle for cle in aujourdhui)  # closed before that day
    assert any(cle.startswith(f"CONTACT:{v['sans_contact'].pk}:") for cle in disparues)  # contact recorded since
    assert any(cle.startswith("CONTRAT_MANQUANT:affectation:") for cle in apparues)  # the decision


def test_la_commande_reproduit_le_jour_passe(base_changee):
    """The command runs the rules of the measures (no `personnes`), as calculer() did that day."""
    _, v = base_changee
    out = io.StringIO()
    call_command("echeances", "--as-of", JOUR.isoformat(), "--format", "json", stdout=out)
    assert json.loads(out.getvalue()) == [en_dict(e) for e in v["mesures_ce_jour_la"]]
    out = io.StringIO()
    call_command("echeances", "--format", "json", stdout=out)  # today: the live base
    assert json.loads(out.getvalue()) == [en_dict(e) for e in calculer(Accompagnement.objects.all(), le=PLUS_TARD)]


def test_la_commande_filtre_sur_les_mesures_de_ce_jour_la(base_changee):
    """--structure / --referent select the measures as they were: the closed one is still there."""
    ce_jour_la, v = base_changee
    out = io.StringIO()
    call_command("echeances", "--as-of", JOUR.isoformat(), "--referent", str(v["referent"].pk), stdout=out)
    les_siennes = [e for e in ce_jour_la if e.accompagnement_id and e.referent_id == v["referent"].pk]
    assert out.getvalue().splitlines()[-1] == f"{len(les_siennes)} échéance(s) au 10/03/2026."
    assert any(e.accompagnement_id == v["a_clore"].pk for e in les_siennes)


def test_aujourd_hui_l_historique_est_la_base(base_changee):
    """At the end of today the snapshot is the live base, whatever the rule (nothing lost in the CTEs)."""
    assert _tout(PLUS_TARD, historique=True) == _tout(PLUS_TARD)


def test_une_ligne_jamais_historisee_est_lue_telle_qu_elle_est(voyager):
    """A bulk load sends no signal: its rows have no history and are read as they are now."""
    voyager(JOUR)
    mesure = AccompagnementFactory()
    Accompagnement.history.filter(id=mesure.pk).delete()
    voyager(PLUS_TARD)
    assert _causes(_tout(JOUR, historique=True)) == _causes(_tout(JOUR))
    assert any(e.accompagnement_id == mesure.pk for e in _tout(JOUR, historique=True))


def test_toute_table_lue_par_les_regles_est_historisee_ou_dite():
    """A rule reading a new table must shadow it (historique.SHADOWED) or say why not (NOT_SHADOWED)."""
    textes = " ".join(
        valeur
        for module in (
            base,
            regles_contrats,
            regles_contacts,
            regles_personnes,
            regles_parcours,
            regles_admissions,
            regles_sanctions,
        )  # fmt: skip
        for nom, valeur in vars(module).items()
        if isinstance(valeur, str) and nom.startswith(("_SQL", "_CTE"))
    )
    tables = {m._meta.db_table for m in apps.get_models()}
    lues = {t for t in tables if re.search(rf"\b{t}\b", textes)}
    ombres = {apps.get_model(label)._meta.db_table for label in historique.SHADOWED}
    assert lues == ombres | set(historique.NOT_SHADOWED)


def test_sans_historique_la_requete_ne_lit_aucun_historique():
    requete = base.Requete(Accompagnement.objects.all(), Contexte(JOUR))
    assert "pg_temp" not in requete.texte(regles_contrats._SQL_RENOUVELLEMENT)
    texte = base.Requete(Accompagnement.objects.all(), Contexte(JOUR, historique=True)).texte(
        regles_contrats._SQL_RENOUVELLEMENT
    )
    # The snapshots of the tables the statement reads, and of them only.
    assert '"contrats_contrat" AS NOT MATERIALIZED (SELECT * FROM pg_temp.' in texte
    assert "accompagnement_entretien" not in texte
