from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "programme.core"
    label = "core"
    verbose_name = "Programme"

    def ready(self) -> None:
        from programme.core import checks  # noqa: F401  (registers the system checks)
