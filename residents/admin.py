from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Consentement, Menage, Resident


@admin.register(Resident)
class ResidentAdmin(SimpleHistoryAdmin):
    list_display = ["nom", "prenom", "date_naissance", "structure"]
    list_filter = ["structure"]
    search_fields = ["nom_recherche"]


admin.site.register(Consentement, SimpleHistoryAdmin)
admin.site.register(Menage, SimpleHistoryAdmin)
