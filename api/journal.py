"""Every read of a person's data through the API goes to the access log (journal.JournalAcces), as a
page of the application does, with the token's organisation in the detail: one row per person read, in
one INSERT per response. A partner token's read is a share (« partage »), as on the partner's pages."""

from accounts import acces
from journal.models import Action, JournalAcces
from journal.services import adresse_client


def tracer_api(request, residents_ids, objets_ids=None, *, type_objet, action=None):
    """`residents_ids`: the people whose data the response holds (one row each; `objets_ids` the read
    objects, in the same order, when they are not the people themselves)."""
    jeton, compte = request.auth, request.user
    partage = acces.signe_comme_partenaire(compte)
    detail = f"API, jeton « {jeton.nom} » n° {jeton.pk} : {jeton.organisation}"
    if partage:
        detail = f"{jeton.organisation} : API, jeton « {jeton.nom} » n° {jeton.pk}"
    structures = list(acces.structures_de(compte))
    page = (request.resolver_match.view_name or "")[:100] if request.resolver_match else ""
    ip = adresse_client(request)
    objets_ids = objets_ids if objets_ids is not None else residents_ids
    JournalAcces.objects.bulk_create(
        [
            JournalAcces(
                user_id=compte.pk,
                identifiant=compte.get_username(),
                role=compte.role,
                structures=structures,
                action=action or (Action.PARTAGE if partage else Action.CONSULTATION),
                type_objet=type_objet,
                objet_id=objet_id,
                resident_id=resident_id,
                page=page,
                ip=ip,
                detail=detail[:250],
            )
            for resident_id, objet_id in zip(residents_ids, objets_ids, strict=True)
            if resident_id is not None
        ]
    )
