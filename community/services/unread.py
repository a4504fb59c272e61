"""Recording how far a member has read a thread (models.ThreadRead)."""

from django.db import connection
from django.utils import timezone

from community.models import ThreadRead


def thread_read_move(
    *, member_id: int, thread_id: int, shown: int, known: int | None
) -> bool:
    """Move ``member_id``'s position in ``thread_id`` to ``shown`` (how far
    the page read it, selectors.unread.read_up_to) if that is further than
    ``known``, the position the page read (None: never opened). One
    statement, none when nothing moved: an upsert that only ever moves the
    position forward, so two pages read at once cannot move it back and no
    read-then-write race loses a move. Returns whether it wrote."""
    if known is not None and shown <= known:
        return False
    table = connection.ops.quote_name(ThreadRead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (member_id, thread_id, last_comment_id, read_at)"  # noqa: S608 (our table's name)
            " VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (member_id, thread_id) DO UPDATE"
            " SET last_comment_id = excluded.last_comment_id,"
            " read_at = excluded.read_at"
            f" WHERE {table}.last_comment_id < excluded.last_comment_id",
            [member_id, thread_id, shown, timezone.now()],
        )
    return True
