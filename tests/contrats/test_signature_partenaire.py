"""Issue 16 §3: every party signs from where it is. The tiers partenaire signs its tripartite document from
its own account; the person signs on the référent's screen or on paper, one method at a time; the
professionals re-authenticate with their password or their TOTP code; the evidence keeps the client's
address behind the proxies and the circumstances of the signature."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contrats import services
from contrats.models import Partie, Signature
from demo.clients import appareil_totp
from journal.models import Action, JournalAcces
from referentiel.models import Modalite, TypeContrat
from tests.accompagnement.factories import AccompagnementFactory, CoReferentFactory
from tests.accounts.factories import MOT_DE_PASSE, DelegueFactory, PartenaireFactory
from tests.conftest import code_totp
from tests.residents.factories import ConsentementFactory

from .conftest import brouillon


def url(nom, contrat, **kwargs):
    return reverse(f"contrats:{nom}", kwargs={"pk": contrat.pk, **kwargs})


LISTE = reverse("contrats:partenaire_a_signer")


def accompagner(partenaire, accompagnement, consentement=True):
    """The partner co-refers the measure; the person consented to share with its organisation."""
    contact = partenaire.contact_partenaire
    CoReferentFactory(accompagnement=accompagnement, contact=contact)
    if consentement:
        ConsentementFactory(resident=accompagnement.resident, tiers=contact.tiers)


@pytest.fixture
def partenaire():
    return PartenaireFactory(first_name="Paul", last_name="Tiers")


@pytest.fixture
def tripartite(referent, partenaire):
    contrat = brouillon(
        referent,
        type=TypeContrat.TRIPARTITE,
        code=Modalite.Code.FJT_CONVENTION,
        date_fin=datetime.date(2026, 12, 31),
        partenaire=partenaire.contact_partenaire,
    )
    accompagner(partenaire, contrat.accompagnement)
    return services.soumettre(contrat=contrat, par=referent, version=contrat.version)


def test_le_partenaire_signe_depuis_son_compte(client, tripartite, partenaire):
    client.force_login(partenaire)
    accueil = client.get(reverse("accueil")).content.decode()
    assert LISTE in accueil and "Documents à signer" in accueil
    liste = client.get(LISTE).content.decode()
    page = url("signer", tripartite, partie=Partie.PARTENAIRE)
    assert str(tripartite.accompagnement.resident) in liste and page in liste
    contenu = client.get(page).content.decode()
    assert "Trouver un stage" in contenu and tripartite.version_courante().sha256 not in contenu
    assert JournalAcces.objects.filter(user=partenaire, action=Action.PARTAGE, objet_id=tripartite.pk).exists()
    # The frozen document, to read before signing.
    assert client.get(url("pdf", tripartite, numero=1) + "?original=1").status_code == 200

    reponse = client.post(page, {"numero_version": 1, "mot_de_passe": "faux"})
    assert "Mot de passe ou code incorrect" in reponse.content.decode()
    reponse = client.post(page, {"numero_version": 1, "mot_de_passe": MOT_DE_PASSE}, follow=True)
    assert reponse.redirect_chain[-1][0] == LISTE
    assert f"Votre signature du document {tripartite.reference} est enregistrée" in reponse.content.decode()
    assert "Aucun document n'attend votre signature" in reponse.content.decode()
    signature = tripartite.version_courante().signatures.get(partie=Partie.PARTENAIRE)
    assert (signature.user, signature.recueillie_par, signature.methode) == (
        partenaire,
        partenaire,
        Signature.Methode.SESSION,
    )
    assert "mot de passe" in signature.circonstances and str(partenaire) in signature.circonstances


def test_le_partenaire_ne_signe_que_pour_lui(client, tripartite, partenaire):
    client.force_login(partenaire)
    # Its document is visible, the other parties are not its to sign (403).
    assert client.get(url("signer", tripartite, partie=Partie.RESPONSABLE)).status_code == 403
    assert client.post(url("signer", tripartite, partie=Partie.RESIDENT), {"methode": "PRESENCE"}).status_code == 403
    # Nor any other contract page (deny by default).
    assert client.get(url("detail", tripartite)).status_code == 404


def test_le_partenaire_sans_consentement_ou_d_une_autre_personne_recoit_404(client, tripartite, partenaire):
    page = url("signer", tripartite, partie=Partie.PARTENAIRE)
    # Another partner of the same person (co-referent, consent in force), not the document's tiers.
    autre = PartenaireFactory()
    accompagner(autre, tripartite.accompagnement)
    # The partner of another person only.
    ailleurs = PartenaireFactory()
    accompagner(ailleurs, AccompagnementFactory())
    for user in (autre, ailleurs):
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.get(url("pdf", tripartite, numero=1)).status_code == 404
        assert str(tripartite.accompagnement.resident) not in client.get(LISTE).content.decode()
    # The document's tiers once the consent is withdrawn.
    tripartite.accompagnement.resident.consentements.update(date_retrait=timezone.localdate())
    client.force_login(partenaire)
    assert client.get(page).status_code == 404
    assert client.post(page, {"numero_version": 1, "mot_de_passe": MOT_DE_PASSE}).status_code == 404
    assert str(tripartite.accompagnement.resident) not in client.get(LISTE).content.decode()
    assert not tripartite.version_courante().signatures.exists()


def test_la_liste_du_partenaire_est_la_sienne(client, tripartite, referent, collegue, etranger, structure):
    """The staff (the owner, a colleague, an outsider) and a délégué have no partner list: 404."""
    for user in (referent, collegue, etranger, DelegueFactory(territoires=[structure.territoire])):
        client.force_login(user)
        assert client.get(LISTE).status_code == 404


def test_le_referent_recueille_encore_la_signature_du_partenaire_sur_papier(client, tripartite, referent, etranger):
    page = url("signer", tripartite, partie=Partie.PARTENAIRE)
    client.force_login(etranger)
    assert client.get(page).status_code == 404
    client.force_login(referent)
    contenu = client.get(page + "?methode=PAPIER").content.decode()
    assert "scan du contrat signé" in contenu and "mot de passe" not in contenu


def test_la_personne_signe_d_une_seule_facon_a_la_fois(client, cer_soumis, referent, collegue, etranger):
    page = url("signer", cer_soumis, partie=Partie.RESIDENT)
    client.force_login(etranger)
    assert client.get(page).status_code == 404
    client.force_login(collegue)
    assert client.get(page).status_code == 403
    client.force_login(referent)
    choix = client.get(page).content.decode()
    assert "?methode=PRESENCE" in choix and "?methode=PAPIER" in choix
    assert "nom et prénom" not in choix and "scan du contrat" not in choix
    assert cer_soumis.version_courante().sha256 not in choix
    ecran = client.get(page + "?methode=PRESENCE").content.decode()
    assert "nom et prénom" in ecran and "J&#x27;ai lu ce contrat" in ecran and "scan du contrat" not in ecran
    papier = client.get(page + "?methode=PAPIER").content.decode()
    assert "scan du contrat" in papier and "nom et prénom" not in papier
    # Nothing typed: French messages, nothing signed.
    vide = client.post(page, {"numero_version": 1, "methode": "PRESENCE"}).content.decode()
    assert "Ce champ est obligatoire" in vide and "cocher la phrase de consentement" in vide
    inconnue = client.post(page, {"numero_version": 1, "methode": "FAX"}, follow=True).content.decode()
    assert "Choisissez comment la personne signe" in inconnue
    assert not cer_soumis.version_courante().signatures.exists()

    nom = str(cer_soumis.accompagnement.resident)
    client.post(
        page + "?methode=PRESENCE",
        {"numero_version": 1, "methode": "PRESENCE", "nom_signataire": nom, "consentement": "on"},
    )
    signature = cer_soumis.version_courante().signatures.get()
    assert signature.methode == Signature.Methode.PRESENCE
    assert signature.circonstances.startswith(f"en présence de {referent}, sur son écran")


def test_la_preuve_lit_l_adresse_derriere_le_proxy(client, cer_soumis, referent, settings):
    settings.REVERSE_PROXY_COUNT = 1
    client.force_login(referent)
    client.post(
        url("signer", cer_soumis, partie=Partie.REFERENT),
        {"numero_version": 1, "mot_de_passe": MOT_DE_PASSE},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
    )
    assert cer_soumis.version_courante().signatures.get().adresse_ip == "203.0.113.9"


def test_le_professionnel_signe_avec_son_code_totp(client, cer_soumis, referent):
    client.force_login(referent)
    page = url("signer", cer_soumis, partie=Partie.REFERENT)
    appareil = appareil_totp(referent)
    code = code_totp(appareil)
    faux = f"{(int(code) + 1) % 10**6:06d}"
    reponse = client.post(page, {"numero_version": 1, "mot_de_passe": faux})
    assert "Mot de passe ou code incorrect" in reponse.content.decode()
    # A wrong code counts toward the lock-out as a wrong password does.
    assert AccessAttempt.objects.get(username=referent.username).failures_since_start == 1
    # django-otp then refuses any code for a second (its throttle): the user tries again a moment later.
    appareil.refresh_from_db()
    assert appareil.throttling_failure_count == 1
    appareil.throttle_reset()
    client.post(page, {"numero_version": 1, "mot_de_passe": code})
    signature = cer_soumis.version_courante().signatures.get()
    assert signature.user == referent and "code de l'application" in signature.circonstances


def test_le_partenaire_ne_signe_que_dans_sa_session(tripartite, partenaire):
    with pytest.raises(ValidationError, match="depuis votre compte"):
        services.signer(
            contrat=tripartite,
            partie=Partie.PARTENAIRE,
            par=partenaire,
            numero_version=1,
            methode=Signature.Methode.PRESENCE,
            nom_signataire=str(partenaire.contact_partenaire),
            consentement=True,
        )
    assert not tripartite.version_courante().signatures.exists()
