"""Response templates and canned reasons move from ``reports`` to ``triage``.

State only: the tables keep their names (``db_table``) and their rows. The content types
are relabelled so that permissions granted on these models survive the move.
"""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ("cannedreason", "responsetemplate")


def relabel(apps, from_label, to_label):
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label=to_label, model__in=MODELS).exists():
        return
    content_type.objects.filter(app_label=from_label, model__in=MODELS).update(app_label=to_label)


def forwards(apps, schema_editor):
    relabel(apps, "reports", "triage")


def backwards(apps, schema_editor):
    relabel(apps, "triage", "reports")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reports', '0004_lean_indexes'),
        ('routing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CannedReason',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('purpose', models.CharField(choices=[('koordinasi', 'Koordinasi request'), ('decline', 'Declining a koordinasi'), ('return', 'Not our authority (back to triage)'), ('reject', 'Rejection')], max_length=20, verbose_name='purpose')),
                        ('text', models.CharField(max_length=500, verbose_name='text')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='canned_reasons', to='accounts.agency', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'canned reason',
                        'verbose_name_plural': 'canned reasons',
                        'db_table': 'reports_cannedreason',
                        'ordering': ['agency', 'purpose', 'text'],
                        'constraints': [models.UniqueConstraint(fields=('agency', 'purpose', 'text'), name='canned_reason_unique_text')],
                    },
                ),
                migrations.CreateModel(
                    name='ResponseTemplate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('purpose', models.CharField(choices=[('start', 'Start work (proses)'), ('complete', 'Follow-up (selesai)'), ('reject', 'Rejection (ditolak)'), ('ask', 'Question to the reporter')], max_length=20, verbose_name='purpose')),
                        ('title', models.CharField(max_length=120, verbose_name='title')),
                        ('body', models.TextField(max_length=2000, verbose_name='text')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('sort_order', models.PositiveSmallIntegerField(default=100, verbose_name='sort order')),
                        ('category', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='response_templates', to='routing.category', verbose_name='category')),
                    ],
                    options={
                        'verbose_name': 'response template',
                        'verbose_name_plural': 'response templates',
                        'db_table': 'reports_responsetemplate',
                        'ordering': ['purpose', 'sort_order', 'title'],
                        'constraints': [models.UniqueConstraint(fields=('category', 'purpose', 'title'), name='response_template_unique_title', nulls_distinct=False)],
                    },
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
