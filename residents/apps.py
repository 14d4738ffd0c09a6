from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = "personnes accompagnées"
