from django.db import migrations

from programme.core.roles import sync_roles


def create_roles(apps, schema_editor):
    sync_roles(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    """Create the Office and Core team groups with their permissions.

    Permissions of apps migrated later are added by the post_migrate sync.
    """

    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("applications", "0001_initial"),
        ("letters", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the groups: they are harmless without the code that uses them.
        migrations.RunPython(create_roles, migrations.RunPython.noop),
    ]
