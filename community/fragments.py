"""Rendered fragments that are the same for every reader, cached by content.

A fragment's cache key is a digest of everything it shows (the values the
template reads, the language and the time zone), so an edit, a hidden
comment, a renamed member or a new count makes a new key: nothing is ever
invalidated, nothing stale can be served, and an unused entry just expires.
Only what every reader sees alike goes into a fragment; a reader's own
state (their reactions, their edit and report links) is rendered around it.

All fragments of a page are read with one ``get_many``. When the cache is
unavailable the page renders them itself.
"""

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from community import timefmt
from community.caching import optional

logger = logging.getLogger(__name__)

# Content-keyed entries never go stale; the timeout only frees memory.
TIMEOUT = 6 * 60 * 60
# Bump when a fragment template changes what it renders from the same values.
VERSION = 5


def _key(kind: str, pk: int, parts: tuple, context: tuple) -> str:
    digest = hashlib.blake2b(
        repr((VERSION, context, parts)).encode(), digest_size=16
    ).hexdigest()
    return f"frag:{kind}:{pk}:{digest}"


def _pk(item) -> int:
    # A page of comments is keyed by its number (its content by the parts).
    return item.pk if hasattr(item, "pk") else item.number


def render_cached(
    kind: str,
    template_name: str,
    items: Sequence[Any],
    parts: Callable[[Any], tuple],
    context: Callable[[Any], dict[str, Any]],
    request=None,
) -> list[SafeString]:
    """One fragment per item of ``items``, rendered from ``template_name``
    with ``context(item)`` (and ``request``, for tags that read it);
    ``parts(item)`` must return every value that context, and anything the
    template reads of the request, makes the template show (it keys the
    cache)."""
    if not items:
        return []
    env = (get_language(), timezone.get_current_timezone_name())
    keys = [_key(kind, _pk(item), parts(item), env) for item in items]
    found = optional(lambda: cache.get_many(keys), what="fragments")
    template = None
    fresh: dict[str, str] = {}
    html: list[SafeString] = []
    for key, item in zip(keys, items, strict=True):
        text = found.get(key) if found is not None else None
        if text is None:
            if template is None:
                template = get_template(template_name)
            text = str(template.render(context(item), request))
            fresh[key] = text
        html.append(mark_safe(text))  # noqa: S308 (rendered by an autoescaping template)
    if fresh and found is not None:
        optional(lambda: cache.set_many(fresh, timeout=TIMEOUT), what="fragments")
    return html


def attach(items: Iterable[Any], attribute: str, html: Iterable[SafeString]) -> None:
    for item, text in zip(items, html, strict=True):
        setattr(item, attribute, text)


def comment_heads(page, *, thread, community) -> None:
    """Set ``head_html`` on each comment of a comment_tree page (top-level
    ones and their ``reply_list``): its header (author, time, badges) and
    body, the same for every reader, cached per comment."""
    from community.display import display_name

    items = []
    for comment in page.object_list:
        items.append(comment)
        items.extend(comment.reply_list)
    names = {c.pk: display_name(c.author, community) for c in items}
    now = timezone.now()

    def values(c) -> dict[str, Any]:
        return {
            "comment": c,
            "author_name": names[c.pk],
            "is_thread_author": c.author_id == thread.author_id,
            "is_helpful": c.pk == thread.helpful_comment_id,
            "now": now,
        }

    def parts(c) -> tuple:
        return (
            c.author.public_id,
            c.author.avatar,
            names[c.pk],
            c.author_id == thread.author_id,
            c.pk == thread.helpful_comment_id,
            c.created_at,
            # The head says it relatively ("3분 전").
            timefmt.ago(c.created_at, now=now),
            c.edited_at,
            c.visibility,
            c.body_html,
        )

    attach(
        items, "head_html", render_cached("comment-head", HEAD, items, parts, values)
    )


def _comment_row(c):
    """A comment as selectors.threads.comment_rows reads it."""
    from community.selectors.threads import CommentRow

    a = c.author
    return CommentRow(
        c.pk,
        c.parent_id,
        c.created_at,
        c.edited_at,
        c.visibility,
        c.empathy_count,
        c.helpful_count,
        c.body_html,
        c.author_id,
        a.public_id,
        a.real_name,
        a.nickname,
        a.display_mode,
        a.avatar,
    )


def comment_list_key(
    kind: str, *, thread, community, rows: tuple, replies: tuple, reader
) -> str:
    """The cache key of a thread's comment list (a page of comment_rows:
    ``rows`` and their ``replies``) for readers alike in ``reader``: every
    value the list shows of the comments and their authors, of the thread
    and community, each comment's relative time ("3분 전"), the language
    and the time zone."""
    context = (
        thread.pk,
        thread.author_id,
        thread.helpful_comment_id,
        thread.tag,
        thread.is_locked,
        community.slug,
        community.requires_real_names,
    )
    env = (get_language(), timezone.get_current_timezone_name())
    now = timezone.now()
    labels = timefmt.ago_key(((r.pk, r.created_at) for r in (*rows, *replies)), now=now)
    return _key(kind, thread.pk, (context, reader, rows, replies, labels), env)


def anonymous_comments(*, thread, community, page: int | str = 1):
    """(page, html): a page of the thread's comments as an anonymous reader
    sees them, who has no controls on any comment, so the list (the
    ``comment-list`` partial of thread_detail.html) is the same for every
    one of them. Cached under a key made of every value that partial reads
    on that path: the comments' and authors' values
    (selectors.threads.comment_rows, read without building models), the
    thread's and community's, the language and time zone. On a miss the
    page is read as comment_tree reads it, rendered, and stored under the
    key of what was rendered."""
    from django.contrib.auth.models import AnonymousUser

    from community.selectors import threads as selectors

    def key(rows: tuple, replies: tuple) -> str:
        return comment_list_key(
            "comment-list",
            thread=thread,
            community=community,
            rows=rows,
            replies=replies,
            reader=None,
        )

    rows_page, replies = selectors.comment_rows(thread=thread, page=page)
    html = optional(
        lambda: cache.get(key(tuple(rows_page.object_list), tuple(replies))),
        what="comment list",
    )
    if html is not None:
        return rows_page, mark_safe(html)  # noqa: S308 (rendered by an autoescaping template)

    comments = selectors.comment_tree(
        thread=thread, member=None, moderator=False, page=rows_page.number
    )
    comment_heads(comments, thread=thread, community=community)
    html = str(
        get_template(LIST).render(
            {
                "comments": comments,
                "thread": thread,
                "community": community,
                "can_post": False,
                "access": None,
                "user": AnonymousUser(),
                "report_url": "",
            }
        )
    )
    rendered = (
        tuple(_comment_row(c) for c in comments.object_list),
        tuple(
            sorted(
                (_comment_row(r) for c in comments.object_list for r in c.reply_list),
                key=lambda row: (row.created_at, row.pk),
            )
        ),
    )
    optional(
        lambda: cache.set(key(*rendered), html, timeout=TIMEOUT), what="comment list"
    )
    return comments, mark_safe(html)  # noqa: S308


def _community_parts(community) -> tuple:
    return tuple(
        getattr(community, name)
        for name in (
            "pk",
            "slug",
            "name",
            "role",
            "description",
            "rules",
            "requires_real_names",
            "post_policy",
            "public_read",
            "member_count",
        )
    )


def _boards_parts(boards) -> tuple:
    return tuple((b.pk, b.slug, b.name, b.description) for b in boards)


def reader_standing(request, access) -> tuple:
    """What a page body (community-body, board-body) reads of its reader:
    whether they are signed in and, if so, their standing in the community
    (member, moderator, owner, banned, may join, may post, and why not).
    Every reader with the same standing gets the same body, so it is part
    of the body's key: a join, a leave, a ban, a mute, a lift or a role
    change makes another key at once (the standing is read each request)."""
    if not request.user.is_authenticated or access is None:
        return ("signed-out",)
    return (
        "signed-in",
        access.is_member,
        access.is_moderator,
        access.is_owner,
        access.may_set_roles,
        access.can_join,
        access.banned is not None,
        access.can_post,
    )


@functools.cache
def _csrf_placeholder() -> str:
    """Where a body's forms put the reader's CSRF token, filled in for each
    request (``get_token``). Drawn from the site's secret, so that no
    member's text can hold it (page_cache.CSRF_PLACEHOLDER explains why
    that matters); and only the token fields are filled in, in case one
    does (the development key is public)."""
    from django.utils.crypto import salted_hmac

    from community.page_cache import CSRF_PLACEHOLDER

    mark = salted_hmac("moim-fragment-csrf", "", algorithm="sha256").hexdigest()
    return f"{CSRF_PLACEHOLDER}-{mark[:32]}"


def _reader_body(
    kind: str, template_name: str, *, request, context: dict, parts: tuple
) -> SafeString:
    """A page's content as every reader of the same standing
    (``reader_standing``) sees it, cached under ``parts`` (every value the
    partial reads on that path, what it reads of the request and of the
    reader included), the language and the time zone; a miss renders from
    ``context``, the values ``parts`` was made of. The partial's thread
    rows come from their own fragment; its CSRF token is the reader's,
    filled in for each request."""
    from django.contrib.auth.models import AnonymousUser

    community = context["community"]
    signed_in = request.user.is_authenticated
    placeholder = _csrf_placeholder()
    # The placeholder is drawn from the secret key: a body kept by a server
    # with another key (before a rotation) holds another one.
    parts = (reader_standing(request, context.get("access")), placeholder, parts)

    def values(_community) -> dict[str, Any]:
        return {
            **context,
            "recent_rows" if kind == "community-body" else "thread_rows": (
                thread_rows(context["rows"], community=community)
            ),
            "user": request.user if signed_in else AnonymousUser(),
            "request": request,
            "csrf_token": placeholder,
        }

    (html,) = render_cached(
        kind,
        template_name,
        [community],
        lambda _c: parts,
        values,
        request=request,
    )
    return _tokens_filled(html, placeholder, request)


def _tokens_filled(html: SafeString, placeholder: str, request) -> SafeString:
    """``html`` with the reader's CSRF token in the token fields a kept body
    rendered: the forms' hidden fields and the thread page's htmx header.
    Only those exact strings are filled in: a member's text that spells the
    placeholder (the development key is public) is not a field, so it never
    reads as the token (issue 13, defect 7)."""
    from django.middleware.csrf import get_token

    fields = [field.format(placeholder) for field in TOKEN_FIELDS]
    if not any(field in html for field in fields):
        return html
    token = get_token(request)
    for template, field in zip(TOKEN_FIELDS, fields, strict=True):
        html = html.replace(field, template.format(token))
    return mark_safe(html)  # noqa: S308


# Where a kept body holds the CSRF token, as its templates render it.
TOKEN_FIELDS = (
    'name="csrfmiddlewaretoken" value="{}"',
    'hx-headers=\'{{"X-CSRFToken": "{}"}}\'',
)


def community_body(*, request, context: dict[str, Any]) -> SafeString:
    """A community page's content (the ``community-body`` partial of
    community_detail.html) as every reader of the same standing sees it
    (``reader_standing``): keyed by that standing, the community's fields
    and its boards, moderators, upcoming gatherings, satisfaction trend and
    recent threads as the view read them, and the reason the reader may
    not post."""
    parts = (
        # The partial reads the path (sign-in link), not the query string:
        # a query string of one's own makes no entry of its own.
        request.path,
        _community_parts(context["community"]),
        _boards_parts(context["boards"]),
        tuple(
            (
                m.role,
                m.member.public_id,
                m.member.real_name,
                m.member.nickname,
                m.member.display_mode,
            )
            for m in context["moderators"]
        ),
        tuple(
            (g.pk, g.status, g.format, g.title, g.starts_at, g.capacity)
            for g in context["upcoming"]
        ),
        tuple(
            (p.gathering.pk, p.gathering.title, p.average, p.responses)
            for p in context["trend"].points
        ),
        tuple(context["recent_threads"]),
        activity_labels(context["recent_threads"]),
        context["post_refusal"],
    )
    context = {**context, "rows": context["recent_threads"]}
    return _reader_body(
        "community-body", COMMUNITY_BODY, request=request, context=context, parts=parts
    )


def board_body(*, request, context: dict[str, Any]) -> SafeString | None:
    """A board page's content (the ``board-body`` partial of
    board_detail.html) as every reader of the same standing sees it
    (``reader_standing``), keyed by that standing, the community's fields,
    its boards (the one shown among them), the sort, the page (its rows,
    number and count), the path and the query (the pagination links keep
    it) and the reason the reader may not post. None (render it in the
    page) unless that query string holds nothing but the sort and the page
    shown, once each, so that made-up query strings make no cache entries."""
    page = context["page_obj"]
    shown = {"sort": context["sort"], "page": str(page.number)}
    if any(
        name not in shown or values != [shown[name]]
        for name, values in request.GET.lists()
    ):
        return None
    parts = (
        # What the partial reads of the request: the path (sign-in link)
        # and the query, decoded, in order (pagination links).
        request.path,
        tuple(request.GET.lists()),
        _community_parts(context["community"]),
        _boards_parts(context["boards"]),
        context["board"].pk,
        context["sort"],
        page.number,
        page.paginator.count,
        tuple(page.object_list),
        activity_labels(page.object_list),
        context["post_refusal"],
    )
    context = {**context, "rows": page.object_list}
    return _reader_body(
        "board-body", BOARD_BODY, request=request, context=context, parts=parts
    )


def _thread_parts(thread) -> tuple:
    """Every value of ``thread`` its page shows (selectors.threads
    THREAD_PAGE_FIELDS: its author's, board's and helpful answer's too),
    but the view count, which the page fills in per request."""
    from community.selectors.threads import THREAD_PAGE_FIELDS

    values = []
    for name in THREAD_PAGE_FIELDS:
        if name == "view_count":
            continue
        value = thread
        for part in name.split("__"):
            value = getattr(value, part, None)
        values.append(value)
    return (thread.pk, *values)


@functools.cache
def _slot(name: str) -> str:
    """Where a kept body holds what the page fills in per request: drawn
    from the site's secret, like the CSRF placeholder."""
    mark = _csrf_placeholder().rpartition("-")[2]
    # An HTML comment: a member's text is escaped ('<' becomes '&lt;'), so
    # none can spell a slot, whatever it knows of the secret.
    return f"<!--moim-slot-{mark}-{name}-->"


def thread_body(
    *, request, context: dict[str, Any], comments_html: SafeString | None
) -> SafeString | None:
    """A thread page's content but the moderators' edit history (the
    ``thread-body`` partial of thread_detail.html) for a signed-in member,
    as every member of the same standing sees it: kept under a key of every
    value the partial shows (the thread's, its author's, board's and
    helpful answer's, the community's, the page of comments shown, the
    reason the member may not post or why the thread is hidden) and of
    what it reads of the member: their standing (``reader_standing``),
    whether they wrote the thread, their reactions to it and bookmark,
    their follow level of it and how many comments of the page are new to
    them. Per request
    the member's comment list (``comments_html``, community.comment_layer),
    the view count and their CSRF token are filled in. None (render it in
    the page) unless the query string holds nothing but the page, once."""
    if any(name != "page" or len(values) != 1 for name, values in request.GET.lists()):
        return None
    thread = context["thread"]
    page = context["comments"]
    state = context["state"]
    views = context["views"]
    member = request.user
    placeholder = _csrf_placeholder()
    now = timezone.now()
    parts = (
        reader_standing(request, context["access"]),
        thread.author_id == member.pk,
        (state["empathy"], state["helpful"], state["bookmarked"]),
        # The member's follow level, which the thread card's control shows,
        # and how many comments on the page are new to them (the jump link).
        (context["follow"] or {}).get("level"),
        context["unread_here"],
        request.path,
        tuple(request.GET.lists()),
        _community_parts(context["community"]),
        _thread_parts(thread),
        timefmt.ago(thread.created_at, now=now),
        page.number,
        page.paginator.num_pages,
        comments_html is None,
        context["hidden_reason"],
        context["post_refusal"],
        # Drawn from the secret key, as the slots are: a body kept by a
        # server with another key (before a rotation) holds other ones.
        placeholder,
    )

    def values(_thread) -> dict[str, Any]:
        return {
            **context,
            "user": member,
            "request": request,
            "csrf_token": placeholder,
            "views": mark_safe(_slot("views")),  # noqa: S308
            "comments_html": (
                None if comments_html is None else mark_safe(_slot("comments"))  # noqa: S308
            ),
        }

    (html,) = render_cached(
        "thread-body", THREAD_BODY, [thread], lambda _t: parts, values, request=request
    )
    html = _tokens_filled(html, placeholder, request).replace(
        _slot("views"), escape(views)
    )
    if comments_html is not None:
        html = html.replace(_slot("comments"), comments_html)
    return mark_safe(html)  # noqa: S308 (rendered by an autoescaping template)


THREAD_BODY = "community/thread_detail.html#thread-body"
COMMUNITY_BODY = "community/community_detail.html#community-body"
BOARD_BODY = "community/board_detail.html#board-body"
HEAD = "community/partials/comment_head.html"
LIST = "community/thread_detail.html#comment-list"


def thread_rows(rows: Sequence[tuple], *, community) -> str:
    """The rows of one community's thread list (partials/thread_row.html for
    each of ``rows``, selectors.threads.THREAD_ROW_FIELDS tuples), the same
    for every reader, cached as one fragment keyed by every value a row
    shows. On a miss the rows are rendered from those same values, so what is stored is
    always what the key describes. A row says its last activity relatively
    ("3시간 전"), so the labels, as of one ``now``, are part of the key."""
    now = timezone.now()

    def parts(_rows) -> tuple:
        return (
            community.slug,
            community.requires_real_names,
            tuple(rows),
            activity_labels(rows, now=now),
        )

    def values(_rows) -> dict[str, Any]:
        return {
            "threads": [_thread_from_row(row, community) for row in rows],
            "show_community": False,
            "now": now,
        }

    (html,) = render_cached("thread-rows", ROWS, [_Rows()], parts, values)
    return html


def _thread_from_row(row: tuple, community):
    """An unsaved Thread (and author) holding a THREAD_ROW_FIELDS row: what
    the row template reads, nothing more."""
    from community.models import Member, Thread
    from community.selectors.threads import THREAD_ROW_FIELDS

    values = dict(zip(THREAD_ROW_FIELDS, row, strict=True))
    author = Member(
        **{
            name.removeprefix("author__"): values.pop(name)
            for name in THREAD_ROW_FIELDS
            if name.startswith("author__")
        }
    )
    return Thread(**values, community=community, author=author)


class _Rows:
    pk = 0


def activity_labels(rows: Sequence[tuple], *, now=None) -> tuple[str, ...]:
    """What the rows say of their last activity ("3시간 전"): a fragment
    that shows them is keyed by them, so it changes when they do."""
    now = now or timezone.now()
    return tuple(timefmt.ago(row.last_activity_at, now=now) for row in rows)


ROWS = "community/partials/thread_rows.html"


def search_results(
    page, *, query: str, scoped: bool, results: Callable[[list], list]
) -> str:
    """The result items of a search page (the ``search-results`` partial of
    search.html), the same for every reader who gets these threads for this
    query: cached by the query and every value an item shows
    (selectors.search.SEARCH_ROW_FIELDS, the rows of ``page``), including the
    body its excerpt is cut from. Only when the fragment must be rendered are
    threads built from those same values and ``results(threads)`` called
    to make the items (title and excerpt highlighted)."""
    rows = tuple(page.object_list)

    def parts(_page) -> tuple:
        return (query, scoped, rows, activity_labels(rows))

    def values(_page) -> dict[str, Any]:
        threads = [_search_thread(row) for row in rows]
        return {"results": results(threads), "scope": scoped}

    (html,) = render_cached("search-results", SEARCH, [page], parts, values)
    return html


def _search_thread(row: tuple):
    """An unsaved Thread (with its community, board and author) holding a
    SEARCH_ROW_FIELDS row: what a search result reads, nothing more."""
    from community.models import Board, Community, Member, Thread
    from community.selectors.search import SEARCH_ROW_FIELDS

    values = dict(zip(SEARCH_ROW_FIELDS, row, strict=True))

    def related(prefix: str) -> dict[str, Any]:
        return {
            name.removeprefix(prefix): values.pop(name)
            for name in SEARCH_ROW_FIELDS
            if name.startswith(prefix)
        }

    community = Community(**related("community__"))
    board = Board(**related("board__"))
    author = Member(**related("author__"))
    return Thread(**values, community=community, board=board, author=author)


SEARCH = "community/search.html#search-results"
