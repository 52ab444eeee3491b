"""The province's visits in the admin list's order (issue 17): (province, visited_on, recorded_at, id).

It replaces (province, visited_on), whose every use it serves, so a visit still
maintains one index of that kind; it is built before the old one goes.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0012_visit_void"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                fields=["province", "visited_on", "recorded_at", "id"],
                include=["voided_at"],
                name="visit_province_date_order",
            ),
        ),
        migrations.RemoveIndex(model_name="visit", name="visit_province_date"),
    ]
