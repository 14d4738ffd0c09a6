"""What each kind of contract must tell its readers (the person, the département's lawyer, an auditor):
the texts it rests on, the person's rights and duties, how to contest, her right of access to her file,
and the role in which each party signs. Plain data, read by the team and frozen with each version
(pdf.contenu_de): a later change of wording never alters a signed document.

Texts cited in their version in force on 1 January 2025: code de l'action sociale et des familles (CASF)
as amended by the loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi, code du travail, loi 2002-2
(CASF L.311-3 and following) and the RGPD. Check them on Légifrance before changing a reference."""

from referentiel.models import TypeContrat

from .models import Partie

T = TypeContrat

# --- the texts the contract rests on --------------------------------------------------------------

FONDEMENT = {
    T.CER: [
        "Articles L.262-35 et L.262-36 du code de l'action sociale et des familles (CASF) : contrat "
        "librement débattu entre la personne bénéficiaire du revenu de solidarité active (RSA) et son référent, "
        "énumérant leurs engagements réciproques en matière d'insertion sociale ou professionnelle.",
        "Article L.262-28 du CASF : droits et devoirs de la personne bénéficiaire du RSA et de son conjoint.",
        "Règlement départemental de l'aide sociale et programme départemental d'insertion du Département.",
    ],
    T.CONTRAT_ENGAGEMENT: [
        "Articles L.262-34 et suivants du code de l'action sociale et des familles (CASF), dans leur rédaction "
        "issue de la loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi : contrat d'engagement élaboré "
        "avec l'organisme référent, comportant un plan d'action et une intensité hebdomadaire d'activité.",
        "Article L.5411-6 du code du travail : contenu du contrat d'engagement (objectifs d'insertion sociale "
        "et professionnelle, plan d'action, intensité de l'accompagnement).",
        "Article L.262-37 du CASF : suspension-remobilisation du RSA en cas de manquement, décidée par le "
        "Président du Conseil départemental après que la personne a pu présenter ses observations.",
    ],
    T.COM: [
        "Articles L.311-3 et L.311-4 du code de l'action sociale et des familles (CASF, loi n° 2002-2 du "
        "2 janvier 2002) : droits de la personne accueillie et contrat de séjour.",
        "Le présent contrat d'objectif mensuel fait partie du contrat de séjour conclu à l'admission au foyer de "
        "jeunes travailleurs : il en précise, pour le mois, les objectifs du projet personnalisé.",
    ],
    T.PLAN_ASLL: [
        "Article 6 de la loi n° 90-449 du 31 mai 1990 visant à la mise en œuvre du droit au logement : "
        "accompagnement social lié au logement (ASLL) financé par le fonds de solidarité pour le logement (FSL).",
        "Règlement intérieur du fonds de solidarité pour le logement du Département.",
    ],
    T.TRIPARTITE: [
        "Articles L.311-3 et L.311-4 du code de l'action sociale et des familles (CASF, loi n° 2002-2 du "
        "2 janvier 2002) : droits de la personne accueillie et contrat de séjour.",
        "Le présent document fixe, à l'admission, les objectifs du séjour et les engagements du jeune, du tiers "
        "partenaire et de la résidence ; il est annexé au contrat de séjour.",
    ],
}

# --- the person's rights and duties ---------------------------------------------------------------

_DROITS_RSA = [
    "La personne participe à la définition de ses objectifs ; le contrat n'est jamais modifié sans son "
    "accord : toute modification fait l'objet d'un avenant qu'elle signe.",
    "Elle est accompagnée par un référent unique, qu'elle peut rencontrer régulièrement, et reçoit une copie "
    "du contrat signé.",
    "Elle s'engage à réaliser les actions prévues et à informer son référent de tout changement de situation.",
]

DROITS = {
    T.CER: _DROITS_RSA
    + [
        "Le non-respect du contrat sans motif légitime peut conduire le Président du Conseil départemental, "
        "après avis de l'équipe pluridisciplinaire et après que la personne a pu présenter ses observations, "
        "à suspendre tout ou partie du RSA (CASF L.262-37).",
    ],
    T.CONTRAT_ENGAGEMENT: _DROITS_RSA
    + [
        "L'intensité hebdomadaire d'activité figure au contrat ; elle peut être réduite pour raison de santé, "
        "de handicap, de proche aidant ou de parent isolé sans solution de garde.",
        "En cas de manquement, la suspension-remobilisation est levée dès que la personne respecte à nouveau "
        "ses engagements ; les sommes suspendues peuvent alors lui être reversées dans la limite prévue par la loi.",
    ],
    T.COM: [
        "La personne participe à l'élaboration de ses objectifs et en fait le bilan chaque mois avec son référent.",
        "Elle a reçu le livret d'accueil, la charte des droits et libertés de la personne accueillie et le "
        "règlement de fonctionnement de la résidence.",
        "Elle peut se faire accompagner de la personne de son choix pour les démarches liées à son séjour.",
    ],
    T.PLAN_ASLL: [
        "La personne participe à la définition des actions et peut mettre fin à l'accompagnement ; le plan "
        "peut être renouvelé dans la limite fixée par le règlement du fonds de solidarité pour le logement.",
        "Elle s'engage à rencontrer régulièrement son référent et à réaliser les démarches prévues.",
    ],
    T.TRIPARTITE: [
        "Le jeune a reçu le livret d'accueil, la charte des droits et libertés de la personne accueillie et le "
        "règlement de fonctionnement de la résidence.",
        "Il peut se faire accompagner de la personne de son choix pour les démarches liées à son séjour.",
    ],
}

# --- how to contest -------------------------------------------------------------------------------

_RECOURS_DEPARTEMENT = [
    "Toute décision relative au présent contrat ou au RSA peut faire l'objet d'un recours administratif "
    "préalable, obligatoire avant tout recours contentieux, auprès du Président du Conseil départemental, "
    "dans un délai de deux mois à compter de sa notification (CASF L.262-47).",
    "La décision prise sur ce recours peut ensuite être contestée devant le tribunal administratif dans un "
    "délai de deux mois.",
]
_RECOURS_ETABLISSEMENT = [
    "En cas de désaccord, la personne s'adresse d'abord au responsable de la structure ; elle peut faire "
    "appel à une personne qualifiée, choisie sur la liste arrêtée par le préfet et le Président du Conseil "
    "départemental (CASF L.311-5).",
    "Le litige peut ensuite être porté devant le tribunal judiciaire compétent.",
]

RECOURS = {
    T.CER: _RECOURS_DEPARTEMENT,
    T.CONTRAT_ENGAGEMENT: _RECOURS_DEPARTEMENT,
    T.COM: _RECOURS_ETABLISSEMENT,
    T.TRIPARTITE: _RECOURS_ETABLISSEMENT,
    T.PLAN_ASLL: [
        "Une décision du fonds de solidarité pour le logement peut faire l'objet d'un recours administratif "
        "auprès du Président du Conseil départemental dans un délai de deux mois, puis d'un recours devant le "
        "tribunal administratif.",
    ],
}

# --- personal data (same for every kind) ----------------------------------------------------------

DONNEES = [
    "Les informations de ce contrat sont traitées par {structure} pour l'accompagnement de la personne ; "
    "elles ne sont partagées avec un partenaire qu'avec son accord, et seulement ce qui est nécessaire.",
    "La personne peut accéder à son dossier, en obtenir une copie et en faire rectifier les erreurs "
    "(règlement général sur la protection des données, articles 15 et 16) en s'adressant à la structure ; "
    "une réponse lui est donnée dans un délai d'un mois. Elle peut saisir la CNIL (www.cnil.fr).",
]

# --- in what role each party signs ----------------------------------------------------------------

ROLES = {
    Partie.RESIDENT: "la personne accompagnée",
    Partie.CONJOINT: "son conjoint ou sa conjointe",
    Partie.REFERENT: "le référent",
    Partie.RESPONSABLE: "le ou la responsable de la structure",
    Partie.PARTENAIRE: "le partenaire",
}
ROLES_PAR_TYPE = {
    T.CER: {Partie.RESIDENT: "la personne bénéficiaire du RSA", Partie.REFERENT: "le référent RSA"},
    T.CONTRAT_ENGAGEMENT: {Partie.RESIDENT: "la personne bénéficiaire du RSA", Partie.REFERENT: "le référent"},
    T.COM: {Partie.RESIDENT: "le résident ou la résidente", Partie.REFERENT: "le référent socio-éducatif"},
    T.PLAN_ASLL: {Partie.REFERENT: "le référent ASLL", Partie.PARTENAIRE: "le travailleur social prescripteur"},
    T.TRIPARTITE: {
        Partie.RESIDENT: "le jeune",
        Partie.PARTENAIRE: "le tiers partenaire",
        Partie.RESPONSABLE: "le ou la responsable de la résidence",
    },
}

# The Département signs the RSA contracts through the délégué insertion's validation. (The name is given
# in brackets: « des Vosges », « de l'Ain », « du Nord » cannot be derived from the name alone.)
DEPARTEMENT = (
    "Le Président du Conseil départemental ({departement}), par délégation, le délégué insertion "
    "du territoire « {territoire} »"
)


def role(type_contrat, partie):
    return ROLES_PAR_TYPE.get(type_contrat, {}).get(partie, ROLES[partie])


def mentions(type_contrat, *, structure, departement, territoire):
    """The mentions of one kind, as frozen in a version's content."""
    return {
        "fondement": FONDEMENT.get(type_contrat, []),
        "droits": DROITS.get(type_contrat, []),
        "recours": RECOURS.get(type_contrat, _RECOURS_ETABLISSEMENT),
        "donnees": [texte.format(structure=structure) for texte in DONNEES],
        "departement": DEPARTEMENT.format(departement=departement, territoire=territoire)
        if type_contrat in (T.CER, T.CONTRAT_ENGAGEMENT)
        else "",
    }
