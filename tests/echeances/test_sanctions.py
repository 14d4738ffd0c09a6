"""The sanction procedure (issue 19 §4): its steps and their order, who may record each (owner, colleague,
délégué of the territory, of another territory, outsider), the supporting documents, the letter, the
échéances at the day before / of / after each deadline, the dossier's section and the délégué's list."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from contrats import services as contrats_services
from contrats.models import Contrat, RefusSignature
from echeances import sanctions
from echeances.choix import Etat, Regle
from echeances.models import EtapeSignalement, SignalementSanction
from echeances.moteur import calculer
from tests.accompagnement.factories import AccompagnementFactory
from tests.accounts.factories import DelegueFactory, ReferentFactory
from tests.contrats.factories import ContratFactory

D = datetime.date
AUJOURDHUI = D(2026, 2, 23)
MOTIF = "Engagements du contrat non tenus : aucune démarche depuis trois mois malgré deux relances."
NON_RESPECT = SignalementSanction.Origine.NON_RESPECT


@pytest.fixture(autouse=True)
def _aujourdhui(voyager):
    voyager(AUJOURDHUI)


@pytest.fixture
def mesure():
    return AccompagnementFactory(date_debut=D(2026, 1, 5))


@pytest.fixture
def delegue(mesure):
    return DelegueFactory(territoires=[mesure.structure.territoire])


@pytest.fixture
def signalement(mesure):
    return sanctions.creer_signalement(accompagnement=mesure, par=mesure.referent, motif=MOTIF, origine=NON_RESPECT)


def _frais(s):
    return SignalementSanction.objects.get(pk=s.pk)


def _jusqu_a_l_avis(s, delegue, *, le=AUJOURDHUI):
    s = sanctions.informer(signalement=s, par=delegue, le=le, version=s.version)
    s = sanctions.noter_observations(
        signalement=s, par=s.accompagnement.referent, le=le, contenu="Problème de garde.", version=s.version
    )
    return sanctions.noter_avis_ep(signalement=s, par=delegue, le=le, avis="Suspension de 30 %.", version=s.version)


def pdf_minimal():
    """A one-page PDF written by hand (pypdf reads it)."""
    objets = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    sortie = io.BytesIO()
    sortie.write(b"%PDF-1.4\n")
    positions = []
    for i, corps in enumerate(objets, start=1):
        positions.append(sortie.tell())
        sortie.write(b"%d 0 obj\n" % i + corps + b"\nendobj\n")
    xref = sortie.tell()
    sortie.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objets) + 1))
    for p in positions:
        sortie.write(b"%010d 00000 n \n" % p)
    sortie.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objets) + 1, xref))
    return sortie.getvalue()


def png(format_="PNG"):
    sortie = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(sortie, format=format_)
    return sortie.getvalue()


# --- the steps -------------------------------------------------------------------------------------


def test_la_procedure_entiere_datee_avec_ses_auteurs(signalement, delegue):
    referent = signalement.accompagnement.referent
    s = _jusqu_a_l_avis(signalement, delegue)
    assert s.etape == "AVIS_EP" and s.observations_limite == D(2026, 3, 23)  # SANCTION_OBSERVATIONS_DELAI: P1M
    s = sanctions.decider_signalement(
        signalement=s, par=delegue, issue="SUSPENSION", commentaire="Avis suivi.", version=s.version,
        taux=30, duree_mois=2, debut=D(2026, 3, 1),
    )  # fmt: skip
    assert (s.etape, s.suspension_taux, s.suspension_duree_mois, s.issue_par) == ("SUSPENDU", 30, 2, delegue)
    s = sanctions.lever_suspension(
        signalement=s, par=delegue, le=AUJOURDHUI, motif="A repris ses démarches.", version=s.version
    )
    assert s.etape == "LEVE" and s.levee_le == AUJOURDHUI
    journal = list(EtapeSignalement.objects.filter(signalement=s).values_list("etape_apres", "par"))
    assert journal == [
        ("SIGNALE", referent.pk),
        ("INFORMEE", delegue.pk),
        ("OBSERVATIONS", referent.pk),
        ("AVIS_EP", delegue.pk),
        ("SUSPENDU", delegue.pk),
        ("LEVE", delegue.pk),
    ]
    assert s.history.count() >= 6  # every earlier version kept


def test_un_pas_rejoue_est_refuse_par_le_verrou(signalement, delegue):
    version = signalement.version
    sanctions.informer(signalement=signalement, par=delegue, le=AUJOURDHUI, version=version)
    with pytest.raises(ValidationError):
        sanctions.informer(signalement=signalement, par=delegue, le=AUJOURDHUI, version=version)
    assert EtapeSignalement.objects.filter(signalement=signalement, etape_apres="INFORMEE").count() == 1


def test_l_avis_attend_les_observations_ou_la_fin_du_delai(signalement, delegue, voyager):
    s = sanctions.informer(signalement=signalement, par=delegue, le=AUJOURDHUI, version=signalement.version)
    voyager(D(2026, 3, 23))
    with pytest.raises(ValidationError, match="encore présenter ses observations"):
        sanctions.noter_avis_ep(signalement=s, par=delegue, le=D(2026, 3, 23), avis="Avis.", version=s.version)
    voyager(D(2026, 3, 24))
    s = sanctions.noter_avis_ep(signalement=s, par=delegue, le=D(2026, 3, 24), avis="Avis.", version=s.version)
    assert s.etape == "AVIS_EP" and not s.observations


@pytest.mark.parametrize(
    ("taux", "duree", "debut", "champ"),
    [(20, 1, D(2026, 3, 1), "taux"), (101, 1, D(2026, 3, 1), "taux"), (30, 5, D(2026, 3, 1), "duree_mois"),
     (30, 1, None, "debut"), (30, 1, D(2026, 2, 1), "debut")],
)  # fmt: skip
def test_l_etendue_de_la_suspension_suit_le_referentiel(signalement, delegue, taux, duree, debut, champ):
    s = _jusqu_a_l_avis(signalement, delegue)
    with pytest.raises(ValidationError) as erreur:
        sanctions.decider_signalement(
            signalement=s, par=delegue, issue="SUSPENSION", commentaire="", version=s.version,
            taux=taux, duree_mois=duree, debut=debut,
        )  # fmt: skip
    assert champ in erreur.value.error_dict
    assert _frais(s).etape == "AVIS_EP"


def test_pas_de_sanction_avant_l_avis_mais_un_classement_a_tout_moment(signalement, delegue):
    with pytest.raises(ValidationError, match="après l'avis"):
        sanctions.decider_signalement(
            signalement=signalement, par=delegue, issue="AVERTISSEMENT", commentaire="", version=signalement.version
        )
    s = sanctions.decider_signalement(
        signalement=signalement, par=delegue, issue="CLASSEMENT", commentaire="", version=signalement.version
    )
    assert s.etape == "CLOS"


def test_dates_futures_refusees(signalement, delegue):
    with pytest.raises(ValidationError, match="futur"):
        sanctions.informer(signalement=signalement, par=delegue, le=D(2026, 2, 24), version=signalement.version)


def test_qui_fait_quoi_dans_les_services(signalement, delegue, mesure):
    with pytest.raises(PermissionDenied):
        sanctions.informer(signalement=signalement, par=mesure.referent, le=AUJOURDHUI, version=signalement.version)
    autre = ReferentFactory()
    with pytest.raises(PermissionDenied):
        sanctions.creer_signalement(accompagnement=mesure, par=autre, motif=MOTIF, origine=NON_RESPECT)
    with pytest.raises(PermissionDenied):
        sanctions.creer_signalement(accompagnement=mesure, par=delegue, motif=MOTIF, origine=NON_RESPECT)


def test_non_respect_enregistre_une_fois_par_formulaire(mesure):
    import uuid

    jeton = uuid.uuid4()
    a = sanctions.creer_signalement(accompagnement=mesure, par=mesure.referent, motif=MOTIF, origine=NON_RESPECT,
                                    jeton=jeton)  # fmt: skip
    b = sanctions.creer_signalement(accompagnement=mesure, par=mesure.referent, motif=MOTIF, origine=NON_RESPECT,
                                    jeton=jeton)  # fmt: skip
    assert a == b and SignalementSanction.objects.count() == 1


# --- the refusal to sign ---------------------------------------------------------------------------


def test_refus_de_signer_sur_le_contrat_puis_signalement(client, mesure):
    contrat = ContratFactory(accompagnement=mesure, type="CONTRAT_ENGAGEMENT")
    client.force_login(mesure.referent)
    url = reverse("contrats:refus", args=[contrat.pk])
    reponse = client.post(
        url,
        {"partie": "RESIDENT", "le": "2026-02-20", "motif": "Ne veut pas de 15 heures.", "version": contrat.version},
    )
    assert reponse.status_code == 302
    refus = RefusSignature.objects.get()
    contrat.refresh_from_db()
    assert contrat.etat == Contrat.Etat.BROUILLON  # still the contract to sign
    assert contrat.transitions.get().action == "refus de signer"
    page = client.get(reverse("contrats:detail", args=[contrat.pk])).content.decode()
    assert "Ne veut pas de 15 heures." in page and f"?refus={refus.pk}" in page
    url = reverse("echeances:signalement_nouveau", args=[mesure.pk]) + f"?refus={refus.pk}"
    assert client.get(url).status_code == 200
    reponse = client.post(url, {"motif": MOTIF, "refus": refus.pk})
    signalement = SignalementSanction.objects.get()
    assert reponse.url == reverse("echeances:signalement", args=[signalement.pk])
    assert (signalement.origine, signalement.refus) == ("REFUS_CONTRAT", refus)
    assert client.post(url, {"motif": MOTIF, "refus": refus.pk}).status_code == 302  # once per refusal
    assert SignalementSanction.objects.count() == 1


def test_refus_seulement_sur_un_contrat_pas_encore_signe(mesure):
    contrat = ContratFactory(accompagnement=mesure, etat=Contrat.Etat.SIGNE)
    with pytest.raises(ValidationError, match="pas encore signé"):
        contrats_services.refuser_de_signer(
            contrat=contrat, par=mesure.referent, partie="RESIDENT", le=AUJOURDHUI, version=contrat.version
        )
    cer = ContratFactory(accompagnement=mesure, date_debut=D(2026, 7, 5), date_fin=D(2027, 1, 5))
    with pytest.raises(PermissionDenied):
        contrats_services.refuser_de_signer(
            contrat=cer, par=ReferentFactory(), partie="RESIDENT", le=AUJOURDHUI, version=cer.version
        )
    assert not RefusSignature.objects.exists()


# --- supporting documents ------------------------------------------------------------------------


def _envoyer(client, s, nom, contenu, type_mime="application/octet-stream"):
    return client.post(
        reverse("echeances:signalement_piece_ajouter", args=[s.pk]),
        {"fichier": SimpleUploadedFile(nom, contenu, content_type=type_mime)},
    )


def test_pieces_verifiees_par_leur_contenu(client, signalement, settings):
    client.force_login(signalement.accompagnement.referent)
    assert _envoyer(client, signalement, "courrier.pdf", pdf_minimal()).status_code == 302
    assert _envoyer(client, signalement, "photo.png", png()).status_code == 302
    assert _envoyer(client, signalement, "scan.jpg", png("JPEG")).status_code == 302
    # A GIF named .png, a JPEG header on PNG data: refused on their content, whatever their name.
    gif = _envoyer(client, signalement, "image.png", png("GIF"), "image/png")
    assert gif.status_code == 400 and "PDF ou une image" in gif.content.decode()
    melange = _envoyer(client, signalement, "melange.jpg", b"\xff\xd8\xff" + png()[3:], "image/jpeg")
    assert melange.status_code == 400 and "illisible" in melange.content.decode()
    faux = _envoyer(client, signalement, "faux.pdf", b"ceci n'est pas un PDF", "application/pdf")
    assert faux.status_code == 400 and "PDF ou une image" in faux.content.decode()
    tronquee = _envoyer(client, signalement, "abimee.png", png()[:30], "image/png")
    assert tronquee.status_code == 400 and "illisible" in tronquee.content.decode()
    settings.SIGNALEMENT_PIECE_TAILLE_MAX = 100
    gros = _envoyer(client, signalement, "gros.png", png() + b"\0" * 200)
    assert gros.status_code == 400 and "dépasse la taille autorisée" in gros.content.decode()
    pieces = list(signalement.pieces.all())
    assert [(p.nom, p.type_mime) for p in pieces] == [
        ("courrier.pdf", "application/pdf"),
        ("photo.png", "image/png"),
        ("scan.jpg", "image/jpeg"),
    ]
    assert all(p.fichier.name.startswith(f"prive/signalements/{signalement.pk}/") for p in pieces)


def test_pieces_telechargees_par_ceux_qui_voient_le_signalement(client, signalement, delegue, settings):
    piece = sanctions.ajouter_piece(
        signalement=signalement,
        par=signalement.accompagnement.referent,
        fichier=SimpleUploadedFile("photo.png", png()),
    )
    url = reverse("echeances:signalement_piece", args=[signalement.pk, piece.pk])
    collegue = ReferentFactory(structures=[signalement.accompagnement.structure])
    for qui, attendu in [
        (signalement.accompagnement.referent, 200),
        (collegue, 200),
        (delegue, 200),
        (DelegueFactory(), 404),
        (ReferentFactory(), 404),
    ]:
        client.force_login(qui)
        reponse = client.get(url)
        assert reponse.status_code == attendu, qui
        if attendu == 200:
            assert reponse.content == png()
            assert reponse["Content-Type"] == "image/png"
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # Never served as a public media file, even to whoever sees the report.
    client.force_login(signalement.accompagnement.referent)
    assert client.get(settings.MEDIA_URL + piece.fichier.name).status_code == 404


# --- the screens -----------------------------------------------------------------------------------


def test_page_du_signalement_proprietaire_collegue_delegues_etranger(client, signalement, delegue):
    url = reverse("echeances:signalement", args=[signalement.pk])
    collegue = ReferentFactory(structures=[signalement.accompagnement.structure])
    for qui, attendu in [
        (signalement.accompagnement.referent, 200),
        (collegue, 200),
        (delegue, 200),
        (DelegueFactory(), 404),
        (ReferentFactory(), 404),
    ]:
        client.force_login(qui)
        assert client.get(url).status_code == attendu, qui
    client.force_login(delegue)
    assert "Informer la personne" in client.get(url).content.decode()
    client.force_login(signalement.accompagnement.referent)
    assert "Informer la personne" not in client.get(url).content.decode()


def test_etapes_par_l_ecran(client, signalement, delegue, mesure):
    def etape(action, donnees, qui=delegue):
        client.force_login(qui)
        s = _frais(signalement)
        donnees = {f"{action}-{k}": v for k, v in {"version": s.version, "le": "2026-02-23", **donnees}.items()}
        return client.post(reverse("echeances:signalement_etape", args=[s.pk, action]), donnees)

    assert etape("informer", {}, qui=mesure.referent).status_code == 403
    assert etape("informer", {}, qui=DelegueFactory()).status_code == 404
    assert etape("informer", {}, qui=ReferentFactory()).status_code == 404
    assert etape("informer", {"le": "2026-03-01"}).status_code == 400  # future: a French message, nothing saved
    assert _frais(signalement).etape == "SIGNALE"
    assert etape("informer", {}).status_code == 302
    collegue = ReferentFactory(structures=[mesure.structure])
    assert etape("observations", {"contenu": ""}, qui=collegue).status_code == 400
    assert etape("observations", {"contenu": "Je n'avais pas reçu la convocation."}, qui=collegue).status_code == 302
    assert etape("avis", {"avis": "Maintien du RSA, nouveau rendez-vous."}).status_code == 302
    reponse = etape("decider", {"issue": "SUSPENSION", "taux": 50, "duree_mois": 1, "debut": "2026-03-01"})
    assert reponse.status_code == 302, reponse.context["formulaires"]["decider"].errors
    assert etape("lever", {"motif": "Reprise des rendez-vous."}).status_code == 302
    assert _frais(signalement).etape == "LEVE"
    assert etape("inconnue", {}).status_code == 404


def test_courrier_a_la_personne(client, signalement, delegue):
    url = reverse("echeances:signalement_courrier", args=[signalement.pk])
    client.force_login(delegue)
    assert client.get(url).status_code == 404  # not informed yet
    sanctions.informer(signalement=signalement, par=delegue, le=AUJOURDHUI, version=signalement.version)
    reponse = client.get(url)
    assert reponse.status_code == 200 and reponse.content.startswith(b"%PDF-")
    client.force_login(DelegueFactory())
    assert client.get(url).status_code == 404


def test_liste_avec_etape_et_filtre(client, signalement, delegue, mesure):
    autre = sanctions.creer_signalement(accompagnement=mesure, par=mesure.referent, motif=MOTIF, origine=NON_RESPECT)
    sanctions.decider_signalement(signalement=autre, par=delegue, issue="CLASSEMENT", commentaire="", version=1)
    client.force_login(delegue)
    url = reverse("echeances:signalements")
    ouvert, clos = "Signalé, personne à informer</span>", "Décidé sans suspension</span>"
    contenu = client.get(url).content.decode()
    assert ouvert in contenu and clos in contenu
    contenu = client.get(url, {"etape": "CLOS"}).content.decode()
    assert clos in contenu and ouvert not in contenu
    contenu = client.get(url, {"etape": "OUVERTS"}).content.decode()
    assert ouvert in contenu and clos not in contenu
    client.force_login(DelegueFactory())
    assert str(mesure.resident) not in client.get(url).content.decode()


def test_section_du_dossier(client, signalement, mesure):
    client.force_login(mesure.referent)
    contenu = client.get(reverse("residents:dossier", args=[mesure.resident_id]) + "?sections=1").content.decode()
    assert "Signalements en vue de sanction" in contenu and "Signalé, personne à informer" in contenu


# --- échéances -----------------------------------------------------------------------------------


def _echeances(mesure, le):
    return {(e.regle, e.etat, e.due_le) for e in calculer([mesure.pk], le=le, regles=set(Regle))
            if e.regle.startswith("SANCTION")}  # fmt: skip


def test_echeance_des_observations_veille_jour_lendemain(signalement, delegue, mesure):
    sanctions.informer(signalement=signalement, par=delegue, le=AUJOURDHUI, version=signalement.version)
    limite, decision = D(2026, 3, 23), D(2026, 4, 23)  # + SANCTION_OBSERVATIONS_DELAI, + SANCTION_DECISION_DELAI
    assert _echeances(mesure, D(2026, 3, 22)) == {(Regle.SANCTION_OBSERVATIONS, Etat.BIENTOT, limite)}
    assert _echeances(mesure, limite) == {(Regle.SANCTION_OBSERVATIONS, Etat.BIENTOT, limite)}
    assert _echeances(mesure, D(2026, 3, 24)) == {(Regle.SANCTION_DECISION, Etat.A_JOUR, decision)}
    [avis] = [e for e in calculer([mesure.pk], le=D(2026, 3, 24)) if e.regle == Regle.SANCTION_DECISION]
    assert avis.message.startswith("Avis de l'équipe pluridisciplinaire et décision attendus au plus tard le 23/04")
    [e] = [e for e in calculer([mesure.pk], le=limite) if e.regle == Regle.SANCTION_OBSERVATIONS]
    assert set(e.destinataires) == {delegue.pk, mesure.referent_id}
    assert e.url == reverse("echeances:signalements") + f"?mesure={mesure.pk}"


def test_echeance_de_la_decision_veille_jour_lendemain(signalement, delegue, mesure):
    _jusqu_a_l_avis(signalement, delegue)
    decision = D(2026, 4, 23)
    assert _echeances(mesure, D(2026, 4, 22)) == {(Regle.SANCTION_DECISION, Etat.BIENTOT, decision)}
    assert _echeances(mesure, decision) == {(Regle.SANCTION_DECISION, Etat.BIENTOT, decision)}
    assert _echeances(mesure, D(2026, 4, 24)) == {(Regle.SANCTION_DECISION, Etat.EN_RETARD, decision)}
    [e] = [e for e in calculer([mesure.pk], le=decision) if e.regle == Regle.SANCTION_DECISION]
    assert e.destinataires == (delegue.pk,)
    assert e.message.startswith("Décision attendue au plus tard le 23/04/2026")


def test_plus_d_echeance_une_fois_decide(signalement, delegue, mesure):
    s = _jusqu_a_l_avis(signalement, delegue)
    assert _echeances(mesure, AUJOURDHUI)
    sanctions.decider_signalement(signalement=s, par=delegue, issue="CLASSEMENT", commentaire="", version=s.version)
    assert _echeances(mesure, AUJOURDHUI) == set()
    assert _echeances(mesure, D(2026, 5, 1)) == set()


def test_pas_d_echeance_avant_l_information(signalement, mesure):
    assert _echeances(mesure, AUJOURDHUI) == set()


def test_liste_nombre_de_requetes_constant(client, delegue, mesure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(delegue)
    url = reverse("echeances:signalements")

    def requetes():
        with CaptureQueriesContext(connection) as capture:
            assert client.get(url).status_code == 200
        return len(capture)

    client.get(url)
    sanctions.creer_signalement(accompagnement=mesure, par=mesure.referent, motif=MOTIF, origine=NON_RESPECT)
    peu = requetes()
    for _ in range(5):
        autre = AccompagnementFactory(referent=mesure.referent)
        sanctions.creer_signalement(accompagnement=autre, par=mesure.referent, motif=MOTIF, origine=NON_RESPECT)
    assert requetes() == peu


def test_a_faire_du_delegue_montre_les_delais_de_la_procedure(client, signalement, delegue, voyager):
    sanctions.informer(signalement=signalement, par=delegue, le=AUJOURDHUI, version=signalement.version)
    voyager(D(2026, 3, 20))
    client.force_login(delegue)
    contenu = client.get(reverse("echeances:delegue")).content.decode()
    assert "Observations de la personne attendues jusqu&#x27;au 23/03/2026" in contenu
