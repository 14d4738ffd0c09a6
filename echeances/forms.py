"""Forms of the alerts and sanction reports. They render the input; the services validate it."""

from django import forms

from accounts.formulaires import FormulaireMixin

from .models import SignalementSanction


class AcquittementForm(FormulaireMixin, forms.Form):
    sans_note = True
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    commentaire = forms.CharField(
        label="Commentaire (ce qui est fait)",
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    @classmethod
    def pour(cls, alerte):
        """The form of one alert of a list: its version (the lock), its own ids."""
        return cls(initial={"version": alerte.version}, auto_id=f"id_%s_{alerte.pk}")


class SignalementForm(FormulaireMixin, forms.Form):
    sans_note = True
    # Not required here: services.creer_signalement says what is missing, on this field.
    motif = forms.CharField(
        label="Motif (faits, relances faites, situation de la personne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "required": True, "minlength": 20}),
    )


class DecisionSignalementForm(FormulaireMixin, forms.Form):
    sans_note = True
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    issue = forms.ChoiceField(label="Suite donnée", choices=SignalementSanction.Issue.choices)
    commentaire = forms.CharField(label="Commentaire", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def pour(cls, signalement):
        return cls(initial={"version": signalement.version}, auto_id=f"id_%s_{signalement.pk}")
