"""Default wording of the commitments, pre-filled in a new draft and editable with the person.

CER / contrat d'engagement: the « socle commun des engagements réciproques » of the Vosges
référentiel [003]; tripartite document: each party's commitments of the admission [002] (domain.md §5)."""

from referentiel.models import TypeContrat

CER_PERSONNE = """Exprimer ses besoins.
Valoriser ses atouts, compétences et ressources.
Prendre part à la définition des objectifs de son parcours.
Répondre aux sollicitations (courriers et demandes de rendez-vous) du Département et des partenaires (CAF, MSA, France Travail), les informer de tout changement de situation.
Respecter les démarches à entreprendre (santé, logement, inscription à France Travail, déclaration trimestrielle de ressources CAF…).
Être assidu aux rendez-vous avec son référent RSA et s'engager activement dans son parcours d'insertion."""

CER_REFERENT = """Valoriser la personne dans ses capacités, compétences et prendre appui sur ses ressources.
Définir avec elle son parcours d'insertion et ses objectifs d'accompagnement.
Être à son écoute et proposer des réponses adaptées à ses besoins et contraintes.
Mobiliser l'environnement familial, de solidarité de proximité, ainsi que les structures de droit commun, les organismes partenaires (CAF, France Travail, opérateurs…) et les entreprises.
Recevoir la personne rapidement et régulièrement.
Assurer, dans la mesure du possible, un contact régulier (téléphone, courriel ou rendez-vous physique).
Contribuer à son accès aux droits avec les usages numériques.
Transmettre les informations aux autres organismes avec l'accord de la personne.
Proposer des temps collectifs entre allocataires pour compléter les démarches individuelles."""

TRIPARTITE_JEUNE = """Respecter le règlement de fonctionnement de la résidence.
Participer aux rencontres régulières avec son référent.
Faire part de ses difficultés au référent et au tiers partenaire."""

TRIPARTITE_PARTENAIRE = """Assurer le suivi éducatif du jeune.
Garantir la prise en charge financière (redevance, accompagnement, assurance responsabilité civile).
Être co-responsable, avec la résidence, de la décision de fin de séjour."""

TRIPARTITE_RESIDENCE = """Loger le jeune dans les conditions du contrat de séjour.
Assurer un accompagnement régulier.
Informer le tiers partenaire de l'évolution de la situation."""


def engagements_par_defaut(type_contrat):
    """(personne, structure, partenaire) wording for a new draft of this kind."""
    if type_contrat in (TypeContrat.CER, TypeContrat.CONTRAT_ENGAGEMENT):
        return CER_PERSONNE, CER_REFERENT, ""
    if type_contrat == TypeContrat.TRIPARTITE:
        return TRIPARTITE_JEUNE, TRIPARTITE_RESIDENCE, TRIPARTITE_PARTENAIRE
    return "", "", ""
