# Built-in board and role-community names are shown translated
# (community/names.py). The column stays as it was: only how the model reads
# it changes, so the database is left alone.

import community.names
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('community', '0015_notification_facts_from_text'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='board',
                    name='name',
                    field=community.names.BuiltinNameField(catalogue='board', key_field='slug', max_length=40, verbose_name='name'),
                ),
                migrations.AlterField(
                    model_name='board',
                    name='description',
                    field=community.names.BuiltinNameField(blank=True, catalogue='board description', key_field='slug', max_length=200, verbose_name='description'),
                ),
                migrations.AlterField(
                    model_name='community',
                    name='name',
                    field=community.names.BuiltinNameField(catalogue='role community', key_field='role', max_length=80, verbose_name='name'),
                ),
            ],
            database_operations=[],
        ),
    ]
