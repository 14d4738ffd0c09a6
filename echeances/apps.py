from django.apps import AppConfig


class EcheancesConfig(AppConfig):
    name = "echeances"
    verbose_name = "échéances et alertes"

    def ready(self):
        from . import signals

        signals.brancher()
