"""The checks a new installation starts with and its registry policy's one row (approvals for
12 months, academic years from April); the association edits both in the admin."""

from django.db import migrations

CHECKS = [
    # code, Japanese, English, valid for (months; None: for good)
    ("briefing", "説明会への参加", "Briefing attended", 36),
    ("home-visit", "家庭訪問または面談", "Home visit or interview", None),
    ("household-consent", "家族全員の同意", "Household consent", None),
    ("pledge", "誓約書の提出", "Pledge signed", None),
]


def add_checks(apps, schema_editor):
    apps.get_model("accounts", "RegistryPolicy").objects.get_or_create(pk=1)
    VettingCheck = apps.get_model("accounts", "VettingCheck")
    for position, (code, name_ja, name_en, months) in enumerate(CHECKS):
        VettingCheck.objects.get_or_create(
            code=code,
            defaults={
                "name_ja": name_ja,
                "name_en": name_en,
                "valid_months": months,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_registry")]

    operations = [migrations.RunPython(add_checks, migrations.RunPython.noop)]
