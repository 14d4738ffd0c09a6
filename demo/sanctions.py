"""The demo's sanction reports (issue 19 §4): one whose person was informed and may still present
observations (SANCTION_OBSERVATIONS « bientôt dû »), one heard by the équipe pluridisciplinaire whose
decision is overdue (SANCTION_DECISION « en retard »), one suspension-remobilisation in progress."""

from dateutil.relativedelta import relativedelta

from accompagnement.models import Accompagnement
from echeances.models import EtapeSanction, EtapeSignalement, SignalementSanction
from referentiel.delais import relativedelta_de
from referentiel.regles import parametre

E = EtapeSanction
MOTIF = (
    "Engagements du contrat non tenus depuis trois mois : aucune des démarches prévues, "
    "deux relances écrites restées sans réponse."
)


def creer(demo):
    mesures = list(
        Accompagnement.objects.filter(structure=demo.msvs, modalite__code="RSA_SOCIOPRO")
        .filter(resident_id__in=[pk for pk, profil in demo.profils.items() if profil == type(profil)()])
        .order_by("pk")[:3]
    )
    delai = relativedelta_de(parametre("SANCTION_OBSERVATIONS_DELAI", demo.msvs.territoire))
    j = demo.j
    # informed so that the délai ends in 3 days; informed long ago and heard; suspended.
    informees = [j + relativedelta(days=3) - delai, j - relativedelta(months=2, days=5), j - relativedelta(months=2)]
    etapes = [E.INFORMEE, E.AVIS_EP, E.SUSPENDU]
    for mesure, informee_le, etape in zip(mesures, informees, etapes, strict=False):
        envoye = informee_le - relativedelta(days=7)
        s = SignalementSanction.objects.create(
            accompagnement=mesure,
            origine=SignalementSanction.Origine.NON_RESPECT,
            motif=MOTIF,
            auteur=mesure.referent,
            envoye_le=demo.maintenant - (j - envoye),
            etape=etape,
            informee_le=informee_le,
            observations_limite=informee_le + delai,
        )
        journal = [(E.SIGNALE, "signalement au délégué insertion", envoye, mesure.referent),
                   (E.INFORMEE, "personne informée", informee_le, demo.delegue)]  # fmt: skip
        if etape != E.INFORMEE:
            s.avis_ep_le = s.observations_limite + relativedelta(days=1)
            s.avis_ep = "Suspension-remobilisation de 30 % pendant un mois ; nouveau rendez-vous à fixer."
            journal.append((E.AVIS_EP, "avis de l'équipe pluridisciplinaire", s.avis_ep_le, demo.delegue))
        if etape == E.SUSPENDU:
            s.issue, s.issue_le, s.issue_par = SignalementSanction.Issue.SUSPENSION, s.avis_ep_le, demo.delegue
            s.suspension_taux, s.suspension_duree_mois, s.suspension_debut = 30, 1, s.avis_ep_le
            journal.append((E.SUSPENDU, "décision : suspension-remobilisation", s.issue_le, demo.delegue))
        s.save()
        avant = ""
        for apres, action, le, par in journal:
            EtapeSignalement.objects.create(
                signalement=s, etape_avant=avant, etape_apres=apres, action=action, le=le, par=par
            )
            avant = apres
