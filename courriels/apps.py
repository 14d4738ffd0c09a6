from django.apps import AppConfig


class CourrielsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "courriels"
    verbose_name = "courriels"
