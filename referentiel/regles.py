"""Reading the référentiel: the effective value of every rule for a territory on a day.

Every value comes in dated versions (referentiel.models.Version): the one in force on a day is the latest
started on or before it. A territory's version wins over its département's, which wins over the national
value. Everything that needs a number of the référentiel (screens, the échéance engine, forms) reads it
here; without a day, today's values."""

import datetime
from dataclasses import dataclass, field, fields

from django.db import connection
from django.utils import timezone

from .delais import libelle_delai, parse_delai, relativedelta_de
from .models import Modalite, Parametre, SurchargeModalite, Territoire, ValeursModalite, date_du_parametre

_VALEURS = [f.name for f in ValeursModalite._meta.get_fields()]


@dataclass(frozen=True)
class Regles:
    """What one modality requires in one territory on one day. `provenance` says, for each value, which
    version gave it: {field: (source, en_vigueur_le or None)}."""

    modalite_id: int
    code: str
    libelle: str
    accompagnee_ici: bool
    exclut_parent_isole: bool
    exclut_nouvel_entrant: bool
    type_contrat: str
    duree_contrat: str
    renouvellements_max: int | None
    intervalle_contact: str
    intervalle_rencontre: str
    norme_file_active: int | None
    age_min: int | None
    age_max: int | None
    phase_initiale_duree: str
    phase_initiale_contact: str
    phase_initiale_rencontre: str
    provenance: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def frequence(self, quoi, phase_initiale=False):
        """The frequency rule `quoi` (« contact » or « rencontre ») that applies, in the phase the measure is
        in: Frequence(regle=« RSA – mobilisation sociale : une rencontre physique toutes les 6 semaines »,
        texte=the same with the version it comes from). None without such a rule."""
        nom = f"intervalle_{quoi}"
        phase = f"phase_initiale_{quoi}"
        debut = ""
        if phase_initiale and getattr(self, phase):
            nom = phase
            debut = f" en début de mesure ({libelle_delai(self.phase_initiale_duree)})"
        valeur = getattr(self, nom)
        if not valeur:
            return None
        quoi = "une rencontre physique" if quoi == "rencontre" else "un contact"
        regle = f"{self.libelle} : {quoi} {tous_les(valeur)}{debut}"
        source, depuis = self.provenance.get(nom, ("", None))
        texte = (
            regle + (f", {source}" if source else "") + (f", en vigueur depuis le {depuis:%d/%m/%Y}" if depuis else "")
        )
        return Frequence(regle, texte)


@dataclass(frozen=True)
class Frequence:
    regle: str
    texte: str


def tous_les(delai):
    """« toutes les 6 semaines », « tous les 15 jours », « chaque mois »."""
    parts = parse_delai(delai)
    if len(parts) != 1:
        return f"tous les {libelle_delai(delai)}"
    ((unite, n),) = parts.items()
    if n == 1:
        return {"years": "chaque année", "months": "chaque mois", "weeks": "chaque semaine", "days": "chaque jour"}[
            unite
        ]
    if unite == "weeks":
        return f"toutes les {n} semaines"
    return f"tous les {libelle_delai(delai)}"


def _surcharger(valeurs, provenance, version):
    for name in _VALEURS:
        value = getattr(version, name)
        if value not in (None, ""):
            valeurs[name] = value
            provenance[name] = (version.source, version.en_vigueur_le)


def _en_vigueur(versions, le):
    """Of the versions of one rule at one level, the one in force on `le` (the latest started on or before
    it; an undated one is the first), or None when they all start later."""
    retenue = None
    for version in versions:
        debut = version.en_vigueur_le or datetime.date.min
        if debut <= le and (retenue is None or debut > (retenue.en_vigueur_le or datetime.date.min)):
            retenue = version
    return retenue


def _versions(modele, propositions):
    """The saved versions and the proposed ones of a model; a proposal replaces the saved version it edits
    (same pk) or that has the same rule, level and day (_par_niveau)."""
    propres = [v for v in propositions if isinstance(v, modele)]
    editees = {v.pk for v in propres if v.pk}
    return [*(v for v in modele.objects.all() if v.pk not in editees), *propres]


def _par_niveau(versions, cle):
    groupes = {}
    for version in versions:
        groupe = groupes.setdefault((*cle(version), version.departement_id, version.territoire_id), [])
        groupe[:] = [v for v in groupe if v.en_vigueur_le != version.en_vigueur_le]  # the later one: a proposal
        groupe.append(version)
    return groupes


def regles_par_territoire(territoires=None, le=None, propositions=()):
    """{(territoire_id, modalite_id): Regles} in force on `le` (today by default), in three queries, for
    the given territories (all by default). Levels: the modality's own values, then the national version,
    the département's, the territory's in force that day; an empty field keeps the level below.
    `propositions`: unsaved versions read as if they were saved (the impact of a change, before it is made)."""
    le = le or timezone.localdate()
    territoires = list(territoires if territoires is not None else Territoire.objects.all())
    modalites = list(Modalite.objects.all())
    niveaux = _par_niveau(_versions(SurchargeModalite, propositions), lambda v: (v.modalite_id,))
    result = {}
    for territoire in territoires:
        for modalite in modalites:
            valeurs = {name: getattr(modalite, name) for name in _VALEURS}
            provenance = dict.fromkeys(_VALEURS, (modalite.source, None))
            for niveau in ((None, None), (territoire.departement_id, None), (None, territoire.pk)):
                version = _en_vigueur(niveaux.get((modalite.pk, *niveau), ()), le)
                if version is not None:
                    _surcharger(valeurs, provenance, version)
            result[(territoire.pk, modalite.pk)] = Regles(
                modalite_id=modalite.pk,
                code=modalite.code,
                libelle=modalite.libelle,
                accompagnee_ici=modalite.accompagnee_ici,
                exclut_parent_isole=modalite.exclut_parent_isole,
                exclut_nouvel_entrant=modalite.exclut_nouvel_entrant,
                provenance=provenance,
                **valeurs,
            )
    return result


# What referentiel_en_vigueur() last read, per database: (numéro de version, {jour: (territoires, règles,
# paramètres)}).
_lu = {}
# Days kept per reading: today for the screens and the job, a few more for tests and `--as-of`.
_JOURS_GARDES = 32


def referentiel_en_vigueur(le=None):
    """(territoires, regles_par_territoire(), parametres_par_territoire()) in force on `le` (today by
    default) for every territory, read again only when the référentiel has changed: PostgreSQL numbers
    every write to its tables (migration 0005), so a page or a job costs one query here instead of five,
    and an edit is seen at once by every process. The version is read before the data, so what is kept
    for a number is never older than it. Shared: read-only for the callers."""
    le = le or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT numero FROM referentiel_version")
        numero = cursor.fetchone()[0]
    base = connection.settings_dict["NAME"]
    lu = _lu.get(base)
    if lu is None or lu[0] != numero:
        lu = _lu[base] = (numero, {})
    jours = lu[1]
    if le not in jours:
        if len(jours) >= _JOURS_GARDES:
            jours.clear()
        territoires = list(Territoire.objects.all())
        jours[le] = (territoires, regles_par_territoire(territoires, le), parametres_par_territoire(territoires, le))
    return jours[le]


def regles(territoire, modalite, le=None):
    return regles_par_territoire([territoire], le)[(territoire.pk, modalite.pk)]


def parametres_par_territoire(territoires=None, le=None, propositions=()):
    """{(territoire_id, code): value} in force on `le` (today by default), and the national values under
    (None, code); a délai comes back as its ISO text, a number as an int, a date as a date. The
    territory's version in force wins over the département's, which wins over the national one."""
    le = le or timezone.localdate()
    territoires = list(territoires if territoires is not None else Territoire.objects.all())
    niveaux = _par_niveau(_versions(Parametre, propositions), lambda v: (v.code,))
    codes = {code for (code, _d, _t) in niveaux}
    result = {}
    for code in codes:
        version = _en_vigueur(niveaux.get((code, None, None), ()), le)
        if version is not None:
            result[(None, code)] = _valeur(version)
    for territoire in territoires:
        for code in codes:
            for niveau in ((None, None), (territoire.departement_id, None), (None, territoire.pk)):
                version = _en_vigueur(niveaux.get((code, *niveau), ()), le)
                if version is not None:
                    result[(territoire.pk, code)] = _valeur(version)
    return result


def parametre(code, territoire=None, le=None):
    """The value of one parameter in force on `le` (today by default), for a territory or nationally."""
    territoires = [territoire] if territoire is not None else []
    valeur = parametres_par_territoire(territoires, le).get((territoire.pk if territoire else None, code))
    return valeur if valeur is not None else _manquant(code)


def parametre_delta(code, territoire=None, le=None):
    """A délai parameter as a relativedelta, ready to add to a date."""
    return relativedelta_de(parametre(code, territoire, le))


def _valeur(row):
    if row.nature == Parametre.Nature.NOMBRE:
        return int(row.valeur)
    if row.nature == Parametre.Nature.DATE:
        return date_du_parametre(row.valeur)
    return row.valeur


def _manquant(code):
    raise LookupError(f"Le paramètre {code} est absent du référentiel.")


__all__ = [
    "Regles",
    "regles",
    "regles_par_territoire",
    "parametre",
    "parametre_delta",
    "parametres_par_territoire",
    "referentiel_en_vigueur",
    "tous_les",
]
assert {f.name for f in fields(Regles)} >= set(_VALEURS)
