"""Likely duplicates of a person about to be created: same birth date and the same name once accents,
case, hyphens, apostrophes, spaces and a few common spelling variants are ignored.

The variants are kept deliberately small (false positives cost a click, false negatives a duplicate file):
- ph → f, ck / qu → k, th → t, y → i (Sophie/Sofie, Mickaël/Mikael, Mathieu/Matieu, Yanis/Ianis);
- a doubled letter counts once (Matthieu/Mathieu, Annabelle/Anabelle);
- a final silent e, then a final s, x, t, d or z, is dropped (Dupont/Dupond, Thomas/Thoma, Renée/René).
First name and name swapped, and the birth name, are matched too. Only people the user may see are
candidates (Resident.objects.visibles_par)."""

import re
import unicodedata

from .models import Resident

_REMPLACEMENTS = (("ph", "f"), ("ck", "k"), ("qu", "k"), ("th", "t"), ("y", "i"))
_FINALES_MUETTES = "sxtdz"


def cle_phonetique(texte):
    """« Lefèvre-Dupond » → « lefevredupon »; « Matthieu » → « matieu »."""
    sans_accents = unicodedata.normalize("NFKD", texte or "").encode("ascii", "ignore").decode("ascii")
    cle = re.sub(r"[^a-z]", "", sans_accents.lower())
    for avant, apres in _REMPLACEMENTS:
        cle = cle.replace(avant, apres)
    cle = re.sub(r"(.)\1+", r"\1", cle)
    if len(cle) > 3 and cle.endswith("e"):
        cle = cle[:-1]
    if len(cle) > 3 and cle[-1] in _FINALES_MUETTES:
        cle = cle[:-1]
    return cle


def _noms(resident):
    return {cle_phonetique(n) for n in (resident.nom, resident.nom_naissance) if n}


def correspond(*, nom, prenom, nom_naissance, candidat):
    noms = {cle_phonetique(n) for n in (nom, nom_naissance) if n}
    prenoms = {cle_phonetique(prenom)}
    noms_candidat = _noms(candidat)
    prenoms_candidat = {cle_phonetique(candidat.prenom)}
    direct = noms & noms_candidat and prenoms & prenoms_candidat
    inverse = noms & prenoms_candidat and prenoms & noms_candidat
    return bool(direct or inverse)


def candidats(user, *, nom, prenom, date_naissance, nom_naissance="", exclure=None):
    """The visible people with this birth date whose name matches (few rows: filtered by date in SQL)."""
    if not date_naissance or not (nom or "").strip():
        return []
    qs = Resident.objects.visibles_par(user).filter(date_naissance=date_naissance).select_related("structure")
    if exclure is not None:
        qs = qs.exclude(pk=exclure)
    return [
        r
        for r in qs.order_by("nom", "prenom")
        if correspond(nom=nom, prenom=prenom, nom_naissance=nom_naissance, candidat=r)
    ]
