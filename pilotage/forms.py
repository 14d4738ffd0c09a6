from crispy_forms.layout import Field, Layout
from django import forms

from accompagnement.forms import JetonMixin
from accounts.formulaires import FormulaireMixin
from referentiel import bornes
from referentiel.models import Modalite

from .models import ComiteSuivi, DecisionComite


def choix_modalites(comite):
    return list(Modalite.objects.filter(champ__in=comite.champs_modalites).values_list("pk", "libelle"))


class OuvrirComiteForm(FormulaireMixin, forms.Form):
    sans_note = True
    referent = forms.ModelChoiceField(label="Référent", queryset=None, empty_label="— choisir —")
    date = forms.DateField(
        label="Date du comité", widget=forms.DateInput(attrs={"type": "date"}), validators=[bornes.SUIVI]
    )

    def __init__(self, *args, referents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = referents

    def mise_en_page(self):
        # Side by side in the page's row, the button after them.
        return Layout(Field("referent", wrapper_class="col-sm-4"), Field("date", wrapper_class="col-sm-4"))


def choix_decisions(comite):
    """The decisions the chair may record: no sanction procedure in the ASLL committee."""
    if comite.type == ComiteSuivi.Type.MENSUEL_ASLL:
        return [c for c in DecisionComite.Choix.choices if c[0] != DecisionComite.Choix.SANCTION]
    return list(DecisionComite.Choix.choices)


class DecisionForm(FormulaireMixin, forms.Form):
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
    action_due_le = forms.DateField(
        label="Pour le", required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=[bornes.SUIVI]
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, comite, modalites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if modalites is None:
            modalites = choix_modalites(comite)
        self.fields["modalite_cible"].choices = [("", "—"), *modalites]
        self.fields["decision"].choices = [("", "à décider"), *choix_decisions(comite)]


class CompteRenduForm(FormulaireMixin, forms.Form):
    sans_note = True
    compte_rendu = forms.CharField(label="Compte rendu", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    version = forms.CharField(widget=forms.HiddenInput)


class AvenantForm(FormulaireMixin, JetonMixin, forms.Form):
    texte = forms.CharField(
        label="Texte de l'avenant",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Écrivez le texte de l'avenant."},
    )
    date = forms.DateField(
        label="Date de l'avenant",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[bornes.SUIVI],
        error_messages={"required": "Indiquez la date de l'avenant.", "invalid": "Date invalide."},
    )
