from django import forms
from django.utils import timezone

from accompagnement.forms import JetonMixin
from accounts.formulaires import FormulaireMixin
from referentiel.models import TiersPartenaire

from .models import Consentement


class ConsentementForm(FormulaireMixin, JetonMixin, forms.Form):
    tiers = forms.ModelChoiceField(label="Partenaire", queryset=TiersPartenaire.objects.all())
    finalite = forms.CharField(
        label="Finalité du partage",
        max_length=250,
        help_text="Pour quoi faire, précisément (ex. suivi du contrat jeune majeur avec l'ASE).",
    )
    categories = forms.MultipleChoiceField(
        label="Informations partagées",
        choices=Consentement.Categorie.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Seulement ce qui est nécessaire à la finalité. Les notes confidentielles ne sont jamais partagées.",
    )
    date_consentement = forms.DateField(
        label="Recueilli le", initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    mode = forms.ChoiceField(label="Recueilli", choices=Consentement.Mode.choices)


class DemandeAccesForm(FormulaireMixin, JetonMixin):
    """A one-button form: only its once-only jeton."""

    sans_note = True


class ArchivageForm(FormulaireMixin, forms.Form):
    sans_note = True
    etiquettes_masquees = True  # in a table row, named by its column
    motif = forms.CharField(
        label="Motif de l'archivage",
        max_length=300,
        help_text="Pourquoi ce dossier doit être conservé au-delà de la durée normale (obligation légale, contentieux…).",
    )
