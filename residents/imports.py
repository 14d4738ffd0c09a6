"""Reading the Département's file of new RSA beneficiaries (CSV or XLSX) and checking each of its lines.

The file is judged by its content, never by its name: an XLSX is a zip holding a workbook; anything
else must be text (UTF-8, or Windows-1252 / Latin-1 as spreadsheets save it) with `;`, `,` or tab
separators. A spreadsheet is read in read-only mode, values only: a cell holding a formula is never
evaluated, its line is refused. Every refusal is a ValidationError in French; nothing is written here."""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from referentiel import bornes

from .models import Resident

# Beyond this, a file is not the monthly list of new beneficiaries of one département: refused.
LIGNES_MAX = 50_000
# An XLSX is a zip: its parts, once inflated, may not exceed this (a « zip bomb » is refused unread).
XLSX_DECOMPRESSE_MAX = 200 * 1024 * 1024

# field -> (label, required, header names it is recognised by, normalised as `normaliser`).
CHAMPS = {
    "numero_allocataire": (
        "n° allocataire",
        True,
        ["numeroallocataire", "nallocataire", "noallocataire", "numallocataire", "numalloc", "matricule",
         "allocataire", "numerocaf", "ncaf", "numeromsa", "numerodossier", "nodossier"],
    ),
    "nom": ("nom", True, ["nom", "nomusage", "nomdusage", "nomdefamille", "nomfamille", "nombeneficiaire"]),
    "prenom": ("prénom", True, ["prenom", "prenoms", "prenombeneficiaire"]),
    "nom_naissance": ("nom de naissance", False, ["nomdenaissance", "nomnaissance", "nomdejeunefille"]),
    "date_naissance": (
        "date de naissance", True, ["datedenaissance", "datenaissance", "naissance", "nele", "nee", "dtnais"],
    ),
    "adresse": ("adresse", False, ["adresse", "adressepostale", "voie", "adressebeneficiaire", "domicile"]),
    "code_postal": ("code postal", False, ["codepostal", "cp"]),
    "commune": ("commune", False, ["commune", "ville", "localite"]),
    "date_ouverture_rsa": (
        "date d'ouverture du droit",
        True,
        ["datedouverturedudroit", "dateouverturedudroit", "dateouverturedroit", "datedouverture", "dateouverture",
         "ouverturedudroit", "ouverturedroit", "dateouverturersa", "datedouverturersa", "droitouvertle", "dtouvdroit"],
    ),
    "situation_familiale": (
        "situation familiale", True, ["situationfamiliale", "sitfam", "situationdefamille", "situationfamille"],
    ),
}  # fmt: skip
OBLIGATOIRES = [champ for champ, (_l, obligatoire, _s) in CHAMPS.items() if obligatoire]

S = Resident.SituationFamiliale
# The words and the CAF codes a file uses for the family situation (normalised as `normaliser`).
SITUATIONS = {
    **dict.fromkeys(["seul", "seule", "personneseule", "isole", "isolee", "celibataire", "cel", "c"], S.SEUL),
    **dict.fromkeys(
        ["couple", "encouple", "marie", "mariee", "mar", "m", "pacse", "pacsee", "pac", "concubin", "concubine",
         "concubinage", "viemaritale", "vim", "unionlibre"],
        S.COUPLE,
    ),
    **dict.fromkeys(["separe", "separee", "sep", "divorce", "divorcee", "div", "d", "separedivorce"], S.SEPARE),
    **dict.fromkeys(["veuf", "veuve", "veu", "v", "veufveuve"], S.VEUF),
}  # fmt: skip

FORMATS_DE_DATE = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%d%m%Y")
NUMERO = re.compile(r"^[A-Z0-9]{1,20}$")


def normaliser(texte):
    """« N° d'allocataire » → « ndallocataire »: no accents, case, spaces nor punctuation."""
    sans_accents = unicodedata.normalize("NFKD", str(texte or "")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", sans_accents.lower())


def deviner(entetes, memoire=None):
    """{column index: field} for the file's headers: the user's last mapping first (same header; a column
    they chose to ignore stays ignored), then the known names; a field is given to one column only."""
    memoire = memoire or {}
    proposes, decides, pris = {}, set(), set()
    for i, entete in enumerate(entetes):
        cle = normaliser(entete)
        if cle not in memoire:
            continue
        decides.add(i)
        champ = memoire[cle]
        if champ in CHAMPS and champ not in pris:
            proposes[i] = champ
            pris.add(champ)
    for i, entete in enumerate(entetes):
        if i in decides:
            continue
        cle = normaliser(entete)
        for champ, (libelle, _o, synonymes) in CHAMPS.items():
            if champ not in pris and (cle in synonymes or cle == normaliser(libelle)):
                proposes[i] = champ
                pris.add(champ)
                break
    return proposes


class Formule:
    """A spreadsheet cell holding a formula: never evaluated, its line is refused."""

    def __repr__(self):
        return "Formule()"


FORMULE = Formule()


@dataclass
class Tableau:
    format: str
    entetes: list
    lignes: list = field(default_factory=list)  # (line number in the file, [cell values])


def trop_volumineux():
    """The refusal of a file above IMPORT_ALLOCATAIRES_TAILLE_MAX (the screen, the service and the API)."""
    taille_max = settings.IMPORT_ALLOCATAIRES_TAILLE_MAX
    return (
        f"Le fichier dépasse la taille autorisée ({taille_max // (1024 * 1024)} Mo) : "
        "découpez-le ou n'y laissez que les nouveaux allocataires."
    )


def _refus(message):
    return ValidationError(message, code="fichier_refuse")


def lire(donnees):
    """The file's bytes → Tableau, or ValidationError (French) for an empty, oversized, unreadable file."""
    if len(donnees) > settings.IMPORT_ALLOCATAIRES_TAILLE_MAX:
        raise _refus(trop_volumineux())
    if not donnees.strip():
        raise _refus("Le fichier est vide.")
    tableau = _lire_xlsx(donnees) if donnees.startswith(b"PK\x03\x04") else _lire_csv(donnees)
    if not any(str(e).strip() for e in tableau.entetes):
        raise _refus("La première ligne du fichier doit donner le nom des colonnes : elle est vide.")
    if not tableau.lignes:
        raise _refus("Le fichier ne contient aucune ligne d'allocataire sous la ligne des colonnes.")
    if len(tableau.lignes) > LIGNES_MAX:
        raise _refus(f"Le fichier a plus de {LIGNES_MAX:,} lignes : découpez-le.".replace(",", " "))
    return tableau


PAS_UN_TABLEAU = (
    "Ce fichier n'est ni un fichier CSV ni un classeur Excel (XLSX) : enregistrez-le dans l'un de ces formats."
)


def _decoder(donnees):
    if donnees.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in donnees[:4096]:
        raise _refus(
            "L'encodage de ce fichier n'est pas reconnu (UTF-16 ou fichier binaire) : enregistrez-le en "
            "« CSV UTF-8 » ou « CSV (séparateur : point-virgule) »."
        )
    for encodage in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            texte = donnees.decode(encodage)
        except UnicodeDecodeError:
            continue
        break
    # Control characters other than tab and line ends: a binary file (PDF, image, old .xls…), not text.
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", texte[:65536]) or donnees.startswith(b"%PDF"):
        raise _refus(PAS_UN_TABLEAU)
    return texte


def _lire_csv(donnees):
    texte = _decoder(donnees)
    premiere = next((ligne for ligne in texte.splitlines() if ligne.strip()), "")
    try:
        separateur = csv.Sniffer().sniff(premiere, delimiters=";,\t").delimiter
    except csv.Error:
        separateur = max(";,\t", key=premiere.count)
    lecteur = csv.reader(io.StringIO(texte, newline=""), delimiter=separateur)
    entetes, lignes = None, []
    try:
        for rang in lecteur:
            if not any(cellule.strip() for cellule in rang):
                continue
            if entetes is None:
                entetes = [cellule.strip() for cellule in rang]
            else:
                lignes.append((lecteur.line_num, rang))
                if len(lignes) > LIGNES_MAX:
                    break
    except csv.Error as exc:
        raise _refus(f"Ce fichier CSV est mal formé (ligne {lecteur.line_num}) : {exc}.") from None
    return Tableau("csv", entetes or [], lignes)


def _lire_xlsx(donnees):
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(donnees)) as archive:
            noms = set(archive.namelist())
            if "[Content_Types].xml" not in noms or "xl/workbook.xml" not in noms:
                raise _refus(PAS_UN_TABLEAU)
            if sum(info.file_size for info in archive.infolist()) > XLSX_DECOMPRESSE_MAX:
                raise _refus("Ce classeur est anormalement volumineux une fois décompressé : il n'est pas lu.")
    except zipfile.BadZipFile:
        raise _refus(PAS_UN_TABLEAU) from None
    try:
        classeur = openpyxl.load_workbook(io.BytesIO(donnees), read_only=True, data_only=False)
    except Exception:  # a damaged workbook makes openpyxl raise almost anything
        raise _refus("Ce classeur Excel est illisible ou endommagé : enregistrez-le de nouveau.") from None
    try:
        feuille = classeur.worksheets[0]
        entetes, lignes = None, []
        for numero, rang in enumerate(feuille.iter_rows(), 1):
            valeurs = [FORMULE if getattr(c, "data_type", None) == "f" else getattr(c, "value", None) for c in rang]
            if not any(v is not None and str(v).strip() for v in valeurs):
                continue
            if entetes is None:
                entetes = ["" if v is None or v is FORMULE else str(v).strip() for v in valeurs]
            else:
                lignes.append((numero, valeurs))
                if len(lignes) > LIGNES_MAX:
                    break
    finally:
        classeur.close()
    return Tableau("xlsx", entetes or [], lignes)


def en_clair(valeur):
    """A cell as the mapping step shows it (a formula is named, never shown)."""
    if valeur is FORMULE:
        return "(formule)"
    if isinstance(valeur, datetime.date):
        return f"{valeur:%d/%m/%Y}"
    return _texte(valeur)


# --- one line ----------------------------------------------------------------------------------------


def _texte(valeur):
    if valeur is None:
        return ""
    if isinstance(valeur, float) and valeur.is_integer():
        valeur = int(valeur)
    return re.sub(r"\s+", " ", str(valeur)).strip()


def _date(valeur):
    """A date from a cell: a spreadsheet date, or text in a French or ISO form; None if unreadable."""
    if isinstance(valeur, datetime.datetime):
        return valeur.date()
    if isinstance(valeur, datetime.date):
        return valeur
    texte = _texte(valeur)
    for forme in FORMATS_DE_DATE:
        try:
            return datetime.datetime.strptime(texte, forme).date()
        except ValueError:
            continue
    return None


def _date_bornee(valeur, libelle, validateur, erreurs):
    if _texte(valeur) == "":
        erreurs.append(f"{libelle} manquante.")
        return None
    jour = _date(valeur)
    if jour is None:
        erreurs.append(f"{libelle} illisible (« {_texte(valeur)} ») : attendue au format jj/mm/aaaa.")
        return None
    try:
        validateur(jour)
    except ValidationError as exc:
        erreurs.append(f"{libelle} : {' '.join(exc.messages)}")
        return None
    return jour


def valider(valeurs, correspondance):
    """One line's cells → (data, errors): data is a dict of the Resident's fields (JSON-ready strings),
    errors a list of French messages (the line is then refused)."""
    brut = {champ: valeurs[i] if i < len(valeurs) else None for i, champ in correspondance.items()}
    erreurs = []
    formules = [CHAMPS[champ][0] for champ, v in brut.items() if v is FORMULE]
    if formules:
        return None, [
            f"Formule dans la colonne « {', '.join(formules)} » : enregistrez le classeur avec les valeurs seules."
        ]
    numero = _texte(brut.get("numero_allocataire")).replace(" ", "").upper()
    if not numero:
        erreurs.append("N° allocataire manquant.")
    elif not NUMERO.match(numero):
        erreurs.append(f"N° allocataire illisible (« {numero} ») : des chiffres et des lettres seulement.")
    nom, prenom = _texte(brut.get("nom")), _texte(brut.get("prenom"))
    if not nom:
        erreurs.append("Nom manquant.")
    if not prenom:
        erreurs.append("Prénom manquant.")
    if len(nom) > 100 or len(prenom) > 100:
        erreurs.append("Nom ou prénom trop long (100 caractères au plus).")
    naissance = _date_bornee(brut.get("date_naissance"), "Date de naissance", bornes.NAISSANCE, erreurs)
    if naissance is not None and naissance <= datetime.date(1900, 1, 1):
        erreurs.append("Date de naissance : elle n'est pas plausible.")
    ouverture = _date_bornee(brut.get("date_ouverture_rsa"), "Date d'ouverture du droit", bornes.SUIVI, erreurs)
    if ouverture is not None and ouverture > timezone.localdate():
        erreurs.append("Date d'ouverture du droit dans le futur : le droit n'est pas encore ouvert.")
    if naissance and ouverture and ouverture < naissance:
        erreurs.append("Date d'ouverture du droit avant la naissance.")
    situation_lue = _texte(brut.get("situation_familiale"))
    situation = SITUATIONS.get(normaliser(situation_lue))
    if not situation_lue:
        erreurs.append("Situation familiale manquante.")
    elif situation is None:
        erreurs.append(
            f"Situation familiale inconnue (« {situation_lue} ») : seul·e, en couple, séparé·e / divorcé·e ou veuf·ve."
        )
    if erreurs:
        return None, erreurs
    commune = " ".join(p for p in (_texte(brut.get("code_postal")), _texte(brut.get("commune"))) if p)
    adresse = "\n".join(p for p in (_texte(brut.get("adresse")), commune) if p)
    return {
        "numero_allocataire": numero,
        "nom": nom,
        "prenom": prenom,
        "nom_naissance": _texte(brut.get("nom_naissance"))[:100],
        "date_naissance": naissance.isoformat(),
        "adresse": adresse,
        "date_ouverture_rsa": ouverture.isoformat(),
        "situation_familiale": situation,
    }, []
