from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ConditionSortie,
    ContactPartenaire,
    Departement,
    Modalite,
    Parametre,
    Structure,
    SurchargeModalite,
    Territoire,
    TiersPartenaire,
)


@admin.register(Modalite)
class ModaliteAdmin(SimpleHistoryAdmin):
    list_display = [
        "libelle",
        "type_contrat",
        "duree_contrat",
        "renouvellements_max",
        "intervalle_contact",
        "intervalle_rencontre",
        "norme_file_active",
    ]
    list_filter = ["champ"]


@admin.register(ConditionSortie)
class ConditionSortieAdmin(SimpleHistoryAdmin):
    list_display = ["libelle", "modalite", "ordre"]
    list_filter = ["modalite"]


@admin.register(SurchargeModalite)
class SurchargeModaliteAdmin(SimpleHistoryAdmin):
    list_display = ["modalite", "departement", "territoire"]


@admin.register(Parametre)
class ParametreAdmin(SimpleHistoryAdmin):
    list_display = ["code", "valeur", "departement", "territoire"]
    list_filter = ["nature"]


class ContactInline(admin.TabularInline):
    model = ContactPartenaire
    extra = 0


@admin.register(TiersPartenaire)
class TiersPartenaireAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "type", "territoire"]
    inlines = [ContactInline]


@admin.register(Structure)
class StructureAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "type", "territoire"]
    list_filter = ["type", "territoire"]


admin.site.register(Departement, SimpleHistoryAdmin)
admin.site.register(Territoire, SimpleHistoryAdmin)
