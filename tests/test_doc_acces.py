"""docs/acces.md held against accounts/acces.py: every cell of its « Règles vérifiées » tables is put to
the code, so that the document cannot say one thing while the code does another (it once said that only
its author reads a confidential note, while the measure's référent did too)."""

import re
from pathlib import Path

import pytest

from accompagnement.models import Accompagnement, Entretien
from accounts import acces
from contrats.models import Contrat, Partie
from echeances.models import Alerte
from referentiel.models import TypeContrat
from residents.models import Consentement
from tests.accompagnement.factories import AccompagnementFactory, CoReferentFactory, EntretienFactory
from tests.accounts.factories import (
    AdministrateurFactory,
    DelegueFactory,
    PartenaireFactory,
    ReferentFactory,
    ResponsableFactory,
)
from tests.referentiel.factories import StructureFactory
from tests.residents.factories import ConsentementFactory

DOC = Path(__file__).resolve().parent.parent / "docs" / "acces.md"


def tableau(titre):
    """The rows of the Markdown table under the heading `### titre`, as lists of cells (header first)."""
    texte = DOC.read_text(encoding="utf-8")
    section = texte.split(f"### {titre}\n", 1)[1].split("\n#", 1)[0]
    lignes = [ligne for ligne in section.splitlines() if ligne.startswith("|")]
    cellules = [[c.strip() for c in ligne.strip("|").split("|")] for ligne in lignes]
    return [cellules[0], *[ligne for ligne in cellules[1:] if not set("".join(ligne)) <= set("-")]]


def reponse(cellule):
    """« oui » or « non », the word that opens the cell (the rest explains it)."""
    mot = re.match(r"\w+", cellule).group(0)
    assert mot in ("oui", "non"), f"case illisible : « {cellule} »"
    return mot == "oui"


@pytest.fixture
def monde(structure, referent, collegue, responsable, etranger, mesure):
    """One RSA measure of `structure`, and someone in each situation of the tables."""
    coreferent = ReferentFactory(structures=[StructureFactory(territoire=structure.territoire)])
    CoReferentFactory(accompagnement=mesure, user=coreferent)
    partenaire = PartenaireFactory()
    CoReferentFactory(accompagnement=mesure, contact=partenaire.contact_partenaire)
    ConsentementFactory(
        resident=mesure.resident,
        tiers=partenaire.contact_partenaire.tiers,
        categories=[Consentement.Categorie.NOTES, Consentement.Categorie.OBJECTIFS],
    )
    return {
        "réf.": referent,
        "collègue": collegue,
        "co-réf.": coreferent,
        "resp.": responsable,
        "délégué": DelegueFactory(territoires=[structure.territoire]),
        "partenaire": partenaire,
        "admin": AdministrateurFactory(),
        "autre": etranger,
    }


def test_qui_lit_une_note_confidentielle(monde, structure, mesure):
    """Each row of « Qui lit une note confidentielle », read through Entretien.objects.visibles_par."""
    note = EntretienFactory(accompagnement=mesure, auteur=monde["collègue"], confidentiel=True, notes="Sensible.")
    # The same situation in a structure that lets its manager read the confidential notes.
    qui_le_decide = StructureFactory(responsable_voit_notes_confidentielles=True)
    voit_les_notes = ResponsableFactory(structures=[qui_le_decide])
    mesure_decidee = AccompagnementFactory(referent=ReferentFactory(structures=[qui_le_decide]))
    note_decidee = EntretienFactory(accompagnement=mesure_decidee, confidentiel=True, notes="Sensible aussi.")
    qui = {
        "auteur de la note (un collègue de la structure)": (monde["collègue"], note),
        "référent de la mesure": (monde["réf."], note),
        "responsable de la structure, si elle l'a décidé": (voit_les_notes, note_decidee),
        "responsable de la structure, sinon": (monde["resp."], note),
        "collègue de la structure": (ReferentFactory(structures=[structure]), note),
        "co-référent de l'équipe d'une autre structure": (monde["co-réf."], note),
        "délégué insertion du territoire": (monde["délégué"], note),
        "partenaire co-référent, consentement « notes » en vigueur": (monde["partenaire"], note),
        "administrateur": (monde["admin"], note),
    }
    entete, *lignes = tableau("Qui lit une note confidentielle")
    assert entete == ["qui", "lit la note"]
    assert [ligne[0] for ligne in lignes] == list(qui), "une ligne du document n'est pas vérifiée ici"
    for libelle, cellule in lignes:
        user, entretien = qui[libelle]
        # Everyone here sees the measure: what is tested is the rule of the note alone.
        assert Accompagnement.objects.visibles_par(user).filter(pk=entretien.accompagnement_id).exists()
        lit = Entretien.objects.visibles_par(user).filter(pk=entretien.pk).exists()
        assert lit is reponse(cellule), f"{libelle} : le document dit « {cellule} », le code répond {lit}"


def test_qui_peut(monde, mesure):
    """Each cell of « Qui peut », asked of accounts.acces."""
    cer = Contrat(accompagnement=mesure, type=TypeContrat.CER, etat=Contrat.Etat.EN_VALIDATION)
    tripartite = Contrat(
        accompagnement=mesure,
        type=TypeContrat.TRIPARTITE,
        etat=Contrat.Etat.EN_SIGNATURE,
        partenaire=monde["partenaire"].contact_partenaire,
    )
    alerte = Alerte(accompagnement=mesure, structure_id=mesure.structure_id, destinataires=[mesure.referent_id])
    actions = {
        "voir la mesure": lambda u: Accompagnement.objects.visibles_par(u).filter(pk=mesure.pk).exists(),
        "écrire sur la mesure (entretiens, rendez-vous, objectifs, fin)": lambda u: acces.peut_modifier(u, mesure),
        "modifier l'identité, les consentements, les demandes d'accès": lambda u: acces.peut_agir(
            u, mesure.resident.structure
        ),
        "rédiger un contrat, en préparer un avenant": lambda u: acces.peut_rediger(u, mesure),
        "signer un COM ou un document tripartite pour la structure": lambda u: acces.peut_signer(
            u, cer, Partie.RESPONSABLE
        ),
        "signer un document tripartite pour le tiers partenaire": lambda u: acces.peut_signer(
            u, tripartite, Partie.PARTENAIRE
        ),
        "valider, différer ou refuser un CER": lambda u: acces.peut_valider(u, cer),
        "prendre en compte une alerte adressée au référent": lambda u: acces.peut_acquitter(u, alerte),
        "voir « qui a consulté », remettre le dossier complet (ZIP), archiver": lambda u: (
            acces.est_responsable_du_dossier(u, mesure.resident)
        ),
        "voir le bilan annuel": acces.peut_voir_bilan,
    }
    entete, *lignes = tableau("Qui peut")
    assert entete == ["action", *monde]
    assert [ligne[0] for ligne in lignes] == list(actions), "une ligne du document n'est pas vérifiée ici"
    for action, *cellules in lignes:
        for (situation, user), cellule in zip(monde.items(), cellules, strict=True):
            peut = bool(actions[action](user))
            assert peut is reponse(cellule), f"{action}, {situation} : le document dit « {cellule} », le code {peut}"
