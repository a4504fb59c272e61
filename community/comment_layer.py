"""A signed-in member's comment list: the shared fragments, and a thin layer
of what is the member's own.

What every reader sees of a comment (author, time, badges, body) is the
cached fragment of community.fragments.comment_heads. What differs from one
member to the next is small: whether they reacted, which comments are theirs
(edit, delete, no report), whether they may reply, mark a helpful answer or
report. That layer is written here in a few bytes per comment, from labels
translated and URLs reversed once per page, instead of rendering the
``comment-item`` partial of thread_detail.html per comment (a copy of the
reply and report forms, with their CSRF tokens, per comment).

Reply and report are one form each per page (``reply-form``,
``report-form`` in thread_detail.html), which static/js/comment_forms.js
moves under the comment whose button was pressed and points at it. The
reaction, delete and helpful-answer buttons submit one page-wide form
(``comment-action``, which holds the CSRF token) through their
``formaction``; where JavaScript runs, comment_forms.js sends a reaction
through htmx and swaps the comment's reaction bar, as the thread's own
reaction buttons do (without an ``hx-post`` copy of each URL).

The markup of a comment is the partial's, apart from those buttons:
tests/community/test_comment_layer.py compares what a member sees in both.
"""

from collections.abc import Iterable, Sequence
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# A comment id no comment has: reversed once per page, then replaced by each
# comment's id (the URL patterns take any positive integer).
_SENTINEL = "2147480001"


def _url(name: str, *args) -> tuple[str, str]:
    """``name``'s URL for a comment, as the halves around its id."""
    head, _, tail = reverse(name, args=[*args[:1], _SENTINEL, *args[1:]]).partition(
        _SENTINEL
    )
    return head, tail


class Layer:
    """Per page: who reads, what they may do, labels and URLs."""

    def __init__(
        self,
        *,
        thread,
        community,
        member,
        can_post: bool,
        is_moderator: bool,
        read_to: int | None = None,
    ):
        slug = community.slug
        self.thread = thread
        # Where unread comments start is marked once, before the first one
        # shown (selectors.unread says what is unread).
        self.read_to = read_to
        self.divided = False
        self.member_id = member.pk
        self.can_post = can_post
        self.can_reply = can_post and (not thread.is_locked or is_moderator)
        self.marks_helpful = thread.tag == "question" and thread.author_id == member.pk
        self.react = {
            kind: _url("comment_react", slug, kind) for kind in ("empathy", "helpful")
        }
        self.edit = _url("comment_edit", slug)
        self.delete = _url("comment_delete", slug)
        self.helpful_url = reverse("thread_helpful", args=[slug, thread.pk])
        self.labels = {
            "empathy": escape(gettext("Relatable")),
            "helpful": escape(gettext("Helpful")),
            "reply": escape(gettext("Reply")),
            "report": escape(gettext("Report")),
            "edit": escape(gettext("Edit")),
            "delete": escape(gettext("Delete")),
            "mark": escape(gettext("Mark as helpful answer")),
            "unmark": escape(gettext("Unmark helpful answer")),
            "unread": escape(gettext("New since your last visit")),
        }

    def divider(self, comment) -> str:
        """The divider before the first unread comment shown (the anchor
        lists link to), or nothing."""
        if self.divided or not is_unread(comment, self.member_id, self.read_to):
            return ""
        self.divided = True
        return (
            '<p class="unread-divider" id="unread">'
            f"<span>{self.labels['unread']}</span></p>"
        )

    def reactions(self, comment) -> str:
        pk = comment.pk
        counts = {"empathy": comment.empathy_count, "helpful": comment.helpful_count}
        if not self.can_post:
            spans = "".join(
                f'<span class="reaction-static small">{self.labels[kind]} '
                f'<span class="count">{counts[kind]}</span></span>'
                for kind in ("empathy", "helpful")
            )
            return f'<div class="reactions" id="comment-{pk}-reactions">{spans}</div>'
        mine = {
            "empathy": getattr(comment, "my_empathy", False),
            "helpful": getattr(comment, "my_helpful", False),
        }
        buttons = []
        for kind in ("empathy", "helpful"):
            head, tail = self.react[kind]
            url = f"{head}{pk}{tail}"
            on = mine[kind]
            buttons.append(
                f'<button form="comment-action" formaction="{url}" '
                f'class="reaction reaction-small{" is-on" if on else ""}" '
                f'aria-pressed="{"true" if on else "false"}">'
                f'{self.labels[kind]} <span class="count">{counts[kind]}</span>'
                "</button>"
            )
        return (
            f'<div class="reactions" id="comment-{pk}-reactions">'
            f"{''.join(buttons)}</div>"
        )

    def controls(self, comment) -> str:
        if comment.visibility != "visible":
            return ""
        pk = comment.pk
        labels = self.labels
        parts = []
        if self.can_reply:
            parts.append(
                f'<button type="button" class="link-button small" '
                f'data-reply="{pk}">{labels["reply"]}</button>'
            )
        if self.marks_helpful:
            chosen = pk == self.thread.helpful_comment_id
            parts.append(
                f'<button type="submit" form="comment-action" '
                f'formaction="{self.helpful_url}" name="comment" '
                f'value="{"" if chosen else pk}" class="link-button small">'
                f"{labels['unmark' if chosen else 'mark']}</button>"
            )
        if comment.author_id == self.member_id:
            if self.can_post:
                head, tail = self.edit
                parts.append(
                    f'<a class="small" href="{head}{pk}{tail}">{labels["edit"]}</a>'
                )
            head, tail = self.delete
            parts.append(
                f'<button type="submit" form="comment-action" '
                f'formaction="{head}{pk}{tail}" class="link-button small">'
                f"{labels['delete']}</button>"
            )
        else:
            parts.append(
                f'<button type="button" class="link-button small" '
                f'data-report="{pk}">{labels["report"]}</button>'
            )
        return "".join(parts)

    def item(self, comment, *, is_reply: bool) -> str:
        classes = "comment"
        if is_reply:
            classes += " is-reply"
        if comment.pk == self.thread.helpful_comment_id:
            classes += " is-helpful"
        if comment.visibility != "visible":
            classes += " is-removed"
        return (
            f'<article class="{classes}" id="comment-{comment.pk}">'
            f"{comment.head_html}"
            f'<footer class="comment-actions">{self.reactions(comment)}'
            f"{self.controls(comment)}</footer></article>"
        )


class _Author:
    """What a comment's head reads of its author (fragments.comment_heads,
    display.display_name)."""

    __slots__ = ("avatar", "display_mode", "nickname", "pk", "public_id", "real_name")

    def __init__(self, row):
        self.pk = row.author_id
        self.public_id = row.author_public_id
        self.real_name = row.author_real_name
        self.nickname = row.author_nickname
        self.display_mode = row.author_display_mode
        self.avatar = row.author_avatar


class RowComment:
    """A comment read as a CommentRow (selectors.threads.comment_rows,
    the rows signed-out readers' lists are keyed by), holding what its head
    fragment and this layer read: no model instance per comment."""

    __slots__ = (
        "author",
        "author_id",
        "body_html",
        "created_at",
        "edited_at",
        "empathy_count",
        "head_html",
        "helpful_count",
        "my_empathy",
        "my_helpful",
        "parent_id",
        "pk",
        "reply_list",
        "visibility",
    )

    def __init__(self, row, mine: set[tuple[int, str]]):
        self.pk = row.pk
        self.parent_id = row.parent_id
        self.created_at = row.created_at
        self.edited_at = row.edited_at
        self.visibility = row.visibility
        self.empathy_count = row.empathy_count
        self.helpful_count = row.helpful_count
        self.body_html = row.body_html
        self.author_id = row.author_id
        self.author = _Author(row)
        self.my_empathy = (row.pk, "empathy") in mine
        self.my_helpful = (row.pk, "helpful") in mine
        self.reply_list: list[RowComment] = []

    def get_visibility_display(self) -> str:
        # What the head says of a hidden or deleted comment (moderators see
        # them), as Comment.get_visibility_display says it.
        from community.models import Visibility

        return str(Visibility(self.visibility).label)


def comments_from_rows(page, replies: Sequence, mine: set[tuple[int, str]]):
    """``page`` (of comment_rows) with its rows made RowComments, each
    top-level one with its ``reply_list``, and the member's reactions
    (``mine``: (comment id, kind)) as ``my_empathy`` and ``my_helpful``:
    what comment_tree gives, for a reader who sees visible comments only."""
    top = [RowComment(row, mine) for row in page.object_list]
    by_pk = {c.pk: c for c in top}
    for row in replies:
        by_pk[row.parent_id].reply_list.append(RowComment(row, mine))
    page.object_list = top
    return page


def is_unread(comment, member_id: int, read_to: int | None) -> bool:
    """Whether ``comment`` came after the member's read position
    (selectors.unread: visible, and not their own); nothing is when the
    thread was never opened (``read_to`` None: it is all new)."""
    return (
        read_to is not None
        and comment.pk > read_to
        and comment.visibility == "visible"
        and comment.author_id != member_id
    )


def unread_count(comments: Iterable, *, member_id: int, read_to: int | None) -> int:
    """How many comments of a comment_tree page (replies included) are
    unread (``is_unread``)."""
    return sum(
        is_unread(c, member_id, read_to)
        for comment in comments
        for c in (comment, *comment.reply_list)
    )


def member_comments(
    comments: Iterable,
    *,
    thread,
    community,
    member,
    can_post: bool,
    is_moderator,
    read_to: int | None = None,
) -> SafeString:
    """The ``comment-list`` of thread_detail.html for ``member``, from a
    comment_tree page whose comments carry ``head_html`` (comment_heads),
    a divider before the first comment after ``read_to``."""
    layer = Layer(
        thread=thread,
        community=community,
        member=member,
        can_post=can_post,
        is_moderator=is_moderator,
        read_to=read_to,
    )
    html = []
    for comment in comments:
        html.append(layer.divider(comment))
        html.append('<div class="comment-thread">')
        html.append(layer.item(comment, is_reply=False))
        if comment.reply_list:
            html.append('<div class="replies">')
            for r in comment.reply_list:
                html.append(layer.divider(r))
                html.append(layer.item(r, is_reply=True))
            html.append("</div>")
        html.append("</div>")
    # Every piece is escaped above or a fragment rendered by an autoescaping
    # template.
    return mark_safe("".join(html))  # noqa: S308
