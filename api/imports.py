"""The import of the Département's file of new RSA beneficiaries through the API: the screen's service
(residents.services_import) step by step. POST the file (deposit, then the columns, recognised by their
names or given): the file is read at once when small, in the background otherwise; GET the import for its
state and its preview; POST its confirmation: the import runs in the background; GET it again for the
report. Who may: the délégué insertion (a territory's token of that role), on the imports of their
territories (acces.imports_visibles: another's is a 404)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import acces
from residents import services_import
from residents.models import ImportAllocataires

from . import serializers as s
from .analyse import FichierBorne
from .journal import tracer_api
from .models import Ressource
from .views import ERREUR, ERREURS_LECTURE, PARAMETRE_IDEMPOTENCE, jeton_idempotence

E = ImportAllocataires.Etat
RESERVE = "L'import des allocataires du RSA est réservé au délégué insertion."


def _exiger_import(user):
    if not acces.importe_des_allocataires(user):
        raise PermissionDenied(RESERVE)


def _import(request, pk):
    return get_object_or_404(ImportAllocataires.objects.visibles_par(request.user), pk=pk)


def _lignes(import_, statut):
    """The preview while it waits for the confirmation, the report once done (as the screen shows them)."""
    if import_.etat == E.TERMINE:
        lignes = import_.compte_rendu
    elif import_.etat == E.APERCU:
        lignes = [services_import.au_compte_rendu(entree) for entree in import_.apercu]
    else:
        lignes = []
    return [ligne for ligne in lignes if statut is None or ligne["statut"] == statut]


def _reponse(request, import_, statut=201):
    filtre = request.query_params.get("statut")
    if filtre is not None and filtre not in services_import.LIBELLES:
        raise ValidationError({"statut": f"Statut inconnu : attendu {', '.join(services_import.LIBELLES)}."})
    lignes = _lignes(import_, filtre)
    personnes = sorted({ligne["resident"] for ligne in lignes if ligne["resident"]})
    tracer_api(request, personnes, [import_.pk] * len(personnes), type_objet="importallocataires")
    return Response(s.ImportSerializer(import_, context={"lignes": lignes}).data, status=statut)


def _correspondance(entetes, colonnes):
    """{header: field} given by the client → {column index: field}; an unknown header is a 400."""
    inconnues = sorted(set(colonnes) - set(entetes))
    if inconnues:
        raise ValidationError({"colonnes": [f"Colonne absente du fichier : {', '.join(inconnues)}."]})
    return {i: colonnes.get(entete, "") for i, entete in enumerate(entetes)}


def _sur_le_champ(erreur, champ):
    """A service's message about the file or its columns, given under that field of the request."""
    if hasattr(erreur, "error_dict"):
        return erreur
    return ValidationError({champ: erreur.messages})


PARAMETRE_STATUT = OpenApiParameter(
    "statut", str, enum=list(services_import.LIBELLES), description="Seulement les lignes de ce statut."
)


class ImportsView(APIView):
    ressource = Ressource.IMPORTS
    parser_classes = [FichierBorne]

    @extend_schema(
        summary="Importer un fichier d'allocataires du RSA",
        description="Le service de l'écran d'import (residents.services_import) : dépôt du fichier (CSV ou "
        "XLSX, mêmes contrôles et même taille maximale), correspondance des colonnes, lecture. La réponse "
        "donne l'état : APERCU (lignes classées, rien n'est encore enregistré) quand le fichier est petit, "
        "sinon ANALYSE_EN_ATTENTE ou ANALYSE_EN_COURS : suivre `GET /imports/{id}/`. Rien n'est importé "
        "avant la confirmation (`POST /imports/{id}/confirmation/`). Réservé au jeton « délégué insertion ».",
        parameters=[PARAMETRE_IDEMPOTENCE],
        request={"multipart/form-data": s.ImportCreationSerializer},
        responses={201: s.ImportSerializer, 400: ERREUR, 403: ERREUR, 401: ERREUR, 429: ERREUR},
    )
    @transaction.atomic  # the deposit, its columns and its log line, or nothing
    def post(self, request):
        compte = request.user
        _exiger_import(compte)
        entree = s.ImportCreationSerializer(data=request.data, structures=services_import.structures_proposees(compte))
        entree.is_valid(raise_exception=True)
        donnees = entree.validated_data
        try:
            import_ = services_import.deposer(
                par=compte, structure=donnees["structure"], fichier=donnees["fichier"], jeton=jeton_idempotence(request)
            )
        except ValidationError as erreur:
            raise _sur_le_champ(erreur, "fichier") from None
        if import_.etat == E.COLONNES:
            try:
                if "colonnes" in donnees:
                    correspondance = _correspondance(import_.entetes, donnees["colonnes"])
                else:
                    correspondance = services_import.proposition(import_, compte)
                services_import.choisir_colonnes(import_=import_, par=compte, correspondance=correspondance)
            except ValidationError as erreur:
                import_.fichier.delete(save=False)  # the row is rolled back with the transaction; its file too
                raise _sur_le_champ(erreur, "colonnes") from None
        import_.refresh_from_db()
        return _reponse(request, import_)


class ImportView(APIView):
    ressource = Ressource.IMPORTS

    @extend_schema(
        summary="Un import d'allocataires : état, progression, aperçu ou compte rendu",
        parameters=[PARAMETRE_STATUT],
        responses={200: s.ImportSerializer, 400: ERREUR, **ERREURS_LECTURE},
    )
    def get(self, request, pk):
        return _reponse(request, _import(request, pk), statut=200)


class ConfirmationImportView(APIView):
    ressource = Ressource.IMPORTS

    @extend_schema(
        summary="Confirmer l'aperçu d'un import",
        description="L'import part en tâche de fond (état EN_ATTENTE puis EN_COURS, puis TERMINE avec son "
        "compte rendu, ou ECHEC : rien n'est importé). Une seconde confirmation ne change rien (200).",
        request=None,
        responses={202: s.ImportSerializer, 200: s.ImportSerializer, 400: ERREUR, 403: ERREUR, **ERREURS_LECTURE},
    )
    def post(self, request, pk):
        import_ = _import(request, pk)
        if import_.etat not in (E.APERCU, E.EN_ATTENTE, E.EN_COURS, E.TERMINE):
            raise ValidationError(
                {
                    "non_field_errors": [
                        f"Cet import n'a pas d'aperçu à confirmer (état : {import_.get_etat_display()})."
                    ]
                }
            )
        confirme = services_import.confirmer(import_=import_, par=request.user)
        import_.refresh_from_db()
        return Response(s.ImportSerializer(import_, context={"lignes": []}).data, status=202 if confirme else 200)
