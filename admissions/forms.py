"""Forms of the admission pipeline and of the follow-up. Choices come from scoped querysets; every write
goes through admissions.services. `version` carries the optimistic lock of the record shown."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from accompagnement.forms import DateInput, JetonMixin
from accompagnement.models import Accompagnement, CoReferent, coreference_en_cours
from accounts.formulaires import FormulaireMixin
from accounts.models import ROLES_STRUCTURE, User
from referentiel import bornes
from referentiel.models import ContactPartenaire, Structure, TiersPartenaire
from residents.models import Resident

from .models import Candidature, FinDePriseEnCharge, GarantieTiers, Logement
from .services import DESTINATIONS_SORTIE, fin_de_sejour_au_plus_tot


def _date(label, required=True, initial=None):
    # The models' bound (referentiel.bornes): a plain form does not run the model's validators.
    return forms.DateField(
        label=label, required=required, widget=DateInput(), initial=initial, validators=[bornes.SUIVI]
    )


def _texte(label, required=True, rows=3, help_text=""):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class VersionForm(FormulaireMixin, forms.Form):
    # Checked by the service (accompagnement.verrou): a missing or tampered version is a conflict, with its
    # usual message, rather than a form error on a hidden field.
    version = forms.CharField(widget=forms.HiddenInput, required=False)


class CandidatureForm(FormulaireMixin, JetonMixin, forms.Form):
    residence = forms.ModelChoiceField(label="Résidence", queryset=Structure.objects.none())
    resident = forms.ModelChoiceField(label="Jeune", queryset=Resident.objects.none())
    tiers = forms.ModelChoiceField(label="Tiers partenaire", queryset=TiersPartenaire.objects.all())
    contact_educatif = forms.ModelChoiceField(
        label="Référent éducatif du tiers", queryset=ContactPartenaire.objects.select_related("tiers")
    )
    contact_social = forms.ModelChoiceField(
        label="Travailleur social du tiers",
        required=False,
        queryset=ContactPartenaire.objects.select_related("tiers"),
        help_text="Co-référent de la mesure après l'admission (à défaut, le référent éducatif).",
    )
    date_candidature = _date("Candidature reçue le", initial=timezone.localdate)
    note_sociale = _texte("Note sociale du référent éducatif", required=False, rows=6)
    note_sociale_pdf = forms.FileField(
        label="ou note sociale en PDF", required=False, help_text="PDF lisible, 5 Mo au plus."
    )
    conditions_mineur = _texte(
        "Conditions d'accueil d'un mineur", required=False, help_text="Obligatoire si le jeune a moins de 18 ans."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        residences = user.structures.filter(type=Structure.Type.FJT)
        self.fields["residence"].queryset = residences
        if len(residences) == 1:
            self.fields["residence"].initial = residences[0]
        self.fields["resident"].queryset = Resident.objects.visibles_par(user).filter(structure__in=residences)


class ContactForm(VersionForm):
    date = _date("Contact téléphonique le", initial=timezone.localdate)
    referent = forms.ModelChoiceField(label="Référent de la résidence", queryset=User.objects.none())
    compte_rendu = _texte("Compte rendu du contact")

    def __init__(self, *args, candidature, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = User.objects.actifs().filter(
            structures=candidature.residence, role__in=ROLES_STRUCTURE
        )


class NoteDetailleeForm(VersionForm):
    date = _date("Note détaillée le", initial=timezone.localdate)
    autonomie = _texte("Autonomie")
    difficultes = _texte("Difficultés")
    parcours = _texte("Parcours")
    premiers_objectifs = _texte("Premiers objectifs")


class PremiereRencontreForm(VersionForm):
    date = _date("Première rencontre le", initial=timezone.localdate)
    pieces = forms.MultipleChoiceField(
        label="Pièces administratives fournies",
        choices=Candidature.Piece.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    conditions_mineur = _texte("Conditions d'accueil d'un mineur", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for type_ in GarantieTiers.Type:
            self.fields[f"garantie_{type_}"] = _date(f"Garantie « {type_.label} » jusqu'au", required=False)
            self.fields[f"precisions_{type_}"] = forms.CharField(
                label=f"Précisions ({type_.label})", required=False, max_length=250
            )

    def garanties(self):
        d = self.cleaned_data
        return {t: (d.get(f"garantie_{t}"), d.get(f"precisions_{t}", "")) for t in GarantieTiers.Type}


class DecisionForm(VersionForm):
    decision = forms.ChoiceField(label="Décision de l'équipe", choices=Candidature.Decision.choices)
    motif = _texte("Motif", required=False)
    date = _date("Décidée le", initial=timezone.localdate)
    tiers_informe_le = _date("Tiers informé le", required=False, initial=timezone.localdate)


class AdmissionForm(VersionForm):
    date_entretien = _date("Entretien d'admission le")
    date_entree = _date("Entrée prévue le")
    fin_prise_en_charge = _date("Fin de la prise en charge par le tiers")


class EntreeForm(VersionForm):
    date_entree = _date("Entrée le", initial=timezone.localdate)
    reglement_remis_le = _date("Règlement de fonctionnement remis le", required=False)
    livret_remis_le = _date("Livret d'accueil et charte des droits et libertés remis le", required=False)
    logement = forms.CharField(label="Logement attribué", required=False, max_length=50)


class ContratSejourForm(VersionForm):
    remis_le = _date("Contrat de séjour remis le", required=False)
    signe_le = _date("Contrat de séjour signé le", required=False)


class AbandonForm(VersionForm):
    sans_note = True
    motif = _texte("Motif de l'abandon", required=False)


# --- follow-up of the measure -------------------------------------------------------------------


class SyntheseForm(FormulaireMixin, JetonMixin, forms.Form):
    sans_note = True
    contact = forms.ModelChoiceField(label="Avec", queryset=ContactPartenaire.objects.none())
    date_prevue = _date("Prévue le")

    def __init__(self, *args, accompagnement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = (
            ContactPartenaire.objects.filter(
                Q(coreferences__accompagnement=accompagnement) & coreference_en_cours("coreferences__")
            )
            .distinct()
            .select_related("tiers")
        )


class TenueSyntheseForm(VersionForm):
    sans_note = True
    tenue_le = _date("Tenue le", initial=timezone.localdate)
    participants = forms.CharField(label="Participants", required=False, max_length=500)
    bilan = _texte("Bilan de l'avancée du projet", required=False, rows=5)


class IntervenantForm(FormulaireMixin, JetonMixin, forms.Form):
    sans_note = True
    contact = forms.ModelChoiceField(
        label="Contact partenaire", queryset=ContactPartenaire.objects.select_related("tiers")
    )
    role = forms.CharField(
        label="Rôle",
        max_length=150,
        help_text="ex. travailleur social coordinateur, référent du chantier d'insertion, CESF du bailleur",
    )


class ReunionForm(FormulaireMixin, JetonMixin, forms.Form):
    sans_note = True
    date = _date("Réunion le", initial=timezone.localdate)
    intervenants = forms.ModelMultipleChoiceField(
        label="Intervenants présents",
        queryset=CoReferent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    autres_participants = forms.CharField(label="Autres participants", required=False, max_length=500)
    decisions = _texte("Décisions", required=False, rows=4)

    def __init__(self, *args, accompagnement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervenants"].queryset = accompagnement.coreferents.en_cours().select_related(
            "user", "contact__tiers"
        )


class LogementForm(FormulaireMixin, JetonMixin, forms.Form):
    sans_note = True
    mode = forms.ChoiceField(label="Mode", choices=Logement.Mode.choices)
    bailleur = forms.ModelChoiceField(
        label="Bailleur", required=False, queryset=TiersPartenaire.objects.filter(type=TiersPartenaire.Type.BAILLEUR)
    )
    adresse = forms.CharField(label="Adresse", required=False, max_length=300)
    date_debut = _date("Entrée dans le logement")
    glissement_prevu_le = _date("Glissement du bail prévu le", required=False)


class FinForm(FormulaireMixin, forms.Form):
    sans_note = True
    motif = forms.ChoiceField(label="Motif", choices=FinDePriseEnCharge.Motif.choices)
    explications = _texte("Explications", required=False)
    decidee_le = _date("Décidée le", initial=timezone.localdate)
    date_effet = _date("Fin du séjour le")
    tiers_informe_le = _date("Tiers informé le", required=False)

    def __init__(self, *args, accompagnement=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The notice of the référentiel: the measure's territory when known, else the national value.
        territoire = accompagnement.structure.territoire if accompagnement is not None else None
        au_plus_tot, preavis = fin_de_sejour_au_plus_tot(timezone.localdate(), territoire)
        self.fields["date_effet"].help_text = (
            f"Préavis de {preavis} après la décision : au plus tôt le {au_plus_tot:%d/%m/%Y} "
            "pour une décision prise aujourd'hui."
        )


class SortieForm(VersionForm):
    sans_note = True
    date_sortie = _date("Sortie le", initial=timezone.localdate)
    motif_fin = forms.ChoiceField(
        label="Motif de la sortie",
        required=False,
        choices=[("", "—")] + Accompagnement.MotifFin.choices,
        help_text="Repris de la fin de prise en charge quand elle a été décidée.",
    )
    destination = forms.ChoiceField(label="Destination", choices=[(d.value, d.label) for d in DESTINATIONS_SORTIE])
    repreneur = forms.CharField(label="Qui prend le relais", max_length=250, required=False)
    contact = forms.ModelChoiceField(
        label="Contact partenaire qui prend le relais",
        required=False,
        queryset=ContactPartenaire.objects.select_related("tiers"),
    )
    elements_transmis = _texte("Ce qui est transmis", required=False)
    accord_personne = forms.BooleanField(label="La personne a donné son accord à cette transmission", required=False)
    date_relais = _date("Relais le", required=False)


class ObjectifSortieForm(FormulaireMixin, JetonMixin, forms.Form):
    sans_note = True
    libelle = forms.CharField(label="Objectif du projet de sortie", max_length=300)
    echeance = _date("Échéance", required=False)
