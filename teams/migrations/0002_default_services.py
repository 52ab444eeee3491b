from django.db import migrations

from teams.catalogue import CATALOGUE, catalogue_install


def add_catalogue(apps, schema_editor):
    catalogue_install(apps.get_model("teams", "Service"))


def remove_catalogue(apps, schema_editor):
    apps.get_model("teams", "Service").objects.filter(code__in=[c[0] for c in CATALOGUE]).delete()


class Migration(migrations.Migration):
    dependencies = [("teams", "0001_initial")]
    operations = [migrations.RunPython(add_catalogue, remove_catalogue)]
