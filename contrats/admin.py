from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contrat, Signature, Transition, VersionContrat


class VersionInline(admin.TabularInline):
    model = VersionContrat
    fields = ["numero", "sha256", "figee_le", "figee_par", "pdf"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class TransitionInline(admin.TabularInline):
    model = Transition
    fields = ["le", "action", "etat_avant", "etat_apres", "par", "motif"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Contrat)
class ContratAdmin(SimpleHistoryAdmin):
    list_display = ["accompagnement", "type", "date_debut", "date_fin", "etat"]
    list_filter = ["type", "etat"]
    raw_id_fields = ["accompagnement", "precedent", "partenaire"]
    inlines = [VersionInline, TransitionInline]


@admin.register(Signature)
class SignatureAdmin(SimpleHistoryAdmin):
    list_display = ["version", "partie", "nom_signataire", "methode", "signee_le"]
    readonly_fields = [f.name for f in Signature._meta.fields]
