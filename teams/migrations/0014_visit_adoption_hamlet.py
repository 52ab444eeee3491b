"""Visits and adoptions carry their household's hamlet, as they carry its province (issue 17: a report
groups a period's visits and first adoptions by hamlet from an index, not through a million households)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLES = ("teams_visit", "teams_historicalvisit", "teams_adoption")


def hamlets_fill(apps, schema_editor):
    """Each row takes its household's hamlet (one set-based UPDATE per table)."""
    connection = schema_editor.connection
    household = connection.ops.quote_name("households_household")
    with connection.cursor() as cursor:
        for table in TABLES:
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"UPDATE {quoted} AS r SET hamlet_id = h.hamlet_id"
                    f" FROM {household} AS h WHERE h.id = r.household_id"
                )
            else:
                cursor.execute(
                    f"UPDATE {quoted} SET hamlet_id = (SELECT h.hamlet_id FROM {household} AS h"
                    f" WHERE h.id = {quoted}.household_id)"
                )


class Migration(migrations.Migration):
    dependencies = [
        ("households", "0006_household_client_uuid"),
        ("teams", "0013_visit_province_date_order"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="adoption",
            name="hamlet",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.hamlet",
                verbose_name="hamlet",
            ),
        ),
        migrations.AddField(
            model_name="historicalvisit",
            name="hamlet",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="households.hamlet",
                verbose_name="hamlet",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="hamlet",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.hamlet",
                verbose_name="hamlet",
            ),
        ),
        migrations.RunPython(hamlets_fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="adoption",
            name="hamlet",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.hamlet",
                verbose_name="hamlet",
            ),
        ),
        migrations.AlterField(
            model_name="visit",
            name="hamlet",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="households.hamlet",
                verbose_name="hamlet",
            ),
        ),
        migrations.AddIndex(
            model_name="adoption",
            index=models.Index(
                fields=["hamlet", "first_adopted_on"], include=("service",), name="adoption_hamlet_date"
            ),
        ),
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("voided_at__isnull", True)),
                fields=["hamlet", "visited_on"],
                include=("household",),
                name="visit_hamlet_counted",
            ),
        ),
    ]
