from django import forms

from accompagnement.forms import DateInput, StyleMixin

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
]


class ResidentForm(StyleMixin, forms.ModelForm):
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

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        structures = user.structures.all()
        self.fields["structure"].queryset = structures
        if self.instance.pk:
            del self.fields["structure"]
        elif len(structures) == 1:
            self.fields["structure"].initial = structures[0]
            self.fields["structure"].widget = forms.HiddenInput()

    def _post_clean(self):
        # The model is validated by the service (inside its transaction), not here: a stale form must
        # not be written to the instance before the version check.
        pass
