"""Reading the référentiel: the effective value of every rule for a territory.

A territory's override wins over its département's, which wins over the national value. Everything
that needs a number of the référentiel (screens, the échéance engine, forms) reads it here."""

from dataclasses import dataclass, fields

from django.db import connection

from .delais import relativedelta_de
from .models import Modalite, Parametre, SurchargeModalite, Territoire, ValeursModalite, date_du_parametre

_VALEURS = [f.name for f in ValeursModalite._meta.get_fields()]


@dataclass(frozen=True)
class Regles:
    """What one modality requires in one territory."""

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


def _surcharger(valeurs, surcharge):
    for name in _VALEURS:
        value = getattr(surcharge, name)
        if value not in (None, ""):
            valeurs[name] = value


def regles_par_territoire(territoires=None):
    """{(territoire_id, modalite_id): Regles} in three queries, for the given territories (all by default)."""
    territoires = list(territoires if territoires is not None else Territoire.objects.all())
    modalites = list(Modalite.objects.all())
    surcharges = list(SurchargeModalite.objects.all())
    result = {}
    for territoire in territoires:
        for modalite in modalites:
            valeurs = {name: getattr(modalite, name) for name in _VALEURS}
            for level in ("departement", "territoire"):
                for surcharge in surcharges:
                    if surcharge.modalite_id != modalite.pk:
                        continue
                    if (level == "departement" and surcharge.departement_id == territoire.departement_id) or (
                        level == "territoire" and surcharge.territoire_id == territoire.pk
                    ):
                        _surcharger(valeurs, surcharge)
            result[(territoire.pk, modalite.pk)] = Regles(
                modalite_id=modalite.pk,
                code=modalite.code,
                libelle=modalite.libelle,
                accompagnee_ici=modalite.accompagnee_ici,
                exclut_parent_isole=modalite.exclut_parent_isole,
                exclut_nouvel_entrant=modalite.exclut_nouvel_entrant,
                **valeurs,
            )
    return result


# What referentiel_en_vigueur() last read, per database: (numéro de version, territoires, règles, paramètres).
_lu = {}


def referentiel_en_vigueur():
    """(territoires, regles_par_territoire(), parametres_par_territoire()) for every territory, read again
    only when the référentiel has changed: PostgreSQL numbers every write to its tables (migration 0005),
    so a page or a job costs one query here instead of five, and an edit is seen at once by every process.
    The version is read before the data, so what is kept for a number is never older than it. Shared:
    read-only for the callers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT numero FROM referentiel_version")
        numero = cursor.fetchone()[0]
    base = connection.settings_dict["NAME"]
    lu = _lu.get(base)
    if lu is None or lu[0] != numero:
        territoires = list(Territoire.objects.all())
        lu = _lu[base] = (
            numero,
            territoires,
            regles_par_territoire(territoires),
            parametres_par_territoire(territoires),
        )
    return lu[1:]


def regles(territoire, modalite):
    return regles_par_territoire([territoire])[(territoire.pk, modalite.pk)]


def parametres_par_territoire(territoires=None):
    """{(territoire_id, code): value}; a délai comes back as its ISO text, a number as an int, a date as
    a date."""
    territoires = list(territoires if territoires is not None else Territoire.objects.all())
    rows = list(Parametre.objects.all())
    result = {}
    for territoire in territoires:
        for row in sorted(rows, key=lambda r: (r.territoire_id is not None, r.departement_id is not None)):
            applies = (
                (row.territoire_id is None and row.departement_id is None)
                or row.departement_id == territoire.departement_id
                or row.territoire_id == territoire.pk
            )
            if applies:
                result[(territoire.pk, row.code)] = _valeur(row)
    return result


def parametre(code, territoire=None):
    """The value of one parameter, for a territory or nationally."""
    rows = Parametre.objects.filter(code=code)
    if territoire is None:
        row = rows.filter(territoire__isnull=True, departement__isnull=True).first()
    else:
        row = parametres_par_territoire([territoire]).get((territoire.pk, code))
        return row if row is not None else _manquant(code)
    return _valeur(row) if row else _manquant(code)


def parametre_delta(code, territoire=None):
    """A délai parameter as a relativedelta, ready to add to a date."""
    return relativedelta_de(parametre(code, territoire))


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
]
assert {f.name for f in fields(Regles)} >= set(_VALEURS)
