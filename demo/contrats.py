"""The demo's contracts told as they happened: objectives written in, a version frozen with its PDF on the
day it was submitted, each party's signature a few days later, the délégué's decision, and the journal of
those steps.

The lifecycle services (contrats.services) act « now » and re-authenticate each professional with their
password; the demo's history lies months in the past. So the same objects are written here, dated in that
past, from the same pieces the services use (pdf.contenu_de, pdf.rendre_pdf, the consent sentence): the
pages then read exactly as for a contract signed through the screens."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from contrats.models import Contrat, ObjectifContrat, Partie, Signature, Transition
from contrats.services import AXE_PAR_DOMAINE, PARTIES_EXTERNES, PHRASE_CONSENTEMENT, figer_version

E = Contrat.Etat
# States in which the parties have signed a frozen version (EN_VALIDATION: signed, awaiting the délégué).
ETATS_SIGNES = (E.EN_VALIDATION, E.DIFFERE, E.SIGNE, E.VALIDE, E.ROMPU)


def _moment(jour, heure, maintenant):
    return min(timezone.make_aware(datetime.combine(jour, time(heure))), maintenant)


def ecrire_objectifs(contrat, objectifs):
    ObjectifContrat.objects.bulk_create(
        ObjectifContrat(
            contrat=contrat, objectif=o, axe=AXE_PAR_DOMAINE.get(o.domaine, ObjectifContrat.Axe.AUTRE), ordre=i
        )
        for i, o in enumerate(objectifs)
    )


def figer(contrat, *, responsable, delegue, maintenant, rendre=True):
    """Freeze version 1 of a submitted contract and, for a signed one, every party's signature (and the
    validation where a validator exists). `rendre`: render the PDF (WeasyPrint, ~150 ms) or not."""
    acc = contrat.accompagnement
    referent = acc.referent
    # Submitted ten days before its start (or when the demo says it was sent to the délégué).
    soumis = contrat.date_soumission_validation or _moment(contrat.date_debut - timedelta(days=10), 10, maintenant)
    figee_le = min(soumis - timedelta(days=3), maintenant - timedelta(days=3))
    version = figer_version(contrat, par=referent, le=figee_le, rendre=rendre)
    version.save()
    contenu = version.contenu
    journal = [Transition(contrat=contrat, action="soumission à la signature", etat_avant=E.BROUILLON,
                          etat_apres=E.EN_SIGNATURE, par=referent, le=figee_le)]  # fmt: skip
    if contrat.etat not in ETATS_SIGNES:
        Transition.objects.bulk_create(journal)
        return version
    signatures = []
    for i, partie in enumerate(version.parties()):
        nom = next(p["nom"] for p in contenu["parties"] if p["code"] == partie)
        le = min(figee_le + timedelta(days=1, hours=i), soumis - timedelta(hours=1))
        signature = Signature(
            version=version,
            partie=partie,
            recueillie_par=referent,
            signee_le=le,
            sha256_document=version.sha256,
            navigateur="démonstration",
        )
        if partie in PARTIES_EXTERNES:
            signature.methode = Signature.Methode.PRESENCE
            signature.nom_signataire = nom
            signature.consentement = PHRASE_CONSENTEMENT
        else:
            signataire = referent if partie == Partie.REFERENT else responsable
            signature.methode = Signature.Methode.SESSION
            signature.user = signature.recueillie_par = signataire
            signature.nom_signataire = str(signataire)
        signatures.append(signature)
        journal.append(Transition(contrat=contrat, action=f"signature : {Partie(partie).label}",
                                  etat_avant=E.EN_SIGNATURE, etat_apres=E.EN_SIGNATURE,
                                  par=signature.recueillie_par, le=le))  # fmt: skip
    Signature.objects.bulk_create(signatures)
    a_valider = contrat.a_valider
    journal.append(Transition(contrat=contrat, action="signé par toutes les parties", etat_avant=E.EN_SIGNATURE,
                              etat_apres=E.EN_VALIDATION if a_valider else E.SIGNE, par=referent,
                              le=signatures[-1].signee_le))  # fmt: skip
    if a_valider and contrat.etat == E.VALIDE:
        journal.append(Transition(contrat=contrat, action="validation", etat_avant=E.EN_VALIDATION,
                                  etat_apres=E.VALIDE, par=delegue,
                                  le=min(soumis + timedelta(days=2), maintenant)))  # fmt: skip
    Transition.objects.bulk_create(journal)
    return version
