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
or is banned sees none of it, and their rows are kept for a return. Every
count starts from ``tracked_threads``: the one place to leave threads out
(muted ones, once follow levels exist).
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from community.models import (
    Comment,
    Member,
    Membership,
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


def tracked_threads(member: Member) -> QuerySet[Thread]:
    """The visible threads whose unread state ``member`` is shown. Muted
    threads (follow levels) are to be excluded here, and only here."""
    return Thread.objects.filter(visibility=Visibility.VISIBLE)


def _unread_comments(member: Member) -> Q:
    """On Comment: visible, and not the member's own."""
    return Q(visibility=Visibility.VISIBLE) & ~Q(author=member)


def thread_unread(*, access, thread_ids: list[int]) -> dict[int, ThreadUnread]:
    """Each of ``thread_ids``'s state for the reader (``reader``), only for
    threads that are new or have unread comments. One query (none without
    a tracked reader or threads)."""
    member = reader(access)
    if member is None or not thread_ids:
        return {}
    since = new_since(access)
    # The member's row (if any) joined to each thread, and the comments
    # after its position counted: a thread never opened has a NULL
    # position, which no comment is after.
    after = Q(
        comments__pk__gt=F("mine__last_comment_id"),
        comments__visibility=Visibility.VISIBLE,
    ) & ~Q(comments__author=member)
    rows = (
        tracked_threads(member)
        .filter(pk__in=thread_ids)
        .annotate(mine=FilteredRelation("reads", condition=Q(reads__member=member)))
        .values_list("pk", "author_id", "created_at", "mine__last_comment_id")
        .annotate(
            unread=Count("comments", filter=after),
            first=Min("comments__pk", filter=after),
        )
        .order_by()
    )
    states = {}
    for pk, author_id, created_at, position, unread, first in rows:
        if position is None:
            if author_id != member.pk and created_at >= since:
                states[pk] = ThreadUnread(True, 0, None)
        elif unread:
            states[pk] = ThreadUnread(False, unread, first)
    return states


def list_counts(*, access, board=None) -> ListCounts | None:
    """How many threads of the community (or of ``board``) are new and
    how many have unread comments for the reader; None without a tracked
    reader. One query."""
    member = reader(access)
    if member is None:
        return None
    threads = tracked_threads(member)
    if board is not None:
        threads = threads.filter(board=board)
    else:
        threads = threads.filter(community=access.community)
    read = ThreadRead.objects.filter(member=member, thread=OuterRef("pk"))
    new = (
        threads.filter(created_at__gte=new_since(access))
        .exclude(author=member)
        .exclude(Exists(read))
    )
    later = Comment.objects.filter(
        _unread_comments(member),
        thread=OuterRef("thread_id"),
        pk__gt=OuterRef("last_comment_id"),
    )
    unread = ThreadRead.objects.filter(
        Exists(later), member=member, thread__in=threads.values("pk")
    )
    # Both counts as scalar subqueries of one statement, on the member's
    # membership row (any one row would do).
    found = (
        Membership.objects.filter(pk=access.membership.pk)
        .values_list(
            Subquery(_count(new), output_field=IntegerField()),
            Subquery(_count(unread), output_field=IntegerField()),
        )
        .first()
    )
    return ListCounts(*(found or (0, 0)))


def _count(queryset: QuerySet) -> QuerySet:
    # COUNT(*) as a scalar subquery: Func is not an aggregate to Django, so
    # no GROUP BY is added.
    return queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")


def first_unread_page(*, access, thread: Thread, moderator: bool) -> int:
    """The page of ``thread`` (as comment_rows pages it for this reader)
    holding the reader's first unread comment; 1 when there is none or the
    thread was never opened. Two queries."""
    member = reader(access)
    if member is None:
        return 1
    position = ThreadRead.objects.filter(member=member, thread=thread).values(
        "last_comment_id"
    )[:1]
    # The first unread comment, and the time of its top-level comment (its
    # own, if it is one): the page is the count of top-level ones before.
    first = (
        Comment.objects.filter(
            _unread_comments(member), thread=thread, pk__gt=Subquery(position)
        )
        .order_by("pk")
        .values_list(
            Coalesce("parent_id", "pk"),
            Coalesce("parent__created_at", "created_at"),
        )
        .first()
    )
    if first is None:
        return 1
    root, created_at = first
    visible = Q() if moderator else Q(visibility=Visibility.VISIBLE)
    before = Comment.objects.filter(
        visible,
        Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=root),
        thread=thread,
        parent__isnull=True,
    ).count()
    return before // COMMENTS_PER_PAGE + 1
