"""`make bench` for residents: the import of the Département's file of new RSA beneficiaries, 20,000 lines
built here (CSV, Windows-1252, `;`), into a territory of the synthetic base (its people are the candidates
of the duplicate check): the reading and preview, then the import itself (the code the Celery worker runs),
then the same file again (every line « inchangé »). Everything in a transaction rolled back at the end."""

import csv
import datetime
import io
import random
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from demo import noms, synthetique
from referentiel.models import Departement, Structure, Territoire

from . import services_import
from .models import ImportAllocataires, Resident

LIGNES = 20_000
OBJECTIF = 60  # seconds, reading + preview + import of LIGNES lines
ENTETES = ["N° allocataire", "Nom", "Prénom", "Date de naissance", "Adresse", "Code postal", "Commune",
           "Date d'ouverture du droit", "Situation familiale"]  # fmt: skip
SITUATIONS = ["Célibataire", "Marié", "Pacsé", "Divorcé", "Séparé", "Veuf", "Vie maritale"]


def _n(nombre):
    return f"{nombre:,}".replace(",", " ")


class _Annuler(Exception):
    pass


def fichier_synthetique(lignes, graine=19):
    """A CAF-like file of `lignes` new beneficiaries: distinct numbers, double-barrelled names (few real
    duplicates of the base), dates of the last weeks, in Windows-1252 as a spreadsheet saves it."""
    rng = random.Random(graine)
    aujourd_hui = timezone.localdate()
    flux = io.StringIO()
    ecrivain = csv.writer(flux, delimiter=";", lineterminator="\r\n")
    ecrivain.writerow(ENTETES)
    for i in range(lignes):
        commune, code_postal = rng.choice(noms.COMMUNES)
        naissance = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(16_000))
        ouverture = aujourd_hui - datetime.timedelta(days=rng.randrange(1, 60))
        ecrivain.writerow([
            f"{9_000_000 + i}",
            f"{rng.choice(noms.NOMS)}-{rng.choice(noms.NOMS)}",
            rng.choice(noms.PRENOMS_F + noms.PRENOMS_H),
            naissance.strftime("%d/%m/%Y"),
            noms.adresse(rng).splitlines()[0],
            code_postal,
            commune,
            ouverture.strftime("%d/%m/%Y"),
            rng.choice(SITUATIONS),
        ])  # fmt: skip
    return flux.getvalue().encode("cp1252", errors="replace")


def _territoire():
    territoire = synthetique.territoires().order_by("pk").first()
    if territoire is None:  # no synthetic base (a test): a territory of our own, rolled back
        departement, _ = Departement.objects.get_or_create(code="88", defaults={"nom": "Vosges"})
        territoire = Territoire.objects.create(departement=departement, nom="Banc d'import")
    return territoire


def _importer(delegue, pole, contenu):
    """Deposit, proposed columns, preview (read at once, as the worker would), confirm, import: the
    seconds of the preview and of the import."""
    debut = time.perf_counter()
    import_ = services_import.deposer(
        par=delegue, structure=pole, fichier=SimpleUploadedFile("allocataires.csv", contenu)
    )
    services_import.choisir_colonnes(
        import_=import_, par=delegue, correspondance=services_import.proposition(import_, delegue)
    )
    services_import.analyser(import_.pk)  # a large file waits for the worker: its code, here
    apercu = time.perf_counter() - debut
    services_import.confirmer(import_=import_, par=delegue)
    debut = time.perf_counter()
    services_import.appliquer(import_.pk)
    ecriture = time.perf_counter() - debut
    import_.refresh_from_db()
    if import_.etat != ImportAllocataires.Etat.TERMINE:
        raise AssertionError(f"import dans l'état {import_.etat} : {import_.erreur}")
    return import_, apercu, ecriture


def bench_import_allocataires():
    contenu = fichier_synthetique(LIGNES)
    lignes = []
    try:
        with transaction.atomic():
            territoire = _territoire()
            delegue = User.objects.create(username=f"bench-import-{time.time_ns()}", role=Role.DELEGUE)
            delegue.territoires.set(synthetique.territoires() or [territoire])
            pole = Structure.objects.create(
                nom=f"Pôle insertion du banc {time.time_ns()}", type=Structure.Type.SERVICE_CD, territoire=territoire
            )
            candidats = Resident.objects.filter(structure__territoire__in=delegue.territoires.all()).count()
            premier, apercu, ecriture = _importer(delegue, pole, contenu)
            second, apercu2, ecriture2 = _importer(delegue, pole, contenu)
            n = premier.compteurs
            lignes += [
                (f"import de {_n(LIGNES)} allocataires : lecture et aperçu ({_n(candidats)} personnes au territoire)",
                 round(apercu, 1), "s", None),
                (f"import : écriture ({_n(n['NOUVEAU'])} nouveaux, {_n(n['DOUBLON'])} doublons probables)",
                 round(ecriture, 1), "s", None),
                (f"import de {_n(LIGNES)} lignes, de bout en bout", round(apercu + ecriture, 1), "s", OBJECTIF),
                (f"même fichier de nouveau ({_n(second.compteurs['INCHANGE'])} lignes inchangées)",
                 round(apercu2 + ecriture2, 1), "s", OBJECTIF),
            ]  # fmt: skip
            raise _Annuler
    except _Annuler:
        pass
    return lignes


__all__ = ["bench_import_allocataires"]
