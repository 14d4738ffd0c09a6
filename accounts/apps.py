from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "comptes"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_prolongee_a_la_connexion

        user_logged_in.connect(session_prolongee_a_la_connexion, dispatch_uid="session_prolongee_a_la_connexion")
