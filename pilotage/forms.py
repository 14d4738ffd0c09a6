from django import forms

from referentiel import bornes
from referentiel.models import Modalite

from .models import ComiteSuivi, DecisionComite


def choix_modalites(comite):
    return list(Modalite.objects.filter(champ__in=comite.champs_modalites).values_list("pk", "libelle"))


def _bootstrap(form):
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class OuvrirComiteForm(forms.Form):
    referent = forms.ModelChoiceField(label="Référent", queryset=None, empty_label="— choisir —")
    date = forms.DateField(
        label="Date du comité", widget=forms.DateInput(attrs={"type": "date"}), validators=[bornes.SUIVI]
    )

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents
        _bootstrap(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Décision", choices=DecisionComite.Choix.choices)
    # A plain choice list (read once per page) rather than a ModelChoiceField, which would query the
    # modalities again for every person of the pack.
    modalite_cible = forms.TypedChoiceField(label="Modalité visée (réorientation)", coerce=int, required=False)
    commentaire = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    action = forms.CharField(label="Action demandée au référent", max_length=300, required=False)
    action_due_le = forms.DateField(
        label="Pour le", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[bornes.SUIVI]
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, comite, modalites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if modalites is None:
            modalites = choix_modalites(comite)
        self.fields["modalite_cible"].choices = [("", "—"), *modalites]
        if comite.type == ComiteSuivi.Type.MENSUEL_ASLL:
            self.fields["decision"].choices = [
                c for c in DecisionComite.Choix.choices if c[0] != DecisionComite.Choix.SANCTION
            ]
        _bootstrap(self)


class CompteRenduForm(forms.Form):
    compte_rendu = forms.CharField(
        label="Compte rendu", widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}), required=False
    )
    version = forms.CharField(widget=forms.HiddenInput)
