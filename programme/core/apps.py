from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "programme.core"
    label = "core"
    verbose_name = "Programme"

    def ready(self) -> None:
        from programme.core import checks  # noqa: F401  (registers the system checks)
        from programme.core.roles import sync_roles_after_migrate

        # Sent once per migrate, for this app only: sync_roles creates the
        # permissions of the apps it needs itself.
        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="programme.core.sync_roles"
        )
