from django.contrib import admin

from .models import Digest


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """The day's digests and whether each left: a digest « non envoyé » after its retries shows here
    (filter « état du courriel »); the e-mail itself can be sent again from « Courriels »."""

    list_display = ["jour", "user", "nb_alertes", "etat_du_courriel", "erreur"]
    list_filter = ["jour", "courriel__etat"]
    list_select_related = ["user", "courriel"]
    search_fields = ["user__username", "user__last_name"]
    readonly_fields = ["user", "jour", "nb_alertes", "prepare_le", "courriel"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="état du courriel", ordering="courriel__etat")
    def etat_du_courriel(self, digest):
        return digest.courriel.get_etat_display() if digest.courriel else "—"

    @admin.display(description="erreur")
    def erreur(self, digest):
        return digest.courriel.erreur if digest.courriel else ""
