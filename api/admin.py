"""The administrator creates a token (its secret shown once, on the page that follows) and revokes it."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from simple_history.admin import SimpleHistoryAdmin

from accounts.formulaires import FormulaireMixin
from accounts.models import ROLES_TERRITOIRE, User

from . import services
from .models import JetonAPI, Ressource, toutes_les_ressources


class JetonAPIForm(FormulaireMixin, forms.ModelForm):
    # FormulaireMixin as every form of the application (tests/accounts/test_formulaires.py); the admin
    # renders it with its own templates.
    role_territoire = forms.ChoiceField(
        label="vue des agents du territoire",
        required=False,
        choices=[("", "—"), *[(r.value, r.label) for r in ROLES_TERRITOIRE]],
        help_text="Pour un jeton de territoire : le jeton lit ce que lisent ces agents.",
    )
    compte_partenaire = forms.ModelChoiceField(
        label="compte du contact partenaire",
        required=False,
        queryset=User.objects.filter(contact_partenaire__isnull=False).select_related("contact_partenaire__tiers"),
        help_text="Pour un jeton de tiers partenaire : le jeton lit ce que lit ce contact (co-références, "
        "consentements).",
    )

    ressources = forms.MultipleChoiceField(
        label="ressources",
        choices=Ressource.choices,
        initial=toutes_les_ressources,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins une ressource."},
        help_text="Ce que le jeton atteint ; la portée dit s'il y lit seulement ou y écrit aussi.",
    )

    class Meta:
        model = JetonAPI
        fields = ["nom", "portee", "ressources", "territoire", "structure", "tiers"]

    def clean(self):
        donnees = super().clean()
        try:
            services.verifier_organisation(
                **{c: donnees.get(c) or None for c in ("territoire", "structure", "tiers", "role_territoire")},
                compte_partenaire=donnees.get("compte_partenaire"),
            )
        except ValidationError as erreur:
            self.add_error(None, erreur)
        return donnees


@admin.register(JetonAPI)
class JetonAPIAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "organisation", "portee", "cree_le", "utilise_le", "revoque_le"]
    list_filter = ["portee", "revoque_le"]
    actions = ["revoquer"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = JetonAPIForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["cree_le"]
        return [
            "nom",
            "portee",
            "ressources",
            "territoire",
            "structure",
            "tiers",
            "compte",
            "cree_par",
            "cree_le",
            "revoque_le",
        ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "nom",
                "portee",
                "ressources",
                "territoire",
                "role_territoire",
                "structure",
                "tiers",
                "compte_partenaire",
            ]
        return [*self.get_readonly_fields(request, obj), "utilise_le"]

    def save_model(self, request, obj, form, change):
        if change:
            return
        jeton, secret = services.creer_jeton(
            par=request.user,
            nom=form.cleaned_data["nom"],
            portee=form.cleaned_data["portee"],
            ressources=form.cleaned_data["ressources"],
            territoire=form.cleaned_data.get("territoire"),
            structure=form.cleaned_data.get("structure"),
            tiers=form.cleaned_data.get("tiers"),
            role_territoire=form.cleaned_data.get("role_territoire") or None,
            compte_partenaire=form.cleaned_data.get("compte_partenaire"),
        )
        obj.pk = jeton.pk
        obj._secret = secret

    def response_add(self, request, obj, post_url_continue=None):
        # Shown on this page only: not in a message (kept in a cookie or the session), never again.
        jeton = JetonAPI.objects.get(pk=obj.pk)
        contexte = {**self.admin_site.each_context(request), "jeton": jeton, "secret": obj._secret, "opts": self.opts}
        return TemplateResponse(request, "api/admin/secret.html", contexte)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Révoquer les jetons choisis")
    def revoquer(self, request, queryset):
        for jeton in queryset.actifs():
            services.revoquer_jeton(jeton=jeton)
        self.message_user(request, "Jetons révoqués : ils ne sont plus acceptés.", messages.SUCCESS)
