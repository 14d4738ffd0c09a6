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
    ValeursModalite,
)


class VersionAdmin(SimpleHistoryAdmin):
    """Versions are prepared on the référentiel's page (pilotage:referentiel), which shows their impact
    first; here they are read, and an upcoming one may be corrected. One in force or past is never edited
    (it would change what was computed with it), only superseded."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.modifiable())

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.modifiable())


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
    # The values of origin: changed from a date by a version (pilotage:referentiel), never in place.
    readonly_fields = [f.name for f in ValeursModalite._meta.get_fields()] + ["source"]


@admin.register(ConditionSortie)
class ConditionSortieAdmin(SimpleHistoryAdmin):
    list_display = ["libelle", "modalite", "ordre"]
    list_filter = ["modalite"]


@admin.register(SurchargeModalite)
class SurchargeModaliteAdmin(VersionAdmin):
    list_display = ["modalite", "departement", "territoire", "en_vigueur_le", "source"]
    list_filter = ["modalite"]


@admin.register(Parametre)
class ParametreAdmin(VersionAdmin):
    list_display = ["code", "valeur", "departement", "territoire", "en_vigueur_le", "source"]
    list_filter = ["nature", "code"]


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
