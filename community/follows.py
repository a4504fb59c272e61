"""Follow levels (watching, tracking, normal, muted), as Discourse has them,
for communities, boards and threads: the one rule of how closely a member
follows a thread, and the questions every sender and list asks of it.

The rule (``_level``): the most specific level wins.

1. the level the member chose for the thread (a ``Follow`` row);
2. else watching, when the member started the thread or commented on it
   (as Discourse sets a topic one posts in to watching);
3. else the level chosen for the thread's board;
4. else the level chosen for its community;
5. else tracking in a community the member belongs to, normal elsewhere.

A board or community's own level is steps 3 to 5. Only chosen levels are
stored (``Follow``, one row per member and target): most members have no
row, and the defaults cost nothing to keep.

What each level means:

- watching: told of every new post (of a board or community: every new
  thread, and, through step 3 or 4, every comment in its threads);
- tracking: unread counts shown; told only of replies and mentions;
- normal: told only of replies and mentions;
- muted: never told of anything in it (not even replies or mentions), left
  out of unread counts; a muted community also sends no announcements of
  its new gatherings.

Nobody is told of anything in a community they do not belong to, are
banned from, or after leaving Moim (``watchers_of`` and the senders ask).

Public functions (each one query, whatever the number of items):

- ``level_of(member, thread)`` → a ``FollowLevel`` value;
- ``levels_for(member, threads)`` → {thread id: level}, for lists;
- ``target_level(member, community=…, board=…, thread=…)`` → the level the
  page's control shows (the thread's, board's or community's own);
  ``target_level_sql`` is the same as an SQL expression, for a page that
  asks it in one of its own statements;
- ``watchers_of(thread)`` → a Member queryset: who is told of a new post in
  ``thread`` (a new thread included), for the sender;
- ``told_among(thread, member_ids)`` → the ids of those who may be told of
  its posts (who may read it and did not mute it);
- ``muted_threads_q(member)`` → a condition on Thread rows, true for the
  threads ``member`` muted: ``Thread.objects.exclude(muted_threads_q(m))``
  leaves them out of unread counts (one SQL query with the list's own);
- ``threads_at_q(member, levels)`` → the same for any set of levels (e.g.
  watching and tracking: the threads whose unread count is shown);
- ``communities_muting(community)`` → the ids of the members who muted it,
  as a subquery (the gathering announcements leave them out);
- ``thread_level_sql(alias, member_id)`` → the rule as an SQL expression
  of a thread row, for a hand-written statement, and
  ``threads_surely_at_sql(alias, member_id, levels)`` its shortcut: true
  where, without asking it, the level is surely one of ``levels``
  (selectors.unread's one statement of a list's marks asks the level only
  where the shortcut does not answer).

What the levels show on a community's lists (selectors.unread), as
Discourse shows them: ``NEW_LEVELS`` and ``UNREAD_LEVELS``.
"""

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import (
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, In

from community.access import reading
from community.models import (
    Board,
    Comment,
    Community,
    Follow,
    FollowLevel,
    Member,
    Membership,
    Thread,
    Visibility,
)

L = FollowLevel
LEVELS = [L.WATCHING, L.TRACKING, L.NORMAL, L.MUTED]

# A thread is marked new on the lists (and counted in "N new") at every
# level but muted: normal keeps a member from being *told* of a thread,
# not from *seeing* it, and Discourse lists new topics of a normal
# category as new too (only muted ones leave its New list). A new thread
# is seldom anything but the default tracking: the member has not opened
# it, so has chosen nothing for it and not taken part; normal comes from
# its board or community.
NEW_LEVELS = (L.WATCHING, L.TRACKING, L.NORMAL)
# Unread comments are counted (the row's "N unread", the list's "M
# unread" and the jump to the first) only at watching and tracking, as the
# control explains tracking ("unread counts are shown") and as Discourse
# counts unread posts only in tracked and watched topics.
UNREAD_LEVELS = (L.WATCHING, L.TRACKING)


def _refs(spec, outer: bool):
    """A field of the annotated row (a name), or a constant, as an
    expression: referred to from a subquery when ``outer``."""
    if spec is None:
        return None
    if isinstance(spec, str):
        return OuterRef(spec) if outer else F(spec)
    return Value(spec)


def _chosen(member, **target):
    return Subquery(
        Follow.objects.filter(member_id=member, **target).values("level")[:1],
        output_field=models.CharField(),
    )


def _level(*, member, community, board=None, thread=None, author=None):
    """The rule, as one SQL expression over the annotated row. Each
    argument names a field of that row or is a constant (a pk)."""
    m = _refs(member, True)
    c, b, t = _refs(community, True), _refs(board, True), _refs(thread, True)
    steps = []
    if thread is not None:
        steps.append(_chosen(m, thread_id=t))
        participated = Exists(Comment.objects.filter(author_id=m, thread_id=t))
        if author is not None:
            participated = Exact(_refs(author, False), _refs(member, False)) | Q(
                participated
            )
        steps.append(Case(When(participated, then=Value(L.WATCHING)), default=None))
    if board is not None:
        steps.append(_chosen(m, board_id=b))
    steps.append(_chosen(m, community_id=c))
    steps.append(
        Case(
            When(
                Exists(Membership.objects.filter(member_id=m, community_id=c)),
                then=Value(L.TRACKING),
            ),
            default=Value(L.NORMAL),
        )
    )
    return Coalesce(*steps, output_field=models.CharField())


def _thread_level(member: Member):
    return _level(
        member=member.pk,
        community="community_id",
        board="board_id",
        thread="pk",
        author="author_id",
    )


def levels_for(member: Member, threads: Iterable[Thread]) -> dict[int, str]:
    """{thread id: level} of ``member`` for ``threads``: one query."""
    ids = [t.pk for t in threads]
    if not ids:
        return {}
    return dict(
        Thread.objects.filter(pk__in=ids)
        .annotate(level=_thread_level(member))
        .values_list("pk", "level")
    )


def level_of(member: Member, thread: Thread) -> str:
    return levels_for(member, [thread]).get(thread.pk, L.NORMAL)


def target_level(
    member: Member,
    *,
    community: Community | None = None,
    board: Board | None = None,
    thread: Thread | None = None,
) -> str:
    """The level of the one target named, as its page's control shows it:
    one small statement (``target_level_sql``)."""
    sql, params = target_level_sql(
        member, community=community, board=board, thread=thread
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0]


def target_level_sql(
    member: Member,
    *,
    community: Community | None = None,
    board: Board | None = None,
    thread: Thread | None = None,
) -> tuple[str, list]:
    """``target_level`` as an SQL expression and its parameters, for a page
    that asks it in a statement of its own (a list's unread marks, the
    member's marks on a thread): ``_level_sql`` with the target's ids as
    parameters (every page with the control asks it, and the ORM's
    subqueries cost more to build than to run)."""
    if thread is not None:
        return _level_sql(
            member.pk,
            community=thread.community_id,
            board=thread.board_id,
            thread=thread.pk,
            author=thread.author_id,
        )
    if board is not None:
        return _level_sql(member.pk, community=board.community_id, board=board.pk)
    return _level_sql(member.pk, community=community.pk)


def threads_at_q(member: Member, levels: Iterable[str]) -> Q:
    """A condition on Thread rows: ``member``'s level of the thread is one
    of ``levels``. Filter or exclude a thread list with it."""
    return Q(In(_thread_level(member), list(levels)))


def _level_sql(
    member_id: int,
    *,
    community: str | int,
    board: str | int | None = None,
    thread: str | int | None = None,
    author: str | int | None = None,
) -> tuple[str, list]:
    """``_level`` written by hand: an SQL expression of the member's level,
    and its parameters. Each target names a column of the statement's own
    row (a string: our own alias and column, never input) or is a value
    (an int, passed as a parameter); as in ``_level``, the thread's steps
    are asked only of a thread, the board's only of a thread or board.
    The same steps in the same order as ``_level``;
    tests/community/test_follows.py holds the two to the same answers for
    every combination."""
    quote = connection.ops.quote_name
    follow = quote(Follow._meta.db_table)
    comment = quote(Comment._meta.db_table)
    membership = quote(Membership._meta.db_table)
    m = member_id

    def ref(target: str | int | None) -> tuple[str, list]:
        return (target, []) if isinstance(target, str) else ("%s", [target])

    def chosen(name: str, column: str, target: str | int) -> tuple[str, list]:
        at, at_params = ref(target)
        return (
            f"(SELECT {name}.level FROM {follow} {name}"  # noqa: S608 (our names)
            f" WHERE {name}.member_id = %s AND {name}.{column} = {at})",
            [m, *at_params],
        )

    steps: list[tuple[str, list]] = []
    if thread is not None:
        t, t_params = ref(thread)
        steps.append(chosen("follow_t", "thread_id", thread))
        took_part = (
            f"EXISTS (SELECT 1 FROM {comment} follow_k"  # noqa: S608 (our names)
            f" WHERE follow_k.author_id = %s AND follow_k.thread_id = {t})"
        )
        took_params = [m, *t_params]
        if author is not None:
            a, a_params = ref(author)
            took_part = f"{a} = %s OR {took_part}"
            took_params = [*a_params, m, *took_params]
        steps.append(
            (f"CASE WHEN {took_part} THEN %s END", [*took_params, str(L.WATCHING)])
        )
    if board is not None:
        steps.append(chosen("follow_b", "board_id", board))
    steps.append(chosen("follow_c", "community_id", community))
    c, c_params = ref(community)
    steps.append(
        (
            f"CASE WHEN EXISTS (SELECT 1 FROM {membership} follow_m"  # noqa: S608 (our names)
            f" WHERE follow_m.member_id = %s AND follow_m.community_id = {c})"
            " THEN %s ELSE %s END",
            [m, *c_params, str(L.TRACKING), str(L.NORMAL)],
        )
    )
    sql = ", ".join(step for step, _ in steps)
    return f"COALESCE({sql})", [p for _, step_params in steps for p in step_params]


def thread_level_sql(alias: str, member_id: int) -> tuple[str, list]:
    """``_level`` of a thread for a hand-written statement: an SQL
    expression of the member's level of the thread row ``alias`` (the
    statement's own name for the thread table, never input), and its
    parameters (``_level_sql``)."""
    return _level_sql(
        member_id,
        community=f"{alias}.community_id",
        board=f"{alias}.board_id",
        thread=f"{alias}.id",
        author=f"{alias}.author_id",
    )


def threads_surely_at_sql(
    alias: str, member_id: int, levels: Iterable[str]
) -> tuple[str, list] | None:
    """A shortcut of the rule (``thread_level_sql``): SQL true for the thread row
    ``alias`` when, without asking the rule, the member's level of it is
    surely one of ``levels``, and its parameters; false when the rule must
    be asked. None when ``levels`` allow no shortcut.

    Most members choose no level outside ``levels`` (nothing muted, say):
    their level of any thread is then a chosen one in ``levels``, watching
    or the default. When those are in ``levels`` too, one test of the
    member's choices, asked once per statement, answers for every row, and
    the rule's four lookups per row are asked only of the members who did
    choose otherwise (a list's counts ask it of every thread read)."""
    levels = [str(level) for level in levels]
    if L.WATCHING not in levels or L.TRACKING not in levels:
        return None
    marks = ", ".join(["%s"] * len(levels))
    quote = connection.ops.quote_name
    follow = quote(Follow._meta.db_table)
    chose_otherwise = (
        f"NOT EXISTS (SELECT 1 FROM {follow} follow_o"  # noqa: S608 (our names)
        f" WHERE follow_o.member_id = %s AND follow_o.level NOT IN ({marks}))"
    )
    short = [member_id, *levels]
    if L.NORMAL not in levels:
        # The default is tracking only in the member's communities.
        membership = quote(Membership._meta.db_table)
        chose_otherwise += (
            f" AND EXISTS (SELECT 1 FROM {membership} follow_n"  # noqa: S608 (our names)
            " WHERE follow_n.member_id = %s"
            f" AND follow_n.community_id = {alias}.community_id)"
        )
        short.append(member_id)
    return chose_otherwise, short


def muted_threads_q(member: Member) -> Q:
    """The threads ``member`` muted (chose muted for it, or for its board or
    community, without choosing another level for the thread, nor taking
    part in it): ``queryset.exclude(muted_threads_q(member))`` leaves them
    out of unread counts."""
    return Q(Exact(_thread_level(member), Value(L.MUTED)))


def _members_level(thread: Thread):
    return _level(
        member="pk",
        community=thread.community_id,
        board=thread.board_id,
        thread=thread.pk,
        author=thread.author_id,
    )


def _readers(community_id: int) -> QuerySet:
    """Members who may be told of a community's posts: its members, active,
    who may read it (community.access.reading: not banned from it), not gone
    from Moim."""
    return Member.objects.filter(
        memberships__community_id=community_id,
        is_active=True,
        left_at__isnull=True,
    ).filter(reading(community_id))


def watchers_of(thread: Thread) -> QuerySet:
    """Who watches ``thread``: told of each new post in it (its first post,
    the thread itself, included). A Member queryset, one query; its author
    and those already told of the post are the sender's to leave out.

    The rule of ``_level`` for the one level, written as sets of members
    rather than per member (a large community's members are not each
    asked): watching for the thread, or no level for the thread and either
    took part, or watching for the board, or no level for the board and
    watching for the community (the default is never watching).
    tests/community/test_follows.py holds the two to the same answers."""
    chosen = Follow.objects.values("member_id")
    for_thread = chosen.filter(thread=thread)
    for_board = chosen.filter(board_id=thread.board_id)
    watching = Q(level=L.WATCHING)
    took_part = Q(pk=thread.author_id) | Q(
        pk__in=Comment.objects.filter(thread=thread).values("author_id")
    )
    implicit = (
        took_part
        | Q(pk__in=for_board.filter(watching))
        | (
            ~Q(pk__in=for_board)
            & Q(pk__in=chosen.filter(watching, community_id=thread.community_id))
        )
    )
    return _readers(thread.community_id).filter(
        Q(pk__in=for_thread.filter(watching)) | (~Q(pk__in=for_thread) & implicit)
    )


def told_among(thread: Thread, member_ids: Iterable[int]) -> set[int]:
    """Of ``member_ids``, those who may be told of a post in ``thread``: who
    may read its community (community.access.reading: not banned from it, a
    member of a members-only one), still on Moim, and did not mute it. One
    query."""
    ids = list(member_ids)
    if not ids:
        return set()
    return set(
        Member.objects.filter(pk__in=ids, is_active=True, left_at__isnull=True)
        .filter(reading(thread.community_id))
        .alias(level=_members_level(thread))
        .exclude(level=L.MUTED)
        .values_list("pk", flat=True)
    )


def communities_muting(community: Community | int) -> QuerySet:
    """The ids of the members who muted ``community``, as a subquery. (A
    community's level has no default that mutes it.)"""
    return Follow.objects.filter(community=community, level=L.MUTED).values("member_id")


def chosen_by(member: Member) -> list[Follow]:
    """The levels ``member`` chose, for the settings page, in the
    communities they still belong to (elsewhere a choice waits, unused, for
    them to join again) and on threads still shown: one query."""
    mine = Membership.objects.filter(member=member).values("community_id")
    return list(
        Follow.objects.filter(member=member)
        .filter(
            Q(community__in=mine)
            | Q(board__community__in=mine)
            | Q(thread__community__in=mine, thread__visibility=Visibility.VISIBLE)
        )
        .select_related("community", "board__community", "thread__community")
        .order_by("-changed_at", "-pk")
    )
