from django.contrib import admin, messages
from django.db import transaction

from . import services
from .models import Courriel


@admin.register(Courriel)
class CourrielAdmin(admin.ModelAdmin):
    """What was sent, what waits, and what could not be sent after its retries (« non envoyé »)."""

    list_display = ["sujet", "destinataires", "etat", "tentatives", "erreur", "cree_le", "envoye_le"]
    list_filter = ["etat"]
    search_fields = ["sujet", "destinataires"]
    date_hierarchy = "cree_le"
    actions = ["renvoyer"]
    readonly_fields = [f.name for f in Courriel._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Envoyer de nouveau les courriels non envoyés sélectionnés")
    def renvoyer(self, request, queryset):
        with transaction.atomic():
            pks = list(queryset.filter(etat=Courriel.Etat.ECHEC).values_list("pk", flat=True))
            Courriel.objects.filter(pk__in=pks).update(
                etat=Courriel.Etat.EN_ATTENTE, tentatives=0, mis_en_file_le=None, pris_par="", pris_le=None
            )
            transaction.on_commit(lambda: services.confier(pks))
        self.message_user(request, f"{len(pks)} courriel(s) remis à envoyer.", messages.SUCCESS)
