"""Follow levels (community.follows): every default, every level, the
precedence of thread over board over community over the default, and who
is told of what when somebody posts."""

import pytest
from django.utils import timezone

from community import follows
from community.models import (
    Follow,
    FollowLevel,
    Notification,
    NotificationKind,
    SanctionKind,
    Thread,
)
from community.services.preferences import preferences_update
from community.services.threads import comment_create, thread_create
from tests.community.forum_data import (
    access,
    board_of,
    comment_make,
    community_make,
    join,
    sanction,
    thread_make,
    veteran,
)

pytestmark = pytest.mark.django_db
L = FollowLevel
LEVELS = [L.WATCHING, L.TRACKING, L.NORMAL, L.MUTED]


@pytest.fixture
def community():
    return community_make()


@pytest.fixture
def author(community):
    member = veteran(nickname="글쓴이", display_mode="nickname")
    join(member, community)
    return member


@pytest.fixture
def reader(community):
    member = veteran(nickname="읽는이", display_mode="nickname")
    join(member, community)
    return member


@pytest.fixture
def thread(community, author):
    return thread_make(community, author)


def choose(member, level, **target):
    return Follow.objects.create(member=member, level=level, **target)


def told(kind=None, **filters):
    rows = Notification.objects.filter(**filters)
    if kind:
        rows = rows.filter(kind=kind)
    return sorted(rows.values_list("recipient_id", "kind"))


# --- Defaults -------------------------------------------------------------


def test_a_member_tracks_the_threads_of_their_communities(reader, thread):
    assert follows.level_of(reader, thread) == L.TRACKING


def test_a_non_member_follows_normally(thread):
    outsider = veteran()
    assert follows.level_of(outsider, thread) == L.NORMAL


def test_the_author_watches_their_thread(author, thread):
    assert follows.level_of(author, thread) == L.WATCHING


def test_a_member_who_commented_watches_the_thread(reader, thread):
    comment_make(thread, reader)
    assert follows.level_of(reader, thread) == L.WATCHING


def test_a_community_and_its_boards_are_tracked_by_their_members(reader, community):
    assert follows.target_level(reader, community=community) == L.TRACKING
    assert follows.target_level(reader, board=board_of(community)) == L.TRACKING
    assert follows.target_level(veteran(), community=community) == L.NORMAL


def test_defaults_write_no_rows(author, reader, community):
    thread = thread_create(
        access=access(author, community),
        board=board_of(community),
        tag="discussion",
        title="새 글",
        body="본문",
    )
    comment_create(access=access(reader, community), thread=thread, body="댓글")
    assert not Follow.objects.exists()


# --- Precedence -----------------------------------------------------------


@pytest.mark.parametrize("level", LEVELS)
def test_a_level_chosen_for_the_community_holds_for_its_boards_and_threads(
    reader, community, thread, level
):
    choose(reader, level, community=community)
    assert follows.target_level(reader, community=community) == level
    assert follows.target_level(reader, board=thread.board) == level
    assert follows.level_of(reader, thread) == level


@pytest.mark.parametrize("level", LEVELS)
def test_the_board_beats_the_community(reader, community, thread, level):
    choose(reader, L.MUTED if level != L.MUTED else L.WATCHING, community=community)
    choose(reader, level, board=thread.board)
    assert follows.level_of(reader, thread) == level
    other = thread_make(
        community, veteran(), board=board_of(community, "introductions")
    )
    assert follows.level_of(reader, other) != level


@pytest.mark.parametrize("level", LEVELS)
def test_the_thread_beats_the_board_and_its_own_default(
    author, community, thread, level
):
    choose(author, L.MUTED if level != L.MUTED else L.WATCHING, board=thread.board)
    choose(author, level, thread=thread)
    assert follows.level_of(author, thread) == level


def test_taking_part_beats_a_muted_board_as_discourse_does(reader, thread):
    choose(reader, L.MUTED, board=thread.board)
    assert follows.level_of(reader, thread) == L.MUTED
    comment_make(thread, reader)
    assert follows.level_of(reader, thread) == L.WATCHING


def test_levels_for_a_list_take_one_query(reader, community, django_assert_num_queries):
    threads = [thread_make(community, veteran()) for _ in range(4)]
    choose(reader, L.MUTED, thread=threads[0])
    choose(reader, L.WATCHING, board=threads[1].board)
    choose(reader, L.NORMAL, thread=threads[2])
    with django_assert_num_queries(1):
        levels = follows.levels_for(reader, threads)
    assert levels == {
        threads[0].pk: L.MUTED,
        threads[1].pk: L.WATCHING,
        threads[2].pk: L.NORMAL,
        threads[3].pk: L.WATCHING,
    }


def test_the_muted_condition_leaves_muted_threads_out(reader, community):
    board = board_of(community)
    kept = thread_make(community, veteran())
    muted = thread_make(community, veteran())
    elsewhere = thread_make(
        community, veteran(), board=board_of(community, "introductions")
    )
    took_part = thread_make(
        community, veteran(), board=board_of(community, "introductions")
    )
    choose(reader, L.MUTED, thread=muted)
    choose(reader, L.MUTED, board=elsewhere.board)
    comment_make(took_part, reader)
    left = Thread.objects.exclude(follows.muted_threads_q(reader))
    assert set(left) == {kept, took_part}
    assert set(Thread.objects.filter(follows.muted_threads_q(reader))) == {
        muted,
        elsewhere,
    }
    shown = Thread.objects.filter(
        follows.threads_at_q(reader, [L.WATCHING, L.TRACKING])
    )
    assert set(shown) == {kept, took_part}
    assert board.pk != elsewhere.board_id


# --- Who is told of a new post ----------------------------------------------


def _comment(member, thread, body="새 댓글", parent=None):
    return comment_create(
        access=access(member, thread.community), thread=thread, body=body, parent=parent
    )


def test_a_new_comment_tells_the_watchers_once_and_not_its_author(
    author, reader, community, thread
):
    watcher = veteran()
    join(watcher, community)
    choose(watcher, L.WATCHING, thread=thread)
    commenter = veteran()
    join(commenter, community)
    _comment(reader, thread)  # reader now watches (took part)
    Notification.objects.all().delete()
    _comment(commenter, thread)
    # The author is told once, of a reply (not also of a watched post).
    assert told() == sorted(
        [
            (author.pk, NotificationKind.REPLY),
            (reader.pk, NotificationKind.POST),
            (watcher.pk, NotificationKind.POST),
        ]
    )
    Notification.objects.all().delete()
    _comment(watcher, thread)
    assert (watcher.pk, NotificationKind.POST) not in told()


def test_a_mention_notice_wins_over_a_watched_post_notice(
    author, reader, community, thread
):
    choose(reader, L.WATCHING, thread=thread)
    commenter = veteran()
    join(commenter, community)
    _comment(commenter, thread, body="@읽는이 어떻게 생각해요?")
    assert told(recipient=reader) == [(reader.pk, NotificationKind.MENTION)]


def test_a_member_with_mentions_switched_off_is_not_told_twice(
    author, reader, community, thread
):
    choose(reader, L.WATCHING, thread=thread)
    preferences_update(
        member=reader, choices={("mention", "in_app"): False}, digest="weekly"
    )
    commenter = veteran()
    join(commenter, community)
    _comment(commenter, thread, body="@읽는이 안녕하세요")
    assert told(recipient=reader) == []


@pytest.mark.parametrize(
    ("level", "watched"),
    [(L.WATCHING, True), (L.TRACKING, False), (L.NORMAL, False), (L.MUTED, False)],
)
def test_each_level_of_a_community_and_a_new_thread(
    author, reader, community, level, watched
):
    choose(reader, level, community=community)
    thread_create(
        access=access(author, community),
        board=board_of(community),
        tag="discussion",
        title="새 글",
        body="본문",
    )
    expected = [(reader.pk, NotificationKind.POST)] if watched else []
    assert told(recipient=reader) == expected


@pytest.mark.parametrize(
    ("level", "watched"),
    [(L.WATCHING, True), (L.TRACKING, False), (L.NORMAL, False), (L.MUTED, False)],
)
def test_each_level_of_a_board_and_a_new_comment(
    author, reader, community, thread, level, watched
):
    choose(reader, level, board=thread.board)
    commenter = veteran()
    join(commenter, community)
    _comment(commenter, thread)
    expected = [(reader.pk, NotificationKind.POST)] if watched else []
    assert told(recipient=reader) == expected


@pytest.mark.parametrize("level", [L.TRACKING, L.NORMAL])
def test_tracking_and_normal_still_hear_of_mentions(
    author, reader, community, thread, level
):
    choose(reader, level, thread=thread)
    _comment(author, thread, body="@읽는이 확인해 주세요")
    assert told(recipient=reader) == [(reader.pk, NotificationKind.MENTION)]


def test_muted_silences_replies_and_mentions_too(author, reader, community, thread):
    choose(author, L.MUTED, thread=thread)
    choose(reader, L.MUTED, community=community)
    commenter = veteran()
    join(commenter, community)
    _comment(commenter, thread, body="@읽는이 @글쓴이 보세요")
    assert told() == []


def test_a_muted_board_silences_a_new_threads_mentions(author, reader, community):
    choose(reader, L.MUTED, board=board_of(community))
    thread_create(
        access=access(author, community),
        board=board_of(community),
        tag="discussion",
        title="새 글",
        body="@읽는이 보세요",
    )
    assert told() == []


def test_watching_tells_by_email_only_when_switched_on(
    author, reader, community, thread, mailoutbox
):
    choose(reader, L.WATCHING, thread=thread)
    commenter = veteran()
    join(commenter, community)
    _comment(commenter, thread)
    assert reader.email not in [m.to[0] for m in mailoutbox]
    preferences_update(
        member=reader, choices={("watched", "email"): True}, digest="weekly"
    )
    _comment(commenter, thread, body="또 댓글")
    mail = [m for m in mailoutbox if m.to == [reader.email]]
    assert len(mail) == 1
    assert "List-Unsubscribe" in mail[0].extra_headers
    assert "또 댓글" in mail[0].body


def test_banned_and_departed_members_are_told_nothing(author, community, thread):
    banned, gone, left = veteran(), veteran(), veteran()
    for member in (banned, gone, left):
        join(member, community)
        choose(member, L.WATCHING, community=community)
    sanction(banned, community, SanctionKind.BAN)
    type(gone).objects.filter(pk=gone.pk).update(left_at=timezone.now())
    left.memberships.all().delete()
    assert set(follows.watchers_of(thread)) == {author}


def test_watchers_are_found_in_one_query(
    author, community, thread, django_assert_num_queries
):
    for _ in range(5):
        member = veteran()
        join(member, community)
        choose(member, L.WATCHING, community=community)
    with django_assert_num_queries(1):
        assert len(list(follows.watchers_of(thread))) == 6


def test_a_new_comment_costs_the_same_queries_for_few_and_many_watchers(
    author, community, thread
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    commenter = veteran()
    join(commenter, community)

    def cost():
        with CaptureQueriesContext(connection) as queries:
            _comment(commenter, thread)
        return len(queries)

    for _ in range(2):
        member = veteran()
        join(member, community)
        choose(member, L.WATCHING, community=community)
    few = cost()
    for _ in range(20):
        member = veteran()
        join(member, community)
        choose(member, L.WATCHING, community=community)
    assert cost() == few


# --- The control and the settings page --------------------------------------


def _pages(community, thread):
    slug = community.slug
    return {
        "community": (f"/c/{slug}/", f"/c/{slug}/follow/", {"community": community}),
        "board": (
            f"/c/{slug}/b/{thread.board.slug}/",
            f"/c/{slug}/b/{thread.board.slug}/follow/",
            {"board": thread.board},
        ),
        "thread": (
            f"/c/{slug}/t/{thread.pk}/",
            f"/c/{slug}/t/{thread.pk}/follow/",
            {"thread": thread},
        ),
    }


@pytest.mark.parametrize("kind", ["community", "board", "thread"])
@pytest.mark.parametrize("level", LEVELS)
def test_a_member_chooses_a_level_on_the_page(
    client, reader, community, thread, kind, level
):
    page, action, _target = _pages(community, thread)[kind]
    client.force_login(reader)
    response = client.get(page)
    html = response.text
    assert f'action="{action}"' in html
    assert html.count('name="level"') == 4
    assert 'value="tracking" checked' in html
    response = client.post(action, {"level": level})
    assert response.status_code == 302
    assert response.url == page
    assert Follow.objects.get(member=reader).level == level
    assert f'value="{level}" checked' in client.get(page).text


def test_default_forgets_the_choice(client, reader, community, thread):
    choose(reader, L.MUTED, thread=thread)
    client.force_login(reader)
    response = client.post(
        f"/c/{community.slug}/t/{thread.pk}/follow/",
        {"level": "default", "next": "/me/notification-settings/#follows"},
    )
    assert response.url == "/me/notification-settings/#follows"
    assert not Follow.objects.exists()


@pytest.mark.parametrize("level", ["", "loud", "WATCHING", "muted "])
def test_a_bad_level_is_refused_with_a_translated_error_and_nothing_changes(
    client, reader, community, thread, level
):
    choose(reader, L.NORMAL, thread=thread)
    client.force_login(reader)
    response = client.post(
        f"/c/{community.slug}/t/{thread.pk}/follow/",
        {"level": level},
        headers={"accept-language": "ko"},
    )
    assert response.status_code == 400
    assert "얼마나 자세히 따라갈지 골라 주세요." in response.text
    assert Follow.objects.get(member=reader).level == L.NORMAL


def test_outsiders_and_the_banned_may_not_choose_and_see_no_control(
    client, reader, community, thread
):
    outsider, banned = veteran(), veteran()
    join(banned, community)
    sanction(banned, community, SanctionKind.BAN)
    for member in (outsider, banned):
        client.force_login(member)
        for page, action, _target in _pages(community, thread).values():
            assert 'class="follow-control"' not in client.get(page).text
            assert client.post(action, {"level": "watching"}).status_code == 403
    client.logout()
    response = client.post(f"/c/{community.slug}/follow/", {"level": "watching"})
    assert response.status_code == 302 and "login" in response.url
    assert not Follow.objects.exists()


def test_a_board_or_thread_of_another_community_is_not_found(
    client, reader, community, thread
):
    other = community_make()
    client.force_login(reader)
    assert (
        client.post(
            f"/c/{community.slug}/t/{thread_make(other, veteran()).pk}/follow/",
            {"level": "muted"},
        ).status_code
        == 404
    )
    assert not Follow.objects.exists()


def test_a_hidden_thread_takes_no_level(client, reader, community, thread):
    Thread.objects.filter(pk=thread.pk).update(visibility="hidden")
    client.force_login(reader)
    response = client.post(
        f"/c/{community.slug}/t/{thread.pk}/follow/", {"level": "muted"}
    )
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_the_settings_page_lists_the_choices_each_changeable(
    client, reader, community, thread
):
    choose(reader, L.MUTED, thread=thread)
    choose(reader, L.WATCHING, board=thread.board)
    choose(reader, L.NORMAL, community=community)
    gone = community_make(name="떠난 곳")
    choose(reader, L.MUTED, community=gone)  # not a member: not listed
    client.force_login(reader)
    html = client.get(
        "/me/notification-settings/", headers={"accept-language": "en"}
    ).text
    assert html.count('follow-list"') == 1
    for action in (
        f"/c/{community.slug}/t/{thread.pk}/follow/",
        f"/c/{community.slug}/b/{thread.board.slug}/follow/",
        f"/c/{community.slug}/follow/",
    ):
        assert f'action="{action}"' in html
    assert f"/c/{gone.slug}/follow/" not in html
    assert 'value="muted" selected' in html
    assert "Back to the default" in html


def test_the_settings_page_has_the_watched_posts_row(client, reader):
    client.force_login(reader)
    html = client.get(
        "/me/notification-settings/", headers={"accept-language": "ko"}
    ).text
    assert 'name="watched__in_app"' in html
    assert 'name="watched__email"' in html


def test_a_muted_community_sends_no_gathering_announcements(reader, community):
    from events.models import AnnouncementBatch
    from events.services.announcements import _recipients

    other = veteran()
    join(other, community)
    choose(reader, L.MUTED, community=community)
    choose(other, L.MUTED, board=board_of(community))  # a board: no effect
    batch = AnnouncementBatch.objects.create(
        community=community, opened_at=timezone.now(), due_at=timezone.now()
    )
    recipients = set(_recipients(batch))
    assert reader not in recipients
    assert other in recipients


def test_watchers_of_agrees_with_the_rule_for_every_combination(
    author, community, thread
):
    """watchers_of asks the rule as sets of members; level_of per member:
    for every combination of levels chosen (or not) for the thread, its
    board and its community, and of taking part, they agree."""
    # The combinations' members, without the author and the outsider.
    members = _every_combination(author, community, thread)[2:]
    watchers = set(follows.watchers_of(thread))
    for member in members:
        assert (member in watchers) == (
            follows.level_of(member, thread) == L.WATCHING
        ), member
    assert author in watchers


def test_the_sql_fragment_agrees_with_the_rule_for_every_combination(
    author, community, thread
):
    """thread_level_sql (selectors.unread's statement) writes the rule of
    _level by hand: for every combination of levels chosen (or not) for the
    thread, its board and its community, and of taking part, and for its
    author and an outsider, it gives level_of's answer; and its shortcut,
    threads_surely_at_sql, answers only where the rule agrees."""
    from django.db import connection

    members = _every_combination(author, community, thread)
    table = connection.ops.quote_name(Thread._meta.db_table)
    sets = [follows.UNREAD_LEVELS, follows.NEW_LEVELS, [L.MUTED], [L.NORMAL]]
    answered = set()
    with connection.cursor() as cursor:
        for member in members:
            level, params = follows.thread_level_sql("x", member.pk)
            columns = [level]
            shortcuts = []
            for levels in sets:
                surely = follows.threads_surely_at_sql("x", member.pk, levels)
                if surely is None:
                    continue
                columns.append(f"CASE WHEN {surely[0]} THEN 1 ELSE 0 END")
                params += surely[1]
                shortcuts.append(levels)
            cursor.execute(
                f"SELECT {', '.join(columns)} FROM {table} x WHERE x.id = %s",
                [*params, thread.pk],
            )
            found, *surely_at = cursor.fetchone()
            expected = follows.level_of(member, thread)
            assert found == expected, member
            for levels, at in zip(shortcuts, surely_at, strict=True):
                if at:
                    assert expected in levels, member
                answered.add(bool(at))
    assert {follows.level_of(m, thread) for m in members} == set(LEVELS)
    # The shortcut both answered and left the rule to be asked.
    assert answered == {True, False}


def test_the_controls_level_agrees_with_the_rule_for_every_combination(
    author, community, thread, django_assert_num_queries
):
    """target_level (the control on the community, board and thread pages)
    asks the rule by hand with the target's ids as parameters: for every
    combination of levels chosen (or not) for the thread, its board and its
    community, and of taking part, and for its author and an outsider, it
    gives the answer of _level (the ORM's form of the rule) for each of the
    three targets, one query each."""
    from community.models import Board, Community

    members = _every_combination(author, community, thread)
    board = thread.board
    found = set()
    for member in members:
        expected_board = (
            Board.objects.filter(pk=board.pk)
            .annotate(
                level=follows._level(
                    member=member.pk, community="community_id", board="pk"
                )
            )
            .values_list("level", flat=True)
            .get()
        )
        expected_community = (
            Community.objects.filter(pk=community.pk)
            .annotate(level=follows._level(member=member.pk, community="pk"))
            .values_list("level", flat=True)
            .get()
        )
        expected_thread = follows.level_of(member, thread)
        with django_assert_num_queries(3):
            got = (
                follows.target_level(member, thread=thread),
                follows.target_level(member, board=board),
                follows.target_level(member, community=community),
            )
        assert got == (expected_thread, expected_board, expected_community), member
        found.update(got)
    assert found == set(LEVELS)


def test_the_level_read_with_a_pages_statements_is_the_controls(
    author, community, thread, django_assert_num_queries
):
    """The community and board pages read the control's level with the
    member's unread marks (selectors.unread.list_marks), the thread page
    with the member's marks on it (selectors.threads.thread_member_marks):
    for every combination of levels and of taking part, each gives
    target_level's answer, in the one statement it costs anyway. A reader
    the lists do not track (an outsider, who sees no control) gets none."""
    from community.selectors import unread
    from community.selectors.threads import thread_member_marks
    from tests.community.forum_data import access

    board = thread.board
    members = _every_combination(author, community, thread)
    found = set()
    for member in members:
        door = access(member, community)
        tracked = unread.reader(door) is not None
        with django_assert_num_queries(3 if tracked else 1):
            got = (
                thread_member_marks(
                    thread=thread,
                    member=member,
                    level_sql=follows.target_level_sql(member, thread=thread),
                )[0]["level"],
                unread.list_marks(
                    access=door, thread_ids=[thread.pk], board=board
                ).level,
                unread.list_marks(access=door, thread_ids=[]).level,
            )
        expected = (
            follows.target_level(member, thread=thread),
            follows.target_level(member, board=board),
            follows.target_level(member, community=community),
        )
        if not tracked:
            assert got[1:] == (None, None), member
            got = (got[0], *expected[1:])
        assert got == expected, member
        found.update(got)
    assert found == set(LEVELS)


def test_the_lists_marks_agree_with_the_rule_for_every_combination(
    author, community, thread
):
    """list_marks (the board's and the community's lists) asks the rule of
    follow levels inside its one statement, behind a shortcut: for every
    combination of levels chosen (or not) for the thread, its board and its
    community, and of taking part, and for its author and an outsider, its
    rows and counts are what level_of implies. A thread never opened,
    started by someone else since the member joined and within the window,
    is new exactly at follows.NEW_LEVELS (its author never finds it new;
    commenting records no position, so one who took part has not opened
    it); once opened, the visible comments of others after the position
    are unread exactly at follows.UNREAD_LEVELS. The outsider, who is not
    tracked, gets nothing. The list's level is the control's."""
    from datetime import timedelta

    from community.models import Comment, Membership, ThreadRead, Visibility
    from community.selectors import unread

    board = thread.board
    members = _every_combination(author, community, thread)
    # Everyone joined long before the thread was started: it is new to
    # them for as long as NEW_WINDOW lasts.
    Membership.objects.filter(community=community).update(
        joined_at=timezone.now() - unread.NEW_WINDOW - timedelta(days=1)
    )
    levels = {member.pk: follows.level_of(member, thread) for member in members}
    lists = {"board": board, "community": None}
    seen = {"new": set(), "unread": set()}

    def marks_of(member):
        """The member's marks on each list; None for the outsider, who
        gets nothing on either."""
        door = access(member, community)
        got = {
            name: unread.list_marks(access=door, thread_ids=[thread.pk], board=on)
            for name, on in lists.items()
        }
        if door.is_member:
            return door, got
        assert got == dict.fromkeys(lists, unread.NOTHING), member
        return door, None

    def the_controls(member):
        return {
            "board": follows.target_level(member, board=board),
            "community": follows.target_level(member, community=community),
        }

    # Never opened: new, or not, by the level.
    assert not ThreadRead.objects.exists()
    for member in members:
        door, got = marks_of(member)
        if got is None:
            continue
        assert thread.created_at >= unread.new_since(door), member
        new = thread.author_id != member.pk and levels[member.pk] in follows.NEW_LEVELS
        seen["new"].add(new)
        controls = the_controls(member)
        for name, marks in got.items():
            assert marks.states == (
                {thread.pk: unread.ThreadUnread(True, 0, None)} if new else {}
            ), (member, levels[member.pk], name)
            assert marks.counts == unread.ListCounts(int(new), 0), (member, name)
            assert marks.level == controls[name], (member, name)

    # Opened by everyone, then two visible comments by someone else after
    # their positions (and a hidden one, never unread).
    position = Comment.objects.filter(thread=thread).latest("pk").pk
    ThreadRead.objects.bulk_create(
        ThreadRead(member=member, thread=thread, last_comment_id=position)
        for member in members
    )
    other = veteran()
    join(other, community)
    first = comment_make(thread, other)
    comment_make(thread, other, visibility=Visibility.HIDDEN)
    comment_make(thread, other)
    assert {member.pk: follows.level_of(member, thread) for member in members} == levels
    for member in members:
        _door, got = marks_of(member)
        if got is None:
            continue
        shown = levels[member.pk] in follows.UNREAD_LEVELS
        seen["unread"].add(shown)
        controls = the_controls(member)
        for name, marks in got.items():
            assert marks.states == (
                {thread.pk: unread.ThreadUnread(False, 2, first.pk)} if shown else {}
            ), (member, levels[member.pk], name)
            assert marks.counts == unread.ListCounts(0, int(shown)), (member, name)
            assert marks.level == controls[name], (member, name)

    assert set(levels.values()) == set(LEVELS)
    assert seen == {"new": {True, False}, "unread": {True, False}}


def _every_combination(author, community, thread) -> list:
    """The thread's author, an outsider, and a member for every
    combination of levels chosen (or not) for the thread, its board and its
    community, and of taking part in the thread."""
    import itertools

    choices = [None, *LEVELS]
    members = [author, veteran()]
    for t_level, b_level, c_level, took_part in itertools.product(
        choices, choices, choices, [False, True]
    ):
        member = veteran()
        join(member, community)
        if t_level:
            choose(member, t_level, thread=thread)
        if b_level:
            choose(member, b_level, board=thread.board)
        if c_level:
            choose(member, c_level, community=community)
        if took_part:
            comment_make(thread, member)
        members.append(member)
    return members
