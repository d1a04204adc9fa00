from django.apps import AppConfig


class VettingConfig(AppConfig):
    name = "programme.vetting"
    label = "vetting"
    verbose_name = "Vetting and enrolment"
