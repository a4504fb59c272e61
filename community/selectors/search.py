"""Thread search: the matches, their page and the highlighted excerpts."""

import re

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Window
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from community.models import (
    Community,
)
from community.selectors.threads import THREADS_PER_PAGE, visible_threads


def thread_search(
    *,
    query: str,
    readable: QuerySet[Community],
    community: Community | None = None,
    page: int | str = 1,
) -> Page:
    """Visible threads whose title or body contains ``query`` as a substring,
    in communities the reader may read, as SEARCH_ROW_FIELDS named rows.
    Substring matching works for Korean, where particles attach to words
    without spaces ("마케터" finds "퍼포먼스마케터끼리"); on PostgreSQL the
    trigram GIN indexes serve it."""
    words = query.split()[:5]
    matches = visible_threads(community).filter(community__in=readable)
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
    # The page's threads are among the readable matches just found: read by
    # their ids alone, without building the readable communities again.
    page.object_list = (
        list(
            visible_threads(community)
            .filter(pk__in=ids)
            .order_by("-last_activity_at", "-pk")
            .values_list(*SEARCH_ROW_FIELDS, named=True)
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
    # The keys of built-in names (community/names.py).
    "community__role",
    "community__requires_real_names",
    "board__name",
    "board__slug",
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
