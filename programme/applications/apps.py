from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "programme.applications"
    label = "applications"
    verbose_name = "Applications"
