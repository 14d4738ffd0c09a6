"""Forms of the contract screens. They only collect input; the rules live in contrats.services."""

from django import forms

from accompagnement.forms import JetonMixin
from accompagnement.models import Objectif
from accounts.formulaires import FormulaireMixin
from referentiel import bornes
from referentiel.models import TypeContrat

from .models import Contrat
from .services import CHAMPS_DU_BROUILLON, partenaires_possibles

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class NouveauContratForm(FormulaireMixin, JetonMixin, forms.Form):
    type = forms.ChoiceField(label="type de contrat")
    date_debut = forms.DateField(label="début", widget=DATE, validators=[bornes.SUIVI])
    date_fin = forms.DateField(
        label="fin",
        widget=DATE,
        required=False,
        validators=[bornes.SUIVI],
        help_text="Laissez vide : la durée du référentiel s'applique.",
    )

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t, TypeContrat(t).label) for t in types]


class BrouillonForm(FormulaireMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    objectifs = forms.ModelMultipleChoiceField(
        label="objectifs du contrat",
        queryset=Objectif.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Les objectifs de la mesure ; cochez ceux que le contrat reprend.",
    )

    class Meta:
        model = Contrat
        fields = CHAMPS_DU_BROUILLON
        widgets = {"date_debut": DATE, "date_fin": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        contrat = self.instance
        self.fields["version"].initial = contrat.version
        self.fields["objectifs"].queryset = contrat.accompagnement.objectifs.all()
        self.fields["objectifs"].initial = list(contrat.objectifs.values_list("pk", flat=True))
        self.fields["partenaire"].queryset = partenaires_possibles(contrat.accompagnement).select_related("tiers")
        if contrat.type not in (TypeContrat.PLAN_ASLL, TypeContrat.TRIPARTITE):
            del self.fields["partenaire"]
            del self.fields["engagements_partenaire"]
        if contrat.type != TypeContrat.CONTRAT_ENGAGEMENT:
            del self.fields["heures_activite_hebdo"]
            del self.fields["motif_intensite_reduite"]

    def clean(self):
        donnees = super().clean()
        debut, fin = donnees.get("date_debut"), donnees.get("date_fin")
        for objectif in donnees.get("objectifs") or ():
            if message := echeance_hors_periode(objectif.echeance, debut, fin):
                self.add_error("objectifs", f"Objectif « {objectif.libelle} » : {message[0].lower()}{message[1:]}")
        return donnees


def echeance_hors_periode(echeance, debut, fin):
    """The French refusal of an objective's deadline outside the contract's period [début, fin], or ""."""
    if echeance and debut and fin and not (debut <= echeance <= fin):
        return (
            f"L'échéance du {echeance:%d/%m/%Y} est hors de la période du contrat (du {debut:%d/%m/%Y} au "
            f"{fin:%d/%m/%Y}) : choisissez une date dans cette période."
        )
    return ""


class NouvelObjectifForm(FormulaireMixin, JetonMixin, forms.ModelForm):
    sans_note = True

    class Meta:
        model = Objectif
        fields = ["domaine", "libelle", "critere", "echeance", "actions"]
        widgets = {"echeance": DATE, "actions": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, contrat=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.contrat = contrat
        if contrat is not None:
            self.fields[
                "echeance"
            ].help_text = (
                f"Dans la période du contrat : du {contrat.date_debut:%d/%m/%Y} au {contrat.date_fin:%d/%m/%Y}."
            )

    def clean_echeance(self):
        echeance = self.cleaned_data.get("echeance")
        if self.contrat is not None and (
            message := echeance_hors_periode(echeance, self.contrat.date_debut, self.contrat.date_fin)
        ):
            raise forms.ValidationError(message)
        return echeance


class MotifForm(FormulaireMixin, forms.Form):
    sans_note = True
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    motif = forms.CharField(label="motif", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, etiquette=None, en_ligne=False, **kwargs):
        super().__init__(*args, **kwargs)
        motif = self.fields["motif"]
        if etiquette:
            motif.label = etiquette
        if en_ligne:  # beside its buttons: one line, the label as placeholder and for screen readers
            motif.widget = forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": motif.label})
            self.etiquettes_masquees = True


class RuptureForm(MotifForm):
    le = forms.DateField(label="prend effet le", widget=DATE, validators=[bornes.SUIVI])


class DecisionForm(MotifForm):
    decision = forms.ChoiceField(
        label="décision",
        choices=[("valider", "valider"), ("differer", "différer"), ("refuser", "refuser")],
        widget=forms.RadioSelect,
    )


class SignatureProfessionnelForm(FormulaireMixin, forms.Form):
    """Whoever signs in their own session: a professional, or the tiers partenaire from its account."""

    sans_note = True
    numero_version = forms.IntegerField(widget=forms.HiddenInput)
    mot_de_passe = forms.CharField(
        label="votre mot de passe ou le code de votre application d'authentification",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Pour confirmer que c'est bien vous qui signez : le code à 6 chiffres de l'application "
        "suffit, si vous préférez ne pas retaper votre mot de passe.",
    )


# The ways the team collects the person's (or conjoint's, or partner's) signature: one at a time, chosen
# first (`?methode=` on the signature page), so that only that way's fields are shown.
METHODES_PERSONNE = {
    "PRESENCE": "signature à l'écran",
    "PAPIER": "document papier signé (scan)",
}


class SignaturePersonneForm(FormulaireMixin, forms.Form):
    sans_note = True
    numero_version = forms.IntegerField(widget=forms.HiddenInput)
    methode = forms.ChoiceField(choices=list(METHODES_PERSONNE.items()), widget=forms.HiddenInput)
    nom_signataire = forms.CharField(label="nom et prénom tapés par la personne")
    consentement = forms.BooleanField(
        error_messages={"required": "La personne doit cocher la phrase de consentement pour signer."}
    )
    scan = forms.FileField(label="scan du contrat signé (PDF)")
    scan_verifie = forms.BooleanField(
        label="j'ai vérifié le scan : c'est bien ce contrat, signé par la personne",
        error_messages={"required": "Confirmez avoir vérifié le scan signé (nom, date, signature sur chaque page)."},
    )

    CHAMPS = {"PRESENCE": ("nom_signataire", "consentement"), "PAPIER": ("scan", "scan_verifie")}

    def __init__(self, *args, methode, phrase="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["methode"].initial = methode
        self.fields["consentement"].label = phrase
        for autre, champs in self.CHAMPS.items():
            if autre != methode:
                for nom in champs:
                    del self.fields[nom]


class AvenantForm(FormulaireMixin, JetonMixin, forms.Form):
    sans_note = True

    version = forms.IntegerField(widget=forms.HiddenInput)
    date_effet = forms.DateField(
        label="date d'effet de l'avenant",
        widget=DATE,
        help_text="La version signée reste en vigueur jusqu'à cette date, et tant que l'avenant n'est pas signé "
        "par chaque partie (et validé, s'il doit l'être).",
    )
    motif = forms.CharField(label="motif de l'avenant", widget=forms.Textarea(attrs={"rows": 3}))
