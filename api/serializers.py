"""What the API shows and accepts. Dates and times in ISO 8601 (times with their offset); ids are the
database's, stable. Every write serializer refuses an unknown field (a misspelt field is an error, not a
silently ignored value)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accompagnement.models import Accompagnement, DecisionOrientation, Entretien, IssueRencontre, TypeEntretien
from contrats.models import Contrat, VersionContrat
from pilotage.models import ComiteSuivi, DecisionComite
from referentiel.models import Modalite, Structure
from residents import imports, services_import
from residents.models import Consentement, ImportAllocataires, Resident

from .pagination import CurseurParMesure

Categorie = Consentement.Categorie


class Strict(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            inconnus = sorted(set(data) - set(self.fields))
            if inconnus:
                raise serializers.ValidationError({c: ["Champ inconnu."] for c in inconnus})
        return super().to_internal_value(data)


# --- personnes ---------------------------------------------------------------------------------------

IDENTITE = ["nom_naissance", "date_naissance", "sexe", "telephone", "email", "adresse"]


class ModaliteCourteSerializer(serializers.Serializer):
    code = serializers.CharField()
    libelle = serializers.CharField()


class RSASerializer(serializers.Serializer):
    date_ouverture_droit = serializers.DateField(source="date_ouverture_rsa", allow_null=True)
    orientation = ModaliteCourteSerializer(allow_null=True)
    date_orientation = serializers.DateField(allow_null=True)


class MenageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="menage_id", allow_null=True)
    place = serializers.CharField(source="role_menage")
    situation_familiale = serializers.CharField()
    enfants_a_charge = serializers.IntegerField()


class PersonneSerializer(serializers.ModelSerializer):
    structure = serializers.IntegerField(source="structure_id", read_only=True)
    rsa = RSASerializer(source="*", read_only=True)
    menage = MenageSerializer(source="*", read_only=True)
    categories_partagees = serializers.SerializerMethodField(
        help_text="Pour un jeton de tiers partenaire : les catégories consenties (les autres champs sont absents)."
    )

    class Meta:
        model = Resident
        fields = [
            "id",
            "nom",
            "prenom",
            *IDENTITE,
            "nationalite",
            "structure",
            "situation_administrative",
            "ressources",
            "montant_ressources",
            "numero_allocataire",
            "rsa",
            "menage",
            "date_creation",
            "categories_partagees",
        ]

    def get_categories_partagees(self, resident) -> list[str] | None:
        categories = self.context.get("categories")
        return None if categories is None else sorted(categories.get(resident.pk, ()))

    def to_representation(self, resident):
        donnees = super().to_representation(resident)
        categories = self.context.get("categories")
        if categories is None:
            return donnees
        # A partner reads the name of the people it co-refers; the rest only as consented (domain.md §9).
        gardes = {"id", "nom", "prenom", "categories_partagees"}
        if Categorie.IDENTITE in categories.get(resident.pk, ()):
            gardes |= set(IDENTITE)
        return {c: v for c, v in donnees.items() if c in gardes}


class PersonneCreationSerializer(Strict):
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.none(),
        error_messages={"does_not_exist": "Structure inconnue ou hors de votre organisation."},
    )
    nom = serializers.CharField(max_length=100)
    prenom = serializers.CharField(max_length=100)
    nom_naissance = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    date_naissance = serializers.DateField()
    sexe = serializers.ChoiceField(choices=Resident.Sexe.choices, required=False, default=Resident.Sexe.AUTRE)
    nationalite = serializers.ChoiceField(choices=Resident.Nationalite.choices, required=False, default="")
    telephone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    adresse = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    situation_familiale = serializers.ChoiceField(
        choices=Resident.SituationFamiliale.choices, required=False, default=Resident.SituationFamiliale.SEUL
    )
    enfants_a_charge = serializers.IntegerField(min_value=0, max_value=30, required=False, default=0)
    date_ouverture_rsa = serializers.DateField(required=False, allow_null=True, default=None)
    numero_allocataire = serializers.CharField(
        max_length=25,
        required=False,
        allow_blank=True,
        default="",
        help_text="N° allocataire CAF ou MSA (chiffres et lettres ; espaces ignorés), unique.",
    )
    creer_malgre_doublon = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Créer même si des doublons probables existent (après les avoir examinés).",
    )

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if structures is not None:
            self.fields["structure"].queryset = structures

    def validate_numero_allocataire(self, numero):
        # As the screen and the import read it: « 123 4567 » and « 1234567 » are one number.
        numero = numero.replace(" ", "").upper()
        if numero and not imports.NUMERO.match(numero):
            raise serializers.ValidationError(
                f"N° allocataire illisible (« {numero} ») : des chiffres et des lettres seulement, 20 au plus."
            )
        return numero


# --- mesures ------------------------------------------------------------------------------------------


class ReferentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    nom = serializers.CharField(source="get_full_name")


class MesureSerializer(serializers.ModelSerializer):
    personne = serializers.IntegerField(source="resident_id")
    modalite = ModaliteCourteSerializer()
    referent = ReferentSerializer()
    structure = serializers.IntegerField(source="structure_id")
    etat = serializers.SerializerMethodField(help_text="« en_cours » ou « terminee » (au jour de la requête).")

    class Meta:
        model = Accompagnement
        fields = ["id", "personne", "modalite", "referent", "structure", "date_debut", "date_fin", "motif_fin", "etat"]

    def get_etat(self, mesure) -> str:
        return "terminee" if mesure.date_fin and mesure.date_fin < timezone.localdate() else "en_cours"


# --- échéances ----------------------------------------------------------------------------------------


class EcheanceSerializer(serializers.Serializer):
    regle = serializers.CharField()
    cle = serializers.CharField(help_text="Identifie la cause, stable d'un jour à l'autre.")
    mesure = serializers.IntegerField(source="accompagnement_id", allow_null=True)
    personne = serializers.IntegerField(source="resident_id", allow_null=True)
    referent = serializers.IntegerField(source="referent_id", allow_null=True)
    structure = serializers.IntegerField(source="structure_id", allow_null=True)
    contrat = serializers.IntegerField(source="contrat_id", allow_null=True)
    due_le = serializers.DateField()
    etat = serializers.CharField()
    message = serializers.CharField()


def echeance_en_dict(echeance):
    """EcheanceSerializer's output for one échéance of the engine, built directly: a structure's thousands
    of échéances are not worth a serializer per row (docs/bench.md). tests/api/test_listes_rapides.py holds
    the two to the same output."""
    e = echeance
    return {
        "regle": str(e.regle),
        "cle": e.cle,
        "mesure": e.accompagnement_id,
        "personne": e.resident_id,
        "referent": e.referent_id,
        "structure": e.structure_id,
        "contrat": e.contrat_id,
        "due_le": e.due_le.isoformat(),
        "etat": str(e.etat),
        "message": str(e.message),
    }


class FiltresEcheancesSerializer(Strict):
    structure = serializers.IntegerField(required=False, min_value=1, help_text="id de la structure")
    referent = serializers.IntegerField(required=False, min_value=1, help_text="id du référent")
    as_of = serializers.DateField(required=False, help_text="jour de calcul (AAAA-MM-JJ), aujourd'hui par défaut")
    taille = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=CurseurParMesure.max_page_size,
        help_text=CurseurParMesure.page_size_query_description,
    )
    curseur = serializers.CharField(required=False, help_text=CurseurParMesure.cursor_query_description)


class FiltresReferentielSerializer(Strict):
    le = serializers.DateField(
        required=False, help_text="jour dont on veut le référentiel en vigueur (AAAA-MM-JJ), aujourd'hui par défaut"
    )


# --- entretiens ---------------------------------------------------------------------------------------


class EntretienSerializer(serializers.ModelSerializer):
    mesure = serializers.IntegerField(source="accompagnement_id")
    personne = serializers.IntegerField(source="accompagnement.resident_id")
    notes = serializers.SerializerMethodField(
        help_text="Absentes (null) pour une note confidentielle, et là où le jeton ne peut pas les lire."
    )

    class Meta:
        model = Entretien
        fields = [
            "id",
            "mesure",
            "personne",
            "type",
            "date_heure",
            "duree_minutes",
            "statut",
            "lieu",
            "physique",
            "issue_rencontre",
            "confidentiel",
            "notes",
            "cree_le",
        ]

    def get_notes(self, entretien) -> str | None:
        # Confidential notes never leave the application through the API (docs/acces.md, « API »).
        if entretien.confidentiel:
            return None
        categories = self.context.get("categories")
        if categories is not None and Categorie.NOTES not in categories.get(entretien.accompagnement.resident_id, ()):
            return None
        return entretien.notes


# The columns a list of entretiens reads (`.values()`: no model instance per row), and their output as
# EntretienSerializer's, built directly (a person's 500 entretiens; tests/api/test_listes_rapides.py holds
# the two to the same output).
COLONNES_ENTRETIEN = (
    "pk",
    "accompagnement_id",
    "accompagnement__resident_id",
    "type",
    "date_heure",
    "duree_minutes",
    "statut",
    "lieu",
    "physique",
    "issue_rencontre",
    "confidentiel",
    "notes",
    "cree_le",
)
_HORODATAGE = serializers.DateTimeField()


def _horodatage(valeur):
    return None if valeur is None else _HORODATAGE.to_representation(valeur)


def entretien_en_dict(ligne, categories=None):
    """`ligne`: a row of `.values(*COLONNES_ENTRETIEN)`; `categories` as EntretienSerializer's context."""
    personne = ligne["accompagnement__resident_id"]
    notes = ligne["notes"]
    if ligne["confidentiel"] or (categories is not None and Categorie.NOTES not in categories.get(personne, ())):
        notes = None  # as EntretienSerializer.get_notes
    return {
        "id": ligne["pk"],
        "mesure": ligne["accompagnement_id"],
        "personne": personne,
        "type": ligne["type"],
        "date_heure": _horodatage(ligne["date_heure"]),
        "duree_minutes": ligne["duree_minutes"],
        "statut": ligne["statut"],
        "lieu": ligne["lieu"],
        "physique": ligne["physique"],
        "issue_rencontre": ligne["issue_rencontre"],
        "confidentiel": ligne["confidentiel"],
        "notes": notes,
        "cree_le": _horodatage(ligne["cree_le"]),
    }


class EntretienCreationSerializer(Strict):
    mesure = serializers.PrimaryKeyRelatedField(
        queryset=Accompagnement.objects.none(),
        error_messages={"does_not_exist": "Mesure inconnue ou hors de votre organisation."},
    )
    type = serializers.ChoiceField(choices=TypeEntretien.choices)
    date_heure = serializers.DateTimeField(required=False, allow_null=True, default=None)
    duree_minutes = serializers.IntegerField(min_value=1, max_value=24 * 60, required=False, allow_null=True)
    statut = serializers.ChoiceField(choices=Entretien.Statut.choices, required=False, default=Entretien.Statut.HONORE)
    lieu = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    notes = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    confidentiel = serializers.BooleanField(required=False, default=False)
    issue_rencontre = serializers.ChoiceField(
        choices=IssueRencontre.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Issue d'une rencontre tripartite (droits et devoirs), obligatoire pour elle ; ignorée sinon.",
    )
    issue_precisions = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")

    def __init__(self, *args, mesures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mesures is not None:
            self.fields["mesure"].queryset = mesures


# --- orientations --------------------------------------------------------------------------------------


class OrientationSerializer(serializers.ModelSerializer):
    personne = serializers.IntegerField(source="resident_id")
    modalite = ModaliteCourteSerializer()
    structure = serializers.IntegerField(
        source="structure_id", allow_null=True, help_text="L'organisme qui accompagne ; null vers France Travail."
    )
    mesure = serializers.IntegerField(
        source="accompagnement_id",
        allow_null=True,
        help_text="La mesure ouverte quand l'organisme affecte le référent.",
    )

    class Meta:
        model = DecisionOrientation
        fields = ["id", "personne", "modalite", "structure", "date_decision", "motif", "mesure", "cree_le"]


class OrientationCreationSerializer(Strict):
    modalite = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Modalite.objects.none(),
        help_text="Code d'une modalité du RSA (référentiel), ex. « RSA_SOCIOPRO ».",
        error_messages={"does_not_exist": "Modalité inconnue ou hors du RSA : « {value} »."},
    )
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.none(),
        required=False,
        allow_null=True,
        default=None,
        help_text="id de l'organisme qui accompagnera la personne ; absent ou null vers France Travail.",
        error_messages={"does_not_exist": "Structure inconnue ou hors de vos territoires."},
    )
    date_decision = serializers.DateField()
    motif = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")

    def __init__(self, *args, modalites=None, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if modalites is not None:
            self.fields["modalite"].queryset = modalites
        if structures is not None:
            self.fields["structure"].queryset = structures


# --- comités de suivi -----------------------------------------------------------------------------------


class ComiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=ComiteSuivi.Type.choices)
    date = serializers.DateField()
    etat = serializers.ChoiceField(choices=ComiteSuivi.Etat.choices)


class DecisionComiteSerializer(serializers.ModelSerializer):
    comite = ComiteSerializer()
    mesure = serializers.IntegerField(source="accompagnement_id")
    personne = serializers.IntegerField(source="accompagnement.resident_id")
    modalite_cible = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text="Pour une réorientation : le code de la modalité visée."
    )

    class Meta:
        model = DecisionComite
        fields = [
            "id",
            "comite",
            "mesure",
            "personne",
            "decision",
            "modalite_cible",
            "commentaire",
            "action",
            "action_due_le",
            "action_faite_le",
            "cree_le",
            "modifiee_le",
        ]


# --- imports d'allocataires ------------------------------------------------------------------------------


class ImportCreationSerializer(Strict):
    structure = serializers.PrimaryKeyRelatedField(
        queryset=Structure.objects.none(),
        help_text="id de la structure d'accueil des nouvelles personnes (une structure de vos territoires).",
        error_messages={"does_not_exist": "Structure inconnue ou hors de vos territoires."},
    )
    fichier = serializers.FileField(
        help_text="Le fichier des allocataires, CSV ou Excel XLSX, comme à l'écran ; la première ligne donne "
        "le nom des colonnes.",
        allow_empty_file=True,  # refused by residents.imports, with the screen's message
    )
    colonnes = serializers.JSONField(
        required=False,
        binary=True,  # a field of a multipart form: JSON text
        error_messages={"invalid": "JSON invalide : attendu un objet {{nom de colonne : champ}}."},
        help_text="Facultatif : {nom de colonne du fichier : champ}, champ parmi "
        f"{', '.join(imports.CHAMPS)} (vide : colonne ignorée). Sans lui, les colonnes sont reconnues par "
        "leur nom, comme l'écran les propose.",
    )

    def __init__(self, *args, structures=None, **kwargs):
        super().__init__(*args, **kwargs)
        if structures is not None:
            self.fields["structure"].queryset = structures

    def validate_colonnes(self, colonnes):
        if not isinstance(colonnes, dict) or not all(isinstance(v, str) for v in colonnes.values()):
            raise serializers.ValidationError("Attendu un objet {nom de colonne : champ}.")
        inconnus = sorted({v for v in colonnes.values() if v and v not in imports.CHAMPS})
        if inconnus:
            raise serializers.ValidationError(f"Champ inconnu : {', '.join(inconnus)}.")
        return colonnes


class LigneImportSerializer(serializers.Serializer):
    ligne = serializers.IntegerField()
    statut = serializers.ChoiceField(choices=list(services_import.LIBELLES.items()))
    message = serializers.CharField()
    personne = serializers.IntegerField(source="resident", allow_null=True)
    numero_allocataire = serializers.CharField()
    nom = serializers.CharField()
    prenom = serializers.CharField()
    changements = serializers.ListField(child=serializers.CharField())


class ImportSerializer(serializers.ModelSerializer):
    structure = serializers.IntegerField(source="structure_id")
    lignes = serializers.SerializerMethodField(
        help_text="L'aperçu (état APERCU) ou le compte rendu (état TERMINE), ligne par ligne ; vide sinon."
    )

    class Meta:
        model = ImportAllocataires
        fields = [
            "id",
            "structure",
            "nom_fichier",
            "etat",
            "progression",
            "lignes_total",
            "compteurs",
            "erreur",
            "cree_le",
            "confirme_le",
            "termine_le",
            "lignes",
        ]

    @extend_schema_field(LigneImportSerializer(many=True))
    def get_lignes(self, import_):
        return LigneImportSerializer(self.context.get("lignes", []), many=True).data


# --- contrats -----------------------------------------------------------------------------------------


class SignatureSerializer(serializers.Serializer):
    partie = serializers.CharField()
    nom_signataire = serializers.CharField()
    methode = serializers.CharField()
    signee_le = serializers.DateTimeField()


class VersionSerializer(serializers.ModelSerializer):
    signatures = SignatureSerializer(many=True)
    pdf = serializers.SerializerMethodField(help_text="Adresse du PDF de cette version dans l'API.")

    class Meta:
        model = VersionContrat
        fields = ["numero", "figee_le", "sha256", "signatures", "pdf"]

    def get_pdf(self, version) -> str:
        from django.urls import reverse

        return reverse("api:contrat_pdf", args=[version.contrat_id, version.numero])


class TransitionSerializer(serializers.Serializer):
    action = serializers.CharField()
    etat_avant = serializers.CharField()
    etat_apres = serializers.CharField()
    le = serializers.DateTimeField()


class ContratSerializer(serializers.ModelSerializer):
    mesure = serializers.IntegerField(source="accompagnement_id")
    personne = serializers.IntegerField(source="accompagnement.resident_id")
    parties = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="Qui doit le signer.")
    partenaire = serializers.IntegerField(source="partenaire_id", allow_null=True)
    versions = VersionSerializer(many=True)
    transitions = TransitionSerializer(
        many=True,
        help_text="Changements d'état (signature, validation, refus, report…), du plus ancien au plus récent.",
    )

    class Meta:
        model = Contrat
        fields = [
            "id",
            "mesure",
            "personne",
            "type",
            "etat",
            "date_debut",
            "date_fin",
            "numero_renouvellement",
            "parties",
            "partenaire",
            "date_soumission_validation",
            "transitions",
            "versions",
        ]
