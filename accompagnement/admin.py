from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Accompagnement,
    ActionCollective,
    CoReferent,
    Diagnostic,
    Entretien,
    EvaluationObjectif,
    EvaluationPartagee,
    Objectif,
)


@admin.register(Accompagnement)
class AccompagnementAdmin(SimpleHistoryAdmin):
    list_display = ["resident", "modalite", "referent", "structure", "date_debut", "date_fin"]
    list_filter = ["modalite", "structure"]
    raw_id_fields = ["resident", "precedent"]


@admin.register(Entretien)
class EntretienAdmin(SimpleHistoryAdmin):
    list_display = ["accompagnement", "type", "date_heure", "statut"]
    list_filter = ["type", "statut"]
    raw_id_fields = ["accompagnement", "objectifs"]


for model in (CoReferent, ActionCollective, Objectif, EvaluationObjectif, EvaluationPartagee, Diagnostic):
    admin.site.register(model, SimpleHistoryAdmin)
