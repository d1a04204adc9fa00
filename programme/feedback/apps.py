from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "programme.feedback"
    verbose_name = "Feedback"
