from django.contrib import admin

from .models import JournalAcces


@admin.register(JournalAcces)
class JournalAccesAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence, nobody edits it (the database refuses it anyway)."""

    list_display = ["horodatage", "identifiant", "role", "action", "type_objet", "objet_id", "resident_id", "detail"]
    list_filter = ["action", "role"]
    search_fields = ["identifiant"]
    date_hierarchy = "horodatage"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
