"""Reads for boards, threads, comments and bookmarks. Every list runs a fixed
number of queries whatever its length (tests pin them at two sizes)."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db import connection, connections, router
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce
from django.db.models.utils import create_namedtuple_class

from community.models import (
    AuditEntry,
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
from community.rawsql import Columns
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
        wanted = int(page)
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
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [*where, *where, THREADS_PER_PAGE, offset])
        found = cursor.fetchall()
    if not found:
        return None
    paginator = Paginator([], THREADS_PER_PAGE)
    # Paginator.count is a cached property: this is its value.
    paginator.count = found[0][-1]
    rows = [_THREAD_ROW(*statement.columns.values(row, connection)) for row in found]
    return Page(rows, number, paginator)


@dataclass(frozen=True)
class _ListStatement:
    sql: str
    columns: Columns


@functools.cache
def _thread_list_statement(db: str, sort: str, by_board: bool) -> _ListStatement:
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
    return _ListStatement(sql, Columns.of(fields, connection))


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
    # No join for the community: it is the one given (the filter below).
    threads = Thread.objects.select_related(
        "author", "board", "helpful_comment__author"
    )
    if reading:
        threads = threads.only(*THREAD_PAGE_FIELDS)
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
    top-level comments (paged as comment_tree pages them) and their
    replies, oldest first; hidden and removed ones only to a ``moderator``.
    Two queries: the count, then the page and its replies together (the
    page's ids as a subquery)."""
    visible = Q() if moderator else Q(visibility=Visibility.VISIBLE)
    top = (
        Comment.objects.filter(visible, thread=thread, parent__isnull=True)
        .order_by("created_at", "pk")
        .values("pk")
    )
    page = Paginator(top, COMMENTS_PER_PAGE).get_page(page)
    # A top-level comment is its own root, a reply its parent's: one IN on
    # the page's ids finds both (half the database's work of an OR of two).
    rows = list(
        map(
            CommentRow._make,
            Comment.objects.filter(visible, thread=thread)
            .alias(root=Coalesce("parent_id", "pk"))
            .filter(root__in=page.object_list)
            .order_by("created_at", "pk")
            .values_list(*COMMENT_ROW_FIELDS),
        )
    )
    page.object_list = [row for row in rows if row.parent_id is None]
    replies = [row for row in rows if row.parent_id is not None]
    return page, replies


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
    state, _mine = thread_member_marks(thread=thread, member=member, comment_ids=[])
    return state


def thread_member_marks(
    *,
    thread: Thread,
    member: Member | None,
    comment_ids: list[int],
    reading: bool = False,
) -> tuple[dict[str, Any], set[tuple[int, str]]]:
    """What is ``member``'s own on a page of a thread, in one query: their
    reactions and bookmark on the thread (as thread_member_state says
    them), and (comment id, kind) of their reactions on those comments (as
    comment_reactions_mine); with ``reading``, also how far they had read
    it (``read_to``: their ThreadRead position, None if never opened)."""
    if member is None or not member.is_authenticated:
        return {
            "empathy": False,
            "helpful": False,
            "bookmarked": False,
            "read_to": None,
        }, set()
    # Written as SQL: the ORM took 6.8k Python calls to compile the union
    # of three querysets on every page of a thread; this is the same query.
    # Parameters only (ids and one constant); the names are the models'.
    reaction, bookmark = Reaction._meta.db_table, Bookmark._meta.db_table
    no_comment = "CAST(NULL AS BIGINT)"
    sql = [
        f"SELECT {no_comment}, kind FROM {reaction} "  # noqa: S608 (names, not input)
        "WHERE member_id = %s AND thread_id = %s",
        f"SELECT {no_comment}, %s FROM {bookmark} "  # noqa: S608
        "WHERE member_id = %s AND thread_id = %s",
    ]
    params: list = [member.pk, thread.pk, BOOKMARKED, member.pk, thread.pk]
    if reading:
        # How far the member had read (services.unread moves it after).
        sql.append(
            f"SELECT last_comment_id, %s FROM {ThreadRead._meta.db_table} "  # noqa: S608
            "WHERE member_id = %s AND thread_id = %s"
        )
        params += [READ, member.pk, thread.pk]
    if comment_ids:
        holders = ", ".join(["%s"] * len(comment_ids))
        sql.append(
            f"SELECT comment_id, kind FROM {reaction} "  # noqa: S608
            f"WHERE member_id = %s AND comment_id IN ({holders})"
        )
        params += [member.pk, *comment_ids]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(sql), params)
        marks = cursor.fetchall()
    mine: set[tuple[int, str]] = set()
    kinds: set[str] = set()
    read_to = None
    for comment_id, kind in marks:
        if kind == READ:
            read_to = comment_id
        elif comment_id is None:
            kinds.add(kind)
        else:
            mine.add((comment_id, kind))
    state = {
        "empathy": "empathy" in kinds,
        "helpful": "helpful" in kinds,
        "bookmarked": BOOKMARKED in kinds,
        "read_to": read_to,
    }
    return state, mine


# Not a reaction kind: marks the bookmark among them (thread_member_marks).
BOOKMARKED = "bookmark"
READ = "read"


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
