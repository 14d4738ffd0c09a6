import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accompagnement.models import TYPES_PHYSIQUES, Entretien, EvaluationObjectif, Objectif
from accounts.models import Role, User
from contrats.models import Contrat
from demo import synthetique
from residents.models import Resident
from residents.texte import cle_recherche


def _lancer(capsys, personnes, par_personne, *options):
    call_command(
        "donnees_synthetiques",
        "--personnes", str(personnes), "--entretiens-par-personne", str(par_personne), "--prefixe", "TST", *options,
    )  # fmt: skip
    return capsys.readouterr().out


def test_200_personnes_puis_reutilisation(capsys):
    sortie = _lancer(capsys, 200, 5)
    assert "créée" in sortie
    residents = Resident.objects.filter(structure__in=synthetique.structures("TST"))
    accs = synthetique.accompagnements("TST")
    entretiens = Entretien.objects.filter(accompagnement__in=accs)
    assert residents.count() == 200
    assert accs.count() == 200
    # 5 each, except the big dossier of 500
    assert entretiens.count() == 199 * 5 + 500
    assert synthetique.grand_dossier("TST").accompagnements.get().entretiens.count() == 500
    assert synthetique.referent_exemple("TST").accompagnements.count() == 80
    assert synthetique.referent_exemple("TST").accompagnements.actifs().count() == 80  # the bench's file active
    assert synthetique.responsable_exemple("TST").role == Role.RESPONSABLE
    assert User.objects.filter(username__startswith="tst-", role=Role.REFERENT).count() == 3
    assert Contrat.objects.filter(accompagnement__in=accs).exists()
    # the generated column and the search key are right
    assert not entretiens.exclude(physique=True).filter(type__in=TYPES_PHYSIQUES).exists()
    for r in residents[:20]:
        assert r.nom_recherche == cle_recherche(f"{r.nom} {r.prenom}")
    avant = (residents.count(), entretiens.count(), Contrat.objects.count())

    # The big dossier holds what a followed person's file does besides entretiens.
    grand = synthetique.grand_dossier("TST").accompagnements.get()
    assert (
        grand.objectifs.count() == 3 and EvaluationObjectif.objects.filter(objectif__accompagnement=grand).count() == 3
    )
    assert grand.coreferents.filter(user__isnull=False).count() == 1
    assert grand.entretiens.filter(objectifs__isnull=False).count() == 167  # one in three of 500
    assert grand.entretiens.filter(participants__isnull=False).count() == 50
    avant = (*avant, Objectif.objects.count(), grand.coreferents.count())

    sortie = _lancer(capsys, 200, 5)
    assert "réutilisée" in sortie
    assert (
        residents.count(),
        entretiens.count(),
        Contrat.objects.count(),
        Objectif.objects.count(),
        grand.coreferents.count(),
    ) == avant


def test_une_autre_taille_reconstruit_la_base(capsys):
    _lancer(capsys, 120, 2)
    sortie = _lancer(capsys, 90, 2)
    assert "Suppression" in sortie
    assert Resident.objects.filter(structure__in=synthetique.structures("TST")).count() == 90
    assert User.objects.filter(username__startswith="tst-").count() == 1 + 2 + 4 * 2


def test_recreer_force_la_reconstruction(capsys):
    _lancer(capsys, 50, 1)
    premier = set(Resident.objects.filter(structure__in=synthetique.structures("TST")).values_list("pk", flat=True))
    _lancer(capsys, 50, 1, "--recreer")
    second = set(Resident.objects.filter(structure__in=synthetique.structures("TST")).values_list("pk", flat=True))
    assert len(second) == 50 and not premier & second


def test_parametres_invalides():
    with pytest.raises(CommandError, match="positifs"):
        call_command("donnees_synthetiques", "--personnes", "-1")
    with pytest.raises(CommandError, match="préfixe"):
        call_command("donnees_synthetiques", "--personnes", "1", "--prefixe", "a b")
