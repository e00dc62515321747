"""Fill the stored stipends of the états already there: open ones computed, reconciled ones
totalled from the lines frozen at their acceptance.

This runs the app's own computation (remunerations.stockage) rather than historical models:
it is the reference the stored values must equal. A database without any état (a new one, the
tests) skips it, so that a later migration adding a column never breaks it there.
"""

from django.db import migrations


def remplir(apps, schema_editor):
    if not apps.get_model("remunerations", "EtatRemuneration").objects.exists():
        return
    from remunerations import stockage

    stockage.tout_actualiser()


class Migration(migrations.Migration):
    dependencies = [
        ("remunerations", "0002_lignes_et_totaux_stockes"),
        ("prestataires", "0006_contacts_de_maintien_signales"),
        ("procurement", "0009_index_prescriptions_recentes"),
    ]

    operations = [migrations.RunPython(remplir, migrations.RunPython.noop)]
