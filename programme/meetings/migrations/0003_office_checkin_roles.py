from django.db import migrations

from programme.core.roles import sync_roles


def sync_staff_roles(apps, schema_editor):
    sync_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """Give the staff roles their permissions on check-ins and certificates.

    The roles and their permissions are listed in programme/core/roles.py;
    this re-syncs them once the check-in permissions and the certificate's
    PDF column exist. Every later ``migrate`` syncs them again.
    """

    dependencies = [
        ("meetings", "0002_checkin_alert_permission"),
        ("letters", "0004_certificate_pdf"),
        ("core", "0002_staff_roles"),
    ]

    operations = [
        migrations.RunPython(sync_staff_roles, migrations.RunPython.noop),
    ]
