from django.apps import AppConfig


class RemunerationsConfig(AppConfig):
    name = "remunerations"
    verbose_name = "Rémunération des stagiaires"
