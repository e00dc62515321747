from django.db import migrations


def charger(apps, schema_editor):
    from procurement.referentiels import charger_referentiels

    charger_referentiels(apps)


class Migration(migrations.Migration):
    dependencies = [("procurement", "0001_initial")]

    operations = [migrations.RunPython(charger, migrations.RunPython.noop)]
