"""Forms of the RSA orientation: the délégué's decision, the structure's assignment, the référent's request
for a réorientation and the délégué's answer."""

from django import forms
from django.utils import timezone

from accounts import acces
from accounts.formulaires import FormulaireMixin
from accounts.models import Role, User
from referentiel.models import Champ, Modalite, Structure

from .forms import DateInput, DatesBorneesMixin, JetonMixin, VersionMixin


def modalites_rsa():
    return Modalite.objects.filter(champ=Champ.INSERTION).order_by("ordre", "libelle")


def organismes_du_delegue(user):
    return Structure.objects.filter(territoire__in=user.territoires.all()).order_by("nom")


class _OrganismeMixin:
    """An RSA modality and the organisation that accompanies it (none for France Travail)."""

    def _organismes(self, user):
        self.fields["modalite"].queryset = modalites_rsa()
        self.fields["structure"].queryset = organismes_du_delegue(user)

    def clean(self):
        donnees = super().clean()
        modalite, structure = donnees.get("modalite"), donnees.get("structure")
        if modalite is None:
            return donnees
        if not modalite.accompagnee_ici:
            donnees["structure"] = None
        elif structure is None:
            self.add_error("structure", "Choisissez l'organisme qui accompagnera la personne.")
        elif not modalite.proposee_par(structure):
            self.add_error("structure", f"« {structure} » ne propose pas « {modalite.libelle} ».")
        return donnees


class DecisionOrientationForm(_OrganismeMixin, DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.Form):
    modalite = forms.ModelChoiceField(label="Modalité d'accompagnement", queryset=Modalite.objects.none())
    structure = forms.ModelChoiceField(
        label="Organisme référent",
        queryset=Structure.objects.none(),
        required=False,
        help_text="Laissez vide pour une orientation vers France Travail (RSA emploi).",
    )
    date_decision = forms.DateField(label="Date de la décision", widget=DateInput(), initial=timezone.localdate)
    motif = forms.CharField(
        label="Éléments retenus", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._organismes(user)


class AffectationForm(DatesBorneesMixin, FormulaireMixin, VersionMixin, forms.Form):
    referent = forms.ModelChoiceField(label="Référent", queryset=User.objects.none())
    date_debut = forms.DateField(label="Début de l'accompagnement", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, decision, user, **kwargs):
        super().__init__(*args, **kwargs)
        referents = User.objects.actifs().filter(structures=decision.structure, role=Role.REFERENT)
        if not acces.affecte_a_un_autre(user):
            referents = referents.filter(pk=user.pk)
            self.fields["referent"].initial = user.pk
        self.fields["referent"].queryset = referents.order_by("last_name", "first_name")


class DemandeReorientationForm(FormulaireMixin, JetonMixin, forms.Form):
    modalite = forms.ModelChoiceField(label="Modalité proposée", queryset=Modalite.objects.none())
    motif = forms.CharField(
        label="Motif",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text="Ce qui a changé dans la situation, ce que la personne en dit. Le délégué insertion décide.",
    )

    def __init__(self, *args, accompagnement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modalite"].queryset = modalites_rsa().exclude(pk=accompagnement.modalite_id)


class AcceptationForm(_OrganismeMixin, DatesBorneesMixin, FormulaireMixin, VersionMixin, forms.Form):
    modalite = forms.ModelChoiceField(label="Modalité d'accompagnement", queryset=Modalite.objects.none())
    structure = forms.ModelChoiceField(
        label="Organisme référent",
        queryset=Structure.objects.none(),
        required=False,
        help_text="Le même organisme : la nouvelle mesure s'ouvre avec le même référent. "
        "Un autre : son équipe désigne le référent. Vide pour France Travail.",
    )
    date = forms.DateField(label="Date de la réorientation", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, demande, user, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("modalite", demande.modalite_id)
        if demande.modalite.accompagnee_ici:
            kwargs["initial"].setdefault("structure", demande.accompagnement.structure_id)
        super().__init__(*args, **kwargs)
        self._organismes(user)


class RefusForm(FormulaireMixin, VersionMixin, forms.Form):
    motif_refus = forms.CharField(label="Motif du refus", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
