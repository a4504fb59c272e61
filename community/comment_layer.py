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
(``comment-action``, which holds the CSRF token): a reaction button to the
form's own URL (threads.comment_react), sending its kind as its name and
the comment as its value, the others through their ``formaction``. Where
JavaScript runs, comment_forms.js sends a reaction through htmx and swaps
the comment's reaction bar, as the thread's own reaction buttons do
(without an ``hx-post`` copy of each URL).

The list is the same for every member of the same standing on the thread
(may they post, are they a moderator, do they mark its helpful answer): it
is kept in the cache as text between slots (``_Pieces``), under a key of
every value it shows, like the fragments; each request fills the slots
with the member's own state (their reactions pressed, their own comments'
edit and delete instead of report, and the divider before the first
comment that is new to them since their last visit) in one pass (``fill``).

The markup of a comment is the partial's, apart from those buttons:
tests/community/test_comment_layer.py compares what a member sees in both,
whoever filled the cache before.
"""

from collections.abc import Iterable, Sequence
from html import escape

from django.core.cache import cache
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from community.caching import optional

# A comment id no comment has: reversed once per page, then replaced by each
# comment's id (the URL patterns take any positive integer).
_SENTINEL = "2147480001"


def url_halves(name: str, slug: str) -> tuple[str, str]:
    """``name``'s URL for a comment (or thread) id of the community
    ``slug``, as the halves around that id. Split at the last sentinel: a
    slug may spell its digits."""
    head, _, tail = reverse(name, args=[slug, _SENTINEL]).rpartition(_SENTINEL)
    return head, tail


class Layer:
    """Per page: who reads, what they may do, labels and URLs."""

    def __init__(
        self,
        *,
        thread,
        community,
        can_post: bool,
        is_moderator: bool,
        marks_helpful: bool,
    ):
        slug = community.slug
        self.thread = thread
        self.can_post = can_post
        self.can_reply = can_post and (not thread.is_locked or is_moderator)
        self.marks_helpful = marks_helpful
        self.edit = url_halves("comment_edit", slug)
        self.delete = url_halves("comment_delete", slug)
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
        }

    def reactions(self, comment, out: "_Pieces") -> None:
        pk = comment.pk
        counts = {"empathy": comment.empathy_count, "helpful": comment.helpful_count}
        if not self.can_post:
            spans = "".join(
                f"<span>{self.labels[kind]} <span>{counts[kind]}</span></span>"
                for kind in ("empathy", "helpful")
            )
            out.add(f'<div class="reactions">{spans}</div>')
            return
        out.add('<div class="reactions">')
        for kind in ("empathy", "helpful"):
            # A submit button (a button's default type) of the page's
            # comment-action form, which posts to threads.comment_react:
            # its name says the kind, its value the comment.
            out.add(f'<button form="comment-action" name="{kind}" value="{pk}"')
            # Pressed or not: the reader's own (Pieces.fill).
            out.slot((pk, kind), PRESSED[False])
            out.add(f">{self.labels[kind]} <span>{counts[kind]}</span></button>")
        out.add("</div>")

    def controls(self, comment, out: "_Pieces") -> None:
        if comment.visibility != "visible":
            return
        pk = comment.pk
        labels = self.labels
        parts = []
        # Reply and report look like the other small link buttons
        # (static/css/moim.css styles them by their data attribute). They
        # are in no form, so their default type (submit) submits nothing:
        # comment_forms.js opens the page's reply or report form.
        if self.can_reply:
            parts.append(f'<button data-reply="{pk}">{labels["reply"]}</button>')
        if self.marks_helpful:
            chosen = pk == self.thread.helpful_comment_id
            parts.append(
                f'<button type="submit" form="comment-action" '
                f'formaction="{self.helpful_url}" name="comment" '
                f'value="{"" if chosen else pk}" class="link-button small">'
                f"{labels['unmark' if chosen else 'mark']}</button>"
            )
        out.add("".join(parts))
        # Another member's comment can be reported; the reader's own edited
        # and deleted instead (Pieces.fill).
        own = []
        if self.can_post:
            head, tail = self.edit
            own.append(f'<a class="small" href="{head}{pk}{tail}">{labels["edit"]}</a>')
        head, tail = self.delete
        own.append(
            f'<button type="submit" form="comment-action" '
            f'formaction="{head}{pk}{tail}" class="link-button small">'
            f"{labels['delete']}</button>"
        )
        out.slot(
            (pk, OWN),
            f'<button data-report="{pk}">{labels["report"]}</button>',
            "".join(own),
        )

    def item(self, comment, out: "_Pieces", *, is_reply: bool) -> None:
        classes = "comment"
        if is_reply:
            classes += " is-reply"
        if comment.pk == self.thread.helpful_comment_id:
            classes += " is-helpful"
        if comment.visibility != "visible":
            classes += " is-removed"
        out.add(
            f'<article class="{classes}" id="comment-{comment.pk}">'
            f"{comment.head_html}<footer>"
        )
        self.reactions(comment, out)
        self.controls(comment, out)
        out.add("</footer></article>")


# A reaction button's state, not pressed and pressed.
PRESSED = {
    False: ' aria-pressed="false"',
    True: ' aria-pressed="true"',
}
# The slot of a comment's controls that differ for its author.
OWN = "own"
# The slot before each comment where the unread divider may go.
DIVIDER = "divider"


class _Pieces:
    """A comment list as text between slots: what every reader of the same
    standing sees, with a default in each slot, and what the reader's own
    state puts there instead (``fill``). Picklable, kept in the cache as a
    tuple."""

    def __init__(self):
        self.pieces: list[str] = []
        self.slots: dict[tuple[int, str], int] = {}
        self.own: dict[int, str] = {}
        self._text: list[str] = []

    def add(self, text: str) -> None:
        self._text.append(text)

    def slot(self, key: tuple[int, str], default: str, own: str | None = None):
        self.pieces.append("".join(self._text))
        self._text = []
        self.slots[key] = len(self.pieces)
        self.pieces.append(default)
        if own is not None:
            self.own[key[0]] = own

    def kept(self) -> tuple:
        self.pieces.append("".join(self._text))
        self._text = []
        return (tuple(self.pieces), self.slots, self.own)


def fill(
    kept: tuple,
    *,
    mine: set[tuple[int, str]],
    own: Iterable[int],
    unread: Iterable[int] = (),
) -> str:
    """A kept list (``_Pieces.kept``) with the reader's own state: their
    reactions (``mine``: (comment id, kind)) pressed, the comments they
    wrote (``own``: ids) with their edit and delete controls instead of
    the report button, and the divider (the anchor lists link to) before
    the first shown of the comments new to them (``unread``: ids)."""
    pieces, slots, own_html = kept
    pieces = list(pieces)
    first = min(
        (slots[(pk, DIVIDER)] for pk in unread if (pk, DIVIDER) in slots),
        default=None,
    )
    if first is not None:
        label = escape(gettext("New since your last visit"))
        pieces[first] = (
            f'<p class="unread-divider" id="unread"><span>{label}</span></p>'
        )
    on = PRESSED[True]
    for key in mine:
        at = slots.get(key)
        if at is not None:
            pieces[at] = on
    for pk in own:
        at = slots.get((pk, OWN))
        if at is not None:
            pieces[at] = own_html[pk]
    return "".join(pieces)


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
    """Whether ``comment`` (a comment or a comment row) came after the
    member's read position (selectors.unread: visible, and not their own);
    nothing is when the thread was never opened (``read_to`` None: it is
    all new)."""
    return (
        read_to is not None
        and comment.pk > read_to
        and comment.visibility == "visible"
        and comment.author_id != member_id
    )


def unread_count(comments: Iterable, *, member_id: int, read_to: int | None) -> int:
    """How many of a page's ``comments`` (replies included) are unread
    (``is_unread``)."""
    return sum(is_unread(c, member_id, read_to) for c in comments)


def _pieces(
    comments: Iterable,
    *,
    thread,
    community,
    can_post: bool,
    is_moderator: bool,
    marks_helpful: bool,
) -> tuple:
    """The ``comment-list`` of thread_detail.html for a member of this
    standing, from a comment_tree page whose comments carry ``head_html``
    (comment_heads), as a kept ``_Pieces``."""
    layer = Layer(
        thread=thread,
        community=community,
        can_post=can_post,
        is_moderator=is_moderator,
        marks_helpful=marks_helpful,
    )
    out = _Pieces()
    for comment in comments:
        out.slot((comment.pk, DIVIDER), "")
        out.add('<div class="comment-thread">')
        layer.item(comment, out, is_reply=False)
        if comment.reply_list:
            out.add('<div class="replies">')
            for reply in comment.reply_list:
                out.slot((reply.pk, DIVIDER), "")
                layer.item(reply, out, is_reply=True)
            out.add("</div>")
        out.add("</div>")
    return out.kept()


def member_comments(
    rows_page,
    replies: Sequence,
    *,
    thread,
    community,
    member,
    can_post: bool,
    is_moderator: bool,
    mine: set[tuple[int, str]],
    read_to: int | None = None,
) -> SafeString:
    """The ``comment-list`` of thread_detail.html for ``member``, from a
    page of comment_rows (``rows_page`` and its ``replies``), their
    reactions on it (``mine``) and how far they had read (``read_to``,
    selectors.unread).

    What every member of the same standing on this thread sees (may they
    post, reply, mark the helpful answer; are they a moderator) is kept in
    the cache under a key of every value it shows, as fragments are
    (community.fragments.comment_list_key): the rows, their relative times,
    the thread's and community's values, the standing, the language and
    the time zone. A new, edited, hidden or deleted comment, a reaction
    count, a renamed author or a change of standing make another key:
    nothing to invalidate. The member's own state (their reactions, the
    comments they wrote, the divider before the first comment new to them)
    fills its slots for each request."""
    from community import fragments

    rows = tuple(rows_page.object_list)
    replies = tuple(replies)
    marks_helpful = thread.tag == "question" and thread.author_id == member.pk
    standing = (can_post, is_moderator, marks_helpful)
    key = fragments.comment_list_key(
        "member-list",
        thread=thread,
        community=community,
        rows=rows,
        replies=replies,
        reader=standing,
    )
    kept = optional(lambda: cache.get(key), what="comment list")
    if kept is None:
        comments = comments_from_rows(rows_page, replies, set())
        fragments.comment_heads(comments, thread=thread, community=community)
        kept = _pieces(
            comments.object_list,
            thread=thread,
            community=community,
            can_post=can_post,
            is_moderator=is_moderator,
            marks_helpful=marks_helpful,
        )
        optional(
            lambda: cache.set(key, kept, timeout=fragments.TIMEOUT),
            what="comment list",
        )
    # The member's id read once: ``member`` is the request's lazy user, a
    # proxy whose every attribute read costs calls.
    member_id = member.pk
    shown = (*rows, *replies)
    own = [r.pk for r in shown if r.author_id == member_id]
    unread = (
        [r.pk for r in shown if is_unread(r, member_id, read_to)]
        if read_to is not None
        else []
    )
    # Every piece is escaped by the layer or a fragment rendered by an
    # autoescaping template.
    return mark_safe(fill(kept, mine=mine, own=own, unread=unread))  # noqa: S308
