from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "programme.letters"
    label = "letters"
    verbose_name = "Letters"
