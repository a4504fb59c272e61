"""Thread search: the matches, their page and the highlighted excerpts."""

import functools
import re

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import Count, Q, QuerySet, Window
from django.db.models.utils import create_namedtuple_class
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from community.models import Board, Community, Member, Thread
from community.rawsql import Columns, Statement, counted_page
from community.selectors.threads import PAGE_MAX, THREADS_PER_PAGE, visible_threads


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
    ordered = matches.order_by("-last_activity_at", "-pk").values("pk")
    found = _page_read(ordered, THREADS_PER_PAGE, page) if words else None
    if found is not None:
        return found
    # Not a number, out of range, no matches: as the Paginator decides.
    page = Paginator(ordered, THREADS_PER_PAGE).get_page(page)
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


def _page_read(ordered: QuerySet, per_page: int, number: int | str) -> Page | None:
    """Page ``number`` of the matches ``ordered`` (a ``values("pk")``
    queryset) as SEARCH_ROW_FIELDS named rows, with the count of every
    match, in one statement: the page of matches is found and counted
    (``COUNT(*) OVER ()``) on the thread table alone, as before, and only
    its rows are joined to what a result shows (``_rows_statement``). None
    when that page has no rows (not a number, out of range, no matches):
    the Paginator then decides as always."""
    try:
        wanted = min(int(number), PAGE_MAX)
    except (TypeError, ValueError):
        return None
    if wanted < 1:
        return None
    start = (wanted - 1) * per_page
    matches = ordered.annotate(page_total=Window(Count("pk")))[start : start + per_page]
    inner, params = matches.query.sql_with_params()
    db = matches.db
    connection = connections[db]
    statement = _rows_statement(db)
    return counted_page(
        connection,
        statement,
        statement.sql.format(matches=inner),
        params,
        row=_SEARCH_ROW,
        number=wanted,
        per_page=per_page,
    )


@functools.cache
def _rows_statement(db: str) -> Statement:
    """The SEARCH_ROW_FIELDS of a page of matches, newest activity first,
    and the count of every match (its ``{matches}``: the page of matches,
    each row its "pk" and "page_total"). Only the models' own table and column
    names are written in; the matches' query brings its own parameters."""
    connection = connections[db]
    qn = connection.ops.quote_name
    related = {
        "community": ("c", Community),
        "board": ("b", Board),
        "author": ("a", Member),
    }
    fields = []
    for name in SEARCH_ROW_FIELDS:
        relation, _sep, column = name.rpartition("__")
        alias, model = related.get(relation, ("t", Thread))
        fields.append(
            (alias, model._meta.pk if column == "pk" else model._meta.get_field(column))
        )
    meta = Thread._meta

    def col(name: str) -> str:
        return f"t.{qn(meta.get_field(name).column)}"

    select = ", ".join(f"{alias}.{qn(field.column)}" for alias, field in fields)
    joins = " ".join(
        f"INNER JOIN {qn(model._meta.db_table)} {alias} "
        f"ON {alias}.{qn('id')} = {col(relation)}"
        for relation, (alias, model) in related.items()
    )
    sql = (
        f"SELECT {select}, p.{qn('page_total')} "  # noqa: S608 (names, not input)
        f"FROM ({{matches}}) p "
        f"INNER JOIN {qn(meta.db_table)} t ON t.{qn('id')} = p.{qn('pk')} {joins} "
        f"ORDER BY {col('last_activity_at')} DESC, t.{qn('id')} DESC"
    )
    return Statement(sql, Columns.of(fields, connection))


# The named rows values_list(*SEARCH_ROW_FIELDS, named=True) makes.
_SEARCH_ROW = create_namedtuple_class(*SEARCH_ROW_FIELDS)


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
