"""Importing the Département's file of new RSA beneficiaries: deposit, column mapping, preview, then the
import itself, in the background (docs/faults.md: a row of work claimed by compare-and-set, queued on
commit, taken up again by the minute's pass), idempotent.

Each line is classified against the base (`classer`), on the preview and again, inside the import's one
transaction, when it is written:
- NOUVEAU: a person is created in the receiving structure, with her RSA data, no orientation, no measure;
- MAJ / INCHANGE: the same n° allocataire is known: the RSA data (date the right opened, family
  situation; the address only where the file had none) are brought up to date, or nothing changes;
- DOUBLON: same birth date and the same name as a file already in the territory, or as an earlier line
  (residents.doublons, accent-tolerant): not imported, the délégué checks it by hand;
- ERREUR: the line is unreadable (French message); not imported.
Duplicates and errors are listed in the report; the rest is written in one transaction, or nothing."""

import datetime
import hashlib
import logging
import uuid
from collections import defaultdict
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import Case, F, When
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accompagnement.jeton import deja_saisi, sauver_une_fois
from accounts import acces
from config.celery import a_remettre_en_file, mettre_en_file_les, reclamer, retablir_connexion
from referentiel.models import Structure

from . import doublons, imports
from .models import CorrespondanceColonnes, ImportAllocataires, Resident
from .texte import cle_recherche

logger = logging.getLogger(__name__)

E = ImportAllocataires.Etat
TACHE_ANALYSE = "residents.tasks.analyser_import"
TACHE_IMPORT = "residents.tasks.appliquer_import"
# A file this small is read while the user waits (well under a second); a larger one in the background.
LECTURE_IMMEDIATE_OCTETS = 256 * 1024
DELAI_TRAVAIL = datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
ESSAIS = 5
LOT = 1000
# One import writes at a time (a PostgreSQL advisory lock held by its transaction): two files carrying
# the same new allocataire never both create her.
VERROU_IMPORT = 190_019
INTERROMPU = (
    "Ce travail a été interrompu plusieurs fois (serveur arrêté ou redémarré) : déposez le fichier de nouveau ; "
    "si cela se répète, prévenez l'administrateur."
)
ERREUR_INATTENDUE = "Erreur inattendue : rien n'a été importé. L'administrateur la trouvera dans le journal."


class Statut:
    NOUVEAU = "NOUVEAU"
    MAJ = "MAJ"
    INCHANGE = "INCHANGE"
    DOUBLON = "DOUBLON"
    ERREUR = "ERREUR"


LIBELLES = {
    Statut.NOUVEAU: "nouveau",
    Statut.MAJ: "déjà connu : données RSA mises à jour",
    Statut.INCHANGE: "inchangé",
    Statut.DOUBLON: "doublon probable",
    Statut.ERREUR: "erreur",
}
# What an import may change on a person already known (same n° allocataire): her RSA data.
CHAMPS_RSA = ["date_ouverture_rsa", "situation_familiale"]


class ConnexionPerdue(Exception):
    """The database went away: the claim is given back, the task tries again."""


def exiger(par, import_):
    if not acces.imports_visibles(ImportAllocataires.objects.filter(pk=import_.pk), par).exists():
        raise PermissionDenied("Cet import ne relève pas de vos territoires.")


def structures_proposees(par):
    """Where the new people may go: the structures of the délégué's territories, the Département's own
    services (the pôle insertion that orients them) first."""
    premier = Case(When(type=Structure.Type.SERVICE_CD, then=0), default=1)
    return acces.structures_d_accueil_d_import(Structure.objects.all(), par).order_by(premier, "nom")


# --- deposit and mapping -------------------------------------------------------------------------------


@transaction.atomic
def deposer(*, par, structure, fichier, jeton=None):
    """Check the file (content, size, columns) and keep it for the mapping step; the same form sent twice
    (`jeton`) is one import. Raises ValidationError (French) for a refused file: nothing is kept."""
    if not acces.importe_des_allocataires(par):
        raise PermissionDenied("Seul le délégué insertion importe les allocataires.")
    if not acces.structures_d_accueil_d_import(Structure.objects.filter(pk=structure.pk), par).exists():
        raise ValidationError("Choisissez une structure de vos territoires.")
    deja = deja_saisi(ImportAllocataires, jeton)
    if deja is not None:
        if deja.par_id != par.pk:
            raise ValidationError("Formulaire invalide : rechargez la page.")
        return deja
    if fichier.size > settings.IMPORT_ALLOCATAIRES_TAILLE_MAX:  # refused before reading it
        raise ValidationError(imports.trop_volumineux())
    fichier.seek(0)
    donnees = fichier.read()
    tableau = imports.lire(donnees)
    import_ = ImportAllocataires(
        par=par,
        structure=structure,
        nom_fichier=(getattr(fichier, "name", "") or "fichier")[:255],
        format=tableau.format,
        empreinte=hashlib.sha256(donnees).hexdigest(),
        entetes=tableau.entetes,
        exemple=[imports.en_clair(v)[:60] for v in tableau.lignes[0][1]],
        lignes_total=len(tableau.lignes),
        jeton=jeton,
    )
    import_.fichier.save(f"{uuid.uuid4().hex}.{tableau.format}", ContentFile(donnees), save=False)
    nom = import_.fichier.name
    import_, cree = sauver_une_fois(import_)
    if not cree:
        import_.fichier.storage.delete(nom)
    return import_


def proposition(import_, user):
    """{column index: field}: the user's last mapping, then the known header names."""
    memoire = CorrespondanceColonnes.objects.filter(user=user).values_list("colonnes", flat=True).first()
    return imports.deviner(import_.entetes, memoire)


def choisir_colonnes(*, import_, par, correspondance):
    """Record the mapping {column index: field} (remembered for the user's next file) and read the file:
    at once when it is small, in the background otherwise. A second submit changes nothing."""
    exiger(par, import_)
    manquants = [imports.CHAMPS[c][0] for c in imports.OBLIGATOIRES if c not in correspondance.values()]
    if manquants:
        raise ValidationError(f"Indiquez la colonne de : {', '.join(manquants)}.")
    champs = [c for c in correspondance.values() if c]
    doubles = sorted({imports.CHAMPS[c][0] for c in champs if champs.count(c) > 1})
    if doubles:
        raise ValidationError(f"Une seule colonne par information : {', '.join(doubles)}.")
    with transaction.atomic():
        courant = ImportAllocataires.objects.select_for_update().get(pk=import_.pk)
        if courant.etat != E.COLONNES:
            return courant
        courant.correspondance = {str(i): c for i, c in correspondance.items() if c}
        courant.etat = E.ANALYSE_EN_ATTENTE
        courant.save(update_fields=["correspondance", "etat"])
        memoire, _ = CorrespondanceColonnes.objects.select_for_update().get_or_create(user=par)
        # Every header of this file, an ignored one included (« »: proposed as ignored next time).
        memoire.colonnes = {
            **memoire.colonnes,
            **{imports.normaliser(e): correspondance.get(i, "") for i, e in enumerate(courant.entetes) if e},
        }
        memoire.save()
        immediat = courant.fichier.size <= LECTURE_IMMEDIATE_OCTETS
        if not immediat:
            transaction.on_commit(lambda: mettre_en_file_les(TACHE_ANALYSE, ImportAllocataires, [courant.pk]))
    if immediat:
        try:
            analyser(courant.pk)
        except ConnexionPerdue:  # the row was given back: a worker reads it, the page shows the progress
            mettre_en_file_les(TACHE_ANALYSE, ImportAllocataires, [courant.pk])
    return courant


# --- reading the file: the preview -----------------------------------------------------------------------


def analyser(import_id):
    """Claim the reading (compare-and-set), check every line and classify it, store the preview. The file
    is deleted once read: the preview holds what the import will write."""
    lignes = ImportAllocataires.objects.filter(pk=import_id)
    pris = reclamer(
        lignes,
        libre=E.ANALYSE_EN_ATTENTE,
        en_cours=E.ANALYSE_EN_COURS,
        delai=DELAI_TRAVAIL,
        progression=0,
        tentatives=F("tentatives") + 1,
    )
    if not pris:
        return None
    import_ = lignes.select_related("par", "structure").get()
    la_mienne = lignes.filter(etat=E.ANALYSE_EN_COURS, pris_par=import_.pris_par, pris_le=import_.pris_le)
    if import_.tentatives > ESSAIS:
        la_mienne.update(etat=E.ECHEC, erreur=INTERROMPU)
        return None
    try:
        with import_.fichier.open("rb") as flux:
            tableau = imports.lire(flux.read())
        correspondance = {int(i): c for i, c in import_.correspondance.items()}
        total = max(len(tableau.lignes), 1)
        entrees = []
        for k, (numero, valeurs) in enumerate(tableau.lignes, 1):
            donnees, erreurs = imports.valider(valeurs, correspondance)
            entrees.append({"ligne": numero, "donnees": donnees, "erreurs": erreurs})
            if k % 2000 == 0:
                lignes.update(progression=60 * k // total)
        classer(entrees, import_.par)
        fait = la_mienne.update(
            etat=E.APERCU,
            apercu=entrees,
            compteurs=compter(entrees),
            lignes_total=len(entrees),
            progression=100,
            fichier="",
        )
        if fait:
            import_.fichier.delete(save=False)
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Import %s : connexion à la base perdue, nouvel essai", import_id, exc_info=True)
        _rendre(la_mienne, etat=E.ANALYSE_EN_ATTENTE)
        raise ConnexionPerdue from exc
    except ValidationError as exc:
        _rendre(la_mienne, etat=E.ECHEC, erreur=" ".join(exc.messages))
    except Exception:  # the row must say « échec », in French, whatever went wrong
        logger.exception("Échec de la lecture de l'import %s", import_id)
        _rendre(la_mienne, etat=E.ECHEC, erreur=ERREUR_INATTENDUE)
    return lignes.get()


def _rendre(la_mienne, **valeurs):
    retablir_connexion()
    if valeurs.get("etat") != E.ECHEC:
        valeurs.update(pris_par="", pris_le=None)
    try:
        la_mienne.update(**valeurs)
    except DatabaseError:
        logger.warning("Import : état non enregistré, la base ne répond pas", exc_info=True)
        retablir_connexion()


def compter(entrees):
    compteurs = dict.fromkeys(LIBELLES, 0)
    for entree in entrees:
        compteurs[entree["statut"]] += 1
    return compteurs


def _lots(valeurs, taille=10_000):
    valeurs = list(valeurs)
    for debut in range(0, len(valeurs), taille):
        yield valeurs[debut : debut + taille]


CHAMPS_LUS = [
    "pk", "numero_allocataire", "nom", "prenom", "nom_naissance", "date_naissance", "adresse",
    "date_ouverture_rsa", "date_orientation", "situation_familiale", "structure__nom",
]  # fmt: skip


def classer(entrees, user):
    """Give each entry {ligne, donnees, erreurs} its `statut`, `message`, and `resident` (known person)
    or `changements` (what an update changes). A fixed number of queries whatever the number of lines."""
    valides = [e for e in entrees if e["donnees"]]
    numeros = {e["donnees"]["numero_allocataire"] for e in valides}
    connus = {}
    for lot in _lots(numeros):
        for r in Resident.objects.filter(numero_allocataire__in=lot).values(*CHAMPS_LUS):
            connus[r["numero_allocataire"]] = r
    permis = set()
    for lot in _lots([r["pk"] for r in connus.values()]):
        qs = acces.personnes_touchees_par_l_import(Resident.objects.filter(pk__in=lot), user)
        permis.update(qs.values_list("pk", flat=True))
    dates = {e["donnees"]["date_naissance"] for e in valides if e["donnees"]["numero_allocataire"] not in connus}
    candidats = defaultdict(list)
    for lot in _lots(dates):
        qs = acces.personnes_touchees_par_l_import(Resident.objects.filter(date_naissance__in=lot), user)
        for r in qs.order_by("pk").values(*CHAMPS_LUS):
            candidats[r["date_naissance"].isoformat()].append(SimpleNamespace(**r))
    vus, nouveaux = {}, defaultdict(list)
    for entree in entrees:
        entree.update(statut=Statut.ERREUR, message="", resident=None, changements={})
        if entree["erreurs"]:
            entree["message"] = " ".join(entree["erreurs"])
            continue
        d = entree["donnees"]
        numero = d["numero_allocataire"]
        if numero in vus:
            entree["message"] = f"Ce n° allocataire figure déjà ligne {vus[numero]} du fichier."
            continue
        vus[numero] = entree["ligne"]
        if numero in connus:
            _connu(entree, connus[numero], connus[numero]["pk"] in permis)
            continue
        personne = SimpleNamespace(nom=d["nom"], prenom=d["prenom"], nom_naissance=d["nom_naissance"])
        trouves = [c for c in candidats[d["date_naissance"]] if _correspond(personne, c)]
        if trouves:
            c = trouves[0]
            entree.update(
                statut=Statut.DOUBLON,
                resident=c.pk,
                message=f"Doublon probable de {Resident.nom_affiche(c.prenom, c.nom)} ({c.structure__nom}) : "
                "complétez son dossier à la main si c'est la même personne.",
            )
            continue
        ligne = next((n for n, autre in nouveaux[d["date_naissance"]] if _correspond(personne, autre)), None)
        if ligne is not None:
            entree.update(statut=Statut.DOUBLON, message=f"Doublon probable de la ligne {ligne} du fichier.")
            continue
        nouveaux[d["date_naissance"]].append((entree["ligne"], personne))
        entree["statut"] = Statut.NOUVEAU
    return entrees


def _correspond(personne, candidat):
    return doublons.correspond(
        nom=personne.nom, prenom=personne.prenom, nom_naissance=personne.nom_naissance, candidat=candidat
    )


def _connu(entree, existant, permis):
    d = entree["donnees"]
    if not permis:
        entree["message"] = (
            "Ce n° allocataire est déjà celui d'une personne suivie hors de vos territoires : vérifiez-le auprès "
            "de la CAF ou de la MSA."
        )
        return
    personne = SimpleNamespace(nom=d["nom"], prenom=d["prenom"], nom_naissance=d["nom_naissance"])
    if existant["date_naissance"].isoformat() != d["date_naissance"] or not _correspond(
        personne, SimpleNamespace(**existant)
    ):
        entree["message"] = (
            f"Ce n° allocataire est celui de {Resident.nom_affiche(existant['prenom'], existant['nom'])}, "
            f"né·e le {existant['date_naissance']:%d/%m/%Y} : vérifiez la ligne."
        )
        return
    ouverture = datetime.date.fromisoformat(d["date_ouverture_rsa"])
    if existant["date_orientation"] and existant["date_orientation"] < ouverture:
        entree["message"] = (
            f"Sa date d'orientation ({existant['date_orientation']:%d/%m/%Y}) précède la date d'ouverture du droit "
            "du fichier : vérifiez la ligne."
        )
        return
    changements = {}
    if existant["date_ouverture_rsa"] != ouverture:
        changements["date_ouverture_rsa"] = d["date_ouverture_rsa"]
    if existant["situation_familiale"] != d["situation_familiale"]:
        changements["situation_familiale"] = d["situation_familiale"]
    if not existant["adresse"] and d["adresse"]:
        changements["adresse"] = d["adresse"]
    entree.update(
        statut=Statut.MAJ if changements else Statut.INCHANGE, resident=existant["pk"], changements=changements
    )


# --- confirmation and the import itself ------------------------------------------------------------------


def confirmer(*, import_, par):
    """The user confirms the preview: the import is queued after the commit. True when this call
    confirmed it; False for a second submit (already confirmed, or no longer a preview)."""
    exiger(par, import_)
    with transaction.atomic():
        courant = ImportAllocataires.objects.select_for_update().get(pk=import_.pk)
        if courant.etat != E.APERCU:
            return False
        courant.etat = E.EN_ATTENTE
        courant.confirme_le = timezone.now()
        courant.progression = 0
        courant.mis_en_file_le = None
        courant.tentatives = 0  # the reading's tries are not the import's
        courant.save(update_fields=["etat", "confirme_le", "progression", "mis_en_file_le", "tentatives"])
        transaction.on_commit(lambda: mettre_en_file_les(TACHE_IMPORT, ImportAllocataires, [courant.pk]))
    return True


def abandonner(*, import_, par):
    """Give up an import not yet confirmed: its file and preview are deleted."""
    exiger(par, import_)
    with transaction.atomic():
        courant = ImportAllocataires.objects.select_for_update().get(pk=import_.pk)
        if courant.etat not in (E.COLONNES, E.APERCU, E.ECHEC):
            raise ValidationError("Cet import est lancé ou terminé : il ne peut plus être abandonné.")
        if courant.fichier:
            courant.fichier.delete(save=False)
        courant.etat, courant.apercu, courant.fichier = E.ABANDONNE, [], ""
        courant.save(update_fields=["etat", "apercu", "fichier"])
    return courant


class _Progression:
    """The progress of the import, written while its transaction is still open: through a connection of
    its own (autocommit), never waiting for a lock (SKIP LOCKED). Only a figure on screen: a failure is
    ignored."""

    def __init__(self, import_id):
        self.import_id = import_id
        self.connexion = None

    def __call__(self, pourcentage):
        table = ImportAllocataires._meta.db_table
        try:
            if self.connexion is None:
                self.connexion = connections.create_connection(DEFAULT_DB_ALIAS)
            with self.connexion.cursor() as curseur:
                curseur.execute(
                    f"UPDATE {table} SET progression = %s WHERE id IN "  # noqa: S608 - the model's own table
                    f"(SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                    [min(99, int(pourcentage)), self.import_id],
                )
        except DatabaseError:
            logger.warning("Import %s : progression non enregistrée", self.import_id, exc_info=True)

    def fermer(self):
        if self.connexion is not None:
            self.connexion.close()


class _Repris(Exception):
    """The claim was taken over meanwhile: this run's writes are rolled back."""


def appliquer(import_id):
    """Claim the confirmed import (compare-and-set), classify its lines again against the base as it is
    now, and write everything in one transaction, with the report and the state « importé »: a second
    delivery finds it taken or done, a crash leaves nothing half-written and the import waiting."""
    lignes = ImportAllocataires.objects.filter(pk=import_id)
    pris = reclamer(
        lignes,
        libre=E.EN_ATTENTE,
        en_cours=E.EN_COURS,
        delai=DELAI_TRAVAIL,
        progression=0,
        tentatives=F("tentatives") + 1,
    )
    if not pris:
        return None
    import_ = lignes.select_related("par", "structure").get()
    la_mienne = lignes.filter(etat=E.EN_COURS, pris_par=import_.pris_par, pris_le=import_.pris_le)
    if import_.tentatives > ESSAIS:
        la_mienne.update(etat=E.ECHEC, erreur=INTERROMPU)
        return None
    progression = _Progression(import_id)
    try:
        with transaction.atomic():
            _ecrire(import_, la_mienne, progression)
    except _Repris:
        return None
    except (OperationalError, InterfaceError) as exc:
        logger.warning("Import %s : connexion à la base perdue, nouvel essai", import_id, exc_info=True)
        _rendre(la_mienne, etat=E.EN_ATTENTE)
        raise ConnexionPerdue from exc
    except ValidationError as exc:
        _rendre(la_mienne, etat=E.ECHEC, erreur="Rien n'a été importé : " + " ".join(exc.messages))
    except Exception:
        logger.exception("Échec de l'import %s", import_id)
        _rendre(la_mienne, etat=E.ECHEC, erreur=ERREUR_INATTENDUE)
    finally:
        progression.fermer()
    return lignes.get()


def _ecrire(import_, la_mienne, progression):
    from accompagnement.models import Accompagnement
    from echeances.signals import a_synchroniser

    with connection.cursor() as curseur:
        curseur.execute("SELECT pg_advisory_xact_lock(%s)", [VERROU_IMPORT])
    entrees = [{"ligne": e["ligne"], "donnees": e["donnees"], "erreurs": e["erreurs"]} for e in import_.apercu]
    classer(entrees, import_.par)
    progression(20)
    raison = f"import n°{import_.pk} ({import_.nom_fichier})"[:100]
    nouveaux = [e for e in entrees if e["statut"] == Statut.NOUVEAU]
    total = max(len(nouveaux), 1)
    for debut in range(0, len(nouveaux), LOT):
        lot = nouveaux[debut : debut + LOT]
        crees = bulk_create_with_history(
            [_nouvelle_personne(e["donnees"], import_.structure) for e in lot],
            Resident,
            default_user=import_.par,
            default_change_reason=raison,
        )
        for entree, resident in zip(lot, crees, strict=True):
            entree["resident"] = resident.pk
        progression(20 + 70 * (debut + len(lot)) // total)
    a_changer = {e["resident"]: e for e in entrees if e["statut"] == Statut.MAJ}
    if a_changer:
        personnes = list(Resident.objects.select_for_update().filter(pk__in=a_changer).order_by("pk"))
        for personne in personnes:
            for champ, valeur in a_changer[personne.pk]["changements"].items():
                setattr(personne, champ, datetime.date.fromisoformat(valeur) if champ.startswith("date") else valeur)
            personne.version += 1
        bulk_update_with_history(
            personnes,
            Resident,
            [*CHAMPS_RSA, "adresse", "version"],
            batch_size=LOT,
            default_user=import_.par,
            default_change_reason=raison,
        )
        # Their measures' alerts follow the new dates once committed (a bulk write sends no signal).
        a_synchroniser(Accompagnement.objects.filter(resident_id__in=a_changer).values_list("pk", flat=True))
    courant = la_mienne.select_for_update().first()
    if courant is None:
        raise _Repris
    courant.etat = E.TERMINE
    courant.termine_le = timezone.now()
    courant.progression = 100
    courant.compteurs = compter(entrees)
    courant.compte_rendu = [au_compte_rendu(e) for e in entrees]
    courant.apercu = []  # the report keeps what was done, without the addresses
    courant.save()


def _nouvelle_personne(d, structure):
    resident = Resident(
        structure=structure,
        numero_allocataire=d["numero_allocataire"],
        nom=d["nom"],
        prenom=d["prenom"],
        nom_naissance=d["nom_naissance"],
        date_naissance=datetime.date.fromisoformat(d["date_naissance"]),
        adresse=d["adresse"],
        date_ouverture_rsa=datetime.date.fromisoformat(d["date_ouverture_rsa"]),
        situation_familiale=d["situation_familiale"],
    )
    # bulk_create does not call save(): the search key is computed as save() does.
    resident.nom_recherche = cle_recherche(f"{resident.nom} {resident.prenom} {resident.nom_naissance}")
    return resident


def au_compte_rendu(entree):
    d = entree["donnees"] or {}
    return {
        "ligne": entree["ligne"],
        "statut": entree["statut"],
        "message": entree["message"],
        "resident": entree["resident"],
        "numero_allocataire": d.get("numero_allocataire", ""),
        "nom": d.get("nom", ""),
        "prenom": d.get("prenom", ""),
        "changements": sorted(entree["changements"]),
    }


# --- the minute's pass ---------------------------------------------------------------------------------


def relancer(maintenant=None):
    """As pilotage.production.relancer, for both kinds of work: an interrupted claim is given back (or
    failed after ESSAIS tries), what waits without having been queued is queued. Returns how many."""
    maintenant = maintenant or timezone.now()
    n = 0
    for libre, en_cours, tache in (
        (E.ANALYSE_EN_ATTENTE, E.ANALYSE_EN_COURS, TACHE_ANALYSE),
        (E.EN_ATTENTE, E.EN_COURS, TACHE_IMPORT),
    ):
        perimees = ImportAllocataires.objects.filter(etat=en_cours, pris_le__lt=maintenant - DELAI_TRAVAIL)
        perimees.filter(tentatives__gte=ESSAIS).update(etat=E.ECHEC, erreur=INTERROMPU)
        rendues = list(perimees.values_list("pk", flat=True))
        perimees.filter(pk__in=rendues).update(etat=libre, pris_par="", pris_le=None, mis_en_file_le=None)
        en_attente = ImportAllocataires.objects.filter(etat=libre)
        a_confier = a_remettre_en_file(en_attente, maintenant) | en_attente.filter(pk__in=rendues, mis_en_file_le=None)
        n += mettre_en_file_les(tache, ImportAllocataires, list(a_confier.order_by("pk").values_list("pk", flat=True)))
    return n
