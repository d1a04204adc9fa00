"""Staff roles: the Office and Core team groups and the permissions each holds.

The groups are defined here, in code, and ``sync_roles`` makes the database
match: a data migration calls it, and so does every later ``migrate`` (through
``post_migrate``), so a role gains a permission as soon as the model behind
it is installed. Permissions are named by app label and codename because some
models (vetting) may not exist yet; those are skipped and reported.
"""

import logging
from dataclasses import dataclass, field

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, router, transaction

logger = logging.getLogger(__name__)

OFFICE = "Office"
CORE_TEAM = "Core team"

# Least privilege: each role holds only what its work needs. The core team
# matches pairs, so it reads applications and enrolments but never contacts
# (no view_contact_details), letters or people's records.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    OFFICE: {
        "applications": ("view_application", "vet_application", "view_contact_details"),
        "core": (
            "view_person",
            "change_person",
            "view_programmesettings",
            "change_programmesettings",
            "view_auditevent",
        ),
        "letters": (
            "view_lettertemplate",
            "change_lettertemplate",
            "view_letter",
            "resend_letter",
            "view_letterbatch",
            "approve_letterbatch",
            "view_certificate",
        ),
        "vetting": ("view_enrolment", "view_vettingdecision"),
        "matching": ("view_pairing", "end_pairing", "view_pairingreview"),
        "feedback": (
            "view_questionnaire",
            "change_questionnaire",
            "view_question",
            "add_question",
            "change_question",
            "delete_question",
            "view_response",
        ),
        "meetings": ("view_checkin", "resolve_checkin_alert"),
    },
    CORE_TEAM: {
        "applications": ("view_application",),
        "vetting": ("view_enrolment",),
        "matching": ("view_pairing", "propose_pairing", "review_pairing", "view_pairingreview"),
        "feedback": ("view_response",),
        "meetings": ("view_checkin",),
    },
}


@dataclass
class RoleSyncResult:
    """Outcome of ``sync_roles`` for one group: permissions set and permissions skipped."""

    group: str
    granted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def ensure_permissions(apps: Apps, using: str) -> None:
    """Create the permission rows for every app that a role refers to.

    Django creates permissions after all migrations have run, so on a fresh
    database a data migration would otherwise find none of them.
    """
    labels = {label for permissions in ROLE_PERMISSIONS.values() for label in permissions}
    for app_config in apps.get_app_configs():
        if app_config.label not in labels:
            continue
        # App configs in a migration's historical state have no models module,
        # and create_permissions skips such apps.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        try:
            create_permissions(app_config, verbosity=0, using=using, apps=apps)
        finally:
            app_config.models_module = models_module


def sync_roles(apps: Apps = global_apps, using: str = DEFAULT_DB_ALIAS) -> list[RoleSyncResult]:
    """Create the role groups and set each one's permissions to exactly those listed.

    Permissions added to a group by hand are removed. Permissions whose model
    is not installed yet are skipped and listed in the result as missing.
    """
    try:
        group_model = apps.get_model("auth", "Group")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        # The auth tables are not in this migration state (migrating to zero).
        return []
    if not router.allow_migrate_model(using, group_model):
        return []

    ensure_permissions(apps, using)

    results = []
    with transaction.atomic(using=using):
        for group_name, wanted in ROLE_PERMISSIONS.items():
            result = RoleSyncResult(group=group_name)
            permissions = []
            for app_label, codenames in wanted.items():
                found = {
                    permission.codename: permission
                    for permission in permission_model.objects.using(using).filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                }
                for codename in codenames:
                    name = f"{app_label}.{codename}"
                    if codename in found:
                        permissions.append(found[codename])
                        result.granted.append(name)
                    else:
                        result.missing.append(name)

            group, _ = group_model.objects.using(using).get_or_create(name=group_name)
            group.permissions.set(permissions)
            results.append(result)
            if result.missing:
                # Expected while migrate runs, before the later apps' tables
                # exist; the post_migrate sync at the end grants them.
                logger.debug(
                    "Role %s: skipped permissions whose model is not installed: %s",
                    group_name,
                    ", ".join(result.missing),
                )
    return results


def sync_roles_after_migrate(
    sender, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs
) -> None:
    """Re-sync the roles after ``migrate`` or ``flush`` (a ``post_migrate`` receiver).

    ``flush`` sends the signal without ``apps``, so the installed apps are the default.
    """
    sync_roles(apps=apps, using=using)
