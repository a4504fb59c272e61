"""Reads that shape queries for community pages. Every list here runs a fixed
number of queries whatever its length (tests pin them at two sizes)."""

import re
from dataclasses import dataclass
from itertools import groupby

from allauth.mfa.models import Authenticator
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from community.ids import public_id_valid
from community.models import (
    AuditEntry,
    Bookmark,
    Comment,
    Community,
    Member,
    Membership,
    MembershipRole,
    ModerationAction,
    Notification,
    Reaction,
    Report,
    ReportStatus,
    Revision,
    Sanction,
    SanctionKind,
    Thread,
    ThreadTag,
    Visibility,
)
from community.roles import ROLE_FAMILY, RoleFamily

THREADS_PER_PAGE = 20
COMMENTS_PER_PAGE = 30


class ThreadSort:
    LATEST = "latest"
    POPULAR = "popular"
    UNANSWERED = "unanswered"
    ALL = (LATEST, POPULAR, UNANSWERED)


def community_list() -> QuerySet[Community]:
    return Community.objects.order_by("name")


@dataclass
class DirectoryGroup:
    family: RoleFamily
    communities: list[Community]


def community_directory(
    member: Member | None,
) -> tuple[list[Community], list[DirectoryGroup]]:
    """The member's own communities first, then every community grouped by
    role family. Two queries."""
    communities = list(Community.objects.order_by("name"))
    mine_ids: set[int] = set()
    if member is not None and member.is_authenticated:
        mine_ids = set(
            Membership.objects.filter(member=member).values_list(
                "community_id", flat=True
            )
        )
    mine = [c for c in communities if c.pk in mine_ids]
    order = list(RoleFamily)
    keyed = sorted(
        communities, key=lambda c: (order.index(ROLE_FAMILY[c.role]), c.name)
    )
    groups = [
        DirectoryGroup(family, list(items))
        for family, items in groupby(keyed, key=lambda c: ROLE_FAMILY[c.role])
    ]
    return mine, groups


def moderates_member(viewer: Member, member: Member) -> bool:
    """Staff, or a moderator of a community ``member`` belongs to: the people
    who may see a member's earlier nicknames."""
    if not viewer.is_authenticated:
        return False
    if viewer.is_staff:
        return True
    return Membership.objects.filter(
        member=viewer,
        role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        community__memberships__member=member,
    ).exists()


def community_moderators(community: Community) -> list[Membership]:
    """The memberships of moderators and owners, with their members, oldest
    first: the role decides what may be done to each. One query."""
    return list(
        Membership.objects.filter(
            community=community,
            role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
        )
        .select_related("member")
        # What the list shows of each (display_name, a link), not the
        # members' account fields.
        .only(
            "role",
            "member__public_id",
            "member__real_name",
            "member__nickname",
            "member__display_mode",
        )
        .order_by("joined_at")
    )


def _visible_threads(community: Community | None = None) -> QuerySet[Thread]:
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
    """A page of visible threads as THREAD_ROW_FIELDS tuples: pinned first
    on the latest view, then by the chosen order. Two queries (count and
    page)."""
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
        threads.values_list(*THREAD_ROW_FIELDS), THREADS_PER_PAGE
    ).get_page(page)


def thread_recent(*, community: Community, limit: int = 5) -> list[tuple]:
    """The community's latest visible threads, as THREAD_ROW_FIELDS tuples.
    One query."""
    return list(
        Thread.objects.filter(visibility=Visibility.VISIBLE, community=community)
        .order_by("-last_activity_at", "-pk")
        .values_list(*THREAD_ROW_FIELDS)[:limit]
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
        for field in ("public_id", "real_name", "nickname", "display_mode")
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
# building a model instance per comment.
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
)


def comment_rows(*, thread: Thread, page: int | str = 1) -> tuple[Page, list[tuple]]:
    """What comment_tree shows an anonymous reader, as COMMENT_ROW_FIELDS
    tuples: a page of top-level comments (paged as comment_tree pages them)
    and their replies, oldest first. Two queries: the count, then the page
    and its replies together (the page's ids as a subquery)."""
    visible = Q(visibility=Visibility.VISIBLE)
    top = (
        Comment.objects.filter(visible, thread=thread, parent__isnull=True)
        .order_by("created_at", "pk")
        .values("pk")
    )
    page = Paginator(top, COMMENTS_PER_PAGE).get_page(page)
    # A top-level comment is its own root, a reply its parent's: one IN on
    # the page's ids finds both (half the database's work of an OR of two).
    rows = list(
        Comment.objects.filter(visible, thread=thread)
        .alias(root=Coalesce("parent_id", "pk"))
        .filter(root__in=page.object_list)
        .order_by("created_at", "pk")
        .values_list(*COMMENT_ROW_FIELDS)
    )
    page.object_list = [row for row in rows if row[1] is None]
    replies = [row for row in rows if row[1] is not None]
    return page, replies


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
    if member is None or not member.is_authenticated:
        return {"empathy": False, "helpful": False, "bookmarked": False}
    kinds = set(
        Reaction.objects.filter(member=member, thread=thread).values_list(
            "kind", flat=True
        )
    )
    bookmarked = Bookmark.objects.filter(member=member, thread=thread)
    return {
        "empathy": "empathy" in kinds,
        "helpful": "helpful" in kinds,
        "bookmarked": bookmarked.exists(),
    }


def bookmark_list(*, member: Member, page: int | str = 1) -> Page:
    # A bookmark outlives access: leaving a members-only community or a ban
    # hides its threads here too.
    threads = _visible_threads().filter(
        Exists(Bookmark.objects.filter(member=member, thread=OuterRef("pk"))),
        community__in=readable_communities(member),
    )
    return Paginator(
        threads.order_by("-last_activity_at", "-pk"), THREADS_PER_PAGE
    ).get_page(page)


# --- Search ---------------------------------------------------------------------


def thread_search(
    *,
    query: str,
    readable: QuerySet[Community],
    community: Community | None = None,
    page: int | str = 1,
) -> Page:
    """Visible threads whose title or body contains ``query`` as a substring,
    in communities the reader may read, as SEARCH_ROW_FIELDS tuples.
    Substring matching works for Korean, where particles attach to words
    without spaces ("마케터" finds "퍼포먼스마케터끼리"); on PostgreSQL the
    trigram GIN indexes serve it."""
    words = query.split()[:5]
    shown = _visible_threads(community).filter(community__in=readable)
    matches = shown
    for word in words:
        matches = matches.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if not words:
        matches = matches.none()
    # The matches are found and counted on the thread table alone; only the
    # page's rows are then read with their joins. Joining every match
    # before sorting them cost PostgreSQL twice as much as the whole search.
    page = _page_with_total(
        matches.order_by("-last_activity_at", "-pk").values("pk"),
        THREADS_PER_PAGE,
        page,
    )
    ids = [row["pk"] for row in page.object_list]
    page.object_list = (
        list(
            shown.filter(pk__in=ids)
            .order_by("-last_activity_at", "-pk")
            .values_list(*SEARCH_ROW_FIELDS)
        )
        if ids
        else []
    )
    return page


# What a search result shows, read as plain values (community.fragments
# keys the results on them and renders a miss from them); the excerpt is cut
# from the rendered body.
SEARCH_ROW_FIELDS = (
    "pk",
    "title",
    "body_html",
    "last_activity_at",
    "comment_count",
    "community__slug",
    "community__name",
    "community__requires_real_names",
    "board__name",
    "author__real_name",
    "author__nickname",
    "author__display_mode",
)


def _page_with_total(queryset: QuerySet, per_page: int, number: int | str) -> Page:
    """``Paginator(queryset, per_page).get_page(number)``, with the count
    read from the page's own rows (``COUNT(*) OVER ()``) when the page asked
    for exists: one query instead of a COUNT and a page, for a query that
    must find every match anyway to sort them (a search). Otherwise (not a
    number, out of range, no rows) the Paginator decides as always. Rows
    are dicts for a ``values()`` queryset, else model instances."""
    paginator = Paginator(queryset, per_page)
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 0
    if wanted >= 1:
        start = (wanted - 1) * per_page
        rows = list(
            queryset.annotate(page_total=Window(Count("pk")))[start : start + per_page]
        )
        if rows:
            first = rows[0]
            # Paginator.count is a cached property: this is its value.
            paginator.count = (
                first["page_total"] if isinstance(first, dict) else first.page_total
            )
            return Page(rows, wanted, paginator)
    return paginator.get_page(number)


def highlight(text: str, query: str, *, context: int = 60) -> SafeString:
    """An escaped excerpt of ``text`` around the first match, with every
    occurrence of each query word wrapped in <mark>."""
    words = [w for w in query.split()[:5] if w]
    if not words:
        return escape(text[: 2 * context])
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - context) if first else 0
    excerpt = text[start : start + 3 * context]
    pieces = []
    position = 0
    for match in pattern.finditer(excerpt):
        pieces.append(escape(excerpt[position : match.start()]))
        pieces.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    pieces.append(escape(excerpt[position:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + 3 * context < len(text) else ""
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 (escaped above)


def readable_communities(member: Member | None) -> QuerySet[Community]:
    """Communities whose threads ``member`` may read: public ones and their
    own, never one they are banned from."""
    communities = Community.objects.all()
    if member is None or not member.is_authenticated:
        return communities.filter(public_read=True)
    if member.is_staff:
        return communities
    banned = Sanction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()),
        member=member,
        kind=SanctionKind.BAN,
        lifted_at__isnull=True,
    ).values("community_id")
    return (
        communities.filter(Q(public_read=True) | Q(memberships__member=member))
        .exclude(pk__in=banned)
        .distinct()
    )


# --- Notifications and moderation ---------------------------------------------------


def notification_list(*, member: Member, page: int | str = 1) -> Page:
    notifications = Notification.objects.filter(recipient=member).select_related(
        "actor", "thread", "thread__community", "comment"
    )
    return Paginator(notifications, 30).get_page(page)


def notification_unread_count(member: Member) -> int:
    return Notification.objects.filter(recipient=member, read_at__isnull=True).count()


def report_queue(*, community: Community, page: int | str = 1) -> Page:
    reports = (
        Report.objects.filter(community=community, status=ReportStatus.OPEN)
        .select_related(
            "reporter",
            "thread",
            "thread__author",
            "comment",
            "comment__author",
            "comment__thread",
        )
        .order_by("created_at")
    )
    return Paginator(reports, 30).get_page(page)


def audit_log(*, community: Community, page: int | str = 1) -> Page:
    """A page of the audit log. Each entry carries ``reason_shown``: its
    reason as readers should see it (a role change stores the role's value,
    shown as the role's label in the reader's language)."""
    entries = AuditEntry.objects.filter(community=community).select_related(
        "moderator", "target_member", "thread", "comment", "chat_message__room"
    )
    page_obj = Paginator(entries, 50).get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    for entry in page_obj.object_list:
        entry.reason_shown = entry.reason
        if entry.action == ModerationAction.ROLE and entry.reason in (
            MembershipRole.values
        ):
            entry.reason_shown = MembershipRole(entry.reason).label
    return page_obj


def notification_get(*, member: Member, notification_id: int) -> Notification | None:
    """One of the member's own notifications (never someone else's), with
    what its link needs."""
    return (
        Notification.objects.select_related("thread__community")
        .filter(pk=notification_id, recipient=member)
        .first()
    )


def moderation_content(
    *,
    community: Community,
    thread_id: int | None = None,
    comment_id: int | None = None,
    report_id: int | None = None,
    include_hidden: bool,
) -> tuple[Thread | None, Comment | None, Report | None] | None:
    """The thread, comment and report named by id, each only if it belongs to
    ``community``; None when any named id does not (the caller answers 404).
    Hidden or deleted content counts only with ``include_hidden``."""
    visible = Q() if include_hidden else Q(visibility=Visibility.VISIBLE)
    thread = comment = report = None
    if thread_id is not None:
        thread = (
            Thread.objects.filter(visible, pk=thread_id, community=community)
            .select_related("author")
            .first()
        )
        if thread is None:
            return None
    if comment_id is not None:
        comment = (
            Comment.objects.filter(visible, pk=comment_id, thread__community=community)
            .select_related("author", "thread", "thread__author")
            .first()
        )
        if comment is None or (
            not include_hidden and comment.thread.visibility != Visibility.VISIBLE
        ):
            return None
    if report_id is not None:
        report = (
            Report.objects.filter(pk=report_id, community=community)
            .select_related("thread__author", "comment__author", "comment__thread")
            .first()
        )
        if report is None:
            return None
    return thread, comment, report


def sanction_list_active(*, community: Community) -> list[Sanction]:
    """Bans and mutes in force, newest first. One query."""
    return list(
        Sanction.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()),
            community=community,
            lifted_at__isnull=True,
        )
        .select_related("member", "created_by")
        .order_by("-created_at", "-pk")
    )


def sanction_get(*, community: Community, sanction_id: int) -> Sanction | None:
    return (
        Sanction.objects.select_related("member")
        .filter(pk=sanction_id, community=community)
        .first()
    )


def community_member_by_public_id(
    *, community: Community, public_id: str
) -> Member | None:
    """An active member of ``community`` by their public id."""
    if not public_id_valid(public_id):
        return None
    return Member.objects.filter(
        public_id=public_id,
        is_active=True,
        memberships__community=community,
    ).first()


# The session key under which a member put the two-factor notice away: it
# returns at the next sign-in, until a second factor is added.
TWO_FACTOR_PROMPT_DISMISSED = "two_factor_prompt_dismissed"


def two_factor_prompt_due(
    *, member: Member, session, organises: bool | None = None
) -> bool:
    """Whether to ask the member to add a second factor: they organise
    (moderate a community or host a gathering, and so see applicants'
    answers and video links), have no authenticator app or passkey, and
    have not put the notice away in this session. ``organises`` is given by
    the pages that only organisers open."""
    if not member.is_authenticated or session.get(TWO_FACTOR_PROMPT_DISMISSED):
        return False
    if organises is None:
        organises = (
            Membership.objects.filter(
                member=member,
                role__in=[MembershipRole.MODERATOR, MembershipRole.OWNER],
            ).exists()
            or member.hosted_gatherings.exists()
        )
    if not organises:
        return False
    return (
        not Authenticator.objects.filter(user_id=member.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )
