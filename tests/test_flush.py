"""The flush between transactional tests (tests/flush.py, wired in
tests/conftest.py): on PostgreSQL it empties only the tables a test wrote to,
guarded ones included, keeps what post_migrate makes, leaves the draw's
guards on, and gives way to Django's own flush when a test changed what
post_migrate makes. Each test calls the command as the test teardown does."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from events.models import Draw, LogEntry
from tests.events.factories import gathering_drawn

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def teardown_flush():
    # The arguments TransactionTestCase._fixture_teardown passes.
    call_command(
        "flush",
        verbosity=0,
        interactive=False,
        database="default",
        reset_sequences=False,
        allow_cascade=False,
        inhibit_post_migrate=False,
    )


def rows_by_table() -> dict[str, int]:
    tables = connection.introspection.django_table_names(
        only_existing=True, include_views=False
    )
    counts = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return {table: count for table, count in counts.items() if count}


def post_migrate_rows() -> tuple[list, list]:
    return (
        list(
            ContentType.objects.order_by("pk").values_list("pk", "app_label", "model")
        ),
        list(
            Permission.objects.order_by("pk").values_list(
                "pk", "content_type_id", "codename", "name"
            )
        ),
    )


def test_the_flush_empties_every_table_a_test_wrote_to_guarded_ones_included():
    teardown_flush()  # the session's first flush may be Django's own
    gathering_drawn()
    assert Draw.objects.exists() and LogEntry.objects.exists()

    teardown_flush()

    assert set(rows_by_table()) == {"django_content_type", "auth_permission"}


def test_the_flush_keeps_the_content_types_and_permissions_as_they_were():
    teardown_flush()
    before = post_migrate_rows()
    assert before[0] and before[1]
    gathering_drawn()

    teardown_flush()

    # Django's flush would have made them again under new ids.
    assert post_migrate_rows() == before


def test_after_the_flush_the_draw_guards_still_refuse():
    teardown_flush()
    gathering, _ = gathering_drawn()
    teardown_flush()
    gathering, _ = gathering_drawn()

    with pytest.raises(IntegrityError), transaction.atomic():
        Draw.objects.filter(gathering=gathering).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        LogEntry.objects.filter(community_id=gathering.community_id).delete()
    assert Draw.objects.filter(gathering=gathering).exists()


def test_a_test_that_changed_a_permission_gets_django_s_flush():
    teardown_flush()
    _, permissions = post_migrate_rows()
    made = Permission.objects.create(
        content_type=ContentType.objects.get_for_model(Draw),
        codename="made_by_a_test",
        name="made by a test",
    )

    teardown_flush()

    assert not Permission.objects.filter(codename=made.codename).exists()
    # post_migrate made every permission again (new ids, same content).
    _, again = post_migrate_rows()
    assert {row[2:] for row in again} == {row[2:] for row in permissions}
    assert set(rows_by_table()) == {"django_content_type", "auth_permission"}
