"""What is new and unread for a member: every count of unread tracking is
read here, from the member's last-read positions (models.ThreadRead).

- A thread is *unread* for a member who has opened it when visible comments
  by others came after their position (the highest comment id a page of it
  showed them); its unread count is the number of those comments.
- A thread is *new* for a member who has never opened it when someone else
  started it after the member joined the community and within NEW_WINDOW
  (Discourse calls a topic new for two days of activity; a week suits
  members who drop by on their way to work a few times a week).

Only members in good standing (``reader``) are tracked: a member who left
or is banned sees none of it, and their rows are kept for a return. Lists
leave threads out by follow level in ``list_marks``, every count and row
alike (community.follows: muted threads show nothing, normal ones no unread
count); a thread's own page applies the same levels to its divider.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from community import follows
from community.models import (
    Comment,
    Member,
    Thread,
    ThreadRead,
    Visibility,
)
from community.selectors.threads import COMMENTS_PER_PAGE

NEW_WINDOW = timedelta(days=7)


class ThreadUnread(NamedTuple):
    """A thread's state for its row: never opened and new, or the number of
    unread comments and the first of them (None when all is read)."""

    is_new: bool
    unread: int
    first_unread: int | None


class ListCounts(NamedTuple):
    new: int
    unread: int


def reader(access) -> Member | None:
    """The member whose unread state a community's pages show and whose
    reading is recorded there: a member in good standing, else None."""
    if access is None or not access.is_member or access.banned is not None:
        return None
    return access.member


def new_since(access, *, now: datetime | None = None) -> datetime:
    """Threads started after this are new to the member (if never opened)."""
    now = now or timezone.now()
    return max(access.membership.joined_at, now - NEW_WINDOW)


class ListMarks(NamedTuple):
    """A list's unread marks: the rows' states (only rows that are new or
    have unread comments), the list's counts and the reader's follow level
    of the list's community or board (what the page's follow control
    shows: follows.target_level); empty for a reader who is not tracked."""

    states: dict[int, ThreadUnread]
    counts: ListCounts | None
    level: str | None = None


NOTHING = ListMarks({}, None)


def _surely_tracked(alias: str, member_id: int, levels) -> tuple[str, list]:
    """SQL and its parameters: true when the thread ``alias`` is surely at
    one of ``levels`` of follow without asking the rule
    (follows.threads_surely_at_sql), false when its level must be read."""
    return follows.threads_surely_at_sql(alias, member_id, levels) or ("1 = 0", [])


def _unread_comment(alias: str, member_id: int) -> tuple[str, list]:
    """SQL and its parameters: the comment ``alias`` counts as unread once
    after a position: visible, and not the member's own."""
    return (
        f"{alias}.visibility = %s AND {alias}.author_id <> %s",
        [str(Visibility.VISIBLE), member_id],
    )


# The three kinds of threads list_marks reads: the community's (board's)
# new ones and those with unread comments, counted, and the listed rows.
_NEW, _UNREAD, _ROW = 1, 2, 3


def list_marks(*, access, thread_ids: list[int], board=None) -> ListMarks:
    """The reader's (``reader``) marks on a list of ``thread_ids`` of the
    community (or of ``board``): which rows are new, how many comments of
    each are unread and the first of them, and how many threads of the
    whole community (board) are new and unread, and the reader's follow
    level of the community (board), which the page's control shows (a
    tracked reader is one who may choose a level: follow_shown). One
    statement, none without a tracked reader.

    Follow levels (community.follows) decide what shows: a row is new, and
    counted in "N new", at any level but muted; its unread comments are
    counted, on the row and in "M unread", only at watching and tracking
    (follows.NEW_LEVELS and UNREAD_LEVELS say why). Only visible threads
    show either.

    The statement first finds the threads that may show a mark or count,
    whatever their level: the community's (board's) threads new to the
    reader, those with unread comments, and the listed rows that are new
    or were opened before. The rule of follow levels is then written once
    and asked once of each of them (of the counted ones only when
    follows.threads_surely_at_sql cannot answer for the reader): the rule
    is the dearest part of the statement to plan, and PostgreSQL plans
    each copy of it anew.

    Written in SQL rather than the ORM: these pages are read by every
    member, and building these subqueries with the ORM cost more Python
    calls than the rest of the page (bench/forum.py). Only our own table
    and column names are written into it; every value is a parameter."""
    member = reader(access)
    if member is None:
        return NOTHING
    m = member.pk
    ops = connection.ops
    since = ops.adapt_datetimefield_value(new_since(access))
    thread = ops.quote_name(Thread._meta.db_table)
    read = ops.quote_name(ThreadRead._meta.db_table)
    comment = ops.quote_name(Comment._meta.db_table)
    visible = str(Visibility.VISIBLE)
    if board is not None:
        scope, scope_id = "board_id", board.pk
    else:
        scope, scope_id = "community_id", access.community.pk
    # Each kind's rows carry what the rule reads of a thread
    # (follows.thread_level_sql) and the reader's position.
    columns = "{t}.id, {t}.community_id, {t}.board_id, {t}.author_id, %s"
    c3_sql, c3_params = _unread_comment("c3", m)
    # A thread started within the window is last active within it too: the
    # second bound lets the list's index on last activity find them.
    kinds = [
        (
            f"SELECT {columns.format(t='t2')}, CAST(NULL AS BIGINT)"  # noqa: S608 (our names)
            f" FROM {thread} t2 WHERE t2.{scope} = %s AND t2.visibility = %s"
            " AND t2.created_at >= %s AND t2.last_activity_at >= %s"
            f" AND t2.author_id <> %s AND NOT EXISTS (SELECT 1 FROM {read} r2"
            " WHERE r2.thread_id = t2.id AND r2.member_id = %s)",
            [_NEW, scope_id, visible, since, since, m, m],
        ),
        (
            f"SELECT {columns.format(t='t3')}, r3.last_comment_id"  # noqa: S608 (our names)
            f" FROM {read} r3 INNER JOIN {thread} t3 ON t3.id = r3.thread_id"
            f" WHERE r3.member_id = %s AND t3.{scope} = %s AND t3.visibility = %s"
            f" AND EXISTS (SELECT 1 FROM {comment} c3"
            " WHERE c3.thread_id = r3.thread_id"
            f" AND c3.id > r3.last_comment_id AND {c3_sql})",
            [_UNREAD, m, scope_id, visible, *c3_params],
        ),
    ]
    ids = [int(pk) for pk in thread_ids]
    if ids:
        # Only the listed rows that may show a mark: either opened before
        # (their unread comments counted, and the first) or never opened
        # and started by someone else within the window (new).
        kinds.append(
            (
                f"SELECT {columns.format(t='t')}, r.last_comment_id"  # noqa: S608 (our names)
                f" FROM {thread} t LEFT OUTER JOIN {read} r"
                " ON r.thread_id = t.id AND r.member_id = %s"
                f" WHERE t.id IN ({', '.join(['%s'] * len(ids))})"
                " AND t.visibility = %s AND (r.last_comment_id IS NOT NULL"
                " OR (t.author_id <> %s AND t.created_at >= %s))",
                [_ROW, m, *ids, visible, m, since],
            )
        )
    found_sql = " UNION ALL ".join(sql for sql, _ in kinds)
    found_params = [p for _, params in kinds for p in params]
    level, level_params = follows.thread_level_sql("f", m)
    new_sql, new_params = _surely_tracked("f", m, follows.NEW_LEVELS)
    unread_sql, unread_params = _surely_tracked("f", m, follows.UNREAD_LEVELS)
    # The level is NULL where the shortcut answered (a counted thread at one
    # of the levels counted, surely): never for a listed row.
    leveled = (
        "SELECT f.id, f.kind, f.pos, CASE WHEN f.kind = %s"  # noqa: S608 (our names)
        f" OR NOT (CASE WHEN f.kind = %s THEN {new_sql} ELSE {unread_sql} END)"
        f" THEN {level} END AS level FROM found f"
    )
    leveled_params = [
        _ROW,
        _NEW,
        *new_params,
        *unread_params,
        *level_params,
    ]

    def counted(kind: int, levels) -> tuple[str, list]:
        marks = ", ".join(["%s"] * len(levels))
        return (
            "(SELECT COUNT(*) FROM leveled l WHERE l.kind = %s"  # noqa: S608 (our names)
            f" AND (l.level IS NULL OR l.level IN ({marks})))",
            [kind, *(str(level) for level in levels)],
        )

    new_count, new_count_params = counted(_NEW, follows.NEW_LEVELS)
    unread_count, unread_count_params = counted(_UNREAD, follows.UNREAD_LEVELS)
    # The list's own level (follows.target_level_sql) sits beside the
    # counts: a scalar of parameters only, asked once.
    target_sql, target_params = follows.target_level_sql(
        member, community=access.community, board=board
    )
    c_sql, c_params = _unread_comment("c", m)
    after = f"FROM {comment} c WHERE c.thread_id = x.id AND c.id > x.pos AND {c_sql}"
    # The counts and the level sit on the one row of the outer select,
    # whether or not any listed row comes back (a page with nothing to
    # mark): one statement either way.
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH found (id, community_id, board_id, author_id, kind, pos)"  # noqa: S608 (our names)
            f" AS ({found_sql}), leveled AS ({leveled})"
            f" SELECT {new_count}, {unread_count}, {target_sql},"
            " x.id, x.pos, x.level,"
            f" CASE WHEN x.pos IS NOT NULL THEN (SELECT COUNT(*) {after}) ELSE 0 END,"
            f" CASE WHEN x.pos IS NOT NULL THEN (SELECT MIN(c.id) {after}) END"
            " FROM (SELECT 1 AS one) o LEFT OUTER JOIN"
            " (SELECT l.id, l.pos, l.level FROM leveled l WHERE l.kind = %s) x"
            " ON 1 = 1",
            [
                *found_params,
                *leveled_params,
                *new_count_params,
                *unread_count_params,
                *target_params,
                *c_params,
                *c_params,
                _ROW,
            ],
        )
        found = cursor.fetchall()
    states = {}
    for _new, _unread, _target, pk, position, level, unread_count, first in found:
        if pk is None:
            continue
        if position is None:
            if level in follows.NEW_LEVELS:
                states[pk] = ThreadUnread(True, 0, None)
        elif unread_count and level in follows.UNREAD_LEVELS:
            states[pk] = ThreadUnread(False, unread_count, first)
    new, unread, target = found[0][:3]
    return ListMarks(states, ListCounts(new, unread), target)


def first_unread_page(*, access, thread: Thread, moderator: bool) -> int:
    """The page of ``thread`` (as comment_rows pages it for this reader)
    holding the reader's first unread comment; 1 when there is none or the
    thread was never opened. One statement: the first unread comment after
    the position, and the time of its top-level comment (its own, if it is
    one); the page is the count of top-level comments before that one."""
    member = reader(access)
    if member is None:
        return 1
    ops = connection.ops
    comment = ops.quote_name(Comment._meta.db_table)
    read = ops.quote_name(ThreadRead._meta.db_table)
    unread_sql, unread_params = _unread_comment("c", member.pk)
    shown, shown_params = (
        ("", [])
        if moderator
        else (
            " AND b.visibility = %s",
            [str(Visibility.VISIBLE)],
        )
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {comment} b"  # noqa: S608 (our names)
            " WHERE b.thread_id = %s AND b.parent_id IS NULL"
            f"{shown} AND (b.created_at < f.created_at"
            " OR (b.created_at = f.created_at AND b.id < f.root)))"
            " FROM (SELECT COALESCE(c.parent_id, c.id) AS root,"
            " COALESCE(p.created_at, c.created_at) AS created_at"
            f" FROM {comment} c LEFT OUTER JOIN {comment} p ON p.id = c.parent_id"
            f" WHERE c.thread_id = %s AND c.id > (SELECT r.last_comment_id"
            f" FROM {read} r WHERE r.member_id = %s AND r.thread_id = %s)"
            f" AND {unread_sql} ORDER BY c.id LIMIT 1) f",
            [
                thread.pk,
                *shown_params,
                thread.pk,
                member.pk,
                thread.pk,
                *unread_params,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return 1
    return row[0] // COMMENTS_PER_PAGE + 1


def skipped_sql(
    *, member_id: int, thread_id: int, below: int, roots: str
) -> tuple[str, list]:
    """SQL and its parameters of a scalar subquery: the first unread comment
    (``_unread_comment``) of the thread after the member's position (0 when
    never opened) and before ``below`` (the highest id a page shows) that
    the page does not show; NULL when there is none. read_up_to stops the
    position before it. A page shows the comments whose root (their own
    id, or their top-level comment's) is one of its top-level comments
    (``roots``: SQL of their ids), visible ones at least, and an unread
    comment is a visible one: it is shown exactly when its root is there.
    Read with the member's marks (selectors.threads.thread_member_marks),
    so it costs no query of its own."""
    ops = connection.ops
    comment = ops.quote_name(Comment._meta.db_table)
    read = ops.quote_name(ThreadRead._meta.db_table)
    unread_sql, unread_params = _unread_comment("c", member_id)
    return (
        f"SELECT MIN(c.id) FROM {comment} c WHERE c.thread_id = %s"  # noqa: S608 (our names)
        f" AND c.id > COALESCE((SELECT r.last_comment_id FROM {read} r"
        " WHERE r.member_id = %s AND r.thread_id = %s), 0)"
        f" AND c.id < %s AND COALESCE(c.parent_id, c.id) NOT IN ({roots})"
        f" AND {unread_sql}",
        [thread_id, member_id, thread_id, below, *unread_params],
    )


def read_up_to(*, shown: list[int], known: int | None, skipped: int | None) -> int:
    """Where a page showing the comments ``shown`` moves the member's
    position in a thread from ``known`` (None: never opened): to the
    highest of them, but never past an unread comment the page did not
    show (``skipped``, the first of them: ``skipped_sql``, read with the
    member's marks). Pages are ordered by their top-level comments' time
    with replies under them, so a late reply to an early comment shows on
    page 1 ahead of page 2's comments with lower ids: the position stops
    just before the first of those. ``known`` (0 for None) when the page
    shows nothing newer. No query."""
    top, start = max(shown, default=0), known or 0
    if top <= start:
        return start
    return top if skipped is None else skipped - 1
