"""Threads and comments rendered again with the CJK-friendly emphasis rule
(issue 14, defect 1): ``**증분 매출(홀드아웃 테스트)**로`` stored with its
asterisks becomes bold. Mentions keep the links they had.

Rendered pages need no purge: the fragment caches are keyed by the stored
HTML itself (community.fragments), and kept anonymous pages expire within
seconds (community.page_cache)."""

from django.db import migrations

from community.markdown import markdown_rerender

BATCH = 500


def rerender(apps, schema_editor):
    for name in ("Thread", "Comment"):
        model = apps.get_model("community", name)
        changed = []
        rows = model.objects.only("pk", "body", "body_html").order_by("pk")
        for row in rows.iterator(chunk_size=BATCH):
            html = markdown_rerender(row.body, stored_html=row.body_html)
            if html != row.body_html:
                row.body_html = html
                changed.append(row)
            if len(changed) >= BATCH:
                model.objects.bulk_update(changed, ["body_html"])
                changed = []
        model.objects.bulk_update(changed, ["body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0011_member_left_data_export"),
    ]

    operations = [
        migrations.RunPython(rerender, migrations.RunPython.noop, elidable=True),
    ]
