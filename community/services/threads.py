"""Threads, comments, reactions, bookmarks, helpful answers and view counts."""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Log
from django.urls import reverse
from django.utils import timezone

from community.access import Access
from community.caching import cache_optional, counter_add, counter_take
from community.errors import CommunityError
from community.markdown import markdown_render, mention_candidates
from community.models import (
    Board,
    Bookmark,
    Comment,
    Member,
    Mention,
    NotificationKind,
    Reaction,
    ReactionKind,
    Revision,
    Thread,
    ThreadTag,
    Visibility,
)
from community.services.members import member_standing_lock
from community.services.notifications import notify, notify_watchers
from community.timefmt import local_format

# (count, window) per kind of post: everybody, and members on their first day.
RATE_PER_MINUTE = {
    "threads": (2, timedelta(minutes=1)),
    "comments": (6, timedelta(minutes=1)),
}
RATE_FIRST_DAY = {
    "threads": (3, timedelta(days=1)),
    "comments": (10, timedelta(days=1)),
}
# (count, window) of edits, threads and comments together.
RATE_EDITS = [(5, timedelta(minutes=1)), (30, timedelta(hours=1))]
VIEW_FLUSH_EVERY = 20
VIEW_FLUSH_SECONDS = 60


HOT_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
HOT_HALF_DAY = 45_000  # seconds: ten times the engagement ≈ 12.5 hours newer


def _hot_refresh(thread_id: int, created_at: datetime) -> None:
    """Recompute a thread's hot score from its counters, in one UPDATE."""
    engagement = (
        F("empathy_count")
        + 2 * F("helpful_count")
        + 2 * F("comment_count")
        + F("view_count") / 20.0
        + 1.0
    )
    age = (created_at - HOT_EPOCH).total_seconds() / HOT_HALF_DAY
    Thread.objects.filter(pk=thread_id).update(
        hot_score=Log(10, Greatest(engagement, 1.0)) + age
    )


def post_refusal(
    *, access: Access, thread: Thread | None = None
) -> CommunityError | None:
    """The error a post by this member would raise, or None: pages show its
    message in place of the "new thread" button and the comment form. With
    ``thread``, a thread that is no longer visible (hidden by a moderator,
    deleted by its author) takes no comments or reactions from anyone."""
    code = access.post_refusal
    if code is None:
        if thread is not None and thread.visibility != Visibility.VISIBLE:
            return CommunityError("thread_unavailable")
        return None
    if code == "muted":
        if access.muted.ends_at is None:
            return CommunityError("muted_indefinitely")
        return CommunityError("muted", until=local_format(access.muted.ends_at))
    if code == "role_mismatch":
        return CommunityError(code, role=access.community.get_role_display())
    return CommunityError(code)


def edit_refusal(
    *, access: Access, thread: Thread, comment: Comment | None = None
) -> CommunityError | None:
    """Why this member may not edit ``comment`` (or, without it, ``thread``),
    or None: only its author, and only while they may post there, as a new
    post would be refused to a member who is muted, banned, has left or no
    longer meets the community's posting policy."""
    post = comment if comment is not None else thread
    if post.author_id != getattr(access.member, "pk", None):
        return CommunityError("not_author")
    if comment is not None and comment.visibility != Visibility.VISIBLE:
        return CommunityError("comment_unavailable")
    return post_refusal(access=access, thread=thread)


def _raise_unless_can_post(access: Access, thread: Thread | None = None) -> Member:
    refusal = post_refusal(access=access, thread=thread)
    if refusal is not None:
        raise refusal
    return access.member


def _rate_check(member: Member, what: str, now: datetime) -> None:
    """Refuse a post over the limits; counted in the database, so the limits
    hold across server processes and survive a cache restart. Inside the
    caller's transaction, under the member's row lock: simultaneous posts
    are counted one after the other, never all against the same count."""
    member_standing_lock(member=member)
    model = Thread if what == "threads" else Comment
    limits = [("rate_per_minute", *RATE_PER_MINUTE[what])]
    if member.date_joined > now - timedelta(days=1):
        limits.append((f"rate_new_member_{what}", *RATE_FIRST_DAY[what]))
    for code, limit, window in limits:
        recent = list(
            model.objects.filter(author=member, created_at__gt=now - window)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            retry_at = recent[-1] + window
            raise CommunityError(code, limit=limit, time=local_format(retry_at, "TIME"))


def _edit_rate_check(member: Member, now: datetime) -> None:
    """Refuse an edit over the limits, counted from the revisions an edit
    leaves, in the database and under the member's row lock as posts are
    (``_rate_check``)."""
    member_standing_lock(member=member)
    for limit, window in RATE_EDITS:
        recent = list(
            Revision.objects.filter(
                Q(thread__author=member) | Q(comment__author=member),
                replaced_at__gt=now - window,
            )
            .order_by("-replaced_at")
            .values_list("replaced_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            raise CommunityError(
                "rate_edits", time=local_format(recent[-1] + window, "TIME")
            )


def _mentioned_first(
    members: list[Member], *, thread: Thread, comment: Comment | None = None
) -> list[Member]:
    """Of the ``members`` a post names, those it names for the first time,
    recorded as mentioned: each is notified of a post once, whatever its
    edits. The database's unique constraint keeps that true when two edits
    of one post race."""
    post = {"thread": thread, "comment": comment}
    known = set(
        Mention.objects.filter(member__in=members, **post).values_list(
            "member_id", flat=True
        )
    )
    first = []
    for member in members:
        if member.pk not in known:
            _mention, created = Mention.objects.get_or_create(member=member, **post)
            if created:
                first.append(member)
    return first


def _mentions(text: str) -> dict[str, Member]:
    """``@token`` → member, matching the longest nickname each token starts
    with ("@광고요정님" mentions 광고요정)."""
    tokens = mention_candidates(text)
    if not tokens:
        return {}
    prefixes = {t[:n].casefold(): t[:n] for t in tokens for n in range(2, len(t) + 1)}
    members = {
        m.nickname_key: m
        for m in Member.objects.filter(nickname_key__in=prefixes, is_active=True)
    }
    found: dict[str, Member] = {}
    for token in tokens:
        for n in range(len(token), 1, -1):
            member = members.get(token[:n].casefold())
            if member is not None:
                found["@" + token[:n]] = member
                break
    return found


def post_render(text: str) -> tuple[str, list[Member]]:
    """A post's Markdown as HTML, each mention linked to the member's page,
    and the members it mentions (seeding writes posts this way too)."""
    mentioned = _mentions(text)
    links = {
        mention: reverse("member_detail", args=[member.public_id])
        for mention, member in mentioned.items()
    }
    return markdown_render(text, links=links), list(mentioned.values())


def _clean_body(body: str) -> str:
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise CommunityError("empty_body")
    return body


def thread_create(
    *, access: Access, board: Board, tag: str, title: str, body: str
) -> Thread:
    """Start a thread on ``board``. Refused (CommunityError, nothing written)
    without the right to post, over the rate limits, or for a promotion
    outside the promotion board."""
    member = _raise_unless_can_post(access)
    if tag == ThreadTag.PROMOTION and not board.allows_promotion:
        promo = board.community.boards.filter(allows_promotion=True).first()
        raise CommunityError("promotion_board_only", board=promo.name if promo else "-")
    now = timezone.now()
    body = _clean_body(body)
    with transaction.atomic():
        _rate_check(member, "threads", now)
        html, mentioned = post_render(body)
        thread = Thread.objects.create(
            community=board.community,
            board=board,
            author=member,
            tag=tag,
            title=title.strip(),
            body=body,
            body_html=html,
            created_at=now,
            last_activity_at=now,
            hot_score=(now - HOT_EPOCH).total_seconds() / HOT_HALF_DAY,
        )
        first = _mentioned_first(mentioned, thread=thread)
        notify(
            recipients=first,
            kind=NotificationKind.MENTION,
            actor=member,
            thread=thread,
        )
        # A member it mentions hears of it once, as a mention.
        notify_watchers(thread=thread, actor=member, told=first)
    return thread


def thread_edit(
    *, access: Access, thread: Thread, title: str, body: str, tag: str
) -> Thread:
    """The author edits, under the rules of a new post (``edit_refusal``)
    and the edit rate limits; the previous version is kept for moderators
    and only members the thread never named before are notified."""
    refusal = edit_refusal(access=access, thread=thread)
    if refusal is not None:
        raise refusal
    member = access.member
    now = timezone.now()
    body = _clean_body(body)
    with transaction.atomic():
        _edit_rate_check(member, now)
        Revision.objects.create(
            thread=thread, title=thread.title, body=thread.body, replaced_at=now
        )
        html, mentioned = post_render(body)
        thread.title = title.strip()
        thread.body = body
        thread.body_html = html
        thread.tag = tag
        thread.edited_at = now
        thread.save(update_fields=["title", "body", "body_html", "tag", "edited_at"])
        notify(
            recipients=_mentioned_first(mentioned, thread=thread),
            kind=NotificationKind.MENTION,
            actor=member,
            thread=thread,
        )
    return thread


def thread_delete(*, member: Member, thread: Thread) -> None:
    """Soft delete by the author: the thread leaves every list, moderators can
    still see it."""
    if thread.author_id != member.pk:
        raise CommunityError("not_author")
    Thread.objects.filter(pk=thread.pk, visibility=Visibility.VISIBLE).update(
        visibility=Visibility.DELETED
    )


def comment_create(
    *, access: Access, thread: Thread, body: str, parent: Comment | None = None
) -> Comment:
    """Comment on ``thread`` or reply to a comment (one level: a reply to a
    reply attaches to its top-level comment). Notifies the thread's author,
    the replied-to author and mentioned members, each once."""
    member = _raise_unless_can_post(access, thread)
    if thread.is_locked and not access.is_moderator:
        raise CommunityError("thread_locked")
    if parent is not None:
        if parent.thread_id != thread.pk or parent.visibility != Visibility.VISIBLE:
            raise CommunityError("comment_unavailable")
        if parent.parent_id is not None:
            parent = parent.parent
    now = timezone.now()
    body = _clean_body(body)
    with transaction.atomic():
        _rate_check(member, "comments", now)
        html, mentioned = post_render(body)
        comment = Comment.objects.create(
            thread=thread,
            parent=parent,
            author=member,
            body=body,
            body_html=html,
            created_at=now,
        )
        Thread.objects.filter(pk=thread.pk).update(
            comment_count=F("comment_count") + 1, last_activity_at=now
        )
        _hot_refresh(thread.pk, thread.created_at)
        replied_to = [thread.author]
        if parent is not None:
            replied_to.append(parent.author)
        notify(
            recipients=replied_to,
            kind=NotificationKind.REPLY,
            actor=member,
            thread=thread,
            comment=comment,
        )
        already = {m.pk for m in replied_to}
        first = _mentioned_first(mentioned, thread=thread, comment=comment)
        notify(
            recipients=[m for m in first if m.pk not in already],
            kind=NotificationKind.MENTION,
            actor=member,
            thread=thread,
            comment=comment,
        )
        # Whoever was replied to or mentioned heard of this post already,
        # even with those notices switched off or muted: one notice a post.
        notify_watchers(
            thread=thread,
            actor=member,
            comment=comment,
            told=[*replied_to, *first],
        )
    return comment


def comment_edit(*, access: Access, comment: Comment, body: str) -> Comment:
    """As ``thread_edit``, for a comment."""
    thread = comment.thread
    refusal = edit_refusal(access=access, thread=thread, comment=comment)
    if refusal is not None:
        raise refusal
    member = access.member
    now = timezone.now()
    body = _clean_body(body)
    with transaction.atomic():
        _edit_rate_check(member, now)
        Revision.objects.create(comment=comment, body=comment.body, replaced_at=now)
        comment.body = body
        comment.body_html, mentioned = post_render(body)
        comment.edited_at = now
        comment.save(update_fields=["body", "body_html", "edited_at"])
        notify(
            recipients=_mentioned_first(mentioned, thread=thread, comment=comment),
            kind=NotificationKind.MENTION,
            actor=member,
            thread=thread,
            comment=comment,
        )
    return comment


def comment_delete(*, member: Member, comment: Comment) -> None:
    if comment.author_id != member.pk:
        raise CommunityError("not_author")
    with transaction.atomic():
        changed = Comment.objects.filter(
            pk=comment.pk, visibility=Visibility.VISIBLE
        ).update(visibility=Visibility.DELETED)
        if changed:
            Thread.objects.filter(pk=comment.thread_id, comment_count__gt=0).update(
                comment_count=F("comment_count") - 1
            )
            _hot_refresh(comment.thread_id, comment.thread.created_at)


def reaction_toggle(
    *,
    access: Access,
    kind: str,
    thread: Thread | None = None,
    comment: Comment | None = None,
) -> bool:
    """Add the member's reaction, or take it back if present. Returns whether
    the reaction is now on. Counts move in the same transaction. Nobody
    reacts on a thread that is no longer visible, nor on its comments."""
    member = _raise_unless_can_post(
        access, comment.thread if comment is not None else thread
    )
    if kind not in ReactionKind.values:
        raise CommunityError("comment_unavailable")
    target = comment if comment is not None else thread
    model = Comment if comment is not None else Thread
    field = f"{kind}_count"
    lookup = {"comment": comment} if comment is not None else {"thread": thread}
    with transaction.atomic():
        deleted, _ = Reaction.objects.filter(
            member=member, kind=kind, **lookup
        ).delete()
        if deleted:
            model.objects.filter(pk=target.pk, **{f"{field}__gt": 0}).update(
                **{field: F(field) - 1}
            )
            now_on = False
        else:
            try:
                with transaction.atomic():
                    Reaction.objects.create(member=member, kind=kind, **lookup)
            except IntegrityError:
                # The same click arrived twice at once; the other one counted.
                return True
            model.objects.filter(pk=target.pk).update(**{field: F(field) + 1})
            now_on = True
        if comment is None:
            _hot_refresh(thread.pk, thread.created_at)
    return now_on


def bookmark_toggle(*, member: Member, thread: Thread) -> bool:
    deleted, _ = Bookmark.objects.filter(member=member, thread=thread).delete()
    if deleted:
        return False
    Bookmark.objects.get_or_create(member=member, thread=thread)
    return True


def helpful_mark(*, member: Member, thread: Thread, comment: Comment | None) -> None:
    """The author of a question marks one comment as the helpful answer (or
    clears it with ``comment=None``); the comment's author is notified."""
    if thread.author_id != member.pk:
        raise CommunityError("not_author")
    if thread.tag != ThreadTag.QUESTION:
        raise CommunityError("helpful_question_only")
    if comment is not None and (
        comment.thread_id != thread.pk or comment.visibility != Visibility.VISIBLE
    ):
        raise CommunityError("comment_unavailable")
    with transaction.atomic():
        thread.helpful_comment = comment
        thread.save(update_fields=["helpful_comment"])
        if comment is not None:
            notify(
                recipients=[comment.author],
                kind=NotificationKind.HELPFUL,
                actor=member,
                thread=thread,
                comment=comment,
            )


@cache_optional
def thread_view_record(*, thread_id: int, created_at: datetime) -> None:
    """Count a view in the cache and write the pending views to the database
    every VIEW_FLUSH_EVERY views or VIEW_FLUSH_SECONDS, whichever comes
    first, so a busy thread does not write on every request. Views still
    pending when the cache restarts are lost, and views made while it is
    down are not counted: an approximate count is fine, and the page must
    answer without Redis."""
    key = f"thread-views:{thread_id}"
    # A window not running means no flush in the last VIEW_FLUSH_SECONDS.
    pending, due = counter_add(key, window=VIEW_FLUSH_SECONDS)
    if pending >= VIEW_FLUSH_EVERY or due:
        taken = counter_take(key)
        if taken:
            Thread.objects.filter(pk=thread_id).update(
                view_count=F("view_count") + taken
            )
            _hot_refresh(thread_id, created_at)
