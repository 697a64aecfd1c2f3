"""Load the bilingual reference data of ``accounts.reference_data`` into its tables.

Rows are upserted by code, so a later migration can call ``load`` again after the constants
grow, without touching profiles that point at existing rows."""

from django.db import migrations


def load(apps, schema_editor):
    from accounts import reference_data as ref

    SpokenLanguage = apps.get_model("accounts", "SpokenLanguage")
    Station = apps.get_model("accounts", "Station")
    Diet = apps.get_model("accounts", "Diet")
    Allergen = apps.get_model("accounts", "Allergen")
    Interest = apps.get_model("accounts", "Interest")
    for row in ref.LANGUAGES:
        SpokenLanguage.objects.update_or_create(
            code=row.code, defaults={"name_ja": row.name_ja, "name_en": row.name_en}
        )
    for row in ref.STATIONS:
        Station.objects.update_or_create(
            slug=row.slug,
            defaults={
                "name_ja": row.name_ja,
                "name_en": row.name_en,
                "latitude": row.latitude,
                "longitude": row.longitude,
                "lines": ", ".join(row.lines_en),
            },
        )
    for row in ref.DIETS:
        Diet.objects.update_or_create(
            code=row.code, defaults={"name_ja": row.name_ja, "name_en": row.name_en}
        )
    for row in ref.ALLERGENS:
        Allergen.objects.update_or_create(
            code=row.code,
            defaults={"name_ja": row.name_ja, "name_en": row.name_en, "kind": row.kind},
        )
    for row in ref.INTERESTS:
        Interest.objects.update_or_create(
            slug=row.slug, defaults={"name_ja": row.name_ja, "name_en": row.name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
