from django import forms

from accompagnement.forms import DateInput, JetonMixin
from accounts.formulaires import FormulaireMixin
from referentiel import bornes

from .models import Resident

CHAMPS = [
    "nom",
    "prenom",
    "nom_naissance",
    "date_naissance",
    "sexe",
    "nationalite",
    "telephone",
    "email",
    "adresse",
    "logement",
    "situation_familiale",
    "enfants_a_charge",
    "situation_administrative",
    "ressources",
    "montant_ressources",
    "date_ouverture_rsa",
    "numero_allocataire",
]


# What each kind of accompaniment needs at creation (the rest can be filled in later in the dossier):
# only the FJT has a logement in a résidence, only the RSA has the date its right opened.
BESOINS = {
    "FJT": ("FJT / Habitat Jeunes", {"date_ouverture_rsa", "numero_allocataire"}),
    "RSA": ("RSA", {"logement"}),
    "LOGEMENT": ("logement (ASLL, accompagnement global)", {"logement", "date_ouverture_rsa", "numero_allocataire"}),
}


class ResidentForm(JetonMixin, FormulaireMixin, forms.ModelForm):
    """Identity and household. `version` is the one the form was rendered from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    structure = forms.ModelChoiceField(label="Structure", queryset=None)

    class Meta:
        model = Resident
        fields = CHAMPS
        widgets = {
            "date_naissance": DateInput(),
            "date_ouverture_rsa": DateInput(),
            "adresse": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, pour=None, **kwargs):
        super().__init__(*args, **kwargs)
        for champ in BESOINS.get(pour, ("", set()))[1]:
            del self.fields[champ]
        structures = user.structures.all()
        self.fields["structure"].queryset = structures
        if self.instance.pk:
            del self.fields["structure"]
        elif len(structures) == 1:
            self.fields["structure"].initial = structures[0]
            self.fields["structure"].widget = forms.HiddenInput()

    def clean_numero_allocataire(self):
        # As the import reads it (residents.imports): « 123 4567 » and « 1234567 » are one number.
        return (self.cleaned_data.get("numero_allocataire") or "").replace(" ", "").upper()

    def _post_clean(self):
        # The model is validated by the service (inside its transaction), not here: a stale form must
        # not be written to the instance before the version check.
        pass


class MenageForm(JetonMixin, FormulaireMixin, forms.Form):
    """Link a conjoint: a person the team already follows, or a new one (name, first name, birth date:
    the duplicate check runs on them before anything is created). `version`: the person's file."""

    conjoint = forms.ModelChoiceField(
        label="Conjoint·e déjà suivi·e", queryset=Resident.objects.none(), required=False, empty_label="—"
    )
    nom = forms.CharField(label="Nom", max_length=100, required=False)
    prenom = forms.CharField(label="Prénom", max_length=100, required=False)
    date_naissance = forms.DateField(
        label="Date de naissance", required=False, widget=DateInput(), validators=[bornes.NAISSANCE]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, resident, personnes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conjoint"].queryset = personnes.exclude(pk=resident.pk).order_by("nom", "prenom")
        self.fields[
            "nom"
        ].help_text = "Ou, pour une personne sans dossier : son nom, son prénom et sa date de naissance."

    def clean(self):
        donnees = super().clean()
        nouveau = [donnees.get(c) for c in ("nom", "prenom", "date_naissance")]
        if donnees.get("conjoint") is None:
            if not all(nouveau):
                raise forms.ValidationError(
                    "Choisissez un·e conjoint·e déjà suivi·e, ou donnez le nom, le prénom et la date de naissance "
                    "d'une nouvelle personne."
                )
        elif any(nouveau):
            raise forms.ValidationError("Choisissez une personne déjà suivie ou une nouvelle, pas les deux.")
        return donnees


class DeliaisonForm(FormulaireMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
