"""Response templates and canned reasons now belong to ``triage`` (state only, see
``triage/migrations/0001_initial.py``): their tables stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0004_lean_indexes'),
        ('triage', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='CannedReason'),
                migrations.DeleteModel(name='ResponseTemplate'),
            ],
            database_operations=[],
        ),
    ]
