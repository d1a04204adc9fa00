from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "programme.meetings"
    verbose_name = "Participants and meetings"
