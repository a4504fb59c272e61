"""events.bulk.rows_update writes a different value per row in a few
statements, on SQLite and PostgreSQL alike, NULLs and datetimes included."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.bulk import rows_update
from events.models import Application, ApplicationStatus
from tests.events.factories import apply_all, gathering_open, members_joined


def test_each_row_gets_its_own_values_and_the_constants(db):
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 7))
    rows = list(Application.objects.filter(gathering=gathering).order_by("pk"))
    deadline = timezone.now() + timedelta(hours=5)
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        row.status = ApplicationStatus.OFFERED if rank <= 2 else "waitlisted"
        row.offer_expires_at = deadline if rank <= 2 else None
        row.waitlist_position = None if rank <= 2 else rank - 2
    now = timezone.now()
    before = {row.pk: row.sequence for row in rows}

    with CaptureQueriesContext(connection) as queries:
        rows_update(
            Application,
            rows,
            ["rank", "status", "offer_expires_at", "waitlist_position"],
            also={"updated_at": now},
            increment=("sequence",),
        )

    assert len(queries) == 1
    for row in Application.objects.filter(gathering=gathering).order_by("pk"):
        assert row.rank == rows[row.rank - 1].rank
        expected = rows[row.rank - 1]
        assert row.status == expected.status
        assert row.offer_expires_at == expected.offer_expires_at
        assert row.waitlist_position == expected.waitlist_position
        assert row.updated_at == now
        assert row.sequence == before[row.pk] + 1
