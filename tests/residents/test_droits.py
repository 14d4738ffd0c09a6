"""The person's rights: partner access by consent, the right-of-access ZIP, bad input."""

import datetime
import io
import json
import re
import uuid
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accompagnement.models import Accompagnement, Entretien
from admissions.models import (
    Candidature,
    FinDePriseEnCharge,
    GarantieTiers,
    Logement,
    PassageRelais,
    ReunionCoordination,
    Synthese,
)
from contrats.models import Partie, Signature, VersionContrat
from echeances.models import SignalementSanction
from journal.models import Action, JournalAcces
from pilotage.models import ComiteSuivi, DecisionComite
from referentiel.models import Structure
from residents.droits import enregistrer_consentement, enregistrer_demande_acces, marquer_remise
from residents.models import Consentement, DemandeAcces
from tests.accompagnement.factories import AccompagnementFactory, CoReferentFactory, EntretienFactory, ObjectifFactory
from tests.accounts.factories import (
    AdministrateurFactory,
    DelegueFactory,
    PartenaireFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.concurrence import course
from tests.contrats.factories import ContratFactory
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory
from tests.residents.factories import ConsentementFactory

C = Consentement.Categorie
AUJOURDHUI = timezone.localdate()


@pytest.fixture
def mesure():
    return AccompagnementFactory()


@pytest.fixture
def partenaire(mesure):
    user = PartenaireFactory()
    CoReferentFactory(accompagnement=mesure, contact=user.contact_partenaire)
    return user


def consentir(mesure, partenaire, categories):
    return ConsentementFactory(
        resident=mesure.resident, tiers=partenaire.contact_partenaire.tiers, categories=categories
    )


def test_partenaire_sans_consentement_ne_voit_rien(client, mesure, partenaire):
    client.force_login(partenaire)
    assert client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).status_code == 404
    assert str(mesure.resident) not in client.get(reverse("residents:partenaire_personnes")).content.decode()


def test_partenaire_avec_consentement_voit_seulement_les_categories(client, mesure, partenaire):
    EntretienFactory(accompagnement=mesure, notes="Note ordinaire à ne pas partager")
    ObjectifFactory(accompagnement=mesure, libelle="Trouver un stage")
    consentir(mesure, partenaire, [C.PRESENCE, C.OBJECTIFS])
    client.force_login(partenaire)
    assert str(mesure.resident) in client.get(reverse("residents:partenaire_personnes")).content.decode()
    html = client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).content.decode()
    assert "Trouver un stage" in html
    assert "data-presences" in html
    assert "Note ordinaire" not in html
    partage = JournalAcces.objects.get(action=Action.PARTAGE)
    assert partage.resident_id == mesure.resident_id
    assert "présence" in partage.detail and "objectifs" in partage.detail


def test_partenaire_ne_voit_jamais_une_note_confidentielle(client, mesure, partenaire):
    EntretienFactory(accompagnement=mesure, notes="Note partagée")
    EntretienFactory(accompagnement=mesure, notes="Secret du référent", confidentiel=True)
    consentir(mesure, partenaire, [C.NOTES])
    client.force_login(partenaire)
    html = client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).content.decode()
    assert "Note partagée" in html
    assert "Secret du référent" not in html


def test_retrait_du_consentement_coupe_l_acces_immediatement(client, mesure, partenaire):
    consentement = consentir(mesure, partenaire, [C.OBJECTIFS])
    client.force_login(mesure.referent)
    response = client.post(reverse("residents:consentement_retirer", args=[consentement.pk]))
    assert response.status_code == 302
    consentement.refresh_from_db()
    assert consentement.date_retrait == timezone.localdate()
    client.force_login(partenaire)
    assert client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).status_code == 404
    assert not Accompagnement.objects.visibles_par(partenaire).exists()
    assert not Entretien.objects.visibles_par(partenaire).exists()


def test_le_partenaire_n_atteint_aucun_ecran_du_personnel(client, mesure, partenaire):
    consentir(mesure, partenaire, [C.NOTES, C.OBJECTIFS, C.PRESENCE, C.CONTRATS, C.IDENTITE])
    client.force_login(partenaire)
    for url in (
        reverse("residents:dossier", args=[mesure.resident_id]),
        reverse("residents:liste"),
        reverse("accompagnement:file_active"),
        reverse("contrats:mes_contrats"),
    ):
        assert client.get(url).status_code == 404, url


def test_enregistrer_un_consentement(client, mesure, partenaire):
    client.force_login(mesure.referent)
    donnees = {
        "tiers": partenaire.contact_partenaire.tiers_id,
        "finalite": "suivi du contrat jeune majeur",
        "categories": [C.OBJECTIFS, C.CONTRATS],
        "date_consentement": timezone.localdate().isoformat(),
        "mode": "ECRIT",
    }
    assert client.post(reverse("residents:consentement_nouveau", args=[mesure.resident_id]), donnees).status_code == 302
    consentement = Consentement.objects.get()
    assert consentement.recueilli_par == mesure.referent
    assert sorted(consentement.categories) == [C.CONTRATS, C.OBJECTIFS]
    # a consent in the future or without category: a French message, nothing saved
    futur = {**donnees, "date_consentement": (timezone.localdate() + datetime.timedelta(days=3)).isoformat()}
    response = client.post(reverse("residents:consentement_nouveau", args=[mesure.resident_id]), futur)
    assert response.status_code == 200 and "futur" in response.content.decode()
    vide = {**donnees, "categories": []}
    response = client.post(reverse("residents:consentement_nouveau", args=[mesure.resident_id]), vide)
    assert response.status_code == 200
    assert Consentement.objects.count() == 1


def _jeton(page):
    """The once-only token of the form in the page (accompagnement.jeton)."""
    return re.search(r'name="jeton" value="([0-9a-f-]{36})"', page).group(1)


def test_un_consentement_envoye_deux_fois_n_est_enregistre_qu_une_fois(client, mesure, partenaire):
    client.force_login(mesure.referent)
    url = reverse("residents:consentement_nouveau", args=[mesure.resident_id])
    donnees = {
        "tiers": partenaire.contact_partenaire.tiers_id,
        "finalite": "suivi du contrat jeune majeur",
        "categories": [C.OBJECTIFS],
        "date_consentement": timezone.localdate().isoformat(),
        "mode": "ECRIT",
        "jeton": _jeton(client.get(url).content.decode()),
    }
    for _ in range(3):
        assert client.post(url, donnees).status_code == 302
    assert Consentement.objects.count() == 1
    # A new form (a new token) records the next consent.
    assert client.post(url, {**donnees, "jeton": _jeton(client.get(url).content.decode())}).status_code == 302
    assert Consentement.objects.count() == 2


def test_une_demande_d_acces_envoyee_deux_fois_n_est_enregistree_qu_une_fois(client, mesure):
    client.force_login(mesure.referent)
    page = client.get(reverse("residents:droits", args=[mesure.resident_id])).content.decode()
    url = reverse("residents:demande_acces", args=[mesure.resident_id])
    for _ in range(3):
        assert client.post(url, {"jeton": _jeton(page)}).status_code == 302
    assert DemandeAcces.objects.count() == 1
    # A tampered token: a French message, nothing recorded.
    reponse = client.post(url, {"jeton": "pas-un-jeton"}, follow=True)
    assert "Formulaire invalide" in reponse.content.decode() and DemandeAcces.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_deux_envois_simultanes_du_meme_formulaire_une_seule_ligne():
    """Two requests racing with the same token (the second waits on the first's unique token, then gets
    its row): one consent, one request of access."""
    mesure = AccompagnementFactory()
    tiers = PartenaireFactory().contact_partenaire.tiers
    jeton, jeton_demande = uuid.uuid4(), uuid.uuid4()

    def consentir_():
        return enregistrer_consentement(
            resident=mesure.resident,
            par=mesure.referent,
            tiers=tiers,
            finalite="suivi",
            categories=[C.PRESENCE],
            date_consentement=AUJOURDHUI,
            mode="ECRIT",
            jeton=jeton,
        )

    def demander():
        return enregistrer_demande_acces(resident=mesure.resident, par=mesure.referent, jeton=jeton_demande)

    premier, second = course(consentir_, consentir_)
    assert premier.pk == second.pk and Consentement.objects.count() == 1
    premier, second = course(demander, demander)
    assert premier.pk == second.pk and DemandeAcces.objects.count() == 1


def test_le_formulaire_de_consentement_garde_un_brouillon(client, mesure):
    client.force_login(mesure.referent)
    page = client.get(reverse("residents:consentement_nouveau", args=[mesure.resident_id])).content.decode()
    assert f'data-brouillon="consentement-{mesure.resident_id}"' in page


def test_consentement_collegue_et_etranger(client, mesure):
    collegue = ReferentFactory(structures=[mesure.structure])
    client.force_login(collegue)
    assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 200
    client.force_login(ReferentFactory())
    assert client.get(reverse("residents:droits", args=[mesure.resident_id])).status_code == 404
    assert client.get(reverse("residents:consentement_nouveau", args=[mesure.resident_id])).status_code == 404


def test_le_zip_du_droit_d_acces_contient_tout(client, mesure, partenaire):
    resident = mesure.resident
    resident.telephone = "06 12 34 56 78"
    resident.save()
    EntretienFactory(accompagnement=mesure, notes="Note confidentielle de l'entretien", confidentiel=True)
    objectif = ObjectifFactory(accompagnement=mesure, libelle="Ouvrir un compte bancaire")
    consentement = consentir(mesure, partenaire, [C.OBJECTIFS])
    client.force_login(partenaire)
    client.get(reverse("residents:partenaire_dossier", args=[resident.pk]))
    client.force_login(mesure.referent)
    client.post(reverse("residents:demande_acces", args=[resident.pk]))
    client.force_login(ResponsableFactory(structures=[mesure.structure]))
    archive = _zip(client, resident)
    assert {"dossier.json", "dossier.pdf", "LISEZMOI.txt"} <= set(archive.namelist())
    assert archive.read("dossier.pdf").startswith(b"%PDF")
    d = json.loads(archive.read("dossier.json"))
    assert d["identite"]["nom"] == resident.nom
    assert d["identite"]["prenom"] == resident.prenom
    assert d["identite"]["telephone"] == "06 12 34 56 78"
    assert d["identite"]["date_naissance"] == resident.date_naissance.isoformat()
    [m] = d["accompagnements"]
    assert m["id"] == mesure.pk and m["modalite_id"] == mesure.modalite_id
    [e] = m["entretiens"]
    assert e["notes"] == "Note confidentielle de l'entretien" and e["confidentiel"] is True
    assert m["objectifs"][0]["libelle"] == objectif.libelle
    [c] = d["consentements"]
    assert c["id"] == consentement.pk and c["categories"] == [C.OBJECTIFS]
    assert len(d["partages"]) == 1 and d["partages"][0]["par"] == partenaire.username
    [demande] = d["demandes_acces"]
    assert (
        demande["date_limite"]
        == (timezone.localdate() + __import__("dateutil").relativedelta.relativedelta(months=1)).isoformat()
    )


def _zip(client, resident):
    response = client.get(reverse("residents:droit_acces_zip", args=[resident.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(
        io.BytesIO(b"".join(response.streaming_content if response.streaming else [response.content]))
    )


def test_le_zip_est_remis_par_le_responsable_ou_le_dpo_pour_une_demande_ouverte(client, mesure):
    """It holds every author's confidential notes: not for any member of the team, and only to answer
    a request of the person."""
    resident = mesure.resident
    url = reverse("residents:droit_acces_zip", args=[resident.pk])
    responsable = ResponsableFactory(structures=[mesure.structure])
    client.force_login(responsable)
    assert client.get(url).status_code == 403  # no request recorded
    page = client.get(reverse("residents:droits", args=[resident.pk])).content.decode()
    assert url not in page and "demande d’accès enregistrée" in page
    demande = enregistrer_demande_acces(resident=resident, par=mesure.referent)
    assert url in client.get(reverse("residents:droits", args=[resident.pk])).content.decode()
    for qui in (mesure.referent, ReferentFactory(structures=[mesure.structure])):
        client.force_login(qui)
        assert client.get(url).status_code == 403
        assert url not in client.get(reverse("residents:droits", args=[resident.pk])).content.decode()
    # The manager of a structure that only co-refers the person does not hand her file over either.
    ailleurs = ResponsableFactory()
    CoReferentFactory(accompagnement=mesure, user=ailleurs)
    client.force_login(ailleurs)
    assert client.get(url).status_code == 403
    client.force_login(ResponsableFactory())
    assert client.get(url).status_code == 404
    assert not JournalAcces.objects.filter(action=Action.EXPORT).exists()
    for qui in (responsable, AdministrateurFactory()):
        client.force_login(qui)
        _zip(client, resident)
        assert JournalAcces.objects.filter(action=Action.EXPORT, user_id=qui.pk, resident_id=resident.pk).exists()
    marquer_remise(demande=demande, par=responsable)
    client.force_login(responsable)
    assert client.get(url).status_code == 403


def test_le_zip_contient_admissions_signatures_comites_et_signalements(client, mesure, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    resident, referent = mesure.resident, mesure.referent
    contact = ContactPartenaireFactory()
    candidature = Candidature.objects.create(
        residence=StructureFactory(type=Structure.Type.FJT),
        resident=resident,
        tiers=contact.tiers,
        contact_educatif=contact,
        note_sociale="Suivie par l'ASE depuis ses 15 ans.",
        note_sociale_pdf=ContentFile(b"%PDF-1.4 note sociale", name="note.pdf"),
        cree_par=referent,
    )
    GarantieTiers.objects.create(candidature=candidature, type="LOYER", precisions="ASE 88", date_fin=AUJOURDHUI)
    Synthese.objects.create(
        accompagnement=mesure,
        contact=contact,
        date_prevue=AUJOURDHUI,
        tenue_le=AUJOURDHUI,
        bilan="Bilan écrit.",
        auteur=referent,
    )
    ReunionCoordination.objects.create(
        accompagnement=mesure, date=AUJOURDHUI, decisions="Visite du logement.", auteur=referent
    )
    Logement.objects.create(
        accompagnement=mesure, mode="SOUS_LOCATION", adresse="3 rue des Lilas", date_debut=AUJOURDHUI
    )
    FinDePriseEnCharge.objects.create(
        accompagnement=mesure,
        motif="REFUS",
        explications="Refus répété des rendez-vous.",
        decidee_le=AUJOURDHUI,
        date_effet=AUJOURDHUI,
        tiers_informe_le=AUJOURDHUI,
        decidee_par=referent,
    )
    PassageRelais.objects.create(
        accompagnement=mesure,
        repreneur="CCAS",
        elements_transmis="Dossier logement.",
        accord_personne=True,
        date_relais=AUJOURDHUI,
        auteur=referent,
    )
    delegue = DelegueFactory(territoires=[mesure.structure.territoire])
    comite = ComiteSuivi.objects.create(
        type="TRIMESTRIEL_RSA",
        date=AUJOURDHUI,
        referent=referent,
        territoire=mesure.structure.territoire,
        president=delegue,
    )
    DecisionComite.objects.create(
        comite=comite, accompagnement=mesure, decision="POURSUITE", commentaire="Bonne dynamique."
    )
    absence = EntretienFactory(accompagnement=mesure, statut=Entretien.Statut.ABSENT_NON_EXCUSE)
    SignalementSanction.objects.create(
        accompagnement=mesure, derniere_absence=absence, motif="Deux absences sans nouvelles.", auteur=referent
    )
    contrat = ContratFactory(accompagnement=mesure)
    version = VersionContrat.objects.create(
        contrat=contrat,
        numero=1,
        contenu={},
        pdf=ContentFile(b"%PDF-1.4 contrat", name="v1.pdf"),
        sha256="0" * 64,
        figee_par=referent,
    )
    Signature.objects.create(
        version=version,
        partie=Partie.RESIDENT,
        nom_signataire=str(resident),
        recueillie_par=referent,
        methode=Signature.Methode.PAPIER,
        sha256_document="0" * 64,
        scan=ContentFile(b"%PDF-1.4 scan signe", name="scan.pdf"),
        sha256_scan="1" * 64,
        scan_verifie=True,
    )
    enregistrer_demande_acces(resident=resident, par=referent)
    client.force_login(ResponsableFactory(structures=[mesure.structure]))
    archive = _zip(client, resident)
    noms = set(archive.namelist())
    assert archive.read(f"admissions/note-sociale-{candidature.pk}.pdf") == b"%PDF-1.4 note sociale"
    assert archive.read(f"contrats/{contrat.pk}-v1.pdf") == b"%PDF-1.4 contrat"
    assert archive.read(f"contrats/scans/{contrat.pk}-v1-{Partie.RESIDENT}.pdf") == b"%PDF-1.4 scan signe"
    assert len(noms) == 6, noms  # + dossier.json, dossier.pdf, LISEZMOI.txt
    d = json.loads(archive.read("dossier.json"))
    [c] = d["candidatures"]
    assert c["note_sociale"] == "Suivie par l'ASE depuis ses 15 ans." and c["garanties"][0]["precisions"] == "ASE 88"
    [m] = d["accompagnements"]
    assert m["syntheses"][0]["bilan"] == "Bilan écrit."
    assert m["reunions_coordination"][0]["decisions"] == "Visite du logement."
    assert m["logements"][0]["adresse"] == "3 rue des Lilas"
    assert m["fin_prise_en_charge"]["explications"] == "Refus répété des rendez-vous."
    assert m["passage_relais"]["elements_transmis"] == "Dossier logement."
    assert m["decisions_comite"][0]["commentaire"] == "Bonne dynamique."
    assert m["signalements"][0]["motif"] == "Deux absences sans nouvelles."
    [sig] = m["contrats"][0]["versions"][0]["signatures"]
    assert sig["methode"] == "PAPIER" and sig["scan"].startswith("contrats/scans/")
    texte = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read("dossier.pdf"))).pages)
    for attendu in ("Suivie par l'ASE", "Bilan écrit.", "Visite du logement.", "Bonne dynamique.", "Deux absences"):
        assert attendu in texte, attendu


def test_html_dans_les_notes_affiche_comme_texte(client, mesure, partenaire):
    EntretienFactory(accompagnement=mesure, notes="<script>alert('x')</script><b>gras</b>")
    consentir(mesure, partenaire, [C.NOTES])
    client.force_login(partenaire)
    html = client.get(reverse("residents:partenaire_dossier", args=[mesure.resident_id])).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_recherche_qui_ressemble_a_du_sql(client, mesure):
    # The link to the dossier, not the name: the signed-in référent may share the person's surname.
    lien = reverse("residents:dossier", args=[mesure.resident_id])
    client.force_login(mesure.referent)
    for terme in ("' OR 1=1 --", "%'; DROP TABLE residents_resident; --", "\\x00"):
        response = client.get(reverse("residents:liste"), {"q": terme})
        assert response.status_code == 200
        assert f'href="{lien}"' not in response.content.decode()
    response = client.get(reverse("residents:liste"), {"q": mesure.resident.nom})
    assert f'href="{lien}"' in response.content.decode()


@pytest.mark.parametrize("url", ["/personnes/abc/", "/personnes/99999999999999999999/", "/personnes/-1/droits/"])
def test_identifiants_malformes_404(client, mesure, url):
    client.force_login(mesure.referent)
    assert client.get(url).status_code == 404


def test_mauvaise_methode_405(client, mesure):
    client.force_login(mesure.referent)
    assert client.get(reverse("residents:demande_acces", args=[mesure.resident_id])).status_code == 405
    assert client.post(reverse("residents:droit_acces_zip", args=[mesure.resident_id])).status_code == 405
