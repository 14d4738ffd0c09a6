from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Candidature,
    FinDePriseEnCharge,
    GarantieTiers,
    Logement,
    PassageRelais,
    ReunionCoordination,
    Synthese,
)


class GarantieInline(admin.TabularInline):
    model = GarantieTiers
    extra = 0


@admin.register(Candidature)
class CandidatureAdmin(SimpleHistoryAdmin):
    list_display = ["resident", "residence", "etape", "statut", "date_candidature"]
    list_filter = ["statut", "etape", "residence"]
    raw_id_fields = ["resident", "accompagnement", "contrat_tripartite"]
    inlines = [GarantieInline]


for modele in (Synthese, ReunionCoordination, Logement, FinDePriseEnCharge, PassageRelais):
    admin.site.register(modele, SimpleHistoryAdmin)
