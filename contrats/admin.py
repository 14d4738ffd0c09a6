from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contrat


@admin.register(Contrat)
class ContratAdmin(SimpleHistoryAdmin):
    list_display = ["accompagnement", "type", "date_debut", "date_fin", "etat"]
    list_filter = ["type", "etat"]
    raw_id_fields = ["accompagnement", "precedent"]
