"""What a community page shows of its content, read in one statement.

The page lists the community's boards, its moderators, its upcoming
gatherings, the satisfaction trend of its past ones and its latest threads:
the same for every reader, and the values its cached body is keyed by
(community.fragments.community_body). Read one by one through the ORM they
cost five queries and some 2 ms of Python each to build and compile; here
they are five branches of one ``UNION ALL``, written once per process and
database (``_statement``), with the same filters and order as the selectors
they stand for (``community.selectors.communities.community_moderators``,
``events.selectors.gatherings_upcoming``,
``events.selectors.community_satisfaction_trend``,
``community.selectors.threads.thread_recent`` and the community's boards)
and the same values, converted as the ORM converts them. Only the models'
own table and column names are written in; every value is a parameter.
"""

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.models.utils import create_namedtuple_class

from community.models import (
    Board,
    Community,
    Member,
    Membership,
    MembershipRole,
    Thread,
    Visibility,
)
from community.rawsql import Columns
from community.selectors.threads import THREAD_ROW_FIELDS
from events.models import Gathering, Survey
from events.selectors.gatherings import UPCOMING
from events.selectors.surveys import SURVEY_DONE, Trend, TrendPoint

RECENT = 10
UPCOMING_LIMIT = 5
TREND_LIMIT = 12


@dataclass(frozen=True)
class CommunityPageContent:
    boards: list[Board]
    moderators: list[Membership]
    upcoming: list[Gathering]
    trend: Trend
    # THREAD_ROW_FIELDS named rows, as thread_recent returns them.
    recent: list[tuple]


def community_page_content(
    *, community: Community, now: datetime
) -> CommunityPageContent:
    """The boards (in their order), moderators and owners (oldest first),
    up to 5 published gatherings that have not ended (soonest first), the
    trend of up to 12 past gatherings whose survey closed with enough
    responses (oldest first) and the 10 latest visible threads of
    ``community``. One query."""
    db = router.db_for_read(Thread)
    connection = connections[db]
    statement = _statement(db)
    params = statement.params(community.pk, connection.ops, now)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        found = cursor.fetchall()
    rows: dict[int, list[list]] = {index: [] for index in range(len(statement.parts))}
    for row in found:
        index = row[0]
        rows[index].append(statement.parts[index].convert(row, connection))
    for index, part in enumerate(statement.parts):
        rows[index].sort(key=part.order, reverse=part.newest_first)
    boards, moderators, upcoming, trend, recent = (
        rows[index] for index in range(len(statement.parts))
    )
    board_names = _names(Board, BOARD_COLUMNS)
    gathering_names = ["id", "community_id", *GATHERING_COLUMNS]
    content = CommunityPageContent(
        # Every field of a board, in the model's order.
        boards=[Board.from_db(db, board_names, values) for values in boards],
        moderators=[_moderator(db, community, values) for values in moderators],
        upcoming=[
            _with_community(
                _loaded(
                    Gathering,
                    db,
                    dict(
                        zip(
                            gathering_names,
                            [values[0], community.pk, *values[1:]],
                            strict=True,
                        )
                    ),
                ),
                community,
            )
            for values in upcoming
        ],
        trend=Trend(
            points=[
                TrendPoint(
                    gathering=_with_community(
                        _loaded(
                            Gathering,
                            db,
                            {
                                "id": gathering_id,
                                "community_id": community.pk,
                                "title": title,
                            },
                        ),
                        community,
                    ),
                    average=average,
                    responses=responses,
                )
                # Read newest first (the last 12), shown oldest first.
                for _survey, gathering_id, title, average, responses, _ends in reversed(
                    trend
                )
            ]
        ),
        recent=[_ROW(*values) for values in recent],
    )
    return content


_ROW = create_namedtuple_class(*THREAD_ROW_FIELDS)

# Per branch, the model and the columns it reads (a name with "__" is a
# column of the joined table: the moderator's member, the survey's
# gathering, the thread's author).
BOARD_COLUMNS = None  # every concrete field of Board (set by _names)
MODERATOR_COLUMNS = (
    "id",
    "member_id",
    "role",
    "joined_at",
    "member__public_id",
    "member__real_name",
    "member__nickname",
    "member__display_mode",
)
GATHERING_COLUMNS = ("status", "format", "title", "starts_at", "capacity")
TREND_COLUMNS = (
    "id",
    "gathering__id",
    "gathering__title",
    "satisfaction_average",
    "response_count",
    "gathering__ends_at",
)


def _names(model, columns) -> list[str]:
    if columns is None:
        return [field.attname for field in model._meta.concrete_fields]
    return list(columns)


def _moderator(db: str, community: Community, values: list) -> Membership:
    membership_id, member_id, role, _joined, *member = values
    membership = _loaded(
        Membership,
        db,
        {
            "id": membership_id,
            "community_id": community.pk,
            "member_id": member_id,
            "role": role,
        },
    )
    membership.member = _loaded(
        Member,
        db,
        dict(
            zip(
                ["id", "public_id", "real_name", "nickname", "display_mode"],
                [member_id, *member],
                strict=True,
            )
        ),
    )
    return membership


def _loaded(model, db: str, values: dict):
    """A ``model`` instance as read from ``db`` with only ``values`` (by
    attribute name) loaded, as ``only()`` would load it: from_db takes
    them in the model's order."""
    names = [
        field.attname
        for field in model._meta.concrete_fields
        if field.attname in values
    ]
    return model.from_db(db, names, [values[name] for name in names])


def _with_community(gathering: Gathering, community: Community) -> Gathering:
    gathering.community = community
    return gathering


@dataclass(frozen=True)
class _Part:
    # This branch's columns in the statement's rows, and their converters.
    columns: Columns
    # The order the rows are shown in, from the converted values.
    order: Any
    newest_first: bool

    def convert(self, row, connection) -> list:
        return self.columns.values(row, connection)


@dataclass(frozen=True)
class _Statement:
    sql: str
    parts: list[_Part]

    @staticmethod
    def params(community_id: int, ops, now: datetime) -> list:
        moment = ops.adapt_datetimefield_value(now)
        return [
            community_id,
            community_id,
            MembershipRole.MODERATOR,
            MembershipRole.OWNER,
            community_id,
            *UPCOMING,
            moment,
            UPCOMING_LIMIT,
            community_id,
            *SURVEY_DONE,
            TREND_LIMIT,
            Visibility.VISIBLE,
            community_id,
            RECENT,
        ]


def _field(model, name: str):
    """The field a column name reads, and the alias of its table."""
    if "__" in name:
        relation, _sep, column = name.partition("__")
        related = model._meta.get_field(relation).related_model
        return relation, related._meta.get_field(column)
    return "t", model._meta.get_field(name)


@functools.cache
def _statement(db: str) -> _Statement:
    connection = connections[db]
    qn = connection.ops.quote_name

    def table(model) -> str:
        return qn(model._meta.db_table)

    def col(alias: str, model, name: str) -> str:
        return f"{alias}.{qn(model._meta.get_field(name).column)}"

    board_columns = _names(Board, BOARD_COLUMNS)
    thread_columns = [
        name.replace("pk", "id") if name == "pk" else name for name in THREAD_ROW_FIELDS
    ]
    # (model, columns, FROM ... of the branch's subquery)
    branches = [
        (
            Board,
            board_columns,
            f"FROM {table(Board)} t WHERE {col('t', Board, 'community')} = %s "
            f"ORDER BY {col('t', Board, 'position')}, t.{qn('id')}",
        ),
        (
            Membership,
            list(MODERATOR_COLUMNS),
            f"FROM {table(Membership)} t "
            f"INNER JOIN {table(Member)} member "
            f"ON member.{qn('id')} = {col('t', Membership, 'member')} "
            f"WHERE {col('t', Membership, 'community')} = %s "
            f"AND {col('t', Membership, 'role')} IN (%s, %s) "
            f"ORDER BY {col('t', Membership, 'joined_at')}, t.{qn('id')}",
        ),
        (
            Gathering,
            ["id", *GATHERING_COLUMNS],
            f"FROM {table(Gathering)} t "
            f"WHERE {col('t', Gathering, 'community')} = %s "
            f"AND {col('t', Gathering, 'published_at')} IS NOT NULL "
            f"AND {col('t', Gathering, 'status')} IN "
            f"({', '.join(['%s'] * len(UPCOMING))}) "
            f"AND {col('t', Gathering, 'ends_at')} > %s "
            f"ORDER BY {col('t', Gathering, 'starts_at')}, t.{qn('id')} LIMIT %s",
        ),
        (
            Survey,
            list(TREND_COLUMNS),
            # survey_summary_filter: closed with k responses or more.
            f"FROM {table(Survey)} t "
            f"INNER JOIN {table(Gathering)} gathering "
            f"ON gathering.{qn('id')} = {col('t', Survey, 'gathering')} "
            f"WHERE {col('t', Survey, 'response_count')} IS NOT NULL "
            f"AND {col('t', Survey, 'response_count')} >= "
            f"{col('t', Survey, 'min_responses')} "
            f"AND {col('t', Survey, 'satisfaction_average')} IS NOT NULL "
            f"AND {col('gathering', Gathering, 'community')} = %s "
            f"AND {col('gathering', Gathering, 'status')} IN "
            f"({', '.join(['%s'] * len(SURVEY_DONE))}) "
            f"ORDER BY {col('gathering', Gathering, 'ends_at')} DESC, "
            f"t.{qn('id')} DESC LIMIT %s",
        ),
        (
            Thread,
            thread_columns,
            f"FROM {table(Thread)} t "
            f"INNER JOIN {table(Member)} author "
            f"ON author.{qn('id')} = {col('t', Thread, 'author')} "
            f"WHERE {col('t', Thread, 'visibility')} = %s "
            f"AND {col('t', Thread, 'community')} = %s "
            f"ORDER BY {col('t', Thread, 'last_activity_at')} DESC, "
            f"t.{qn('id')} DESC LIMIT %s",
        ),
    ]
    # The branches share the statement's columns by type (a branch's
    # n-th text column is the statement's n-th text column); a column a
    # branch does not use is a typed NULL there, so that the branches agree
    # on every column's type. Fewer columns, less for PostgreSQL to plan.
    fields = [[_field(model, name) for name in names] for model, names, _ in branches]
    slots: list[str] = []
    placed = []
    for branch in fields:
        used: dict[str, int] = {}
        positions = []
        for _alias, field in branch:
            kind = re.sub(r"\(.*\)", "", field.cast_db_type(connection))
            nth = used.get(kind, 0)
            used[kind] = nth + 1
            same = [slot for slot, other in enumerate(slots) if other == kind]
            if nth == len(same):
                slots.append(kind)
                same.append(len(slots) - 1)
            positions.append(same[nth])
        placed.append(positions)
    parts = []
    selects = []
    for index, ((_model, names, source), branch, positions) in enumerate(
        zip(branches, fields, placed, strict=True)
    ):
        inner = ", ".join(
            f"{alias}.{qn(field.column)} AS c{offset}"
            for offset, (alias, field) in enumerate(branch)
        )
        outer = [f"CAST(NULL AS {kind})" for kind in slots]
        for offset, slot in enumerate(positions):
            outer[slot] = f"p.c{offset}"
        selects.append(
            f"SELECT {index}, {', '.join(outer)} "  # noqa: S608 (names, not input)
            f"FROM (SELECT {inner} {source}) p"
        )
        key, newest_first = _ORDERS[index]
        first, second = (names.index(name) for name in key)
        parts.append(
            _Part(
                # The statement's first column is the branch's number.
                Columns.of(branch, connection, [slot + 1 for slot in positions]),
                lambda v, first=first, second=second: (v[first], v[second]),
                newest_first,
            )
        )
    return _Statement(" UNION ALL ".join(selects), parts)


# The order of each branch's rows (the database's ORDER BY inside a branch
# does not order the union): two columns, and whether newest first.
_ORDERS = [
    # Boards: Board's Meta ordering.
    (("position", "id"), False),
    (("joined_at", "id"), False),
    (("starts_at", "id"), False),
    # Trend: the newest survey first (reversed for the page).
    (("gathering__ends_at", "id"), True),
    (("last_activity_at", "id"), True),
]
