"""Forms of the contract screens. They only collect input; the rules live in contrats.services."""

from crispy_forms.layout import Field, Fieldset, Layout
from django import forms
from django.utils.text import capfirst

from accompagnement.forms import JetonMixin
from accompagnement.models import EvaluationObjectif, Objectif
from accounts.formulaires import FormulaireMixin
from referentiel import bornes
from referentiel.models import TypeContrat
from referentiel.regles import parametre

from . import liste
from .models import Contrat
from .services import CHAMPS_DU_BROUILLON, partenaires_possibles

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Fields added after FormulaireMixin's __init__ (one set per objective) carry their class themselves.
TEXTE_COURT = {"rows": 2, "class": "form-control"}


class NouveauContratForm(FormulaireMixin, JetonMixin, forms.Form):
    type = forms.ChoiceField(label="Type de contrat")
    date_debut = forms.DateField(
        label="Début",
        widget=DATE,
        validators=[bornes.SUIVI],
        help_text="Un contrat qui en suit un autre commence le jour où le précédent finit.",
    )
    date_fin = forms.DateField(
        label="Fin",
        widget=DATE,
        required=False,
        validators=[bornes.SUIVI],
        help_text="Laissez vide : la durée du référentiel s'applique.",
    )

    def __init__(self, *args, types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [(t, capfirst(TypeContrat(t).label)) for t in types]


class BrouillonForm(FormulaireMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    objectifs = forms.ModelMultipleChoiceField(
        label="Objectifs du contrat",
        queryset=Objectif.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Les objectifs de la mesure ; cochez ceux que le contrat reprend.",
    )

    class Meta:
        model = Contrat
        fields = CHAMPS_DU_BROUILLON
        widgets = {
            "date_debut": DATE,
            "date_fin": DATE,
            "engagements_personne": forms.Textarea(attrs={"rows": 4}),
            "engagements_structure": forms.Textarea(attrs={"rows": 4}),
            "engagements_partenaire": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "engagements_personne": "Ce que la personne s'engage à faire, dans des mots qu'elle comprend.",
            "engagements_structure": "Ce que le référent et la structure s'engagent à apporter.",
            "motif_intensite_reduite": "Obligatoire quand l'intensité est inférieure à la norme du référentiel.",
        }

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
        else:  # the norm is the référentiel's (a territory may set its own)
            norme = parametre("ACTIVITE_HEBDO_HEURES", contrat.accompagnement.structure.territoire)
            self.fields["heures_activite_hebdo"].help_text = f"En principe {norme} heures ; moins, avec un motif."

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
    motif = forms.CharField(label="Motif", widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, etiquette=None, en_ligne=False, **kwargs):
        super().__init__(*args, **kwargs)
        motif = self.fields["motif"]
        if etiquette:
            motif.label = capfirst(etiquette)
        if en_ligne:  # beside its buttons: one line, the label as placeholder and for screen readers
            motif.widget = forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": motif.label})
            self.etiquettes_masquees = True


class RuptureForm(MotifForm):
    le = forms.DateField(label="Prend effet le", widget=DATE, validators=[bornes.SUIVI])


class RefusSignatureForm(JetonMixin, MotifForm):
    """The person's refusal to sign (services.refuser_de_signer validates)."""

    partie = forms.ChoiceField(
        label="Qui refuse de signer",
        choices=[("RESIDENT", "la personne accompagnée"), ("CONJOINT", "son conjoint ou sa conjointe")],
    )
    le = forms.DateField(label="Refus exprimé le", widget=DATE, validators=[bornes.SUIVI])


class DecisionForm(MotifForm):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("valider", "valider"), ("differer", "différer"), ("refuser", "refuser")],
        widget=forms.RadioSelect,
    )


class SignatureProfessionnelForm(FormulaireMixin, forms.Form):
    """Whoever signs in their own session: a professional, or the tiers partenaire from its account."""

    sans_note = True
    numero_version = forms.IntegerField(widget=forms.HiddenInput)
    mot_de_passe = forms.CharField(
        label="Votre mot de passe ou le code de votre application d'authentification",
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
        label="Date d'effet de l'avenant",
        widget=DATE,
        help_text="La version signée reste en vigueur jusqu'à cette date, et tant que l'avenant n'est pas signé "
        "par chaque partie (et validé, s'il doit l'être).",
    )
    motif = forms.CharField(
        label="Motif de l'avenant",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ce qui change et pourquoi ; la personne signe l'avenant.",
    )


class FiltresContratsForm(FormulaireMixin, forms.Form):
    """The filters of « Mes contrats », sent in the query string (a bookmarkable list)."""

    sans_note = True
    personne = forms.CharField(label="Personne", required=False, help_text="Nom, avec ou sans accents.")
    type = forms.ChoiceField(label="Type de contrat", required=False)
    statut = forms.ChoiceField(label="État", required=False, choices=[("", "Tous"), *liste.CHOIX_STATUT])
    referent = forms.ModelChoiceField(label="Référent", queryset=None, required=False, empty_label="Tous")
    validateur = forms.ModelChoiceField(
        label="Décidé par", queryset=None, required=False, empty_label="Tous", help_text="Le délégué insertion."
    )

    def __init__(self, *args, referents=None, validateurs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Tous"), *[(t.value, capfirst(t.label)) for t in TypeContrat]]
        self.fields["validateur"].queryset = validateurs
        if referents is None:  # a référent's own contracts
            del self.fields["referent"]
        else:
            self.fields["referent"].queryset = referents

    def mise_en_page(self):
        return Layout(*(Field(nom, wrapper_class="col-sm-6 col-lg") for nom in self.fields))

    def filtres(self):
        """The valid filters (an unknown choice in a hand-edited address is ignored, and said)."""
        self.is_valid()
        return {nom: valeur for nom, valeur in self.cleaned_data.items() if valeur not in ("", None)}


class EvaluationFinDeContratForm(FormulaireMixin, JetonMixin, forms.Form):
    """The évaluation partagée of a contract's end (contrats.evaluation): each objective's attainment, the
    skills shown and the person's words, then her cooperation and satisfaction."""

    rappel_lecture = True  # « in her own words »: the person may read it (components/rappel_lecture.html)
    cooperation = forms.CharField(
        label="Coopération de la personne",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Comment la personne s'est saisie de l'accompagnement et de ce contrat.",
    )
    satisfaction = forms.CharField(
        label="Satisfaction de la personne, en ses propres mots",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Ses mots, tels qu'elle les dit.",
    )

    def __init__(self, *args, contrat, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectifs = [ligne.objectif for ligne in contrat.lignes_objectifs.select_related("objectif")]
        niveaux = [("", "— choisir —"), *[(n.value, capfirst(n.label)) for n in EvaluationObjectif.Niveau]]
        for objectif in self.objectifs:
            derniere = objectif.evaluations.first()  # the last one, a starting point for the discussion
            self.fields[f"niveau_{objectif.pk}"] = forms.TypedChoiceField(
                label="Niveau d'atteinte",
                choices=niveaux,
                coerce=int,
                initial=derniere.niveau if derniere else None,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"competences_{objectif.pk}"] = forms.CharField(
                label="Compétences mobilisées", required=False, widget=forms.Textarea(attrs=TEXTE_COURT)
            )
            self.fields[f"parole_{objectif.pk}"] = forms.CharField(
                label="En ses propres mots", required=False, widget=forms.Textarea(attrs=TEXTE_COURT)
            )

    def mise_en_page(self):
        return Layout(
            *(
                Fieldset(
                    f"Objectif : {objectif.libelle}",
                    f"niveau_{objectif.pk}",
                    f"competences_{objectif.pk}",
                    f"parole_{objectif.pk}",
                    css_class="mb-4",
                )
                for objectif in self.objectifs
            ),
            Fieldset("La personne", "cooperation", "satisfaction", css_class="mb-4"),
        )

    def donnees(self):
        """The arguments of contrats.evaluation.enregistrer."""
        d = self.cleaned_data
        return {
            "niveaux": {
                o.pk: {
                    "niveau": d[f"niveau_{o.pk}"],
                    "competences": d[f"competences_{o.pk}"],
                    "parole_personne": d[f"parole_{o.pk}"],
                }
                for o in self.objectifs
            },
            "cooperation": d["cooperation"],
            "satisfaction": d["satisfaction"],
            "jeton": d["jeton"],
        }
