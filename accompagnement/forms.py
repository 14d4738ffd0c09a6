"""Forms of the référent's daily work. Choices are always built from scoped querysets (the user's
team, the measure's objectives, the people the user may see). Writes go through services."""

import datetime
import uuid

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.db.models import Q
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone

from accounts.formulaires import FormulaireMixin
from accounts.models import ROLES_STRUCTURE, User
from referentiel.bornes import BorneDeDate
from referentiel.models import ConditionSortie, ContactPartenaire, Modalite
from residents.models import Resident
from residents.texte import cle_recherche

from .models import Accompagnement, Diagnostic, Entretien, EvaluationObjectif, IssueRencontre, Objectif, TypeEntretien


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateHeureInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MaintenantInput(DateHeureInput):
    """A date and time defaulting to « now »: the server's clock in the structure's time zone (TIME_ZONE),
    never the browser's. The value and the server's instant are written when the form is rendered;
    static/js/app.js moves an untouched value on by the time elapsed since, on submit (a dossier opened at
    9:00, a call logged at 14:00), still in that time zone whatever the browser's."""

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        instant = timezone.now()
        contexte["widget"]["attrs"].update(
            {
                "data-maintenant": timezone.localtime(instant).strftime("%Y-%m-%dT%H:%M"),
                "data-horloge": str(int(instant.timestamp() * 1000)),
                "data-fuseau": settings.TIME_ZONE,
            }
        )
        return contexte


def prochaine_heure():
    """A rendez-vous's default: the next round hour, on the server's clock in the structure's time zone."""
    return maintenant_arrondi().replace(minute=0) + datetime.timedelta(hours=1)


class JetonMixin(forms.Form):
    """A fresh idempotency token per rendered form: resubmitting it returns what was saved."""

    jeton = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("jeton", uuid.uuid4())


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DatesBorneesMixin:
    """Every date and date-and-time field of the form gets a BorneDeDate: the one `BORNES` names for
    it, else a year from today at the latest (an end, a re-orientation, a co-referent's dates). Given
    here rather than per field, so that a date field added later is bounded too."""

    BORNES = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for nom, champ in self.fields.items():
            if isinstance(champ, forms.DateField | forms.DateTimeField):
                champ.validators.append(self.BORNES.get(nom) or BorneDeDate())


# domain.md §9: confidential to the référent (EntretienQuerySet.visibles_par), not to its author alone.
AIDE_CONFIDENTIEL = (
    "Visible seulement de son auteur et du référent de la mesure "
    "(et du responsable de structure si la structure l'a permis)."
)
# Ticked, the notes are confidential: the browser's draft (static/js/app.js, data-brouillon) leaves them
# out, so that no confidential note lies in a shared computer's storage.
CASE_CONFIDENTIEL = forms.CheckboxInput(attrs={"data-brouillon-exclut": "notes"})


def maintenant_arrondi():
    return timezone.localtime().replace(second=0, microsecond=0)


class EntretienForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.Form):
    # What the services take from the form (enregistrer_entretien also takes the jeton).
    CHAMPS = (
        "type",
        "date_heure",
        "duree_minutes",
        "statut",
        "lieu",
        "participants",
        "partenaires",
        "objectifs",
        "notes",
        "confidentiel",
        "issue_rencontre",
        "issue_precisions",
    )

    type = forms.ChoiceField(label="Type de contact", choices=TypeEntretien.choices)
    date_heure = forms.DateTimeField(label="Date et heure", widget=DateHeureInput())
    duree_minutes = forms.IntegerField(label="Durée (minutes)", min_value=1, max_value=24 * 60, required=False)
    statut = forms.ChoiceField(
        label="Présence",
        choices=[
            (Entretien.Statut.HONORE, "la personne était présente"),
            (Entretien.Statut.ABSENT_EXCUSE, "absence excusée"),
            (Entretien.Statut.ABSENT_NON_EXCUSE, "absence non excusée"),
        ],
        initial=Entretien.Statut.HONORE,
    )
    lieu = forms.CharField(label="Lieu", max_length=200, required=False)
    participants = forms.ModelMultipleChoiceField(
        label="Membres de l'équipe présents",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partenaires = forms.ModelMultipleChoiceField(
        label="Partenaires présents",
        queryset=ContactPartenaire.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    objectifs = forms.ModelMultipleChoiceField(
        label="Objectifs travaillés",
        queryset=Objectif.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="La personne peut lire ces notes : écrivez des faits, sans jugement.",
    )
    confidentiel = forms.BooleanField(
        label="Note confidentielle", required=False, help_text=AIDE_CONFIDENTIEL, widget=CASE_CONFIDENTIEL
    )
    # Shown only for a rencontre tripartite (droits et devoirs): static/js/app.js, data-si-type.
    issue_rencontre = forms.ChoiceField(
        label="Issue de la rencontre tripartite",
        choices=[("", "— choisissez l'issue —"), *IssueRencontre.choices],
        required=False,
        widget=forms.Select(attrs={"data-si-type": TypeEntretien.DROITS_DEVOIRS}),
    )
    issue_precisions = forms.CharField(
        label="Précisions sur l'issue",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-si-type": TypeEntretien.DROITS_DEVOIRS}),
        help_text="L'engagement pris, ce qui a été rappelé, la suite convenue.",
    )

    def __init__(self, *args, accompagnement, user, entretien=None, choix=None, **kwargs):
        """`choix`: the `choix` of a form just saved for the same measure, for the blank one that follows
        it (the same choices, not read again)."""
        super().__init__(*args, **kwargs)
        self.fields["date_heure"].initial = maintenant_arrondi
        if entretien is None:  # a correction keeps the entretien's own date
            self.fields["date_heure"].widget = MaintenantInput()
        if choix is not None:
            self.choix = choix
        else:
            auteur_id = entretien.auteur_id if entretien else user.pk
            partenaires = ContactPartenaire.objects.filter(coreferences__in=accompagnement.coreferents.en_cours())
            # Without the evaluations a dossier prefetches with its measures' objectives.
            objectifs = accompagnement.objectifs.en_cours().prefetch_related(None)
            deja_lus = self._deja_lus(accompagnement) if entretien is None else None
            self.choix = {
                "participants": self._lire(
                    "participants",
                    User.objects.presents_possibles(user, self._territoire_rsa(accompagnement)).exclude(pk=auteur_id),
                    entretien,
                ),
                **(
                    {
                        "partenaires": (partenaires, deja_lus["partenaires"]),
                        "objectifs": (objectifs, deja_lus["objectifs"]),
                    }
                    if deja_lus
                    else {
                        "partenaires": self._lire("partenaires", partenaires, entretien, "tiers"),
                        "objectifs": self._lire("objectifs", objectifs, entretien),
                    }
                ),
            }
        for nom, (queryset, objets) in self.choix.items():
            if not objets:
                # A field with no choice is noise on a form meant to be filled in 30 seconds.
                del self.fields[nom]
                continue
            champ = self.fields[nom]
            champ.queryset = queryset  # what is posted is checked against it
            # Rendered from the rows just read (the field's own iterator would read them again).
            champ.widget.choices = [(ModelChoiceIteratorValue(o.pk, o), champ.label_from_instance(o)) for o in objets]

    def clean(self):
        data = super().clean()
        # Said next to the field rather than by the service (which checks it too): the form keeps its input.
        if (
            data.get("type") == TypeEntretien.DROITS_DEVOIRS
            and data.get("statut", Entretien.Statut.HONORE) != Entretien.Statut.PLANIFIE
            and not data.get("issue_rencontre")
            and "issue_rencontre" in self.fields
        ):
            self.add_error("issue_rencontre", "Indiquez l'issue de la rencontre tripartite.")
        return data

    @staticmethod
    def _territoire_rsa(accompagnement):
        """The territory whose délégués insertion may be present: that of an RSA measure only."""
        if accompagnement.modalite.is_rsa:
            return accompagnement.structure.territoire_id
        return None

    @staticmethod
    def _deja_lus(accompagnement):
        """The partners and objectives to offer, from what the page prefetched with the measure (a dossier:
        its co-referents with their contacts, its objectives), or None if it did not: not read again."""
        lus = getattr(accompagnement, "_prefetched_objects_cache", {})
        if "coreferents" not in lus or "objectifs" not in lus:
            return None
        le = timezone.localdate()
        contacts = {c.contact_id: c.contact for c in lus["coreferents"] if c.contact_id and c.en_cours_le(le)}
        return {
            "partenaires": sorted(contacts.values(), key=lambda c: (c.nom, c.prenom)),  # the model's ordering
            "objectifs": [o for o in lus["objectifs"] if o.etat == Objectif.Etat.EN_COURS],  # en_cours()
        }

    @staticmethod
    def _lire(nom, queryset, entretien, *relations):
        """(queryset, its rows) of the many-to-many field `nom`. When an entretien is corrected, what it
        already names stays a choice (an objective reached since, a partner no longer co-referent)."""
        if entretien is not None:
            deja = getattr(entretien, nom).values("pk")
            queryset = queryset.model.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk__in=deja))
        queryset = queryset.select_related(*relations) if relations else queryset
        return queryset, list(queryset)


class ModificationEntretienForm(VersionMixin, EntretienForm):
    """The same form, filled with the entretien to correct. The confidential flag is its author's."""

    def __init__(self, *args, entretien, user, **kwargs):
        initial = {
            nom: getattr(entretien, nom)
            for nom in self.CHAMPS
            if nom not in ("participants", "partenaires", "objectifs")
        }
        for nom in ("participants", "partenaires", "objectifs"):
            initial[nom] = [o.pk for o in getattr(entretien, nom).all()]
        kwargs["initial"] = {**initial, "version": entretien.version, **kwargs.get("initial", {})}
        super().__init__(*args, accompagnement=entretien.accompagnement, user=user, entretien=entretien, **kwargs)
        del self.fields["jeton"]
        if entretien.auteur_id != user.pk:
            del self.fields["confidentiel"]


class RendezVousForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.Form):
    BORNES = {"date_heure": BorneDeDate(annees=2)}

    type = forms.ChoiceField(label="Type", choices=TypeEntretien.choices)
    date_heure = forms.DateTimeField(label="Date et heure", widget=DateHeureInput(), initial=prochaine_heure)
    duree_minutes = forms.IntegerField(label="Durée prévue (minutes)", min_value=1, max_value=24 * 60, required=False)
    lieu = forms.CharField(label="Lieu", max_length=200, required=False)


class ClotureRendezVousForm(FormulaireMixin, VersionMixin, forms.Form):
    sans_note = True
    # No outcome chosen beforehand: a rendez-vous closed without a look would be « honoré » by default.
    statut = forms.ChoiceField(
        label="Issue du rendez-vous",
        error_messages={"required": "Choisissez l'issue du rendez-vous : honoré, absence ou annulé."},
        choices=[
            ("", "— choisissez l'issue —"),
            (Entretien.Statut.HONORE, "honoré"),
            (Entretien.Statut.ABSENT_EXCUSE, "absence excusée"),
            (Entretien.Statut.ABSENT_NON_EXCUSE, "absence non excusée"),
            (Entretien.Statut.ANNULE, "annulé"),
        ],
    )
    duree_minutes = forms.IntegerField(
        label="Durée réelle (minutes)",
        min_value=1,
        max_value=24 * 60,
        required=False,
        help_text="Si le rendez-vous a été honoré ; vide, la durée prévue est gardée.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="La personne peut lire ces notes : écrivez des faits, sans jugement.",
    )
    confidentiel = forms.BooleanField(
        label="Note confidentielle",
        required=False,
        help_text=AIDE_CONFIDENTIEL + " Pour un rendez-vous honoré.",
        widget=CASE_CONFIDENTIEL,
    )
    # A rencontre tripartite (droits et devoirs) only (removed otherwise): its outcome.
    issue_rencontre = forms.ChoiceField(
        label="Issue de la rencontre tripartite",
        choices=[("", "— choisissez l'issue —"), *IssueRencontre.choices],
        required=False,
        help_text="Obligatoire si la rencontre a été honorée ou manquée.",
    )
    issue_precisions = forms.CharField(
        label="Précisions sur l'issue", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, entretien, user, **kwargs):
        kwargs["initial"] = {
            "version": entretien.version,
            "notes": entretien.notes,
            "confidentiel": entretien.confidentiel,
            **kwargs.get("initial", {}),
        }
        super().__init__(*args, **kwargs)
        # As when an entretien is corrected (modifier_entretien): the flag is its author's.
        if entretien.auteur_id != user.pk:
            del self.fields["confidentiel"]
        if entretien.type != TypeEntretien.DROITS_DEVOIRS:
            del self.fields["issue_rencontre"], self.fields["issue_precisions"]

    def clean(self):
        data = super().clean()
        if data.get("confidentiel") and data.get("statut") != Entretien.Statut.HONORE:
            self.add_error(
                "confidentiel",
                "Seul un rendez-vous honoré a des notes confidentielles : choisissez « honoré » ou décochez la case.",
            )
        return data


class CasesFiltrables(forms.CheckboxSelectMultiple):
    """Boxes that a filter field narrows as one types (static/js/app.js, data-cle): each carries the search
    key of its label, the one the server searches names with, so « elodie » finds « Élodie »."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-cle"] = cle_recherche(str(label))
        return option


class ActionCollectiveForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.Form):
    # Its participants count as contacts from its date on (domain.md §4): a workshop saved ahead of time
    # would count people who may never come, and an absence is not a contact.
    BORNES = {
        "date_heure": BorneDeDate(
            annees=0, message_futur="Un atelier s'enregistre une fois tenu : sa date ne peut pas être dans le futur."
        )
    }

    theme = forms.CharField(label="Thème", max_length=200)
    date_heure = forms.DateTimeField(label="Date et heure", widget=DateHeureInput())
    duree_minutes = forms.IntegerField(label="Durée (minutes)", min_value=1, max_value=24 * 60, initial=120)
    lieu = forms.CharField(label="Lieu", max_length=200, required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    structure = forms.ModelChoiceField(label="Structure", queryset=None)
    animateurs = forms.ModelMultipleChoiceField(
        label="Animateurs", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    # Boxes rather than a multiple list: chosen with the keyboard or a tap, and read out one by one.
    residents = forms.ModelMultipleChoiceField(
        label="Participants",
        queryset=Resident.objects.none(),
        widget=CasesFiltrables(attrs={"data-filtre": "Filtrer les personnes (nom, avec ou sans accents)"}),
        help_text="Cochez les personnes venues à l'atelier.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        structures = user.structures.all()
        self.fields["structure"].queryset = structures
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0]
        self.fields["animateurs"].queryset = User.objects.collegues_de(user)
        self.fields["residents"].queryset = Resident.objects.visibles_par(user).order_by("nom", "prenom")


class ModificationAtelierForm(VersionMixin, ActionCollectiveForm):
    """The same form filled with the workshop; its structure stays (its team is who may edit it)."""

    def __init__(self, *args, action, user, **kwargs):
        kwargs["initial"] = {
            "theme": action.theme,
            "date_heure": timezone.localtime(action.date_heure),
            "duree_minutes": action.duree_minutes,
            "lieu": action.lieu,
            "description": action.description,
            "animateurs": [u.pk for u in action.animateurs.all()],
            "residents": [p.resident_id for p in action.participations.all()],
            "version": action.version,
        }
        super().__init__(*args, user=user, **kwargs)
        del self.fields["jeton"]
        del self.fields["structure"]


class AnnulationAtelierForm(FormulaireMixin, VersionMixin, forms.Form):
    sans_note = True
    motif = forms.CharField(
        label="Motif de l'annulation",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de l'annulation."},
        help_text="Les participations sont retirées ; l'atelier reste visible, marqué annulé.",
    )


class AccompagnementForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.Form):
    modalite = forms.ModelChoiceField(label="Modalité", queryset=Modalite.objects.filter(accompagnee_ici=True))
    referent = forms.ModelChoiceField(label="Référent", queryset=User.objects.none())
    date_debut = forms.DateField(label="Début", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, user, structure, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the structure's kind offers (référentiel): an association has no FJT modality.
        self.fields["modalite"].queryset = Modalite.objects.filter(accompagnee_ici=True).offertes_par(structure.type)
        self.fields["referent"].queryset = User.objects.collegues_de(user)
        self.fields["referent"].initial = user.pk


class ReorientationForm(DatesBorneesMixin, FormulaireMixin, VersionMixin, forms.Form):
    modalite = forms.ModelChoiceField(
        label="Nouvelle modalité",
        queryset=Modalite.objects.none(),
        help_text="Une modalité suivie ailleurs (RSA emploi : France Travail) ferme la mesure et note l'orientation.",
    )
    date = forms.DateField(label="Début de la nouvelle mesure", widget=DateInput(), initial=timezone.localdate)
    referent = forms.ModelChoiceField(
        label="Référent de la nouvelle mesure", queryset=User.objects.none(), required=False
    )
    relais = forms.CharField(label="Ce qui est transmis", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, accompagnement, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The modalities accompanied here, and those of the measure's field followed elsewhere.
        self.fields["modalite"].queryset = (
            Modalite.objects.filter(Q(accompagnee_ici=True) | Q(champ=accompagnement.modalite.champ))
            .offertes_par(accompagnement.structure.type)
            .exclude(pk=accompagnement.modalite_id)
        )
        self.fields["referent"].queryset = User.objects.collegues_de(user)
        self.fields["referent"].initial = accompagnement.referent_id

    def clean(self):
        donnees = super().clean()
        modalite = donnees.get("modalite")
        if modalite is not None and modalite.accompagnee_ici and not donnees.get("referent"):
            self.add_error("referent", "Choisissez le référent de la nouvelle mesure.")
        return donnees


def contacts_du_territoire(structure):
    """The partners' contacts who may work with a structure: of its territory, or of a partner that
    has none (a departmental service, a regional one)."""
    return ContactPartenaire.objects.filter(
        Q(tiers__territoire_id=structure.territoire_id) | Q(tiers__territoire__isnull=True)
    ).select_related("tiers")


class FinAccompagnementForm(DatesBorneesMixin, FormulaireMixin, VersionMixin, forms.Form):
    date_fin = forms.DateField(label="Date de fin", widget=DateInput(), initial=timezone.localdate)
    motif_fin = forms.ChoiceField(
        label="Motif", choices=[("", "—")] + [c for c in Accompagnement.MotifFin.choices if c[0] != "REORIENTATION"]
    )
    destination = forms.ChoiceField(label="Destination", choices=[("", "—"), *Accompagnement.Destination.choices])
    conditions_sortie = forms.ModelMultipleChoiceField(
        label="Conditions de sortie remplies",
        queryset=ConditionSortie.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Celles de la modalité (référentiel) : cochez celles que la situation de la personne remplit.",
        error_messages={"invalid_choice": "Cette condition de sortie n'est pas une de celles de la modalité."},
    )
    relais_contact = forms.ModelChoiceField(
        label="Contact partenaire qui prend le relais", queryset=ContactPartenaire.objects.none(), required=False
    )
    relais_user = forms.ModelChoiceField(
        label="ou intervenant qui prend le relais",
        queryset=User.objects.none(),
        required=False,
        help_text="Un membre d'une structure du territoire.",
    )
    relais = forms.CharField(
        label="Passage de relais",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Qui prend le relais (service, partenaire) et ce qui est transmis, avec l'accord de la personne.",
    )

    def __init__(self, *args, accompagnement, **kwargs):
        super().__init__(*args, **kwargs)
        # The modality's own exit conditions; a modality without any has no such field.
        conditions = ConditionSortie.objects.filter(modalite_id=accompagnement.modalite_id)
        if conditions.exists():
            self.fields["conditions_sortie"].queryset = conditions
        else:
            del self.fields["conditions_sortie"]
        territoire_id = accompagnement.structure.territoire_id
        self.fields["relais_contact"].queryset = contacts_du_territoire(accompagnement.structure)
        self.fields["relais_user"].queryset = (
            User.objects.actifs()
            .filter(role__in=ROLES_STRUCTURE, structures__territoire_id=territoire_id)
            .exclude(pk=accompagnement.referent_id)
            .distinct()
        )

    def clean(self):
        data = super().clean()
        if data.get("relais_contact") and data.get("relais_user"):
            raise forms.ValidationError("Choisissez soit un contact partenaire, soit un intervenant pour le relais.")
        return data


class ObjectifForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.ModelForm):
    BORNES = {"echeance": BorneDeDate(annees=5)}
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Objectif
        fields = ["domaine", "libelle", "critere", "echeance", "actions", "etat"]
        widgets = {"echeance": DateInput(), "actions": forms.Textarea(attrs={"rows": 3})}


class EvaluationForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.ModelForm):
    rappel_lecture = True  # « in her own words »: the person may read it (components/rappel_lecture.html)
    BORNES = {"date": BorneDeDate(annees=0, message_futur="Une évaluation ne peut pas être datée dans le futur.")}

    class Meta:
        model = EvaluationObjectif
        fields = ["date", "niveau", "parole_personne", "competences", "commentaire"]
        widgets = {
            "date": DateInput(),
            "parole_personne": forms.Textarea(attrs={"rows": 3}),
            "competences": forms.Textarea(attrs={"rows": 2}),
            "commentaire": forms.Textarea(attrs={"rows": 2}),
        }


class CoReferentForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.Form):
    user = forms.ModelChoiceField(label="Membre de l'équipe", queryset=User.objects.none(), required=False)
    contact = forms.ModelChoiceField(
        label="ou contact d'un partenaire", queryset=ContactPartenaire.objects.none(), required=False
    )
    role = forms.CharField(label="Rôle", max_length=150, required=False)
    date_debut = forms.DateField(label="Depuis", widget=DateInput(), initial=timezone.localdate)

    def __init__(self, *args, accompagnement, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.collegues_de(user)
        self.fields["contact"].queryset = contacts_du_territoire(accompagnement.structure)

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("contact")):
            raise forms.ValidationError("Choisissez soit un membre de l'équipe, soit un contact partenaire.")
        return data


class RetraitCoReferentForm(DatesBorneesMixin, FormulaireMixin, forms.Form):
    date_fin = forms.DateField(label="Jusqu'au", widget=DateInput(), initial=timezone.localdate)


class DiagnosticForm(DatesBorneesMixin, FormulaireMixin, JetonMixin, forms.ModelForm):
    """The diagnostic global partagé: what the person and the référent see of each domain, what she says of
    it, the freins and leviers from which the first contract's objectives are drawn."""

    rappel_lecture = True  # the person may read it (components/rappel_lecture.html)
    BORNES = {"date": BorneDeDate(annees=0, message_futur="Un diagnostic ne peut pas être daté dans le futur.")}

    class Meta:
        model = Diagnostic
        fields = ["date", *Diagnostic.DOMAINES, "parole_personne", "freins", "leviers"]
        widgets = {
            "date": DateInput(),
            **{nom: forms.Textarea(attrs={"rows": 2}) for nom in Diagnostic.DOMAINES},
            "parole_personne": forms.Textarea(attrs={"rows": 3}),
            "freins": forms.Textarea(attrs={"rows": 3}),
            "leviers": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "logement": "Une ligne suffit pour un domaine sans difficulté ; laissez vide ce qui n'a pas été abordé."
        }

    def mise_en_page(self):
        return Layout(
            "date",
            Fieldset("Situation par domaine (au moins un)", *Diagnostic.DOMAINES),
            "parole_personne",
            Fieldset("Ce qui freine, ce qui aide", "freins", "leviers"),
        )


class ModificationDiagnosticForm(VersionMixin, DiagnosticForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["jeton"]
