"""Reads for boards, threads, comments and bookmarks. Every list runs a fixed
number of queries whatever its length (tests pin them at two sizes)."""

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connection, connections, router
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.utils import create_namedtuple_class

from community.models import (
    AuditEntry,
    Board,
    Bookmark,
    Comment,
    Community,
    Member,
    ModerationAction,
    Reaction,
    Revision,
    Thread,
    ThreadRead,
    ThreadTag,
    Visibility,
)
from community.rawsql import Columns, Statement, counted_page, field_converters
from community.selectors.communities import readable_communities

THREADS_PER_PAGE = 20
COMMENTS_PER_PAGE = 30


class ThreadSort:
    LATEST = "latest"
    POPULAR = "popular"
    UNANSWERED = "unanswered"
    ALL = (LATEST, POPULAR, UNANSWERED)


def visible_threads(community: Community | None = None) -> QuerySet[Thread]:
    """Visible threads (bodies deferred) with their author, board and
    community, of one community or of all."""
    threads = Thread.objects.filter(visibility=Visibility.VISIBLE).select_related(
        "author", "board", "community"
    )
    if community is not None:
        threads = threads.filter(community=community)
    return threads.defer("body", "body_html")


# What a row of a thread list shows (partials/thread_row.html), read as
# plain values: enough to key the list's cached rendering and to render it on
# a miss (community.fragments.thread_rows), without building a thread and an
# author per row. The community is the page's own.
THREAD_ROW_FIELDS = (
    "pk",
    "tag",
    "title",
    "is_pinned",
    "is_locked",
    "created_at",
    "last_activity_at",
    "comment_count",
    "empathy_count",
    "helpful_count",
    "view_count",
    "author__real_name",
    "author__nickname",
    "author__display_mode",
)


def thread_list(
    *,
    community: Community,
    board=None,
    sort: str = ThreadSort.LATEST,
    page: int | str = 1,
) -> Page:
    """A page of visible threads as THREAD_ROW_FIELDS named rows (the
    fields' names as attributes: ``row.author__nickname``): pinned first
    on the latest view, then by the chosen order. One query (the page with
    the count of the list, ``_thread_list_statement``) when the page asked
    for exists; otherwise the Paginator decides as always, with a count and
    a page."""
    if sort not in ThreadSort.ALL:
        sort = ThreadSort.LATEST
    try:
        wanted = min(int(page), PAGE_MAX)
    except (TypeError, ValueError):
        wanted = 0
    if wanted >= 1:
        found = _thread_list_page(
            community=community, board=board, sort=sort, number=wanted
        )
        if found is not None:
            return found
    threads = Thread.objects.filter(visibility=Visibility.VISIBLE)
    if board is not None:
        # ``board`` is one of ``community``'s (the view looks it up there):
        # filtering on the community too would only mislead the planner,
        # which multiplies the two selectivities.
        threads = threads.filter(board=board)
    else:
        threads = threads.filter(community=community)
    if sort == ThreadSort.POPULAR:
        threads = threads.order_by("-hot_score", "-pk")
    elif sort == ThreadSort.UNANSWERED:
        threads = threads.filter(tag=ThreadTag.QUESTION, comment_count=0).order_by(
            "-created_at", "-pk"
        )
    else:
        threads = threads.order_by("-is_pinned", "-last_activity_at", "-pk")
    return Paginator(
        threads.values_list(*THREAD_ROW_FIELDS, named=True), THREADS_PER_PAGE
    ).get_page(page)


# The named rows values_list(*THREAD_ROW_FIELDS, named=True) makes.
_THREAD_ROW = create_namedtuple_class(*THREAD_ROW_FIELDS)


def _thread_list_page(*, community, board, sort: str, number: int) -> Page | None:
    """Page ``number`` of thread_list, its rows and the count of the whole
    list read in one statement; None when that page has no rows (past the
    end, or no threads at all: the Paginator then decides)."""
    db = router.db_for_read(Thread)
    connection = connections[db]
    statement = _thread_list_statement(db, sort, board is not None)
    where = [Visibility.VISIBLE, board.pk if board is not None else community.pk]
    if sort == ThreadSort.UNANSWERED:
        where += [ThreadTag.QUESTION, 0]
    offset = (number - 1) * THREADS_PER_PAGE
    return counted_page(
        connection,
        statement,
        statement.sql,
        [*where, *where, THREADS_PER_PAGE, offset],
        row=_THREAD_ROW,
        number=number,
        per_page=THREADS_PER_PAGE,
    )


@functools.cache
def _thread_list_statement(db: str, sort: str, by_board: bool) -> Statement:
    """thread_list's page for ``sort`` on a board (or a whole community),
    with the list's count as a scalar subquery, which the database runs
    once (PostgreSQL's InitPlan, on the same index as the page). Parameters:
    the list's filter twice (visibility, board or community, and for the
    unanswered view the tag and no comments), the page's size and offset.
    Only the models' own table and column names are written in; every
    value is a parameter."""
    connection = connections[db]
    qn = connection.ops.quote_name
    meta = Thread._meta

    def col(alias: str, name: str) -> str:
        return f"{alias}.{qn(meta.get_field(name).column)}"

    fields = [
        ("a", Member._meta.get_field(name.removeprefix("author__")))
        if name.startswith("author__")
        else ("t", meta.pk if name == "pk" else meta.get_field(name))
        for name in THREAD_ROW_FIELDS
    ]

    def where(alias: str) -> str:
        conditions = [
            f"{col(alias, 'visibility')} = %s",
            f"{col(alias, 'board' if by_board else 'community')} = %s",
        ]
        if sort == ThreadSort.UNANSWERED:
            conditions += [
                f"{col(alias, 'tag')} = %s",
                f"{col(alias, 'comment_count')} = %s",
            ]
        return " AND ".join(conditions)

    order = {
        ThreadSort.POPULAR: ["hot_score"],
        ThreadSort.UNANSWERED: ["created_at"],
    }.get(sort, ["is_pinned", "last_activity_at"])
    order_by = ", ".join(f"{col('t', name)} DESC" for name in [*order, "id"])
    select = ", ".join(f"{alias}.{qn(field.column)}" for alias, field in fields)
    thread = qn(meta.db_table)
    sql = (
        f"SELECT {select}, "  # noqa: S608 (names, not input)
        f"(SELECT COUNT(*) FROM {thread} c WHERE {where('c')}) "
        f"FROM {thread} t INNER JOIN {qn(Member._meta.db_table)} a "
        f"ON a.{qn('id')} = {col('t', 'author')} "
        f"WHERE {where('t')} ORDER BY {order_by} LIMIT %s OFFSET %s"
    )
    return Statement(sql, Columns.of(fields, connection))


def thread_recent(*, community: Community, limit: int = 5) -> list[tuple]:
    """The community's latest visible threads, as THREAD_ROW_FIELDS named
    rows (as thread_list). One query."""
    return list(
        Thread.objects.filter(visibility=Visibility.VISIBLE, community=community)
        .order_by("-last_activity_at", "-pk")
        .values_list(*THREAD_ROW_FIELDS, named=True)[:limit]
    )


# What the thread page reads of a thread and the rows it joins: not the
# Markdown source, nor the authors' account fields.
THREAD_PAGE_FIELDS = (
    "community_id",
    "board_id",
    "author_id",
    "tag",
    "title",
    "body_html",
    "visibility",
    "is_pinned",
    "is_locked",
    "helpful_comment_id",
    "comment_count",
    "empathy_count",
    "helpful_count",
    "view_count",
    "created_at",
    "edited_at",
    "board__slug",
    "board__name",
    "helpful_comment__visibility",
    "helpful_comment__body_html",
    *(
        f"{author}__{field}"
        for author in ("author", "helpful_comment__author")
        for field in ("public_id", "real_name", "nickname", "display_mode", "avatar")
    ),
)


def thread_for_page(
    *,
    thread_id: int,
    community: Community,
    moderator: bool,
    author: Member | None = None,
    reading: bool = False,
) -> Thread | None:
    """The thread as its page shows it; hidden and deleted threads only for
    moderators. With ``author``, a thread a moderator hid is also found for
    that member if they wrote it, so the notice of the hiding leads
    somewhere; a thread its author deleted stays gone for them. ``reading``
    (the thread page) loads only THREAD_PAGE_FIELDS; the actions on a thread
    get it whole."""
    if reading:
        return _thread_read(
            thread_id=thread_id, community=community, moderator=moderator, author=author
        )
    # No join for the community: it is the one given (the filter below).
    threads = Thread.objects.select_related(
        "author", "board", "helpful_comment__author"
    )
    if not moderator:
        shown = Q(visibility=Visibility.VISIBLE)
        if author is not None and author.is_authenticated:
            shown |= Q(visibility=Visibility.HIDDEN, author=author)
        threads = threads.filter(shown)
    # [:1] rather than first(): the primary key picks one row, no ORDER BY.
    thread = next(iter(threads.filter(pk=thread_id, community=community)[:1]), None)
    if thread is not None:
        thread.community = community
    return thread


def _thread_read(
    *, thread_id: int, community: Community, moderator: bool, author: Member | None
) -> Thread | None:
    """thread_for_page's thread for its page: the thread, its author, board,
    helpful answer and its author, with THREAD_PAGE_FIELDS loaded (the
    others deferred), in one statement, as select_related and only() read
    them. Written as SQL: the ORM took 4.7k Python calls to build it on
    every page of a thread. Only our own table and column names are
    written into it; every value is a parameter."""
    plan = _thread_page_plan()
    ops = connection.ops
    names = {alias: ops.quote_name(model._meta.db_table) for alias, model, *_ in plan}
    where = "t.id = %s AND t.community_id = %s"
    params: list = [thread_id, community.pk]
    if not moderator:
        if author is not None and author.is_authenticated:
            where += (
                " AND (t.visibility = %s OR (t.visibility = %s AND t.author_id = %s))"
            )
            params += [str(Visibility.VISIBLE), str(Visibility.HIDDEN), author.pk]
        else:
            where += " AND t.visibility = %s"
            params.append(str(Visibility.VISIBLE))
    columns = ", ".join(
        f"{alias}.{ops.quote_name(f.column)}"
        for alias, _model, _via, fields in plan
        for f in fields
    )
    sql = (
        f"SELECT {columns} FROM {names['t']} t"  # noqa: S608 (our names)
        f" INNER JOIN {names['b']} b ON b.id = t.board_id"
        f" INNER JOIN {names['a']} a ON a.id = t.author_id"
        f" LEFT OUTER JOIN {names['h']} h ON h.id = t.helpful_comment_id"
        f" LEFT OUTER JOIN {names['ha']} ha ON ha.id = h.author_id"
        f" WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    db = connection.alias
    made: dict[str, Any] = {}
    at = 0
    for alias, model, via, fields in plan:
        values = list(row[at : at + len(fields)])
        at += len(fields)
        if via is not None and made[via[0]] is None:
            made[alias] = None
            continue
        if values[0] is None:
            # A LEFT JOIN that found nothing (no helpful answer).
            obj = None
        else:
            for n, field in enumerate(fields):
                for converter in _converters(field):
                    values[n] = converter(values[n], None, connection)
            obj = model.from_db(db, [f.attname for f in fields], values)
        made[alias] = obj
        if via is not None:
            # As select_related caches it: no query to read it.
            via[1].set_cached_value(made[via[0]], obj)
    thread = made["t"]
    thread.community = community
    return thread


@functools.cache
def _thread_page_plan() -> tuple:
    """(alias, model, (parent alias, relation) or None, fields) of each row
    _thread_read reads: the concrete fields of THREAD_PAGE_FIELDS (with the
    primary keys and the keys that join them), in each model's field
    order, as Model.from_db takes them."""
    wanted: dict[str, set[str]] = {}
    for name in THREAD_PAGE_FIELDS:
        prefix, _, field = name.rpartition("__")
        wanted.setdefault(prefix, set()).add(field)
    wanted["helpful_comment"].add("author_id")
    thread_field = Thread._meta.get_field
    comment_field = Comment._meta.get_field
    rows = (
        ("t", Thread, None, ""),
        ("b", Board, ("t", thread_field("board")), "board"),
        ("a", Member, ("t", thread_field("author")), "author"),
        ("h", Comment, ("t", thread_field("helpful_comment")), "helpful_comment"),
        (
            "ha",
            Member,
            ("h", comment_field("author")),
            "helpful_comment__author",
        ),
    )
    plan = []
    for alias, model, via, prefix in rows:
        names = wanted[prefix] | {"id"}
        fields = tuple(
            f
            for f in model._meta.concrete_fields
            if f.attname in names or f.name in names
        )
        plan.append((alias, model, via, fields))
    return tuple(plan)


def _converters(field) -> list:
    """What the ORM does to ``field``'s value as the database returns it
    (SQLite: parse a moment and make it aware, make 0/1 a bool; PostgreSQL:
    nothing, which is remembered, as asking costs calls)."""
    plain = (connection.alias, connection.vendor, field)
    if plain in _PLAIN:
        return []
    _expression, found = field_converters("x", field, connection)
    if not found:
        _PLAIN.add(plain)
    return found


# (connection alias, vendor, field) whose values the ORM takes as they come.
_PLAIN: set = set()


def thread_hide_reason(*, thread: Thread) -> str:
    """The reason a moderator gave when last hiding ``thread`` ("" when none
    was given). One query."""
    return (
        AuditEntry.objects.filter(
            thread=thread, action=ModerationAction.HIDE, comment__isnull=True
        )
        .order_by("-created_at", "-pk")
        .values_list("reason", flat=True)
        .first()
        or ""
    )


# What the thread page shows of a comment and its author (display_name
# reads the author's names and display mode): not the Markdown source, nor
# the author's account fields.
COMMENT_PAGE_FIELDS = (
    "thread_id",
    "parent_id",
    "author_id",
    "body_html",
    "visibility",
    "empathy_count",
    "helpful_count",
    "created_at",
    "edited_at",
    "author__public_id",
    "author__real_name",
    "author__nickname",
    "author__display_mode",
    "author__avatar",
)


def comment_tree(
    *, thread: Thread, member: Member | None, moderator: bool, page: int | str = 1
) -> Page:
    """Top-level comments (paged), each with ``reply_list`` (its replies,
    oldest first), authors and the member's own reactions: three queries
    (count, comments, replies) whatever the number of comments."""
    visible = Q() if moderator else Q(visibility=Visibility.VISIBLE)
    replies = (
        Comment.objects.filter(visible)
        .select_related("author")
        .only(*COMMENT_PAGE_FIELDS)
        .order_by("created_at", "pk")
    )
    top = (
        Comment.objects.filter(visible, thread=thread, parent__isnull=True)
        .select_related("author")
        .only(*COMMENT_PAGE_FIELDS)
        .order_by("created_at", "pk")
    )
    if member is not None and member.is_authenticated:
        mine = Reaction.objects.filter(member=member, comment=OuterRef("pk"))
        annotate = {
            "my_empathy": Exists(mine.filter(kind="empathy")),
            "my_helpful": Exists(mine.filter(kind="helpful")),
        }
        top = top.annotate(**annotate)
        replies = replies.annotate(**annotate)
    page = Paginator(top, COMMENTS_PER_PAGE).get_page(page)
    # One query for the replies, grouped here: a Prefetch would clone its
    # queryset for every comment on the page.
    page.object_list = list(page.object_list)
    grouped: dict[int, list[Comment]] = {c.pk: [] for c in page.object_list}
    if grouped:
        for reply in replies.filter(parent_id__in=grouped):
            grouped[reply.parent_id].append(reply)
    for comment in page.object_list:
        comment.reply_list = grouped[comment.pk]
    return page


# What an anonymous reader's comment list shows of each comment, as plain
# values: enough to key its cached rendering (community.fragments) without
# building a model instance per comment. A CommentRow holds them in this
# order.
COMMENT_ROW_FIELDS = (
    "pk",
    "parent_id",
    "created_at",
    "edited_at",
    "visibility",
    "empathy_count",
    "helpful_count",
    "body_html",
    "author_id",
    "author__public_id",
    "author__real_name",
    "author__nickname",
    "author__display_mode",
    "author__avatar",
)


class CommentRow(NamedTuple):
    """A comment as COMMENT_ROW_FIELDS reads it. community.fragments builds
    the same rows from the comments it rendered, so that both key the
    cached list alike."""

    pk: int
    parent_id: int | None
    created_at: datetime
    edited_at: datetime | None
    visibility: str
    empathy_count: int
    helpful_count: int
    body_html: str
    author_id: int
    author_public_id: str
    author_real_name: str
    author_nickname: str
    author_display_mode: str
    author_avatar: str


def comment_rows(
    *, thread: Thread, page: int | str = 1, moderator: bool = False
) -> tuple[Page, list[CommentRow]]:
    """What comment_tree shows a reader, as CommentRow rows: a page of
    top-level comments (paged as comment_tree pages them, Paginator.get_page
    reading ``page``) and their replies, oldest first; hidden and removed
    ones only to a ``moderator``. One statement: the page and its replies
    (the page's ids as a subquery) with the count of top-level comments
    beside them; a second only for a page past the last (or below 1), then
    read again as the last one."""
    number = _page_number(page)
    rows, count = _comment_page(
        thread_id=thread.pk, number=max(number, 1), moderator=moderator
    )
    paginator = Paginator((), COMMENTS_PER_PAGE)
    # Counted above (Paginator would count with a query of its own).
    paginator.count = count
    try:
        shown = paginator.validate_number(number)
    except EmptyPage:
        shown = paginator.num_pages
    if shown != max(number, 1):
        rows, count = _comment_page(
            thread_id=thread.pk, number=shown, moderator=moderator
        )
    top = [row for row in rows if row.parent_id is None]
    replies = [row for row in rows if row.parent_id is not None]
    return Page(top, shown, paginator), replies


def _page_number(page: int | str) -> int:
    """``page`` as Paginator.get_page reads it: 1 for what is not a whole
    number (a number out of range is the page count's to judge; past
    PAGE_MAX it is PAGE_MAX)."""
    try:
        if isinstance(page, float) and not page.is_integer():
            raise ValueError
        return min(int(page), PAGE_MAX)
    except (TypeError, ValueError):
        return 1


# No list has this many pages: a page number past it is past the end,
# shown as the Paginator shows one (the last page), and is read as this
# one, so that no OFFSET made from it passes the integers a database takes
# (an OverflowError on SQLite, "bigint out of range" on PostgreSQL).
PAGE_MAX = 2**31 - 1


def _comment_page(
    *, thread_id: int, number: int, moderator: bool
) -> tuple[list[CommentRow], int]:
    """The CommentRows of page ``number`` of a thread's top-level comments
    and their replies, ordered as comment_tree orders them, and the count
    of top-level comments, in one statement.

    Written as SQL: the ORM took 5k Python calls to build the page's query
    and its count on every page of a thread. A top-level comment is its own
    root, a reply its parent's: one IN on the page's ids finds both (half
    the database's work of an OR of two). The count is a row of its own
    (NULL comment columns), so an empty page still has it. Only our own
    table and column names are written into it; every value is a
    parameter."""
    ops = connection.ops
    comment = ops.quote_name(Comment._meta.db_table)
    member = ops.quote_name(Member._meta.db_table)
    visible = [] if moderator else [str(Visibility.VISIBLE)]

    def shown(alias: str) -> str:
        return "" if moderator else f" AND {alias}.visibility = %s"

    top = f"{{a}}.thread_id = %s AND {{a}}.parent_id IS NULL{shown('{a}')}"
    columns = ", ".join(_ROW_COLUMNS)
    nothing = ", ".join(["NULL"] * len(_ROW_COLUMNS))
    sql = (
        f"SELECT {columns}, CAST(NULL AS BIGINT) FROM {comment} c"  # noqa: S608 (our names)
        f" INNER JOIN {member} a ON a.id = c.author_id"
        f" WHERE c.thread_id = %s{shown('c')}"
        f" AND COALESCE(c.parent_id, c.id) IN (SELECT u.id FROM {comment} u"
        f" WHERE {top.format(a='u')} ORDER BY u.created_at, u.id LIMIT %s OFFSET %s)"
        f" UNION ALL SELECT {nothing}, COUNT(*) FROM {comment} n"
        f" WHERE {top.format(a='n')} ORDER BY 3, 1"
    )
    params = [
        thread_id,
        *visible,
        thread_id,
        *visible,
        COMMENTS_PER_PAGE,
        (number - 1) * COMMENTS_PER_PAGE,
        thread_id,
        *visible,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    convert = _converters(Comment._meta.get_field("created_at"))
    rows, count = [], 0
    for *values, total in fetched:
        if total is not None:
            count = total
            continue
        if convert:
            for at in _ROW_DATETIMES:
                for converter in convert:
                    values[at] = converter(values[at], None, connection)
        rows.append(CommentRow._make(values))
    return rows, count


# COMMENT_ROW_FIELDS as the statement of _comment_page names them (``c``
# the comment, ``a`` its author), and where its moments are.
_ROW_COLUMNS = tuple(
    f"a.{name.removeprefix('author__')}"
    if name.startswith("author__")
    else f"c.{'id' if name == 'pk' else name}"
    for name in COMMENT_ROW_FIELDS
)
_ROW_DATETIMES = tuple(
    at
    for at, name in enumerate(COMMENT_ROW_FIELDS)
    if name in ("created_at", "edited_at")
)


def comment_reactions_mine(
    *, member: Member, comment_ids: list[int]
) -> set[tuple[int, str]]:
    """(comment id, kind) of ``member``'s reactions on those comments. One
    query, none without comments."""
    if not comment_ids:
        return set()
    return set(
        Reaction.objects.filter(member=member, comment_id__in=comment_ids).values_list(
            "comment_id", "kind"
        )
    )


def comment_page_number(*, comment: Comment, moderator: bool) -> int:
    """The page of its thread (as comment_tree pages it for this reader)
    that shows ``comment``: a reply sits on its top-level comment's page.
    One query."""
    top = comment.parent if comment.parent_id is not None else comment
    visible = Q() if moderator else Q(visibility=Visibility.VISIBLE)
    before = Comment.objects.filter(
        visible,
        Q(created_at__lt=top.created_at) | Q(created_at=top.created_at, pk__lt=top.pk),
        thread_id=comment.thread_id,
        parent__isnull=True,
    ).count()
    return before // COMMENTS_PER_PAGE + 1


def comment_for_page(
    *,
    comment_id: int,
    community: Community,
    member: Member | None,
    moderator: bool,
    thread_id: int | None = None,
) -> Comment | None:
    """One comment of the community (with its thread and the member's own
    reactions), for the actions on it; hidden and deleted comments, or those
    on a hidden or deleted thread, only for moderators."""
    comments = Comment.objects.select_related("thread", "author").filter(
        pk=comment_id, thread__community=community
    )
    if thread_id is not None:
        comments = comments.filter(thread_id=thread_id)
    if not moderator:
        comments = comments.filter(
            visibility=Visibility.VISIBLE, thread__visibility=Visibility.VISIBLE
        )
    if member is not None and member.is_authenticated:
        mine = Reaction.objects.filter(member=member, comment=OuterRef("pk"))
        comments = comments.annotate(
            my_empathy=Exists(mine.filter(kind="empathy")),
            my_helpful=Exists(mine.filter(kind="helpful")),
        )
    return comments.first()


def revision_history(*, thread: Thread) -> list[Revision]:
    """Earlier versions of a thread and of its comments, newest first, for
    moderators. One query."""
    return list(
        Revision.objects.filter(Q(thread=thread) | Q(comment__thread=thread))
        .select_related("comment")
        .order_by("-replaced_at", "-pk")
    )


def thread_member_state(*, thread: Thread, member: Member | None) -> dict[str, bool]:
    """The member's reactions and bookmark on a thread, in one query."""
    state, _mine = thread_member_marks(thread=thread, member=member)
    return state


def thread_member_marks(
    *,
    thread: Thread,
    member: Member | None,
    page: Sequence[int] = (),
    newest: int = 0,
    moderator: bool = False,
    reading: bool = False,
    skipped_sql: Callable[..., tuple[str, list]] | None = None,
    level_sql: tuple[str, list] | None = None,
) -> tuple[dict[str, Any], set[tuple[int, str]]]:
    """What is ``member``'s own on a page of a thread, in one query: their
    reactions and bookmark on the thread (as thread_member_state says
    them), and (comment id, kind) of their reactions on the comments the
    page shows (``page``: the ids of its top-level comments, as
    comment_rows read them for a ``moderator`` or not: the page shows
    those and their replies); with ``reading``, also how far they had read
    it (``read_to``: their ThreadRead position, None if never opened) and,
    when the page shows comments (``newest``: the highest id shown), the
    first unread comment past that position the page did not show
    (``skipped``, None if none: ``skipped_sql``, the view passes
    selectors.unread.skipped_sql, which reads this module), which bounds
    where the page moves the position (selectors.unread.read_up_to).
    ``level_sql``: an SQL expression of the member's follow level of the
    thread and its parameters (the view passes
    community.follows.target_level_sql's, for the page's control), read as
    ``level`` (None without it)."""
    if member is None or not member.is_authenticated:
        return {
            "empathy": False,
            "helpful": False,
            "bookmarked": False,
            "read_to": None,
            "skipped": None,
            "level": None,
        }, set()
    # Written as SQL: the ORM took 6.8k Python calls to compile the union
    # of three querysets on every page of a thread; this is the same query.
    # Parameters only (ids and one constant); the names are the models'.
    reaction, bookmark = Reaction._meta.db_table, Bookmark._meta.db_table
    comment = Comment._meta.db_table
    no_comment = "CAST(NULL AS BIGINT)"
    sql = [
        f"SELECT {no_comment}, kind FROM {reaction} "  # noqa: S608 (names, not input)
        "WHERE member_id = %s AND thread_id = %s",
        f"SELECT {no_comment}, %s FROM {bookmark} "  # noqa: S608
        "WHERE member_id = %s AND thread_id = %s",
    ]
    params: list = [member.pk, thread.pk, BOOKMARKED, member.pk, thread.pk]
    head, head_params = "", []
    if page:
        # The page's top-level ids, written once: the client-side binding
        # costs ~13 Python calls for each placeholder of a statement this
        # long, and the replies (most of what a page shows) are found by
        # their root, as comment_rows finds them.
        head = f"WITH {_PAGE} (id) AS (VALUES {', '.join(['(%s)'] * len(page))}) "
        head_params = list(page)
    if reading:
        # How far the member had read (services.unread moves it after).
        sql.append(
            f"SELECT last_comment_id, %s FROM {ThreadRead._meta.db_table} "  # noqa: S608
            "WHERE member_id = %s AND thread_id = %s"
        )
        params += [READ, member.pk, thread.pk]
        if page and skipped_sql is not None:
            skipped, skipped_params = skipped_sql(
                member_id=member.pk,
                thread_id=thread.pk,
                below=newest,
                roots=f"SELECT id FROM {_PAGE}",  # noqa: S608
            )
            sql.append(f"SELECT ({skipped}), %s")
            params += [*skipped_params, SKIPPED]
    if level_sql is not None:
        # The one mark whose value is a word: it rides in the kind column,
        # after a marker.
        level, level_params = level_sql
        sql.append(f"SELECT {no_comment}, %s || {level}")
        params += [LEVEL, *level_params]
    if page:
        shown = "" if moderator else " AND c.visibility = %s"
        sql.append(
            f"SELECT r.comment_id, r.kind FROM {reaction} r "  # noqa: S608
            "WHERE r.member_id = %s AND r.comment_id IN (SELECT c.id"
            f" FROM {comment} c WHERE c.thread_id = %s"
            f" AND COALESCE(c.parent_id, c.id) IN (SELECT id FROM {_PAGE}){shown})"
        )
        params += [member.pk, thread.pk]
        if not moderator:
            params.append(str(Visibility.VISIBLE))
    with connection.cursor() as cursor:
        cursor.execute(head + " UNION ALL ".join(sql), head_params + params)
        marks = cursor.fetchall()
    mine: set[tuple[int, str]] = set()
    kinds: set[str] = set()
    read_to = skipped_id = level = None
    for comment_id, kind in marks:
        if kind.startswith(LEVEL):
            level = kind.removeprefix(LEVEL)
        elif kind == READ:
            read_to = comment_id
        elif kind == SKIPPED:
            skipped_id = comment_id
        elif comment_id is None:
            kinds.add(kind)
        else:
            mine.add((comment_id, kind))
    state = {
        "empathy": "empathy" in kinds,
        "helpful": "helpful" in kinds,
        "bookmarked": BOOKMARKED in kinds,
        "read_to": read_to,
        "skipped": skipped_id,
        "level": level,
    }
    return state, mine


# The name of the page's top-level ids in thread_member_marks's statement.
_PAGE = "shown_page"


# Not a reaction kind: marks the bookmark among them (thread_member_marks).
BOOKMARKED = "bookmark"
READ = "read"
SKIPPED = "skipped"
# Before the member's follow level of the thread (a kind of its own).
LEVEL = "level:"


def bookmark_list(*, member: Member, page: int | str = 1) -> Page:
    # A bookmark outlives access: leaving a members-only community or a ban
    # hides its threads here too.
    threads = visible_threads().filter(
        Exists(Bookmark.objects.filter(member=member, thread=OuterRef("pk"))),
        community__in=readable_communities(member),
    )
    return Paginator(
        threads.order_by("-last_activity_at", "-pk"), THREADS_PER_PAGE
    ).get_page(page)
