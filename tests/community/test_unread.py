"""Unread tracking (community.selectors.unread, services.unread,
unread_layer, comment_layer's divider): a member's position per thread,
what is new and unread on lists, and the jump to the first unread
comment."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import (
    Comment,
    Follow,
    FollowLevel,
    Membership,
    MembershipRole,
    Thread,
    ThreadRead,
    Visibility,
)
from community.selectors import unread
from community.selectors.threads import COMMENTS_PER_PAGE
from community.services.unread import thread_read_move
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
from tests.community.test_forum_queries import BOARD_QUERIES, THREAD_QUERIES
from tests.factories import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(client):
    community = community_make()
    reader, writer = veteran(), veteran()
    join(reader, community)
    join(writer, community)
    client.force_login(reader)
    return client, community, reader, writer


def _read(client, thread, **query):
    url = reverse("thread_detail", args=[thread.community.slug, thread.pk])
    return client.get(url, query)


def _state(community, member, thread):
    return unread.list_marks(
        access=access(member, community), thread_ids=[thread.pk]
    ).states.get(thread.pk)


def _counts(community, member, board=None):
    # With the rows and without (a page shows none): the same counts.
    found = {
        unread.list_marks(
            access=access(member, community), thread_ids=ids, board=board
        ).counts
        for ids in ([], list(Thread.objects.values_list("pk", flat=True)))
    }
    assert len(found) == 1
    return found.pop()


def test_a_thread_never_opened_is_new_then_read(forum):
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    first = comment_make(thread, writer)
    assert _state(community, reader, thread) == unread.ThreadUnread(True, 0, None)
    assert _counts(community, reader) == (1, 0)
    _read(client, thread)
    row = ThreadRead.objects.get(member=reader, thread=thread)
    assert row.last_comment_id == first.pk
    assert _state(community, reader, thread) is None
    assert _counts(community, reader) == (0, 0)


def test_comments_after_the_position_are_unread_but_not_ones_own(forum):
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    comment_make(thread, writer)
    _read(client, thread)
    later = comment_make(thread, writer)
    comment_make(thread, writer)
    comment_make(thread, reader)
    assert _state(community, reader, thread) == unread.ThreadUnread(False, 2, later.pk)
    assert _counts(community, reader) == (0, 1)


def test_hidden_and_deleted_comments_are_not_unread(forum):
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    _read(client, thread)
    comment_make(thread, writer, visibility=Visibility.HIDDEN)
    comment_make(thread, writer, visibility=Visibility.DELETED)
    assert _state(community, reader, thread) is None
    assert _counts(community, reader) == (0, 0)
    shown = comment_make(thread, writer)
    assert _state(community, reader, thread) == unread.ThreadUnread(False, 1, shown.pk)


def test_a_thread_never_opened_with_no_comments_is_read_once_opened(forum):
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    _read(client, thread)
    assert ThreadRead.objects.get(member=reader, thread=thread).last_comment_id == 0
    assert _counts(community, reader) == (0, 0)


def test_what_is_new(forum):
    _client, community, reader, writer = forum
    joined = Membership.objects.get(member=reader, community=community).joined_at
    before_joining = thread_make(
        community, writer, created_at=joined - timedelta(minutes=1)
    )
    thread_make(community, reader)  # one's own
    Membership.objects.filter(member=reader).update(
        joined_at=timezone.now() - timedelta(days=30)
    )
    old = thread_make(
        community,
        writer,
        created_at=timezone.now() - unread.NEW_WINDOW - timedelta(minutes=1),
    )
    recent = thread_make(community, writer)
    states = unread.list_marks(
        access=access(reader, community),
        thread_ids=list(Thread.objects.values_list("pk", flat=True)),
    ).states
    # Joined a month ago now: the thread from before the (earlier) join
    # time is within the window again.
    assert set(states) == {before_joining.pk, recent.pk}
    assert old.pk not in states


def test_rows_that_can_show_nothing_still_get_the_lists_counts_in_one_query(
    forum, django_assert_num_queries
):
    """list_marks asks the rule only of the listed rows that may show a
    mark (opened before, or never opened and someone else's within the
    window): a list none of whose rows can show one still gets the counts
    of the whole community and board, in the one statement."""
    client, community, reader, writer = forum
    own = thread_make(community, reader)
    old = thread_make(
        community,
        writer,
        created_at=timezone.now() - unread.NEW_WINDOW - timedelta(minutes=1),
    )
    done = thread_make(community, writer)
    comment_make(done, writer)
    _read(client, done)
    # Off the list: one new, one with an unread comment.
    thread_make(community, writer)
    behind = thread_make(community, writer)
    _read(client, behind)
    comment_make(behind, writer)
    door = access(reader, community)
    for board in (None, board_of(community)):
        for ids in ([own.pk, old.pk], [own.pk, old.pk, done.pk]):
            with django_assert_num_queries(1):
                marks = unread.list_marks(access=door, thread_ids=ids, board=board)
            assert marks == unread.ListMarks(
                {}, unread.ListCounts(1, 1), FollowLevel.TRACKING
            )


def test_a_hidden_thread_on_a_moderators_list_shows_no_mark(forum):
    """A moderator's lists show hidden threads: they are never new nor
    counted unread, whether opened or not."""
    client, community, reader, writer = forum
    Membership.objects.filter(member=reader).update(role=MembershipRole.MODERATOR)
    seen = thread_make(community, writer)
    _read(client, seen)
    comment_make(seen, writer)
    fresh = thread_make(community, writer)
    Thread.objects.filter(pk__in=[seen.pk, fresh.pk]).update(
        visibility=Visibility.HIDDEN
    )
    marks = unread.list_marks(
        access=access(reader, community), thread_ids=[seen.pk, fresh.pk]
    )
    assert marks == unread.ListMarks({}, unread.ListCounts(0, 0), FollowLevel.TRACKING)


def test_a_thread_moved_to_another_board_takes_its_state_along(forum):
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    _read(client, thread)
    comment_make(thread, writer)
    here, there = board_of(community), board_of(community, "introductions")
    assert _counts(community, reader, here) == (0, 1)
    Thread.objects.filter(pk=thread.pk).update(board=there)
    assert _counts(community, reader, here) == (0, 0)
    assert _counts(community, reader, there) == (0, 1)


@pytest.mark.parametrize("gone", ["left", "banned"])
def test_a_member_who_left_or_is_banned_is_not_tracked(forum, gone):
    client, community, reader, writer = forum
    community.public_read = True
    community.save(update_fields=["public_read"])
    thread = thread_make(community, writer)
    comment_make(thread, writer)
    _read(client, thread)
    comment_make(thread, writer)
    if gone == "left":
        Membership.objects.filter(member=reader, community=community).delete()
    else:
        sanction(reader, community)
    assert _counts(community, reader) is None
    marks = unread.list_marks(access=access(reader, community), thread_ids=[thread.pk])
    assert marks == unread.NOTHING
    before = ThreadRead.objects.get(member=reader, thread=thread).last_comment_id
    if gone == "left":
        # A public community is still read; the position stays as it was.
        response = _read(client, thread)
        assert response.status_code == 200
        assert 'id="unread"' not in response.text
        page = client.get(reverse("board_detail", args=[community.slug, "job-talk"]))
        assert "badge-unread" not in page.text
    assert (
        ThreadRead.objects.get(member=reader, thread=thread).last_comment_id == before
    )


def test_the_position_only_moves_forward():
    community = community_make()
    member, writer = member_create(), member_create()
    thread = thread_make(community, writer)
    assert thread_read_move(
        member_id=member.pk, thread_id=thread.pk, shown=5, known=None
    )
    # A page read with a stale position (another tab) does not move it back.
    assert thread_read_move(
        member_id=member.pk, thread_id=thread.pk, shown=3, known=None
    )
    assert ThreadRead.objects.get().last_comment_id == 5
    assert not thread_read_move(
        member_id=member.pk, thread_id=thread.pk, shown=5, known=5
    )
    assert thread_read_move(member_id=member.pk, thread_id=thread.pk, shown=9, known=5)
    assert ThreadRead.objects.get().last_comment_id == 9


def test_the_board_marks_new_and_unread_rows_and_counts_them(forum):
    client, community, _reader, writer = forum
    seen = thread_make(community, writer, title="읽은 글")
    comment_make(seen, writer)
    _read(client, seen)
    first = comment_make(seen, writer)
    comment_make(seen, writer)
    thread_make(community, writer, title="새 글")
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    jump = reverse("thread_detail", args=[community.slug, seen.pk])
    assert f'<a class="badge badge-unread" href="{jump}?page=unread#unread">' in page
    assert "2 unread</a>" in page
    assert f'<a href="{jump}?page=unread#unread" data-thread="{seen.pk}">' in page
    assert page.count('<span class="badge badge-new">New</span>') == 1
    assert '<p class="unread-summary">1 new · 1 unread</p>' in page
    # The jump lands on the divider before the first unread comment.
    thread_page = client.get(jump, {"page": "unread"}, HTTP_ACCEPT_LANGUAGE="en").text
    divider = thread_page.index('id="unread"')
    assert divider < thread_page.index(f'id="comment-{first.pk}"')
    assert thread_page.count('id="unread"') == 1
    assert 'href="#unread"' in thread_page
    # Read now: no marks left.
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    assert "badge-unread" not in page
    assert "1 new · 0 unread" in page


def test_the_community_page_marks_its_recent_threads(forum):
    client, community, _reader, writer = forum
    thread_make(community, writer)
    page = client.get(
        reverse("community_detail", args=[community.slug]), HTTP_ACCEPT_LANGUAGE="ko"
    ).text
    assert '<p class="unread-summary">새 글 1 · 안 읽음 0</p>' in page
    assert '<span class="badge badge-new">새 글</span>' in page


def test_signed_out_readers_get_the_shared_body_unmarked(client):
    community = community_make(public_read=True)
    writer = member_create()
    thread = thread_make(community, writer)
    comment_make(thread, writer)
    page = client.get(reverse("board_detail", args=[community.slug, "job-talk"])).text
    assert f'<span class="unread-mark" data-thread="{thread.pk}"></span>' in page
    assert '<p class="unread-summary"></p>' in page
    assert "badge-new" not in page
    assert not ThreadRead.objects.exists()
    assert 'id="unread"' not in _read(client, thread).text


def test_the_jump_finds_the_page_of_the_first_unread_comment(forum):
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    top = [comment_make(thread, writer) for _ in range(COMMENTS_PER_PAGE + 5)]
    ThreadRead.objects.create(
        member=reader, thread=thread, last_comment_id=top[COMMENTS_PER_PAGE + 1].pk
    )
    # A reply on page 1 to an old comment, later than the position...
    reply = comment_make(thread, writer, parent=top[0])
    response = _read(client, thread, page="unread")
    assert response.context["comments"].number == 2
    text = response.text
    assert text.index('id="unread"') < text.index(
        f'id="comment-{top[COMMENTS_PER_PAGE + 2].pk}"'
    )
    assert text.index('id="unread"') > text.index(
        f'id="comment-{top[COMMENTS_PER_PAGE + 1].pk}"'
    )
    # ...is unread, and the position moved past page 2's last comment only.
    assert ThreadRead.objects.get(member=reader, thread=thread).last_comment_id == (
        top[-1].pk
    )
    assert _state(community, reader, thread) == unread.ThreadUnread(False, 1, reply.pk)
    assert _read(client, thread, page="unread").context["comments"].number == 1


@pytest.mark.parametrize("size", [10, 60])
def test_board_queries_with_unread_counts(forum, django_assert_max_num_queries, size):
    client, community, reader, writer = forum
    threads = [thread_make(community, writer) for _ in range(size)]
    Comment.objects.bulk_create(
        Comment(thread=t, author=writer, body="댓글", body_html="<p>댓글</p>")
        for t in threads
        for _ in range(3)
    )
    ThreadRead.objects.bulk_create(
        ThreadRead(member=reader, thread=t, last_comment_id=0) for t in threads[::2]
    )
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    with django_assert_max_num_queries(BOARD_QUERIES):
        response = client.get(url)
    # A page of 20 rows: every other one read (then commented on), the
    # others new.
    shown = min(size, 20) // 2
    assert response.text.count('class="badge badge-unread"') == shown
    assert response.text.count('class="badge badge-new"') == shown


@pytest.mark.parametrize("size", [5, 120])
def test_the_thread_page_writes_the_position_only_when_it_moves(
    forum, django_assert_num_queries, size
):
    client, community, _reader, writer = forum
    thread = thread_make(community, writer)
    for _ in range(size):
        comment_make(thread, writer)
    # Every page read (the first view flushes the view counter).
    for page in range(1, -(-size // COMMENTS_PER_PAGE) + 1):
        _read(client, thread, page=page)
    queries = THREAD_QUERIES[False]
    with django_assert_num_queries(queries):
        _read(client, thread)
    comment_make(thread, writer, parent=Comment.objects.filter(thread=thread).first())
    # The write (where the position may move to is read with the marks).
    with django_assert_num_queries(queries + 1):
        assert 'id="unread"' in _read(client, thread).text
    with django_assert_num_queries(queries):
        assert 'id="unread"' not in _read(client, thread).text


def test_the_position_never_passes_a_comment_not_yet_shown(forum):
    # Review M4: pages follow the top-level comments' time with replies
    # under them, so a late reply to the first comment shows on page 1.
    # Reading page 1 moved the position to that reply, past page 2's
    # comment never shown, and the list said nothing was unread.
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    top = [comment_make(thread, writer) for _ in range(COMMENTS_PER_PAGE + 1)]
    reply = comment_make(thread, writer, parent=top[0])

    assert _read(client, thread).context["comments"].number == 1
    position = ThreadRead.objects.get(member=reader, thread=thread).last_comment_id
    assert top[-2].pk <= position < top[-1].pk
    assert _state(community, reader, thread) == unread.ThreadUnread(
        False, 2, top[-1].pk
    )
    assert _read(client, thread, page="unread").context["comments"].number == 2
    # Page 2 read: only the reply, shown but after page 2's comment, is
    # left; reading page 1 again reads it.
    assert _state(community, reader, thread) == unread.ThreadUnread(False, 1, reply.pk)
    _read(client, thread)
    assert _state(community, reader, thread) is None


@pytest.mark.parametrize("size", [5, 120])
def test_a_page_behind_a_skipped_comment_moves_the_position_no_further(
    forum, django_assert_num_queries, size
):
    # A page moves the position only up to the first comment it skipped:
    # with a reply on page 1 after unread pages, page 1 stays unread, and
    # reading it writes nothing (the lookup is read with the marks).
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    top = [comment_make(thread, writer) for _ in range(size + COMMENTS_PER_PAGE)]
    _read(client, thread)  # the first view flushes the view counter
    comment_make(thread, writer, parent=top[0])
    with django_assert_num_queries(THREAD_QUERIES[False]):
        assert 'id="unread"' in _read(client, thread).text
    position = ThreadRead.objects.get(member=reader, thread=thread).last_comment_id
    assert position == top[COMMENTS_PER_PAGE - 1].pk


def test_a_moderator_reading_hidden_comments_moves_past_them(forum):
    client, community, reader, writer = forum
    Membership.objects.filter(member=reader).update(role=MembershipRole.MODERATOR)
    thread = thread_make(community, writer)
    hidden = comment_make(thread, writer, visibility=Visibility.HIDDEN)
    _read(client, thread)
    assert ThreadRead.objects.get(member=reader).last_comment_id == hidden.pk


# Follow levels (community.follows): what each level shows on the lists.
# At every level but muted a never-opened thread is new (Discourse lists new
# topics of normal categories too); unread comments count only at watching
# and tracking; a muted thread shows and counts nothing.
SHOWS = {
    FollowLevel.WATCHING: (True, True),
    FollowLevel.TRACKING: (True, True),
    FollowLevel.NORMAL: (True, False),
    FollowLevel.MUTED: (False, False),
}


@pytest.mark.parametrize("target", ["thread", "board", "community"])
@pytest.mark.parametrize("level", list(SHOWS))
def test_each_level_of_each_target_shows_its_marks_and_counts(forum, level, target):
    client, community, reader, writer = forum
    seen = thread_make(community, writer, title="읽은 글")
    _read(client, seen)
    first = comment_make(seen, writer)
    comment_make(seen, writer)
    fresh = thread_make(community, writer, title="새 글")
    if target == "thread":
        for thread in (seen, fresh):
            Follow.objects.create(member=reader, thread=thread, level=level)
    elif target == "board":
        Follow.objects.create(member=reader, board=board_of(community), level=level)
    else:
        Follow.objects.create(member=reader, community=community, level=level)
    new, unread_shown = SHOWS[level]
    states = unread.list_marks(
        access=access(reader, community), thread_ids=[seen.pk, fresh.pk]
    ).states
    expected = {}
    if new:
        expected[fresh.pk] = unread.ThreadUnread(True, 0, None)
    if unread_shown:
        expected[seen.pk] = unread.ThreadUnread(False, 2, first.pk)
    assert states == expected
    assert _counts(community, reader) == (int(new), int(unread_shown))
    assert _counts(community, reader, board_of(community)) == (
        int(new),
        int(unread_shown),
    )
    # The pages show the same: the board's list and the community's.
    jump = reverse("thread_detail", args=[community.slug, seen.pk]) + "?page=unread"
    summary = (
        f'<p class="unread-summary">{int(new)} new · {int(unread_shown)} unread</p>'
    )
    for url in (
        reverse("board_detail", args=[community.slug, "job-talk"]),
        reverse("community_detail", args=[community.slug]),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
        assert page.count('<span class="badge badge-new">New</span>') == int(new)
        assert (jump in page) == unread_shown
        assert ("2 unread</a>" in page) == unread_shown
        if new or unread_shown:
            assert summary in page
        else:
            assert '<p class="unread-summary"></p>' in page


def test_the_thread_and_taking_part_beat_a_muted_board(forum):
    """The precedence of follows._level holds on the lists: a thread chosen
    tracking, or one the member commented on (watching), shows its unread
    comments in a muted board; the board's other threads show nothing."""
    client, community, reader, writer = forum
    chosen, joined, other = (thread_make(community, writer) for _ in range(3))
    for thread in (chosen, joined, other):
        _read(client, thread)
    comment_make(joined, reader)
    for thread in (chosen, joined, other):
        comment_make(thread, writer)
    Follow.objects.create(member=reader, board=board_of(community), level="muted")
    Follow.objects.create(member=reader, thread=chosen, level="tracking")
    marks = unread.list_marks(
        access=access(reader, community), thread_ids=[chosen.pk, joined.pk, other.pk]
    )
    assert set(marks.states) == {chosen.pk, joined.pk}
    assert marks.counts == (0, 2)
    assert _counts(community, reader) == (0, 2)


def test_a_muted_boards_page_costs_no_more_queries(forum):
    """Nothing to mark on the rows still costs the one statement."""
    client, community, reader, writer = forum
    for _ in range(3):
        thread_make(community, writer)
    url = reverse("board_detail", args=[community.slug, "job-talk"])
    client.get(url)
    with CaptureQueriesContext(connection) as tracked:
        client.get(url)
    Follow.objects.create(member=reader, board=board_of(community), level="muted")
    with CaptureQueriesContext(connection) as muted:
        page = client.get(url).text
    assert "badge-new" not in page
    assert len(muted) == len(tracked) <= BOARD_QUERIES


@pytest.mark.parametrize("target", ["thread", "board"])
@pytest.mark.parametrize("level", list(SHOWS))
def test_the_thread_page_shows_unread_comments_where_the_lists_count_them(
    forum, django_assert_num_queries, level, target
):
    # The divider and the jump link follow the level as the lists do: none
    # on a normal or muted thread, and no query more to know it.
    client, community, reader, writer = forum
    thread = thread_make(community, writer)
    comment_make(thread, writer)
    _read(client, thread)
    comment_make(thread, writer)
    if target == "thread":
        Follow.objects.create(member=reader, thread=thread, level=level)
    else:
        Follow.objects.create(member=reader, board=board_of(community), level=level)
    url = reverse("thread_detail", args=[community.slug, thread.pk])
    # The position moves: the write.
    with django_assert_num_queries(THREAD_QUERIES[False] + 1):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").text
    shown = SHOWS[level][1]
    assert ('id="unread"' in page) == shown
    assert ('class="unread-jump"' in page) == shown
    assert ("1 new comment since your last visit" in page) == shown


def test_links_hold_when_the_slug_spells_the_layers_sentinel(client):
    # Review (low): the layers cut a reversed URL at the first sentinel id,
    # so a slug spelling its digits broke the comments' and the rows' links.
    community = community_make(slug="team-2147480001")
    reader, writer = veteran(), veteran()
    join(reader, community)
    join(writer, community)
    client.force_login(reader)
    thread = thread_make(community, writer)
    _read(client, thread)
    comment = comment_make(thread, writer)
    own = comment_make(thread, reader)

    board = client.get(reverse("board_detail", args=[community.slug, "job-talk"]))
    jump = reverse("thread_detail", args=[community.slug, thread.pk])
    assert f'class="badge badge-unread" href="{jump}?page=unread#unread"' in board.text
    page = _read(client, thread).text
    for name, args in [
        ("comment_edit", [community.slug, own.pk]),
        ("comment_delete", [community.slug, own.pk]),
    ]:
        assert reverse(name, args=args) in page, name
    assert f'name="empathy" value="{comment.pk}"' in page
