"""The API's endpoints. Every queryset is the access module's (`visibles_par` / accounts/acces.py) for the
token's principal, so a token sees exactly what the users it stands for see, and an id outside it is a
404. Every response holding a person's data is written to the access log (api.journal)."""

import dataclasses
import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Min, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from accompagnement import orientations
from accompagnement import services as services_accompagnement
from accompagnement.forms_orientations import modalites_rsa, organismes_du_delegue
from accompagnement.jeton import deja_saisi
from accompagnement.models import Accompagnement, DecisionOrientation, Entretien
from accounts import acces
from contrats import services as services_contrats
from contrats.models import Contrat, Signature, Transition, VersionContrat
from echeances.moteur import calculer
from journal.models import Action
from pilotage.models import DecisionComite
from referentiel.models import Structure
from referentiel.regles import referentiel_en_vigueur
from residents import doublons
from residents import services as services_residents
from residents.models import Resident

from . import conditionnel
from . import serializers as s
from .erreurs import erreur
from .journal import tracer_api
from .models import Ressource
from .pagination import CurseurParMesure

ESPACE_IDEMPOTENCE = uuid.UUID("0b6c43a4-3c59-4d5e-9a55-1f1b1b6c8a01")

PARAMETRE_DEPUIS = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Seulement ce qui a été créé ou modifié depuis cet instant (ISO 8601, avec fuseau).",
)
PARAMETRE_IDEMPOTENCE = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Clé choisie par le client (255 caractères au plus) : deux envois avec la même clé "
    "et le même jeton ne créent qu'une ligne ; le second reçoit la première.",
)
ERREUR = inline_serializer(
    "Erreur",
    {
        "code": serializers.CharField(),
        "message": serializers.CharField(),
        "champs": serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False),
    },
)
# 403: a resource out of the token's reach (api.permissions).
ERREURS_LECTURE = {401: ERREUR, 403: ERREUR, 404: ERREUR, 429: ERREUR}


def _depuis(request):
    texte = request.query_params.get("updated_since")
    if texte is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(texte)
    except ValueError:
        raise ValidationError(
            {"updated_since": ["Date invalide : attendu ISO 8601, ex. 2026-12-01T08:00:00+01:00."]}
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _entier(request, nom):
    texte = request.query_params.get(nom)
    if texte is None:
        return None
    if not texte.isdigit():
        raise ValidationError({nom: ["Identifiant invalide : attendu un nombre entier."]})
    return int(texte)


def _modifies_depuis(qs, modele, moment, chemin="pk"):
    """Rows created or changed since `moment`, read from their history (django-simple-history)."""
    if moment is None:
        return qs
    return qs.filter(**{f"{chemin}__in": modele.history.filter(history_date__gte=moment).values("id")})


def _categories_partenaire(user, residents_ids):
    """For a partner token: {resident_id: consented categories}; None for any other token."""
    if not acces.signe_comme_partenaire(user):
        return None
    residents = Resident.objects.filter(pk__in=set(residents_ids))
    return {r.pk: acces.categories_partagees(user, r) for r in residents}


# List (cursor-paginated) and detail, both logged; `resident_de(obj)` names the person read. (A comment, not
# a docstring: drf-spectacular would publish it as every endpoint's description.)
class Lecture:
    type_objet = ""
    schema = conditionnel.SchemaLecture()

    def resident_de(self, obj):
        return obj.resident_id

    def contexte(self, objets):
        return {"categories": _categories_partenaire(self.request.user, [self.resident_de(o) for o in objets])}

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        if conditionnel.liste_inchangee(request, qs):
            return conditionnel.non_modifie()
        page = self.paginate_queryset(qs)
        tracer_api(request, [self.resident_de(o) for o in page], [o.pk for o in page], type_objet=self.type_objet)
        donnees = self.get_serializer_class()(page, many=True, context=self.contexte(page)).data
        return self.get_paginated_response(donnees)

    def retrieve(self, request, *args, **kwargs):
        objet = self.get_object()
        modifie = conditionnel.derniere_modification(objet)
        if conditionnel.inchange_depuis(request, modifie):
            return conditionnel.non_modifie()
        tracer_api(request, [self.resident_de(objet)], [objet.pk], type_objet=self.type_objet)
        reponse = Response(self.get_serializer_class()(objet, context=self.contexte([objet])).data)
        return conditionnel.dater(reponse, modifie)


# Objects of a measure (entretiens, contracts, comité decisions): the person read is the measure's.
class LectureParMesure(Lecture):
    def resident_de(self, obj):
        return obj.accompagnement.resident_id


# --- personnes ---------------------------------------------------------------------------------------


def _personnes(request):
    return Resident.objects.visibles_par(request.user).select_related("orientation")


class PersonnesView(Lecture, generics.ListAPIView):
    ressource = Ressource.PERSONNES
    type_objet = "resident"
    serializer_class = s.PersonneSerializer

    def resident_de(self, obj):
        return obj.pk

    def get_queryset(self):
        qs = _modifies_depuis(_personnes(self.request), Resident, _depuis(self.request))
        if (menage := _entier(self.request, "menage")) is not None:
            qs = qs.filter(menage_id=menage)
        return qs

    @extend_schema(
        summary="Personnes accompagnées",
        parameters=[PARAMETRE_DEPUIS, OpenApiParameter("menage", int, description="id du ménage")],
        responses={200: s.PersonneSerializer(many=True), **ERREURS_LECTURE},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request)

    @extend_schema(
        summary="Créer une personne",
        description="Refusée (409, rien n'est créé) si des personnes visibles par le jeton ressemblent à un "
        "doublon probable (même date de naissance, nom proche) : la réponse les liste dans `candidats`. "
        "Renvoyer avec `creer_malgre_doublon: true` pour créer quand même.",
        parameters=[PARAMETRE_IDEMPOTENCE],
        request=s.PersonneCreationSerializer,
        responses={201: s.PersonneSerializer, 400: ERREUR, 403: ERREUR, 409: ERREUR},
    )
    @transaction.atomic  # the write and its log line, or neither
    def post(self, request, *args, **kwargs):
        compte = request.user
        structures = Structure.objects.filter(pk__in=acces.structures_de(compte))
        entree = s.PersonneCreationSerializer(data=request.data, structures=structures)
        entree.is_valid(raise_exception=True)
        donnees = dict(entree.validated_data)
        jeton = jeton_idempotence(request)
        existant = deja_saisi(Resident, jeton)
        if existant is None:
            malgre = donnees.pop("creer_malgre_doublon")
            candidats = doublons.candidats(
                compte,
                nom=donnees["nom"],
                prenom=donnees["prenom"],
                date_naissance=donnees["date_naissance"],
                nom_naissance=donnees["nom_naissance"],
            )
            if candidats and not malgre:
                tracer_api(request, [c.pk for c in candidats], type_objet="resident")
                return erreur(
                    status.HTTP_409_CONFLICT,
                    "doublon_probable",
                    "Doublon probable : cette personne semble déjà suivie. Rien n'a été créé.",
                    candidats=s.PersonneSerializer(candidats, many=True, context=self.contexte(candidats)).data,
                )
            structure = donnees.pop("structure")
            existant = services_residents.creer_resident(par=compte, structure=structure, jeton=jeton, **donnees)
        tracer_api(request, [existant.pk], type_objet="resident", action=Action.MODIFICATION)
        return Response(s.PersonneSerializer(existant, context=self.contexte([existant])).data, status=201)


class PersonneView(Lecture, generics.RetrieveAPIView):
    ressource = Ressource.PERSONNES
    type_objet = "resident"
    serializer_class = s.PersonneSerializer

    def resident_de(self, obj):
        return obj.pk

    def get_queryset(self):
        return _personnes(self.request)

    @extend_schema(summary="Une personne", responses={200: s.PersonneSerializer, **ERREURS_LECTURE})
    def get(self, request, *args, **kwargs):
        return self.retrieve(request)


def jeton_idempotence(request):
    """The once-only `jeton` of the house (accompagnement.jeton) derived from the token and the client's
    Idempotency-Key: the created row stores it under its unique constraint, so a second POST with the
    same key (even racing the first) gets the first row back, and another token's key never collides."""
    cle = request.headers.get("Idempotency-Key")
    if cle is None:
        return None
    if not cle.strip() or len(cle) > 255 or not cle.isprintable():
        raise ValidationError({"Idempotency-Key": ["Clé invalide : 1 à 255 caractères imprimables."]})
    return uuid.uuid5(ESPACE_IDEMPOTENCE, f"{request.auth.pk}:{cle}")


# --- orientations --------------------------------------------------------------------------------------


class OrientationView(APIView):
    ressource = Ressource.ORIENTATIONS

    @extend_schema(
        summary="Décider l'orientation d'une personne (RSA)",
        description="Par le service de l'application (accompagnement.orientations.decider_orientation), avec "
        "les contrôles de l'écran « Orienter » : un jeton de territoire agit comme un délégué insertion et "
        "oriente les allocataires de son territoire vers un organisme de ce territoire, ou vers France "
        "Travail (sans `structure`). Une personne déjà accompagnée au titre du RSA se réoriente sur demande "
        "de son référent, pas ici (400). Personne hors de la vue du jeton : 404.",
        parameters=[PARAMETRE_IDEMPOTENCE],
        request=s.OrientationCreationSerializer,
        responses={201: s.OrientationSerializer, 400: ERREUR, 403: ERREUR, **ERREURS_LECTURE},
    )
    @transaction.atomic  # the write and its log line, or neither
    def post(self, request, pk):
        compte = request.user
        personne = get_object_or_404(_personnes(request).select_related("structure"), pk=pk)
        # As the screen: who may not orient is told so before the form is read.
        if not acces.peut_orienter(compte, personne.structure.territoire_id):
            raise PermissionDenied(orientations.ORIENTATION_REFUSEE)
        entree = s.OrientationCreationSerializer(
            data=request.data, modalites=modalites_rsa(), structures=organismes_du_delegue(compte)
        )
        entree.is_valid(raise_exception=True)
        decision = orientations.decider_orientation(
            resident=personne, par=compte, jeton=jeton_idempotence(request), **entree.validated_data
        )
        tracer_api(request, [personne.pk], [decision.pk], type_objet="decisionorientation", action=Action.MODIFICATION)
        decision = DecisionOrientation.objects.select_related("modalite").get(pk=decision.pk)
        return Response(s.OrientationSerializer(decision).data, status=201)


# --- mesures -----------------------------------------------------------------------------------------


def _mesures(request):
    return Accompagnement.objects.visibles_par(request.user).select_related("modalite", "referent")


class MesuresView(Lecture, generics.ListAPIView):
    ressource = Ressource.MESURES
    type_objet = "accompagnement"
    serializer_class = s.MesureSerializer

    def get_queryset(self):
        qs = _modifies_depuis(_mesures(self.request), Accompagnement, _depuis(self.request))
        if (personne := _entier(self.request, "personne")) is not None:
            qs = qs.filter(resident_id=personne)
        return qs

    @extend_schema(
        summary="Mesures (accompagnements)",
        parameters=[PARAMETRE_DEPUIS, OpenApiParameter("personne", int, description="id de la personne")],
        responses={200: s.MesureSerializer(many=True), **ERREURS_LECTURE},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request)


class MesureView(Lecture, generics.RetrieveAPIView):
    ressource = Ressource.MESURES
    type_objet = "accompagnement"
    serializer_class = s.MesureSerializer

    def get_queryset(self):
        return _mesures(self.request)

    @extend_schema(summary="Une mesure", responses={200: s.MesureSerializer, **ERREURS_LECTURE})
    def get(self, request, *args, **kwargs):
        return self.retrieve(request)


# --- échéances ---------------------------------------------------------------------------------------


class EcheancesView(APIView):
    ressource = Ressource.ECHEANCES

    @extend_schema(
        summary="Échéances calculées par le moteur",
        description="Exactement ce que dit le moteur d'échéances (echeances/moteur.py) sur les mesures que voit "
        "le jeton, avec les filtres de `manage.py echeances` : structure, référent, jour de calcul. "
        "Par pages de mesures (en cours le jour de calcul, dans l'ordre de leur id ; lien `next`) : chaque page "
        "donne les échéances de ses mesures, triées par date due. Une échéance qui ne tient pas à une mesure "
        "(la norme de file active d'un référent) est sur la page de la première mesure du référent. "
        "`cle` identifie une échéance d'un jour à l'autre.",
        parameters=[s.FiltresEcheancesSerializer],
        responses={
            200: inline_serializer(
                "Echeances",
                {
                    "le": serializers.DateField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "resultats": s.EcheanceSerializer(many=True),
                },
            ),
            400: ERREUR,
            **ERREURS_LECTURE,
        },
    )
    def get(self, request):
        filtres = s.FiltresEcheancesSerializer(data=request.query_params.dict())
        filtres.is_valid(raise_exception=True)
        le = filtres.validated_data.get("as_of") or timezone.localdate()
        qs = Accompagnement.objects.visibles_par(request.user).actifs(le)  # those the engine computes: no empty pages
        if "structure" in filtres.validated_data:
            qs = qs.filter(structure_id=filtres.validated_data["structure"])
        if "referent" in filtres.validated_data:
            qs = qs.filter(referent_id=filtres.validated_data["referent"])
        pagination = CurseurParMesure()
        page = [m.pk for m in pagination.paginate_queryset(qs.only("pk"), request, view=self)]
        echeances = _une_fois_par_referent(calculer(page, le=le), qs, page)
        personnes = sorted({e.resident_id for e in echeances if e.resident_id})
        tracer_api(request, personnes, [None] * len(personnes), type_objet="echeances")
        return Response(
            {
                "le": le.isoformat(),
                "next": pagination.get_next_link(),
                "previous": pagination.get_previous_link(),
                "resultats": [s.echeance_en_dict(e) for e in echeances],
            }
        )


def _une_fois_par_referent(echeances, mesures, page):
    """An échéance without a measure (a référent's caseload norm) comes with each page holding one of her
    measures: it is kept on the page of her first one only, so that the pages add up to the engine's list."""
    referents = {e.referent_id for e in echeances if e.accompagnement_id is None}
    if not referents:
        return echeances
    premieres = dict(
        mesures.filter(referent_id__in=referents).order_by().values_list("referent_id").annotate(Min("pk"))
    )
    dans_la_page = set(page)
    return [e for e in echeances if e.accompagnement_id is not None or premieres.get(e.referent_id) in dans_la_page]


# --- entretiens --------------------------------------------------------------------------------------


def _de_la_mesure_ou_personne(request, qs):
    """The `?mesure=` and `?personne=` filters of the lists whose rows belong to a measure."""
    if (mesure := _entier(request, "mesure")) is not None:
        qs = qs.filter(accompagnement_id=mesure)
    if (personne := _entier(request, "personne")) is not None:
        qs = qs.filter(accompagnement__resident_id=personne)
    return qs


def _entretiens(request):
    # The partner's consent (presence or notes) is the access module's, as on the partner's screens.
    return Entretien.objects.visibles_par(request.user).select_related("accompagnement")


class EntretiensView(LectureParMesure, generics.ListAPIView):
    ressource = Ressource.ENTRETIENS
    type_objet = "entretien"
    serializer_class = s.EntretienSerializer

    def get_queryset(self):
        return _de_la_mesure_ou_personne(
            self.request, _modifies_depuis(_entretiens(self.request), Entretien, _depuis(self.request))
        )

    def list(self, request, *args, **kwargs):
        # Rows read as values and written as dicts (s.entretien_en_dict), not instances through the
        # serializer: a person's 500 entretiens (docs/bench.md). The same checks as Lecture.list.
        qs = self.filter_queryset(self.get_queryset())
        if conditionnel.liste_inchangee(request, qs):
            return conditionnel.non_modifie()
        page = self.paginate_queryset(qs.values(*s.COLONNES_ENTRETIEN))
        personnes = [ligne["accompagnement__resident_id"] for ligne in page]
        tracer_api(request, personnes, [ligne["pk"] for ligne in page], type_objet=self.type_objet)
        categories = _categories_partenaire(request.user, personnes)
        return self.get_paginated_response([s.entretien_en_dict(ligne, categories) for ligne in page])

    @extend_schema(
        summary="Entretiens",
        description="Les notes confidentielles ne sortent jamais par l'API (`notes` à null).",
        parameters=[
            PARAMETRE_DEPUIS,
            OpenApiParameter("mesure", int, description="id de la mesure"),
            OpenApiParameter("personne", int, description="id de la personne"),
        ],
        responses={200: s.EntretienSerializer(many=True), **ERREURS_LECTURE},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request)

    @extend_schema(
        summary="Enregistrer un entretien",
        description="Par le service de l'application (mêmes contrôles que l'écran de saisie).",
        parameters=[PARAMETRE_IDEMPOTENCE],
        request=s.EntretienCreationSerializer,
        responses={201: s.EntretienSerializer, 400: ERREUR, 403: ERREUR},
    )
    @transaction.atomic  # the write and its log line, or neither
    def post(self, request, *args, **kwargs):
        mesures = Accompagnement.objects.visibles_par(request.user)
        entree = s.EntretienCreationSerializer(data=request.data, mesures=mesures)
        entree.is_valid(raise_exception=True)
        donnees = dict(entree.validated_data)
        mesure = donnees.pop("mesure")
        entretien, _ = services_accompagnement.enregistrer_entretien(
            accompagnement=mesure, par=request.user, jeton=jeton_idempotence(request), **donnees
        )
        tracer_api(request, [mesure.resident_id], [entretien.pk], type_objet="entretien", action=Action.MODIFICATION)
        entretien = Entretien.objects.select_related("accompagnement").get(pk=entretien.pk)
        return Response(s.EntretienSerializer(entretien, context=self.contexte([entretien])).data, status=201)


class EntretienView(LectureParMesure, generics.RetrieveAPIView):
    ressource = Ressource.ENTRETIENS
    type_objet = "entretien"
    serializer_class = s.EntretienSerializer

    def get_queryset(self):
        return _entretiens(self.request)

    @extend_schema(summary="Un entretien", responses={200: s.EntretienSerializer, **ERREURS_LECTURE})
    def get(self, request, *args, **kwargs):
        return self.retrieve(request)


# --- contrats ----------------------------------------------------------------------------------------


def _contrats(request):
    versions = VersionContrat.objects.order_by("numero").prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.order_by("signee_le", "pk"))
    )
    return (
        Contrat.objects.visibles_par(request.user)
        .select_related("accompagnement__resident")
        .prefetch_related(
            Prefetch("versions", queryset=versions),
            Prefetch("transitions", queryset=Transition.objects.order_by("le", "pk")),
        )
    )


class ContratsView(LectureParMesure, generics.ListAPIView):
    ressource = Ressource.CONTRATS
    type_objet = "contrat"
    serializer_class = s.ContratSerializer

    def get_queryset(self):
        return _de_la_mesure_ou_personne(
            self.request, _modifies_depuis(_contrats(self.request), Contrat, _depuis(self.request))
        )

    @extend_schema(
        summary="Contrats",
        parameters=[
            PARAMETRE_DEPUIS,
            OpenApiParameter("mesure", int, description="id de la mesure"),
            OpenApiParameter("personne", int, description="id de la personne"),
        ],
        responses={200: s.ContratSerializer(many=True), **ERREURS_LECTURE},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request)


class ContratView(LectureParMesure, generics.RetrieveAPIView):
    ressource = Ressource.CONTRATS
    type_objet = "contrat"
    serializer_class = s.ContratSerializer

    def get_queryset(self):
        return _contrats(self.request)

    @extend_schema(summary="Un contrat", responses={200: s.ContratSerializer, **ERREURS_LECTURE})
    def get(self, request, *args, **kwargs):
        return self.retrieve(request)


class ContratPDFView(APIView):
    ressource = Ressource.CONTRATS

    @extend_schema(
        summary="PDF d'une version d'un contrat",
        description="L'exemplaire de la version (contenu figé, signatures, décision), comme à l'écran.",
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY), **ERREURS_LECTURE},
    )
    def get(self, request, pk, numero):
        contrat = get_object_or_404(Contrat.objects.visibles_par(request.user), pk=pk)
        version = get_object_or_404(VersionContrat.objects.filter(contrat=contrat), numero=numero)
        fichier = services_contrats.exemplaire(version)
        with fichier.open("rb") as flux:
            contenu = flux.read()
        tracer_api(
            request,
            [contrat.accompagnement.resident_id],
            [version.pk],
            type_objet="versioncontrat",
            action=Action.IMPRESSION,
        )
        reponse = HttpResponse(contenu, content_type="application/pdf")
        reponse["Content-Disposition"] = f'inline; filename="{contrat.reference}-v{numero}.pdf"'
        return reponse


# --- comités de suivi -----------------------------------------------------------------------------------


def _decisions_comite(request):
    # The screens' rule: the committee and the measure both visible (DecisionComite.objects.visibles_par).
    return DecisionComite.objects.visibles_par(request.user).select_related(
        "comite", "accompagnement", "modalite_cible"
    )


class DecisionsComiteView(LectureParMesure, generics.ListAPIView):
    ressource = Ressource.COMITES
    type_objet = "decisioncomite"
    serializer_class = s.DecisionComiteSerializer

    def get_queryset(self):
        qs = _modifies_depuis(_decisions_comite(self.request), DecisionComite, _depuis(self.request))
        if (comite := _entier(self.request, "comite")) is not None:
            qs = qs.filter(comite_id=comite)
        return _de_la_mesure_ou_personne(self.request, qs)

    @extend_schema(
        summary="Décisions des comités de suivi",
        description="Celles que montrent les écrans des comités au jeton : comité visible (présidé sur son "
        "territoire, ou des référents de sa structure) et mesure visible. Aucune pour un partenaire.",
        parameters=[
            PARAMETRE_DEPUIS,
            OpenApiParameter("comite", int, description="id du comité"),
            OpenApiParameter("mesure", int, description="id de la mesure"),
            OpenApiParameter("personne", int, description="id de la personne"),
        ],
        responses={200: s.DecisionComiteSerializer(many=True), **ERREURS_LECTURE},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request)


class DecisionComiteView(LectureParMesure, generics.RetrieveAPIView):
    ressource = Ressource.COMITES
    type_objet = "decisioncomite"
    serializer_class = s.DecisionComiteSerializer

    def get_queryset(self):
        return _decisions_comite(self.request)

    @extend_schema(summary="Une décision de comité", responses={200: s.DecisionComiteSerializer, **ERREURS_LECTURE})
    def get(self, request, *args, **kwargs):
        return self.retrieve(request)


# --- référentiel -------------------------------------------------------------------------------------


class ReferentielView(APIView):
    ressource = Ressource.REFERENTIEL

    @extend_schema(
        summary="Référentiel en vigueur",
        description="Pour chaque territoire : les valeurs en vigueur de chaque modalité (surcharges "
        "départementales et territoriales appliquées) et les paramètres, le jour `le` (aujourd'hui par défaut : "
        "une version à venir s'y lit à sa date, une version passée au jour où elle s'appliquait), avec la "
        "version d'où vient chaque valeur (`provenance`). Délais en durées ISO 8601.",
        parameters=[s.FiltresReferentielSerializer],
        responses={200: OpenApiTypes.OBJECT, 400: ERREUR, 401: ERREUR, 403: ERREUR, 429: ERREUR},
    )
    def get(self, request):
        filtres = s.FiltresReferentielSerializer(data=request.query_params.dict())
        filtres.is_valid(raise_exception=True)
        le = filtres.validated_data.get("le") or timezone.localdate()
        territoires, regles, parametres = referentiel_en_vigueur(le)
        resultat = []
        for territoire in territoires:
            resultat.append(
                {
                    "territoire": {"id": territoire.pk, "nom": territoire.nom},
                    "modalites": [_regles_en_dict(r) for (t, _m), r in sorted(regles.items()) if t == territoire.pk],
                    "parametres": dict(sorted((code, v) for (t, code), v in parametres.items() if t == territoire.pk)),
                }
            )
        return Response({"le": le.isoformat(), "territoires": resultat})


def _regles_en_dict(regles):
    valeurs = {k: v for k, v in dataclasses.asdict(regles).items() if k not in ("modalite_id", "provenance")}
    # Which version gave each value (référentiel with effective dates).
    valeurs["provenance"] = {
        champ: {"source": source, "en_vigueur_le": depuis} for champ, (source, depuis) in regles.provenance.items()
    }
    return valeurs
