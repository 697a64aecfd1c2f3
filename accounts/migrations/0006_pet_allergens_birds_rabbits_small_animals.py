"""Load the reference data again: birds, rabbits and small animals join the pet allergens."""

from django.db import migrations


def load(apps, schema_editor):
    from importlib import import_module

    import_module("accounts.migrations.0002_reference_data").load(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_student_wishes_home_facts")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
