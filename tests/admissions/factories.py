"""A résidence FJT with its team, a tiers with its contact, a young person, and a helper that moves an
application through the steps with the real services (so each test starts from a real state)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from admissions import services
from admissions.models import Candidature, GarantieTiers
from contrats.models import Contrat
from referentiel.models import Structure
from tests.accounts.factories import ReferentFactory, ResponsableFactory
from tests.referentiel.factories import ContactPartenaireFactory, StructureFactory
from tests.residents.factories import ResidentFactory

E = Candidature.Etape


class Residence:
    """The cast of an admission: résidence, référent, colleague, responsable, tiers contact, young person."""

    def __init__(self, age=20):
        self.residence = StructureFactory(type=Structure.Type.FJT)
        self.referent = ReferentFactory(structures=[self.residence])
        self.collegue = ReferentFactory(structures=[self.residence])
        self.responsable = ResponsableFactory(structures=[self.residence])
        self.contact = ContactPartenaireFactory(fonction="éducatrice ASE")
        self.tiers = self.contact.tiers
        self.jeune = ResidentFactory(
            structure=self.residence, date_naissance=timezone.localdate() - relativedelta(years=age, days=40)
        )

    def candidature(self, **kwargs):
        valeurs = {
            "residence": self.residence,
            "resident": self.jeune,
            "par": self.referent,
            "tiers": self.tiers,
            "contact_educatif": self.contact,
            "date_candidature": jour(-30),
            "note_sociale": "Jeune suivi par l'ASE depuis trois ans, en apprentissage.",
        }
        valeurs.update(kwargs)
        return services.creer_candidature(**valeurs)[0]


def jour(decalage):
    return timezone.localdate() + datetime.timedelta(days=decalage)


def garanties(fin=None):
    fin = fin or jour(300)
    return dict.fromkeys(GarantieTiers.Type, (fin, ""))


def avancer(r, c, jusqu_a):
    """Move application `c` of cast `r` up to step `jusqu_a` (included) with plausible dates."""
    if c.etape < E.CONTACT <= jusqu_a:
        c = services.enregistrer_contact(
            candidature=c,
            par=r.referent,
            version=c.version,
            date=jour(-25),
            compte_rendu="Échange.",
            referent=r.referent,
        )
    if c.etape < E.NOTE_DETAILLEE <= jusqu_a:
        c = services.enregistrer_note_detaillee(
            candidature=c,
            par=r.referent,
            version=c.version,
            date=jour(-20),
            autonomie="Autonome pour les repas.",
            difficultes="Budget.",
            parcours="Foyer ASE.",
            premiers_objectifs="Ouvrir un compte.",
        )
    if c.etape < E.PREMIERE_RENCONTRE <= jusqu_a:
        c, _ = services.enregistrer_premiere_rencontre(
            candidature=c, par=r.referent, version=c.version, date=jour(-15), pieces=["IDENTITE"], garanties=garanties()
        )
    if c.etape < E.DECISION <= jusqu_a:
        c = services.decider(
            candidature=c,
            par=r.responsable,
            version=c.version,
            decision=Candidature.Decision.ACCEPTEE,
            motif="Projet cohérent, garanties en place.",
            tiers_informe_le=jour(-10),
            date=jour(-10),
        )
    if c.etape < E.ENTRETIEN_ADMISSION <= jusqu_a:
        c = services.preparer_admission(
            candidature=c,
            par=r.referent,
            version=c.version,
            date_entretien=jour(-5),
            date_entree=jour(-2),
            fin_prise_en_charge=jour(365),
        )
    if c.etape < E.ENTREE <= jusqu_a:
        signer_tripartite(c)
        c = services.prononcer_entree(
            candidature=c,
            par=r.referent,
            version=c.version,
            date_entree=jour(-2),
            reglement_remis_le=jour(-5),
            livret_remis_le=jour(-5),
            logement="B12",
        )
    return c


def signer_tripartite(c):
    """The three signatures are collected on the contracts' screens (tested there and in the browser
    journey); here the document is simply marked signed."""
    Contrat.objects.filter(pk=c.contrat_tripartite_id).update(etat=Contrat.Etat.SIGNE)
