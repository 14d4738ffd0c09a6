"""Every transition, allowed or forbidden per role: the measure's référent, a colleague of the same
structure, the structure's manager, the délégué insertion of the territory, a délégué of another
territory and a partner's account. A forbidden attempt raises PermissionDenied and changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from contrats import services
from contrats.models import Contrat, Partie, Signature
from contrats.pdf import nom_partie
from referentiel.models import Modalite, TypeContrat
from tests.accounts.factories import MOT_DE_PASSE, DelegueFactory, PartenaireFactory

from .conftest import DEBUT, brouillon, mesure, renouveler, signer_personne, signer_staff

E = Contrat.Etat
ROLES = ("referent", "collegue", "responsable", "delegue", "delegue_ailleurs", "partenaire")


@pytest.fixture
def roles(referent, collegue, responsable, delegue):
    return {
        "referent": referent,
        "collegue": collegue,
        "responsable": responsable,
        "delegue": delegue,
        "delegue_ailleurs": DelegueFactory(),
        "partenaire": PartenaireFactory(),
    }


# --- the states a transition starts from ---------------------------------------------------------


def cer_brouillon(r):
    return brouillon(r["referent"])


def cer_soumis(r):
    contrat = cer_brouillon(r)
    return services.soumettre(contrat=contrat, par=r["referent"], version=contrat.version)


def cer_en_validation(r):
    contrat = cer_soumis(r)
    signer_personne(contrat, r["referent"])
    signer_staff(contrat, r["referent"], Partie.REFERENT)
    contrat.refresh_from_db()
    return contrat


def cer_differe(r):
    contrat = cer_en_validation(r)
    return services.differer(contrat=contrat, par=r["delegue"], motif="Préciser l'objectif.", version=contrat.version)


def cer_valide(r):
    contrat = cer_en_validation(r)
    return services.valider(contrat=contrat, par=r["delegue"], version=contrat.version)


def com_soumis(r):
    com = brouillon(r["referent"], type=TypeContrat.COM, code=Modalite.Code.FJT_REGULIER)
    return services.soumettre(contrat=com, par=r["referent"], version=com.version)


def tripartite_signe(r):
    contrat = brouillon(
        r["referent"],
        type=TypeContrat.TRIPARTITE,
        code=Modalite.Code.FJT_CONVENTION,
        date_fin=datetime.date(2026, 12, 31),
    )
    Contrat.objects.filter(pk=contrat.pk).update(etat=E.SIGNE)
    contrat.refresh_from_db()
    return contrat


# --- the transitions ---------------------------------------------------------------------------


def signer_en_session(contrat, user, partie):
    return services.signer(
        contrat=contrat,
        partie=partie,
        par=user,
        numero_version=contrat.numero_version,
        methode=Signature.Methode.SESSION,
        mot_de_passe=MOT_DE_PASSE,
        requete=RequestFactory().post("/"),
    )


def faire_signer_la_personne(contrat, user):
    return services.signer(
        contrat=contrat,
        partie=Partie.RESIDENT,
        par=user,
        numero_version=contrat.numero_version,
        methode=Signature.Methode.PRESENCE,
        nom_signataire=nom_partie(contrat, Partie.RESIDENT),
        consentement=True,
    )


FIN = datetime.date(2026, 7, 5)
TRANSITIONS = {
    # name: (starting state, action, roles allowed)
    "rédiger": (
        lambda r: mesure(r["referent"]),
        lambda acc, u: services.creer_brouillon(accompagnement=acc, par=u, type=TypeContrat.CER, date_debut=DEBUT),
        {"referent", "responsable"},
    ),
    "soumettre": (
        cer_brouillon,
        lambda c, u: services.soumettre(contrat=c, par=u, version=c.version),
        {"referent", "responsable"},
    ),
    "annuler": (
        cer_brouillon,
        lambda c, u: services.annuler(contrat=c, par=u, motif="Abandon", version=c.version),
        {"referent", "responsable"},
    ),
    "faire signer la personne": (cer_soumis, faire_signer_la_personne, {"referent", "responsable"}),
    "signer comme référent": (
        cer_soumis,
        lambda c, u: signer_en_session(c, u, Partie.REFERENT),
        {"referent"},
    ),
    "signer comme responsable": (
        com_soumis,
        lambda c, u: signer_en_session(c, u, Partie.RESPONSABLE),
        {"responsable"},
    ),
    "avenant": (
        cer_soumis,
        lambda c, u: services.rouvrir(contrat=c, par=u, motif="Correction", version=c.version),
        {"referent", "responsable"},
    ),
    "valider": (cer_en_validation, lambda c, u: services.valider(contrat=c, par=u, version=c.version), {"delegue"}),
    "différer": (
        cer_en_validation,
        lambda c, u: services.differer(contrat=c, par=u, motif="Préciser", version=c.version),
        {"delegue"},
    ),
    "refuser": (
        cer_en_validation,
        lambda c, u: services.refuser(contrat=c, par=u, motif="Objectifs flous", version=c.version),
        {"delegue"},
    ),
    "répondre au délégué": (
        cer_differe,
        lambda c, u: services.repondre(contrat=c, par=u, message="Précisé.", version=c.version),
        {"referent", "responsable"},
    ),
    "préparer le renouvellement": (
        cer_valide,
        lambda c, u: renouveler(contrat=c, par=u, le=FIN),
        {"referent", "responsable"},
    ),
    "rompre un CER": (
        cer_valide,
        lambda c, u: services.rompre(
            contrat=c, par=u, motif="Déménagement", le=datetime.date(2026, 3, 1), version=c.version
        ),
        {"referent", "responsable"},
    ),
    "rompre le document tripartite": (
        tripartite_signe,
        lambda c, u: services.rompre(
            contrat=c, par=u, motif="Manquement", le=datetime.date(2026, 3, 1), version=c.version
        ),
        {"responsable"},
    ),
}


def _photo(objet):
    """What a forbidden attempt must leave untouched."""
    if isinstance(objet, Contrat):
        objet.refresh_from_db()
        return (
            objet.etat,
            objet.version,
            objet.transitions.count(),
            Signature.objects.count(),
            Contrat.objects.count(),
        )
    return Contrat.objects.count()


@pytest.mark.usefixtures("un_jour_du_contrat")
@pytest.mark.parametrize("nom", TRANSITIONS)
def test_transition_permise_ou_interdite_selon_le_role(roles, nom):
    depart, action, permis = TRANSITIONS[nom]
    objet = depart(roles)
    avant = _photo(objet)
    for role in ROLES:
        if role in permis:
            continue
        with pytest.raises(PermissionDenied):
            action(objet, roles[role])
        assert _photo(objet) == avant, f"{nom} par {role} a laissé une trace"
    for role in sorted(permis):
        objet = depart(roles)  # a fresh start for each: the allowed action changes the state
        avant = _photo(objet)
        action(objet, roles[role])
        assert _photo(objet) != avant, f"{nom} par {role} n'a rien fait"


@pytest.mark.parametrize(
    "debut, fin, en_place",
    [(1, None, False), (-30, 0, False), (-30, 1, True), (0, None, True)],
    ids=["a-venir", "terminee", "en-cours", "commence-aujourd-hui"],
)
def test_un_collegue_co_referent_redige_pendant_sa_coreference_seulement(
    client, referent, collegue, debut, fin, en_place
):
    """A colleague is not a drafter of the measure's contracts, unless co-referent of it today; a
    co-referent of another structure likewise (domain.md §1)."""
    from accompagnement.models import CoReferent
    from accounts import acces
    from tests.accounts.factories import ReferentFactory

    contrat = brouillon(referent)
    ailleurs = ReferentFactory()
    aujourd_hui = datetime.date.today()
    for user in (collegue, ailleurs):
        CoReferent.objects.create(
            accompagnement=contrat.accompagnement,
            user=user,
            date_debut=aujourd_hui + datetime.timedelta(days=debut),
            date_fin=None if fin is None else aujourd_hui + datetime.timedelta(days=fin),
        )
        assert acces.peut_rediger(user, contrat) is en_place
    client.force_login(collegue)
    reponse = client.get(reverse("contrats:modifier", args=[contrat.pk]))
    assert reponse.status_code == (200 if en_place else 403)
