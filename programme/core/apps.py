from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "programme.core"
    label = "core"
    verbose_name = "Programme"

    def ready(self) -> None:
        from programme.core import checks  # noqa: F401  (registers the system checks)
        from programme.core.roles import sync_roles_after_migrate

        # Connected to this app's signal only, so the roles sync once per
        # migrate. sync_roles creates the other apps' permissions itself.
        post_migrate.connect(
            sync_roles_after_migrate, sender=self, dispatch_uid="programme.core.sync_roles"
        )
