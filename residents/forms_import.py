"""The import's two forms: the deposit (file and receiving structure) and the column mapping."""

from django import forms
from django.conf import settings

from accompagnement.forms import JetonMixin
from accounts.formulaires import FormulaireMixin
from referentiel.models import Structure

from . import imports, services_import

IGNORER = ""


class DepotForm(JetonMixin, FormulaireMixin, forms.Form):
    structure = forms.ModelChoiceField(
        label="Structure d'accueil des nouvelles personnes",
        queryset=Structure.objects.none(),
        help_text="Les nouveaux allocataires y sont enregistrés, sans orientation ni mesure, en attendant "
        "leur orientation.",
    )
    fichier = forms.FileField(
        label="Fichier des allocataires (CSV ou Excel XLSX)",
        help_text=f"{settings.IMPORT_ALLOCATAIRES_TAILLE_MAX // (1024 * 1024)} Mo au plus ; la première ligne "
        "donne le nom des colonnes. CSV en UTF-8 ou Windows-1252, séparé par des points-virgules ou des virgules.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        allow_empty_file=True,  # refused by residents.imports, with the same message as an empty sheet
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        structures = services_import.structures_proposees(user)
        self.fields["structure"].queryset = structures
        if not self.is_bound and (premiere := structures.first()) is not None:
            self.initial.setdefault("structure", premiere.pk)


class ColonnesForm(FormulaireMixin, forms.Form):
    """One list per column of the file: which of our fields it holds, or « ignorée »."""

    sans_note = True

    def __init__(self, *args, entetes, exemple=(), proposition=None, **kwargs):
        super().__init__(*args, **kwargs)
        choix = [(IGNORER, "— colonne ignorée —")] + [
            (champ, libelle + (" (obligatoire)" if obligatoire else ""))
            for champ, (libelle, obligatoire, _s) in imports.CHAMPS.items()
        ]
        proposition = proposition or {}
        self.entetes = entetes
        for i, entete in enumerate(entetes):
            self.fields[f"colonne_{i}"] = forms.ChoiceField(
                label=entete or f"Colonne {i + 1} (sans titre)",
                choices=choix,
                required=False,
                initial=proposition.get(i, IGNORER),
                help_text=f"1re ligne : « {exemple[i]} »" if i < len(exemple) and exemple[i] else "",
            )

    def correspondance(self):
        return {i: self.cleaned_data.get(f"colonne_{i}") or IGNORER for i in range(len(self.entetes))}
