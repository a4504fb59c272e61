"""Gathering descriptions rendered again with the CJK-friendly emphasis
rule (issue 14, defect 1), as community 0012 does for threads and
comments."""

from django.db import migrations

from community.markdown import markdown_render

BATCH = 500


def rerender(apps, schema_editor):
    model = apps.get_model("events", "Gathering")
    changed = []
    rows = model.objects.only("pk", "description", "description_html")
    for row in rows.order_by("pk").iterator(chunk_size=BATCH):
        html = markdown_render(row.description) if row.description else ""
        if html != row.description_html:
            row.description_html = html
            changed.append(row)
        if len(changed) >= BATCH:
            model.objects.bulk_update(changed, ["description_html"])
            changed = []
    model.objects.bulk_update(changed, ["description_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0012_fairness_overbooking"),
    ]

    operations = [
        migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True),
    ]
