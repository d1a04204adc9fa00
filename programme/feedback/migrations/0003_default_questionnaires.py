"""Create the six-month and the completion questionnaire with their default questions.

Staff edit both in the admin afterwards. A questionnaire that already exists
is left as it is, so running this on a database that has one changes nothing.
"""

from django.db import migrations

from programme.feedback.defaults import create_default_questionnaires


def create_defaults(apps, schema_editor):
    create_default_questionnaires(
        apps.get_model("feedback", "Questionnaire"), apps.get_model("feedback", "Question")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_question_shown_invitation_per_pairing"),
    ]

    operations = [
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
