"""« Mes contrats »: scope (référent, manager, outsider), filters, « à traiter » first, paging, the status of an
ended contract."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from contrats import liste, services
from contrats.models import Contrat, Partie, Transition
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import DelegueFactory, ResponsableFactory

from .conftest import brouillon, signer_personne, signer_staff
from .factories import ContratFactory

E = Contrat.Etat
URL = reverse("contrats:mes_contrats")
D = datetime.date
DEBUT, FIN = D(2026, 1, 5), D(2026, 7, 5)
AUJOURDHUI = datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _le_1er_mars():
    with time_machine.travel(AUJOURDHUI, tick=False):
        yield


def contrat(referent, *, nom="Durand", etat=E.VALIDE, debut=DEBUT, fin=FIN, **kwargs):
    acc = AccompagnementFactory(referent=referent, resident__nom=nom)
    return ContratFactory(accompagnement=acc, etat=etat, date_debut=debut, date_fin=fin, **kwargs)


def lignes(client, **params):
    reponse = client.get(URL, params)
    assert reponse.status_code == 200
    return [c.pk for c in reponse.context["page_obj"]], reponse.content.decode()


def test_le_referent_voit_les_siens_le_collegue_et_l_etranger_non(client, referent, collegue, etranger):
    mien = contrat(referent, nom="Zabulon")
    for user, attendu in ((referent, [mien.pk]), (collegue, []), (etranger, [])):
        client.force_login(user)
        pks, html = lignes(client)
        assert pks == attendu
        assert ("Zabulon" in html) == bool(attendu)
    assert "Vous n'avez encore aucun contrat." in html


def test_le_responsable_voit_la_structure_et_filtre_par_referent(client, referent, collegue, responsable):
    a, b = contrat(referent, nom="Alpha"), contrat(collegue, nom="Bravo")
    client.force_login(responsable)
    pks, html = lignes(client)
    assert set(pks) == {a.pk, b.pk}
    assert "Contrats de la structure" in html and 'name="referent"' in html
    assert lignes(client, referent=collegue.pk)[0] == [b.pk]
    client.force_login(referent)
    assert 'name="referent"' not in lignes(client)[1]


def test_le_responsable_d_une_autre_structure_ne_voit_rien(client, referent):
    contrat(referent, nom="Zabulon")
    client.force_login(ResponsableFactory())
    pks, html = lignes(client)
    assert pks == [] and "Zabulon" not in html and "La structure n'a encore aucun contrat." in html


def test_filtres_type_etat_personne(client, referent):
    cer = contrat(referent, nom="Élodie Lefèvre")
    com = contrat(
        referent, nom="Martin", type=TypeContrat.COM, etat=E.BROUILLON, debut=D(2026, 3, 1), fin=D(2026, 4, 1)
    )
    client.force_login(referent)
    assert lignes(client, type=TypeContrat.COM)[0] == [com.pk]
    assert lignes(client, statut=liste.EN_COURS)[0] == [cer.pk]
    assert lignes(client, statut=liste.A_TRAITER)[0] == [com.pk]
    assert lignes(client, personne="lefevre")[0] == [cer.pk]
    pks, html = lignes(client, personne="personne")
    assert pks == [] and "Aucun contrat ne correspond à ces filtres." in html


def test_filtre_inconnu_ignore_en_francais(client, referent):
    cer = contrat(referent)
    client.force_login(referent)
    pks, html = lignes(client, statut="NIMPORTEQUOI", referent="abc")
    assert pks == [cer.pk]
    assert "Sélectionnez un choix valide" in html


def test_filtre_par_delegue_qui_a_decide(client, referent):
    delegue, autre = DelegueFactory(), DelegueFactory()
    decide, non = contrat(referent, nom="Alpha"), contrat(referent, nom="Bravo")
    Transition.objects.create(contrat=decide, action="validation", etat_apres=E.VALIDE, par=delegue)
    Transition.objects.create(contrat=non, action="validation", etat_apres=E.VALIDE, par=autre)
    client.force_login(referent)
    assert lignes(client, validateur=delegue.pk)[0] == [decide.pk]


def test_a_traiter_d_abord(client, referent, structure):
    en_cours = contrat(referent, nom="Encours", fin=D(2026, 4, 1))
    expire = contrat(referent, nom="Expire", debut=D(2025, 6, 1), fin=D(2025, 12, 1))
    plus_ancien = contrat(referent, nom="Ancien", debut=D(2025, 1, 1), fin=D(2025, 6, 1))
    plus_tard = contrat(referent, nom="Plustard", debut=D(2026, 2, 1), fin=D(2026, 8, 1))
    differe = contrat(referent, nom="Differe", etat=E.DIFFERE, fin=D(2026, 12, 1))
    refuse = contrat(referent, nom="Refuse", etat=E.REFUSE, fin=D(2026, 11, 1))
    a_signer = brouillon(referent)  # soumis : ma signature est attendue
    a_signer = services.soumettre(contrat=a_signer, par=referent, version=a_signer.version)
    client.force_login(referent)
    pks, html = lignes(client)
    assert set(pks[:3]) == {differe.pk, refuse.pk, a_signer.pk}
    # Then in force, the nearest end first; then ended, the latest first.
    assert pks[3:] == [en_cours.pk, plus_tard.pk, expire.pk, plus_ancien.pk]
    assert "votre signature est attendue" in html and "réponse attendue par le délégué insertion" in html
    assert "3 contrats à traiter" in html
    # Once the référent signed, only the person's signature is missing: no longer waiting for the référent.
    signer_staff(a_signer, referent, Partie.REFERENT)
    assert a_signer.pk not in lignes(client, statut=liste.A_TRAITER)[0]


def test_un_refus_repris_par_un_nouveau_contrat_n_est_plus_a_traiter(client, referent):
    refuse = contrat(referent, etat=E.REFUSE)
    client.force_login(referent)
    assert lignes(client, statut=liste.A_TRAITER)[0] == [refuse.pk]
    ContratFactory(
        accompagnement=refuse.accompagnement, etat=E.BROUILLON, date_debut=D(2026, 8, 1), date_fin=D(2026, 9, 1)
    )
    assert refuse.pk not in lignes(client, statut=liste.A_TRAITER)[0]


def test_la_signature_du_responsable_attendue(client, referent, responsable):
    com = brouillon(referent, type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER, debut=D(2026, 3, 1))
    com = services.soumettre(contrat=com, par=referent, version=com.version)
    signer_personne(com, referent)
    signer_staff(com, referent, Partie.REFERENT)
    client.force_login(responsable)
    pks, html = lignes(client, statut=liste.A_TRAITER)
    assert pks == [com.pk] and "votre signature est attendue" in html
    client.force_login(referent)
    assert lignes(client, statut=liste.A_TRAITER)[0] == []


def test_un_contrat_termine_n_est_plus_affiche_valide(client, referent):
    expire = contrat(referent, nom="Expire", debut=D(2025, 6, 1), fin=D(2025, 12, 1))
    renouvele = contrat(referent, nom="Renouvele", debut=D(2025, 6, 1), fin=D(2025, 12, 1))
    ContratFactory(
        accompagnement=renouvele.accompagnement,
        etat=E.VALIDE,
        date_debut=D(2025, 12, 1),
        date_fin=D(2026, 6, 1),
        precedent=renouvele,
        numero_renouvellement=1,
    )
    remplace = contrat(referent, nom="Remplace", debut=D(2025, 6, 1), fin=D(2026, 2, 1))
    ContratFactory(
        accompagnement=remplace.accompagnement,
        etat=E.VALIDE,
        date_debut=D(2026, 2, 1),
        date_fin=D(2026, 8, 1),
        avenant_de=remplace,
        numero_version=2,
    )
    client.force_login(referent)
    reponse = client.get(URL)
    statuts = {c.pk: c.statut_libelle for c in reponse.context["page_obj"]}
    assert statuts[expire.pk] == "expiré"
    assert statuts[renouvele.pk] == "terminé (renouvelé)"
    assert statuts[remplace.pk] == "remplacé (avenant)"
    assert "validé" not in {statuts[expire.pk], statuts[renouvele.pk], statuts[remplace.pk]}
    assert lignes(client, statut=liste.REMPLACE)[0] == [remplace.pk]
    assert lignes(client, statut=liste.TERMINE)[0] == [renouvele.pk]


def test_pagination_et_filtres_conserves(client, referent):
    for i in range(liste_par_page() + 3):
        contrat(referent, nom=f"Personne{i}", type=TypeContrat.COM)
    client.force_login(referent)
    reponse = client.get(URL, {"type": TypeContrat.COM})
    page = reponse.context["page_obj"]
    assert page.paginator.num_pages == 2 and len(page.object_list) == liste_par_page()
    assert f"type={TypeContrat.COM}&amp;page=2" in reponse.content.decode()
    assert len(client.get(URL, {"type": TypeContrat.COM, "page": 2}).context["page_obj"].object_list) == 3


def liste_par_page():
    from contrats.views import PAR_PAGE

    return PAR_PAGE


def test_le_nombre_de_requetes_ne_depend_pas_du_nombre_de_contrats(client, referent, django_assert_max_num_queries):
    for i in range(30):
        contrat(referent, nom=f"Personne{i}")
    client.force_login(referent)
    with django_assert_max_num_queries(25):
        client.get(URL)
