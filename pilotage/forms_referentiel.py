"""A new (or an upcoming) version of a value of the référentiel: its level, the day it applies from, its
values. The day is today at the earliest: what was computed before stays computed with the rules of then."""

import hashlib

from django import forms
from django.utils import timezone

from accompagnement.forms import DateInput
from accounts.formulaires import FormulaireMixin
from referentiel.bornes import BorneDeDate
from referentiel.models import Departement, Parametre, SurchargeModalite, Territoire, ValeursModalite

NATIONAL = "national"
DEJA = "Une version existe déjà à ce niveau à cette date : modifiez-la."
VALEURS = [f.name for f in ValeursModalite._meta.get_fields()]


def niveaux():
    """(value, label) of the levels a version can have: national, a département, a territory."""
    choix = [(NATIONAL, "national (toutes les structures)")]
    choix += [(f"D{d.pk}", f"département : {d}") for d in Departement.objects.all()]
    choix += [
        (f"T{t.pk}", f"territoire : {t} ({t.departement.nom})")
        for t in Territoire.objects.select_related("departement")
    ]
    return choix


def niveau_de(version):
    if version.territoire_id:
        return f"T{version.territoire_id}"
    if version.departement_id:
        return f"D{version.departement_id}"
    return NATIONAL


class _VersionForm(FormulaireMixin, forms.ModelForm):
    niveau = forms.ChoiceField(label="Niveau", help_text="À quelles structures la version s'applique.")
    empreinte = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["niveau"].choices = niveaux()
        self.fields["en_vigueur_le"].required = True
        self.fields["en_vigueur_le"].help_text = "Le premier jour où la version s'applique : aujourd'hui au plus tôt."
        self.fields["en_vigueur_le"].widget = DateInput(attrs={"class": "form-control"})
        self.fields["en_vigueur_le"].validators.append(BorneDeDate())
        if self.instance.pk:
            self.initial["niveau"] = niveau_de(self.instance)
            self.fields["niveau"].disabled = True  # another level is another version

    def clean_en_vigueur_le(self):
        jour = self.cleaned_data["en_vigueur_le"]
        if jour < timezone.localdate():
            raise forms.ValidationError(
                "Une version s'applique au plus tôt aujourd'hui : ce qui a été calculé avant reste calculé "
                "avec les règles d'alors."
            )
        return jour

    def clean(self):
        donnees = super().clean()
        niveau = donnees.get("niveau") or NATIONAL
        self.instance.departement_id = int(niveau[1:]) if niveau.startswith("D") else None
        self.instance.territoire_id = int(niveau[1:]) if niveau.startswith("T") else None
        jour = donnees.get("en_vigueur_le")
        if jour and self.memes_versions().filter(en_vigueur_le=jour).exclude(pk=self.instance.pk).exists():
            self.add_error("en_vigueur_le", DEJA)
        return donnees

    def empreinte_calculee(self):
        """What was shown in the preview: saving other values than those previewed shows the preview again."""
        texte = repr(sorted((k, str(v)) for k, v in self.cleaned_data.items() if k != "empreinte"))
        return hashlib.sha256(texte.encode()).hexdigest()[:32]


class VersionModaliteForm(_VersionForm):
    class Meta:
        model = SurchargeModalite
        fields = ["niveau", "en_vigueur_le", *VALEURS, "source"]

    def __init__(self, *args, modalite, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.modalite = modalite
        for nom in VALEURS:
            self.fields[nom].help_text = (
                self.fields[nom].help_text + " — vide : la valeur du niveau en dessous."
            ).lstrip(" —")

    def memes_versions(self):
        return SurchargeModalite.objects.filter(
            modalite=self.instance.modalite,
            departement_id=self.instance.departement_id,
            territoire_id=self.instance.territoire_id,
        )


class VersionParametreForm(_VersionForm):
    class Meta:
        model = Parametre
        fields = ["niveau", "en_vigueur_le", "valeur", "source"]

    def __init__(self, *args, code, nature, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.code, self.instance.nature = code, nature

    def memes_versions(self):
        return Parametre.objects.filter(
            code=self.instance.code,
            departement_id=self.instance.departement_id,
            territoire_id=self.instance.territoire_id,
        )
