from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "programme.matching"
    label = "matching"
    verbose_name = "Matching"
