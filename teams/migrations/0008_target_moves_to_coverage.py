# Targets moved to the coverage app (coverage/migrations/0001_initial.py takes them over).
# State only: the tables teams_target and teams_historicaltarget stay where they are, with their rows.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('teams', '0007_visit_member_date_covering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='target', name='commune'),
                migrations.RemoveField(model_name='target', name='province'),
                migrations.RemoveField(model_name='target', name='service'),
                migrations.RemoveField(model_name='target', name='set_by'),
                migrations.DeleteModel(name='HistoricalTarget'),
                migrations.DeleteModel(name='Target'),
            ],
            database_operations=[],
        ),
    ]
