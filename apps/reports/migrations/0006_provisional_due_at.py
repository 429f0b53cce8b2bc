"""``sla_due_at`` was ``created + days`` and never moved, while breaches come from the SLA
clock: the column is renamed to what it is (the provisional deadline at filing). A rename
keeps every value."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_triage_models_moved'),
    ]

    operations = [
        migrations.RenameField(
            model_name='report',
            old_name='sla_due_at',
            new_name='provisional_due_at',
        ),
        migrations.AlterField(
            model_name='report',
            name='provisional_due_at',
            field=models.DateTimeField(verbose_name='provisional deadline (at filing)'),
        ),
    ]
