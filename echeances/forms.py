"""Forms of the alerts and sanction reports. They render the input; the services validate it."""

import uuid

from django import forms
from django.utils import timezone

from accounts.formulaires import FormulaireMixin

from .models import EtapeSanction, SignalementSanction


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
    jeton = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Not required here: services.creer_signalement says what is missing, on this field.
    motif = forms.CharField(
        label="Motif (faits, relances faites, situation de la personne)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "required": True, "minlength": 20}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("jeton", uuid.uuid4())


# --- the sanction procedure (echeances/sanctions.py validates) -----------------------------------------


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class _EtapeForm(FormulaireMixin, forms.Form):
    """A step of a report: the report's version (the lock) and the day the step happened."""

    sans_note = True
    version = forms.IntegerField(widget=forms.HiddenInput)
    le = _date("Date")

    @classmethod
    def pour(cls, signalement):
        return cls(
            initial={"version": signalement.version, "le": timezone.localdate()},
            prefix=cls.prefixe,
        )


class InformerForm(_EtapeForm):
    prefixe = "informer"
    le = _date("Personne informée le")


class ObservationsForm(_EtapeForm):
    prefixe = "observations"
    le = _date("Observations présentées le")
    contenu = forms.CharField(label="Observations de la personne", widget=forms.Textarea(attrs={"rows": 4}))


class AvisEPForm(_EtapeForm):
    prefixe = "avis"
    le = _date("Avis rendu le")
    avis = forms.CharField(label="Avis de l'équipe pluridisciplinaire", widget=forms.Textarea(attrs={"rows": 4}))


class DecisionSignalementForm(_EtapeForm):
    prefixe = "decider"
    le = _date("Décidée le")
    issue = forms.ChoiceField(label="Décision", choices=SignalementSanction.Issue.choices)
    # The bounds are the référentiel's (SUSPENSION_TAUX_MIN/MAX, SUSPENSION_DUREE_MAX), checked by the service.
    taux = forms.IntegerField(label="Part du RSA suspendue (%)", required=False, min_value=1)
    duree_mois = forms.IntegerField(label="Durée (mois)", required=False, min_value=1)
    debut = forms.DateField(
        label="Suspension à compter du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Part, durée et début : pour une suspension-remobilisation seulement.",
    )
    commentaire = forms.CharField(
        label="Motif de la décision", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LeveeForm(_EtapeForm):
    prefixe = "lever"
    le = _date("Suspension levée le")
    motif = forms.CharField(
        label="La personne a respecté ses engagements : comment", widget=forms.Textarea(attrs={"rows": 3})
    )


class PieceForm(FormulaireMixin, forms.Form):
    sans_note = True
    jeton = forms.UUIDField(widget=forms.HiddenInput, required=False)
    fichier = forms.FileField(
        label="Pièce justificative",
        help_text="PDF, PNG ou JPEG.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("jeton", uuid.uuid4())


class FiltreSignalementsForm(FormulaireMixin, forms.Form):
    sans_note = True  # a filter above a list: nothing is required
    etape = forms.ChoiceField(
        label="Étape",
        required=False,
        choices=[("", "toutes"), ("OUVERTS", "en cours d'instruction"), *EtapeSanction.choices],
    )
