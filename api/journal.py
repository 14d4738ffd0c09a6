"""Every read of a person's data through the API goes to the access log (journal.JournalAcces), as a
page of the application does, with the token's organisation in the detail: one row per person read, in
one INSERT per response (written in SQL: a thousand rows in a few milliseconds). A partner token's read is a share (« partage »), as on the partner's pages."""

from django.db import connection
from django.utils import timezone

from accounts import acces
from journal.models import Action, JournalAcces
from journal.services import adresse_client, ecriture_du_journal


def tracer_api(request, residents_ids, objets_ids=None, *, type_objet, action=None):
    """`residents_ids`: the people whose data the response holds, `objets_ids` the read objects in the same
    order when they are not the people themselves. One row per person, as a page of the application
    writes: the object named when it is her only one in the response (a page of 200 entretiens of one
    person is one row, not 200: the log says who read whose file, and the insert stays small)."""
    jeton, compte = request.auth, request.user
    partage = acces.signe_comme_partenaire(compte)
    detail = f"API, jeton « {jeton.nom} » n° {jeton.pk} : {jeton.organisation}"
    if partage:
        detail = f"{jeton.organisation} : API, jeton « {jeton.nom} » n° {jeton.pk}"
    structures = list(acces.structures_de(compte))
    page = (request.resolver_match.view_name or "")[:100] if request.resolver_match else ""
    ip = adresse_client(request)
    objets_ids = objets_ids if objets_ids is not None else residents_ids
    objets_de = {}
    for resident_id, objet_id in zip(residents_ids, objets_ids, strict=True):
        if resident_id is not None:
            objets_de.setdefault(resident_id, set()).add(objet_id)
    commun = {
        "horodatage": timezone.now(),
        "user": compte.pk,
        "identifiant": compte.get_username(),
        "role": compte.role,
        "structures": structures,
        "action": action or (Action.PARTAGE if partage else Action.CONSULTATION),
        "type_objet": type_objet,
        "page": page,
        "ip": ip,
        "detail": detail[:250],
    }
    _inserer(commun, [(r, next(iter(o)) if len(o) == 1 else None) for r, o in objets_de.items()])


# The columns whose SQL type a parameter's Python type does not say (psycopg sends a str as text).
CASTS = {"ip": "::inet", "structures": "::integer[]"}


def _inserer(commun, lignes):
    """One INSERT … SELECT … FROM unnest: the values shared by every row once, the people and the objects
    as two arrays. A structure's échéances name a thousand people: through bulk_create, 12,000 parameters
    and a model instance each (most of the response's time, docs/bench.md); here, a dozen."""
    if not lignes:
        return
    champs = JournalAcces._meta

    def colonne(nom):
        return connection.ops.quote_name(champs.get_field(nom).column)

    noms = list(commun)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(champs.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(colonne(n) for n in noms)}, {colonne('resident')}, {colonne('objet_id')}) "
        f"SELECT {', '.join('%s' + CASTS.get(n, '') for n in noms)}, r, o "
        "FROM unnest(%s::bigint[], %s::bigint[]) AS t(r, o)"
    )
    residents, objets = zip(*lignes, strict=True)
    with ecriture_du_journal(commun["action"]), connection.cursor() as curseur:
        curseur.execute(sql, [*commun.values(), list(residents), list(objets)])
