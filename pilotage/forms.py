from django import forms

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
    date = forms.DateField(label="Date du comité", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents
        _bootstrap(self)


def choix_decisions(comite):
    """The decisions the chair may record: no sanction procedure in the ASLL committee."""
    if comite.type == ComiteSuivi.Type.MENSUEL_ASLL:
        return [c for c in DecisionComite.Choix.choices if c[0] != DecisionComite.Choix.SANCTION]
    return list(DecisionComite.Choix.choices)


class DecisionForm(forms.Form):
    """Validates a card's decision. The page renders the cards' fields by hand
    (templates/pilotage/includes/decision.html) with the same names: 300 cards of a pack are then
    plain markup rather than 300 bound forms."""

    decision = forms.ChoiceField(
        label="Décision",
        choices=[],
        error_messages={"required": "Choisissez une décision.", "invalid_choice": "Choisissez une décision."},
    )
    # A plain choice list (read once per page) rather than a ModelChoiceField, which would query the
    # modalities again for every person of the pack.
    modalite_cible = forms.TypedChoiceField(label="Modalité visée (réorientation)", coerce=int, required=False)
    commentaire = forms.CharField(label="Commentaire", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    action = forms.CharField(label="Action demandée au référent", max_length=300, required=False)
    action_due_le = forms.DateField(label="Pour le", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, comite, modalites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if modalites is None:
            modalites = choix_modalites(comite)
        self.fields["modalite_cible"].choices = [("", "—"), *modalites]
        self.fields["decision"].choices = [("", "à décider"), *choix_decisions(comite)]
        _bootstrap(self)


class CompteRenduForm(forms.Form):
    compte_rendu = forms.CharField(
        label="Compte rendu", widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}), required=False
    )
    version = forms.CharField(widget=forms.HiddenInput)


class AvenantForm(forms.Form):
    texte = forms.CharField(
        label="Texte de l'avenant",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        error_messages={"required": "Écrivez le texte de l'avenant."},
    )
    date = forms.DateField(
        label="Date de l'avenant",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
        error_messages={"required": "Indiquez la date de l'avenant.", "invalid": "Date invalide."},
    )
    jeton = forms.UUIDField(widget=forms.HiddenInput, required=False)
